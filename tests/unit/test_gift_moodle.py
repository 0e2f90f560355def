"""GIFT as Moodle reads and writes it: the inputs of Moodle's own GIFT import tests
(tests/data/gift/moodle_tests.gift) and a file as Moodle's GIFT exporter writes it
(tests/data/gift/moodle_export.gift) import with Moodle's counts and grade as Moodle grades;
bad files are refused with a message, and a large file takes linear time."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path

import pytest

from lms.content.render import render_markdown
from lms.quizzes.formats.gift import export_gift, parse_gift
from lms.quizzes.formats.textfile import MAX_TEXT_BYTES, BankFileError
from lms.quizzes.registry import default_registry

DATA = Path(__file__).resolve().parent.parent / "data" / "gift"
REG = default_registry()


def load(name):
    """The file's questions; like Moodle, Pelita imports the whole file or nothing, so every
    question of these files must parse (before, one numerical question stopped them all)."""
    result = parse_gift((DATA / name).read_bytes())
    assert result.problems == [], result.problems
    return result, {q["id"]: q for q in result.questions}


def page(text: str) -> str:
    """The question text as learners see it (the course importer's renderer)."""
    return render_markdown(text, module_url=lambda s, a: "", media_url=lambda p: p)[0]


def visible(html) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(html))).split())


def answer(q: dict, *typed: str):
    """The grade of the answer a learner types or picks, through the form values."""
    qtype = REG.get(q["type"])
    return qtype.grade(q, qtype.normalise_response(q, list(typed)))


# ------------------------------------------------------------------ Moodle's import tests


def test_moodle_import_tests_all_import():
    result, qs = load("moodle_tests.gift")
    assert result.problems == []
    assert len(result.questions) == 16


def test_essay_and_matching():
    _, qs = load("moodle_tests.gift")
    assert qs["q8"]["type"] == "essay" and qs["q8"]["text"] == "How are you?"
    assert qs["q8b"]["feedback"] == "This is general feedback"
    match = qs["match"]
    assert [(p["left"], p["right"]) for p in match["pairs"]] == [
        ("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo"), ("India", "New Delhi")]
    assert match["feedback"] == "It's good to know the capitals"
    assert answer(match, "0:Ottawa", "1:Rome", "2:Tokyo", "3:Rome").fraction == 0.75


def test_multichoice_single_and_multi():
    _, qs = load("moodle_tests.gift")
    q2 = qs["q2"]
    assert q2["type"] == "single_choice"
    assert [(o["text"], o["correct"], o["feedback"]) for o in q2["options"]] == [
        ("yellow", True, "right; good!"), ("red", False, "wrong, it's yellow"),
        ("blue", False, "wrong, it's yellow")]
    colours = qs["colours"]
    assert colours["type"] == "multiple_choice"
    assert [o["weight"] for o in colours["options"]] == [50, -100, 50, -100]
    assert answer(colours, "o1", "o3").fraction == 1.0
    assert answer(colours, "o1").fraction == 0.5
    assert answer(colours, "o1", "o2").fraction == 0.0
    tricky = qs["tricky"]
    assert tricky["type"] == "multiple_choice"  # no '=': several may be ticked
    assert [o["weight"] for o in tricky["options"]] == [100, -50, -50]
    assert answer(tricky, "o1", "o2").fraction == 0.5


def test_numerical_with_any_other_answer():
    # Was: the whole file refused ("text '3:2' before the first answer").
    _, qs = load("moodle_tests.gift")
    q5 = qs["q5"]
    assert q5["answers"] == [{"value": 3, "tolerance": 2, "credit": 100},
                             {"any": True, "credit": 0, "feedback": "Completely wrong"}]
    assert answer(q5, "1").fraction == 1.0 and answer(q5, "5").fraction == 1.0
    wrong = answer(q5, "7")
    assert (wrong.fraction, wrong.feedback) == (0.0, ["Completely wrong"])


def test_shortanswer_with_a_wildcard_and_general_feedback():
    _, qs = load("moodle_tests.gift")
    sa = qs["shortanswer"]
    assert [(a["text"], a["credit"]) for a in sa["answers"]] == [
        ("Frog", 100), ("Cat", 50), ("*", 0)]
    assert answer(sa, "frog").fraction == 1.0
    assert answer(sa, "Cat").fraction == 0.5
    dog = answer(sa, "Dog")
    assert (dog.fraction, dog.feedback) == (0.0, ["Completely wrong"])
    assert qs["shortanswer2"]["feedback"] == "Here is some general feedback!"


