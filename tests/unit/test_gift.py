"""GIFT import: every construct, from the files in tests/data/gift/."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.quizzes.formats.gift import BLANK, decode, parse_gift
from lms.quizzes.registry import default_registry

DATA = Path(__file__).resolve().parent.parent / "data" / "gift"
REG = default_registry()


def load(name):
    result = parse_gift((DATA / name).read_bytes())
    return result, {q["id"]: q for q in result.questions}


def strip(q):
    return {k: v for k, v in q.items() if k not in ("id", "_line", "category")}


def test_every_data_file_parses_into_valid_questions():
    files = sorted(DATA.glob("*.gift"))
    assert len(files) >= 10
    for path in files:
        result = parse_gift(path.read_bytes())
        if path.name != "errors.gift":
            assert result.problems == [], path.name
        assert result.questions, path.name
        for q in result.questions:
            assert (
                REG.validate_question({k: v for k, v in q.items() if not k.startswith("_")}) == []
            ), (path.name, q)
            assert isinstance(q["_line"], int) and "category" in q


def test_true_false():
    _, qs = load("true_false.gift")
    assert strip(qs["tf-t"]) == {
        "type": "true_false",
        "answer": True,
        "text": "The sun rises in the east.",
        "title": "tf-T",
    }
    assert qs["tf-f"]["answer"] is False
    assert qs["tf-true"]["answer"] is True
    assert qs["tf-false"]["answer"] is False
    # {F#wrong#right}: the first # is shown on a wrong answer (True), the second on a right one.
    fb = qs["tf-feedback"]
    assert fb["feedback_true"] == "No one is buried there: he is entombed."
    assert fb["feedback_false"] == "Right, he is entombed."
    assert qs["tf-wrong-only"]["feedback_false"] == "There are ten main classes (000-900)."
    assert "feedback_true" not in qs["tf-wrong-only"]


def test_single_choice_with_feedback():
    _, qs = load("choice.gift")
    q = qs["single"]
    assert q["type"] == "single_choice"
    assert [o["text"] for o in q["options"]] == [
        "Grant",
        "no one",
        "Napoleon",
        "Churchill",
        "Mother Teresa",
    ]
    assert [o["correct"] for o in q["options"]] == [True, False, False, False, False]
    assert [o["id"] for o in q["options"]] == ["o1", "o2", "o3", "o4", "o5"]
    q = qs["single-feedback"]
    assert q["options"][0]["feedback"] == "Right: 020 is library science."
    assert q["options"][1] == {
        "id": "o2",
        "text": "Philosophy",
        "correct": False,
        "feedback": "No, philosophy is 100.",
    }


def test_single_choice_partial_weights():
    _, qs = load("choice.gift")
    q = qs["single-partial"]
    assert q["type"] == "single_choice"
    assert [o["weight"] for o in q["options"]] == [100, 50, -25, 0]
    assert q["options"][1]["feedback"] == "close"


def test_multiple_answers_with_weights():
    _, qs = load("choice.gift")
    q = qs["multiple"]
    assert q["type"] == "multiple_choice"
    assert [o["weight"] for o in q["options"]] == [-100, 50, 50, -100]
    assert [o["text"] for o in q["options"]] == [
        "No one",
        "Grant",
        "Grant's wife",
        "Grant's father",
    ]
    assert [o["weight"] for o in qs["multiple-decimal"]["options"]] == [
        33.33333,
        33.33333,
        33.33334,
        -100,
    ]
    mc = REG.get("multiple_choice")
    assert mc.grade(q, ["o2", "o3"]).fraction == 1.0


def test_short_answer():
    _, qs = load("short_answer.gift")
    assert qs["sa-one"]["answers"] == [
        {"text": "no one", "credit": 100},
        {"text": "nobody", "credit": 100},
    ]
    assert qs["sa-weights"]["answers"][1] == {
        "text": "Nusantara",
        "credit": 50,
        "feedback": "That is the future capital.",
    }
    assert qs["sa-weights"]["answers"][2]["credit"] == 0
    sa = REG.get("short_answer")
    assert sa.grade(qs["sa-wildcard"], "Dewey Decimal").fraction == 1.0
    assert sa.grade(qs["sa-wildcard"], "udc").fraction == 0.5


def test_missing_word():
    _, qs = load("missing_word.gift")
    assert qs["mw-choice"]["text"] == f"Moodle costs {BLANK} to download from moodle.org."
    assert qs["mw-choice"]["type"] == "single_choice"
    assert qs["mw-short"]["text"] == f"Two plus {BLANK} equals four."
    assert qs["mw-short"]["type"] == "short_answer"
    assert qs["mw-tf"]["text"] == f"The sun {BLANK} rises in the east."


def test_matching_with_distractor():
    _, qs = load("matching.gift")
    q = qs["match-capitals"]
    assert q["pairs"] == [
        {"left": "Canada", "right": "Ottawa"},
        {"left": "Italy", "right": "Rome"},
        {"left": "Japan", "right": "Tokyo"},
        {"left": "India", "right": "New Delhi"},
    ]
    assert "distractors" not in q
    d = qs["match-distractor"]
    assert d["distractors"] == ["S. R. Ranganathan"]
    assert len(d["pairs"]) == 2


def test_numerical():
    _, qs = load("numerical.gift")
    assert qs["num-exact"]["answers"] == [{"value": 10, "credit": 100}]
    assert qs["num-tolerance"]["answers"] == [{"value": 3.1415, "tolerance": 0.0005, "credit": 100}]
    assert qs["num-range"]["answers"] == [{"min": 1, "max": 5, "credit": 100}]
    assert qs["num-multi"]["answers"] == [
        {"value": 1822, "tolerance": 0, "credit": 100, "feedback": "Correct! Full credit."},
        {
            "value": 1822,
            "tolerance": 2,
            "credit": 50,
            "feedback": "He was born in 1822. Half credit for being close.",
        },
    ]
    assert qs["num-negative"]["answers"] == [{"value": -3, "credit": 100}]
    assert qs["num-feedback"]["answers"][0]["feedback"] == "Yes, 38 provinces."
    num = REG.get("numerical")
    assert (
        num.grade(
            qs["num-tolerance"], num.normalise_response(qs["num-tolerance"], ["3,1417"])
        ).fraction
        == 1.0
    )
    assert num.grade(qs["num-multi"], 1821).fraction == 0.5


def test_essay_and_description():
    _, qs = load("essay_description.gift")
    assert strip(qs["essay"]) == {
        "type": "essay",
        "text": "Describe a programme your library runs for the community.",
        "title": "essay",
    }
    assert qs["essay-feedback"]["feedback"] == "A good answer names one concrete change."
    assert qs["intro"]["type"] == "description"
    assert qs["q4"] == {
        "id": "q4",
        "type": "description",
        "text": "A description without a title.",
        "category": "",
        "_line": 8,
    }


def test_feedback_and_escapes():
    _, qs = load("feedback_escapes.gift")
    q = qs["fb-general"]
    assert q["feedback"] == "Moodle is a free and open-source learning management system."
    assert q["options"][1]["feedback"] == "Yes, it is open source software"
    e = qs["esc-all"]
    assert (
        e["text"]
        == "Escapes: ~ tilde, = equals, # hash, { and } braces, a backslash \\ and a line\nbreak."
    )
    assert e["answers"] == [{"text": "a = b", "credit": 100, "feedback": "feedback with # and :"}]
    assert qs["esc-title-colon"]["title"] == "esc-title: colon"


def test_format_markers_and_categories():
    # Every text becomes pack Markdown by its format: HTML sanitised (<b> is <strong>), plain
    # text escaped so that it shows literally; no text_format is left to misread later.
    result, qs = load("formats_categories.gift")
    assert qs["fmt-html"]["text"] == "Which tag makes <strong>bold</strong> text?"
    assert qs["fmt-markdown"]["text"] == "Is **this** bold?"
    assert qs["fmt-plain"]["text"] == "Plain \\*text\\* stays plain."
    assert qs["fmt-moodle"]["text"] == "Moodle auto-format."
    assert not any("text_format" in q for q in result.questions)
    assert [q["category"] for q in result.questions] == [
        "tpbis/module-1",
        "tpbis/module-1",
        "tpbis/module-2",
        "tpbis/module-2",
    ]
    # A $CATEGORY line directly followed by a question (no blank line) still counts.
    assert qs["fmt-plain"]["_line"] == 9


def test_cp1252_bytes():
    raw = (DATA / "cp1252.gift").read_bytes()
    assert b"\x93" in raw and b"\x94" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result, qs = load("cp1252.gift")
    assert result.problems == []
    assert qs["cp1252-quotes"]["text"] == "Apa arti \u201cperpustakaan\u201d \u2013 menurut KBBI?"
    assert qs["cp1252-quotes"]["options"][0]["text"] == "gedung tempat buku caf\u00e9"
    assert qs["cp1252-tf"]["text"] == "Buku \u201cLaskar Pelangi\u201d ditulis Andrea Hirata."


def test_utf8_bytes_bom_and_crlf():
    text = "\ufeff::t:: Apa \u201cini\u201d? {T}\r\n\r\n::u:: Dua {=2}\r\n"
    result = parse_gift(text.encode("utf-8"))
    assert [q["text"] for q in result.questions] == ["Apa \u201cini\u201d?", "Dua"]
    assert decode("a\r\nb\rc") == "a\nb\nc"


def test_moodle_docs_mix():
    result, qs = load("moodle_docs.gift")
    assert result.problems == []
    types = {q["type"] for q in result.questions}
    assert types == {
        "true_false",
        "single_choice",
        "multiple_choice",
        "short_answer",
        "matching",
        "numerical",
        "essay",
        "description",
    }
    assert len(result.questions) == 27
    assert qs["q1"]["text"] == "1+1=2"
    # Moodle's context prefix ($course$/top/) is not part of a Pelita category.
    assert qs["q1"]["category"] == "Moodle docs"
    assert qs["q9"]["category"] == "Moodle docs/More"
    assert qs["q2"]["options"][0] == {
        "id": "o1",
        "text": "yellow",
        "correct": True,
        "feedback": "right; good!",
    }
    assert qs["q5"]["answers"] == [{"value": 3, "tolerance": 2, "credit": 100}]
    assert [o.get("weight") for o in qs["q19"]["options"]] == [100, 100, 50]
    assert qs["q20"]["answer"] is True
    assert qs["q20"]["feedback_false"] == "FALSE: No one is buried in Grant's tomb."
    assert [o["text"] for o in qs["q23"]["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert qs["q25"]["text"] == "Which **word** is bold?"  # [markdown]: kept as Markdown
    assert qs["colon-escape"]["text"].endswith("in GIFT: the colon?")
    assert [q["_line"] for q in result.questions][:3] == [7, 10, 14]
    pi, pi_range = qs["q26"], qs["q27"]
    assert pi["text"] == "What is the value of pi (to 3 decimal places)? _____."
    num = REG.get("numerical")
    for q in (pi, pi_range):
        for typed in ("3.142", "3,142", "3.1415"):
            assert num.grade(q, num.normalise_response(q, [typed])).fraction == 1.0, typed


def test_errors_name_the_line_and_the_problem():
    result, qs = load("errors.gift")
    assert list(qs) == ["ok"]
    problems = dict(result.problems)
    assert "unterminated '{'" in problems[2]
    assert "no correct answer" in problems[4]
    assert "bad number 'three'" in problems[6]
    assert "cannot tell the question type" in problems[8]
    assert "more than one {...}" in problems[10]
    assert "'}' without an opening '{'" in problems[12]
    assert "min greater than max" in problems[16]
    assert "question text is empty" in problems[18]
    assert "title has no closing '::'" in problems[20]
    assert "at least two pairs" in problems[22]
    assert "bad weight" in problems[24]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Q? {=a ~b", "unterminated"),
        ("Q? {=a ~b}\n\n", None),
        ("Q? {~a ~b}", "no correct answer"),
        ("Q? {#1,5}", "bad number"),
        ("Q? {#}", "no number"),
        ("Q? {#=1 =%50%x}", "bad number"),
        ("Q? {#=%50%1}", "no correct answer"),
        ("Q? {=%50%a}", "no correct answer"),
        ("Q? {~%150%a =b}", "outside"),
        ("Q? {=a -> b =c}", "no '->'"),
        ("Q? {=a -> b ~c -> d}", None),  # any ~ makes a choice question, as in Moodle
        ("Q? {=}", "empty"),
        ("Q? {~a}", "at least two"),
        ("Q? {T#a#b#c}", None),  # Moodle: right feedback "b#c"
        ("Q? {=a ~b} {=c}", "more than one"),
        ("Q? {x ~a =b}", "before the first answer"),
        ("Q? {x =a}", "cannot tell"),
        ("Q? {=a -> }", "empty right-hand"),
        ("Q? {~%-10%a ~%-10%b}", "no correct answer"),
        ("Q? {=a -> x =b -> y =a -> z}", "appears twice"),
    ],
)
def test_inline_errors(text, message):
    result = parse_gift(text)
    if message is None:
        assert result.problems == [] and len(result.questions) == 1
    else:
        assert len(result.problems) == 1 and not result.questions
        assert message in result.problems[0][1], result.problems
        assert result.problems[0][0] == 1


def test_error_line_inside_a_multiline_block():
    text = "// header\n\n::a:: First {T}\n\n::b:: Second {\n=one\n=%50%two\n=%x%three\n}\n"
    result = parse_gift(text)
    assert result.problems == [(8, "bad weight in '%x%three'; write it as %50% or %-25%")]
    assert [q["id"] for q in result.questions] == ["a"]


def test_comments_inside_a_block_and_comment_only_blocks():
    text = "// only a comment\n// another\n\n::a:: Q\n// inside\n{T}\n"
    result = parse_gift(text)
    assert result.problems == []
    assert result.questions[0]["text"] == "Q"
    assert result.questions[0]["_line"] == 4


def test_ids_from_titles_are_unique():
    result = parse_gift("::Soal 1::A {T}\n\n::Soal 1::B {F}\n\nC {T}\n\n::Sóal: 2?::D {T}")
    assert [q["id"] for q in result.questions] == ["soal-1", "soal-1-2", "q3", "soal-2"]
    assert result.problems == []


def test_true_false_words_are_case_sensitive_like_moodle():
    result = parse_gift("Q? {true}")
    assert result.problems and "cannot tell" in result.problems[0][1]


def test_str_and_empty_input():
    assert parse_gift("") == ([], [])
    assert parse_gift(b"\n\n// nothing\n") == ([], [])