def test_truefalse_feedbacks():
    _, qs = load("moodle_tests.gift")
    q1 = qs["q1"]
    assert q1["answer"] is False
    assert q1["feedback_true"] == "42 is the Ultimate Answer."
    assert q1["feedback_false"] == "You gave the right answer."
    assert qs["q1b"]["answer"] is True
    assert qs["q1b"]["feedback_true"] == "42 is the Ultimate Answer."
    assert qs["q1b"]["feedback_false"] == "You gave the wrong answer."
    assert qs["q1c"]["feedback_false"] == "You gave the wrong answer."
    assert answer(q1, "false").feedback == ["You gave the right answer."]


@pytest.mark.parametrize(
    ("source", "answer_", "true_fb", "false_fb", "general"),
    [
        # Moodle's documentation: {T}, {FALSE}, feedback for a wrong answer, both feedbacks.
        ("Grant was buried in a tomb in New York City.{T}", True, None, None, None),
        ("The sun rises in the West.{FALSE}", False, None, None, None),
        ("Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}",
         False, "No one is buried in Grant's tomb.", None, None),
        ("1+1=2 {T#You said false!#You said true!}", True, "You said true!", "You said false!",
         None),
        # ... and general feedback after ####, with or without the answers' feedbacks.
        ("1+1=2 {T#wrong feedback#right feedback####general}", True, "right feedback",
         "wrong feedback", "general"),
        ("1+1=2 {TRUE####general}", True, None, None, "general"),
        ("1+1=3 {F##right only####general}", False, None, "right only", "general"),
        # Moodle splits at the first two # (split_truefalse_comment): the rest is the right
        # answer's feedback, '#' included.
        ("Q {T#a#b#c}", True, "b#c", "a", None),
        ("Q {F#a#b#c####d}", False, "a", "b#c", "d"),
    ],
)
def test_truefalse_every_form_moodle_reads(source, answer_, true_fb, false_fb, general):
    result = parse_gift(source.encode())
    assert result.problems == []
    (q,) = result.questions
    assert q["type"] == "true_false" and q["answer"] is answer_
    assert (q.get("feedback_true"), q.get("feedback_false"), q.get("feedback")) == (
        true_fb, false_fb, general)
    # The right answer's feedback goes with the right answer, the wrong one's with the wrong one.
    if true_fb:
        assert answer(q, "true").feedback == [true_fb]
    if false_fb:
        assert answer(q, "false").feedback == [false_fb]
    again = parse_gift(export_gift([q]).encode()).questions[0]
    assert {k: again.get(k) for k in ("answer", "feedback_true", "feedback_false", "feedback")} \
        == {k: q.get(k) for k in ("answer", "feedback_true", "feedback_false", "feedback")}


def test_pre_content_keeps_its_braces_and_lines():
    _, qs = load("moodle_tests.gift")
    shown = page(qs["q001"]["text"])
    assert "<pre>    public void test() {\n        method1();" in shown
    assert qs["q001"]["type"] == "essay"


def test_idnumber_and_tags_from_comments():
    _, qs = load("moodle_tests.gift")
    assert qs["myid"]["tags"] == ["tag", "other-tag"]
    assert qs["myid"]["title"] == "Question name"
    escaped = next(q for q in qs.values() if q.get("title") == "Escaped")
    assert escaped["tags"] == ["some]tag", "other\\tag"]
    assert escaped["id"] == "myid-id"  # "myid]id" is no usable id: its slug


def test_description():
    _, qs = load("moodle_tests.gift")
    assert qs["q0"]["type"] == "description"


# ------------------------------------------------------------------ Moodle's exporter output


def test_a_moodle_export_imports_with_moodles_count():
    result, qs = load("moodle_export.gift")
    assert result.problems == []
    assert len(result.questions) == 16  # Moodle: "Importing 16 questions from file"
    assert {q["category"] for q in result.questions} == {
        "Default for TPBIS 101", "Default for TPBIS 101/Etika"}  # no $course$/top/


def test_html_answers_show_as_text_not_tags():
    _, qs = load("moodle_export.gift")
    q = qs["GEO-01"]  # [id:GEO-01] is the question's id
    assert q["tags"] == ["geografi", "dasar"]
    html = str(REG.get("single_choice").render({**q, "text_html": page(q["text"])}, field="f"))
    assert "<p>Jakarta</p>" not in visible(html) and "Jakarta" in visible(html)
    assert "&lt;p&gt;" not in html
    assert visible(page(q["text"])) == "Apa ibu kota Indonesia? Lihat Wikipedia"
    assert 'href="https://id.wikipedia.org/wiki/Jakarta"' in page(q["text"])
    assert "style" not in q["text"]  # sanitised
    assert answer(q, "o1").feedback == ["<p>Benar.</p>"]


def test_per_answer_formats_are_applied():
    _, qs = load("moodle_export.gift")
    options = {o["id"]: o["text"] for o in qs["campur"]["options"]}
    shown = str(REG.get("single_choice").render(qs["campur"], field="f"))
    assert "Salin ke <em>flashdisk</em>" in shown  # [markdown]
    assert "2*3 &lt;b&gt;" in shown  # [plain]: shown literally
    assert "baris satu<br>baris dua" in shown  # [moodle]: line breaks kept
    assert options["o2"] == "2\\*3 &lt;b&gt;"
    plain = qs["polos"]
    assert visible(page(plain["text"])) == 'Which tag starts a document? <html class="cool">'
    assert "&lt;html&gt;" in str(REG.get("single_choice").render(plain, field="f"))


def test_exported_numerical_and_shortanswer_grade_as_in_moodle():
    _, qs = load("moodle_export.gift")
    assert answer(qs["q5"], "3").fraction == 1.0
    assert answer(qs["q5"], "9").feedback == ["<p>Completely wrong</p>"]
    assert answer(qs["grant"], "1821").fraction == 0.5
    assert answer(qs["pi"], "3.142").fraction == 1.0
    assert answer(qs["pi"], "3,14").feedback == ["<p>Try 3,142.</p>"]
    assert answer(qs["animal"], "Cat").fraction == 0.5
    assert answer(qs["negara"], "0:Ottawa", "1:Rome", "2:Canberra").fraction == pytest.approx(2 / 3)
    assert qs["negara"]["distractors"] == ["Canberra"]
    assert answer(qs["sepertiga"], "o1", "o2", "o3").fraction == 1.0


def test_round_trip_of_a_moodle_export_keeps_every_question():
    first, _ = load("moodle_export.gift")
    second = parse_gift(export_gift(first.questions))
    assert second.problems == []
    strip = lambda qs: [{k: v for k, v in q.items() if k != "_line"} for q in qs]  # noqa: E731
    assert strip(second.questions) == strip(first.questions)


# ------------------------------------------------------------------ bad files


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "pdf"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "office"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "office"),
        ("Apa ibu kota? {=Jakarta ~Bandung}".encode("utf-16"), "utf16"),
        ("Apa ibu kota? {=Jakarta ~Bandung}".encode("utf-16-le"), "utf16"),
        (bytes(range(0, 32)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image"),
        (b"Pertanyaan \x81\x8d? {T}", "encoding"),
        (b"{\\rtf1\\ansi Apa ibu kota? {=Jakarta ~Bandung}}", "rtf"),
    ],
)
def test_files_that_are_not_gift_text_are_refused(data, reason):
    # Was: imported "successfully" as description questions full of control characters.
    with pytest.raises(BankFileError) as err:
        parse_gift(data)
    assert err.value.reason == reason
    assert str(err.value)


def test_nul_and_control_characters_are_refused_with_their_line():
    data = b"::a:: Satu {T}\n\n::b:: Dua\x00 {F}\n\n::c:: Tiga\x0bempat {T}\n"
    result = parse_gift(data)
    assert [line for line, _ in result.problems] == [3, 5]
    assert "U+0000 (NUL)" in result.problems[0][1]
    assert "U+000B" in result.problems[1][1]


def test_utf8_or_windows_1252_only():
    # Windows-1252 (Notepad, Excel on Indonesian Windows) is read; bytes it leaves undefined are
    # refused, where they used to become U+FFFD in the questions.
    result = parse_gift("Apa arti \u201cpustaka\u201d? {T}".encode("cp1252"))
    assert result.problems == [] and "\u201cpustaka\u201d" in result.questions[0]["text"]
    with pytest.raises(BankFileError) as err:
        parse_gift(b"Apa arti \x93pustaka\x94 \x81? {T}")
    assert err.value.reason == "encoding"


def test_the_size_limit_comes_before_parsing():
    data = b"::a:: x {T}\n\n" * (MAX_TEXT_BYTES // 12 + 1)
    started = time.process_time()
    with pytest.raises(BankFileError) as err:
        parse_gift(data)
    assert err.value.reason == "too_large"
    assert time.process_time() - started < 0.5


def test_a_large_file_of_repeated_titles_parses_in_linear_time():
    # Was: more than 5 minutes (a quadratic loop over duplicate ids). CPU time, not wall time.
    block = "::Soal::Apa ibu kota Indonesia? {=Jakarta ~Bandung ~Surabaya}\n\n"
    data = (block * (4_900_000 // len(block))).encode()
    started = time.process_time()
    result = parse_gift(data)
    elapsed = time.process_time() - started
    assert result.problems == [] and len(result.questions) == 4_900_000 // len(block)
    assert result.questions[-1]["id"] == f"soal-{len(result.questions)}"
    assert elapsed < 10, elapsed


def test_one_huge_block_is_linear_too():
    data = ("::Soal::Pilih {\n" + "~salah\n" * 200_000 + "=benar\n}\n").encode()
    started = time.process_time()
    result = parse_gift(data)
    assert len(result.questions[0]["options"]) == 200_001
    assert time.process_time() - started < 10
