"""Moodle XML: a file as Moodle's XML exporter writes it imports with Moodle's count and grades
as in Moodle; images come along into media/; unsupported types and bad files are reported with
their lines; Pelita -> XML -> Pelita keeps every question of every type."""

from __future__ import annotations

import base64
import re
from html import unescape
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from lms.content.render import render_markdown
from lms.quizzes.formats import detect_format
from lms.quizzes.formats.moodle_xml import export_moodle_xml, parse_moodle_xml
from lms.quizzes.formats.textfile import MAX_XML_BYTES, BankFileError
from lms.quizzes.registry import default_registry

DATA = Path(__file__).resolve().parent.parent / "data" / "moodle"
REG = default_registry()
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJRU5ErkJggg==")


def load(name="all_types.xml"):
    result = parse_moodle_xml((DATA / name).read_bytes())
    return result, {q["id"]: q for q in result.questions}


def visible(html) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(html))).split())


def page(text: str) -> str:
    return render_markdown(text, module_url=lambda s, a: "", media_url=lambda p: "/m/" + p)[0]


def answer(q: dict, *typed: str):
    qtype = REG.get(q["type"])
    return qtype.grade(q, qtype.normalise_response(q, list(typed)))


# ------------------------------------------------------------------ a Moodle export


def test_every_type_imports_with_moodles_count():
    result, qs = load()
    assert result.problems == []
    assert len(result.questions) == 9  # Moodle: "Importing 9 questions from file"
    assert [q["type"] for q in result.questions] == [
        "single_choice", "multiple_choice", "true_false", "short_answer", "numerical",
        "matching", "ordering", "essay", "description"]
    assert [q["category"] for q in result.questions][::4] == [
        "Default for TPBIS 101", "Default for TPBIS 101/Hitungan", "Default for TPBIS 101/Hitungan"]


def test_multichoice_keeps_fractions_feedback_points_tags_and_id():
    _, qs = load()
    q = qs["BENDERA-1"]
    assert q["title"] == "Bendera" and q["points"] == 2 and q["tags"] == ["kebangsaan", "gambar"]
    assert [(o["id"], o["correct"]) for o in q["options"]] == [
        ("a", True), ("b", False), ("c", False)]
    assert answer(q, "a").feedback == ["<p>Benar.</p>"]
    assert visible(page(q["feedback"])) == "Merah di atas, putih di bawah."
    html = str(REG.get("single_choice").render(q, field="f"))
    assert ">Merah</label>" in html and "&lt;p" not in html
    multi = qs["bilangan-prima"]
    assert [o["weight"] for o in multi["options"]] == [50, 50, -100]
    assert multi["shuffle"] is False
    assert answer(multi, "a", "b").fraction == 1.0 and answer(multi, "a", "c").fraction == 0.0


def test_images_are_written_to_media_and_referenced():
    result, qs = load()
    assert set(result.media) == {"media/bendera-merah.png", "media/bendera-merah-2.png"}
    assert result.media["media/bendera-merah.png"] == PNG
    shown = page(qs["BENDERA-1"]["text"])
    assert '<img src="/m/media/bendera-merah.png" alt="bendera"' in shown
    # Two different files called "bendera merah.png" in two questions stay two files.
    assert "../media/bendera-merah-2.png" in qs["bilangan-prima"]["text"]


def test_other_types_grade_as_in_moodle():
    _, qs = load()
    tf = qs["bumi-bulat"]
    assert answer(tf, "false").feedback == ["Bukan, bumi bulat."]
    assert answer(tf, "true").fraction == 1.0
    assert visible(page(tf["text"])) == "Bumi itu bulat. Bukan datar."
    sa = qs["hewan"]
    assert sa["case_sensitive"] is True
    assert answer(sa, "Frog").fraction == 1.0 and answer(sa, "frog").fraction == 0.0
    assert answer(sa, "Cat").fraction == 0.5
    pi = qs["pi"]
    assert answer(pi, "3.142").fraction == 1.0 and answer(pi, "3,1416").fraction == 1.0
    assert answer(pi, "3").feedback == ["<p>Completely wrong</p>"]
    match = qs["ibu-kota"]
    assert match["distractors"] == ["Canberra"]
    assert answer(match, "0:Ottawa", "1:Rome", "2:Tokyo").fraction == 1.0
    ordering = qs["urutan-katalogisasi"]
    assert ordering["items"] == ["Terima buku", "Tentukan nomor klasifikasi", "Beri label"]
    essay = qs["esai-program"]
    assert (essay["max_words"], essay["allow_upload"], essay["points"]) == (300, True, 5)
    assert visible(page(essay["rubric"])) == "Names one concrete change."
    assert visible(page(qs["petunjuk"]["text"])) == "Use <pencil> and *paper*."


# ------------------------------------------------------------------ problems


def test_unsupported_types_and_bad_images_are_reported_with_their_lines():
    result, qs = load("unsupported.xml")
    assert list(qs) == ["ok"]
    problems = dict(result.problems)
    assert "'multianswer' (Embedded answers (Cloze)) is not supported" in problems[3]
    assert "'calculated' (Calculated) is not supported" in problems[33]
    assert "'hilang.png', which is not in the XML file" in problems[46]
    assert "'diagram.svg' is not a PNG, JPEG, GIF, WebP or PDF file" in problems[48]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"<?xml version='1.0'?>\n<quiz>\n<question type='truefalse'>\n</quiz>", 4,
         "not well-formed XML: mismatched tag"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x "xxxxxxxx">]>\n<quiz>&x;</quiz>', 1,
         "DTD"),
        (b"<?xml version='1.0'?>\n<html><body/></html>", 2, "not a Moodle question file"),
    ],
)
def test_bad_xml_is_a_problem_with_its_line(data, line, message):
    result = parse_moodle_xml(data)
    assert result.questions == []
    assert result.problems[0][0] == line and message in result.problems[0][1]


def test_files_that_are_not_xml_text_are_refused():
    with pytest.raises(BankFileError) as err:
        parse_moodle_xml(b"%PDF-1.4\n...")
    assert err.value.reason == "pdf"
    with pytest.raises(BankFileError) as err:
        parse_moodle_xml(b"<quiz>" + b" " * MAX_XML_BYTES + b"</quiz>")
    assert err.value.reason == "too_large"


def test_detection_by_name_and_content():
    xml = (DATA / "all_types.xml").read_bytes()
    assert detect_format(xml, "soal.xml") == "moodle_xml"
    assert detect_format(xml, "soal.txt") == "moodle_xml"
    assert detect_format(b"Q?\nA. x\nB. y\nANSWER: A\n", "bank.aiken.txt") == "aiken"
    assert detect_format(b"Q?\nA. x\nB. y\nANSWER: A\n", "bank.txt") == "aiken"
    assert detect_format(b"Q? {=a ~b}\n", "bank.gift.txt") == "gift"
    assert detect_format(b"Q? {=a ~b}\n", "bank.txt") == "gift"


# ------------------------------------------------------------------ round trip


EVERY_TYPE = [
    {"id": "pilih", "type": "single_choice", "title": "Pilih satu", "category": "etika",
     "text": "Salin ke *flashdisk*?\n\n![peta](../media/peta.png)", "points": 2,
     "feedback": "Umum `kode`.", "tags": ["dasar"],
     "options": [{"id": "a", "text": "Ya *sekali*", "correct": True, "feedback": "Benar."},
                 {"id": "b", "text": "Tidak", "correct": False}]},
    {"id": "bobot", "type": "single_choice", "text": "Bobot", "shuffle": False,
     "options": [{"id": "a", "text": "A", "weight": 100}, {"id": "b", "text": "B", "weight": 50},
                 {"id": "c", "text": "C", "weight": 0}]},
    {"id": "banyak", "type": "multiple_choice", "text": "Banyak", "category": "etika",
     "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": True},
                 {"id": "c", "text": "C", "correct": False}]},
    {"id": "banyak-bobot", "type": "multiple_choice", "text": "Bobot banyak",
     "options": [{"id": "a", "text": "A", "weight": 50}, {"id": "b", "text": "B", "weight": 50},
                 {"id": "c", "text": "C", "weight": -100}]},
    {"id": "bs", "type": "true_false", "text": "Benar?", "answer": False,
     "feedback_true": "Salah.", "feedback_false": "Betul."},
    {"id": "isian", "type": "short_answer", "text": "Kota _____ di Jawa.", "case_sensitive": True,
     "answers": [{"text": "Bandung"}, {"text": "Band*", "credit": 50, "feedback": "Hampir."}]},
    {"id": "angka", "type": "numerical", "text": "Pi?",
     "answers": [{"value": 3.1415, "tolerance": 0.0005}, {"value": 3, "credit": 50},
                 {"any": True, "credit": 0, "feedback": "Salah."}]},
    {"id": "pasang", "type": "matching", "text": "Pasangkan", "shuffle": False,
     "pairs": [{"left": "DDC *x*", "right": "Dewey"}, {"left": "UDC", "right": "Otlet"}],
     "distractors": ["Ranganathan"]},
    {"id": "urut", "type": "ordering", "text": "Urutkan", "items": ["satu", "dua", "tiga"]},
    {"id": "urut-subset", "type": "ordering", "text": "Urutkan lagi", "items": ["a", "b", "c"],
     "grading": "longest_contiguous_subset"},
    {"id": "pasang-tanda", "type": "matching", "text": "Tanda", "shuffle": False,
     "pairs": [{"left": "Dan", "right": "Teh & kopi"}, {"left": "Tag", "right": "&lt;b> tebal"},
               {"left": "Kutip", "right": "\"kata\" 'kutip'"}]},
    {"id": "esai", "type": "essay", "text": "Tulis.", "rubric": "**Satu** perubahan.",
     "max_words": 200, "allow_upload": True, "points": 5},
    {"id": "info", "type": "description", "text": "Bacalah dengan teliti."},
]


def test_pelita_to_xml_to_pelita_keeps_every_question():
    for q in EVERY_TYPE:
        assert REG.validate_question(q) == [], q["id"]
    text, report = export_moodle_xml(EVERY_TYPE, {"media/peta.png": PNG})
    assert report == []
    fromstring(text.encode())  # well-formed
    assert text.count("@@PLUGINFILE@@/peta.png") == 1 and 'name="peta.png"' in text
    again = parse_moodle_xml(text.encode())
    assert again.problems == []
    assert again.media == {"media/peta.png": PNG}
    back = [{k: v for k, v in q.items() if k != "_line"} for q in again.questions]
    assert back == [{"category": "", **q} for q in EVERY_TYPE]


def test_export_reports_what_moodle_cannot_keep():
    questions = [
        {"id": "s", "type": "short_answer", "text": "?", "answers": [{"text": "a"}],
         "variants": {"a": ["b"]}, "indonesian": True},
        {"id": "u", "type": "likert", "text": "Setuju?"},
        {"id": "r", "type": "numerical", "text": "?", "answers": [{"min": 1, "max": 5}]},
    ]
    text, report = export_moodle_xml(questions, unscored=("likert",))
    assert [qid for qid, _ in report] == ["s", "s", "u"]
    assert "variants" in report[0][1] and "indonesian" in report[1][1]
    assert "not scored" in report[2][1]
    again = {q["id"]: q for q in parse_moodle_xml(text.encode()).questions}
    assert again["r"]["answers"] == [{"value": 3, "tolerance": 2}]
    assert "u" not in again


# ------------------------------------------------------------------ ordering grading types

ORDERING = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="ordering">
    <name><text>Urut</text></name>
    <questiontext format="html"><text>Urutkan.</text></questiontext>
    <layouttype>VERTICAL</layouttype><selecttype>ALL</selecttype><selectcount>0</selectcount>
    <gradingtype>{grading}</gradingtype>
    <answer fraction="1" format="plain_text"><text>satu</text></answer>
    <answer fraction="2" format="plain_text"><text>dua</text></answer>
    <answer fraction="3" format="plain_text"><text>tiga</text></answer>
  </question>
</quiz>
"""


@pytest.mark.parametrize(("written", "grading"), [
    ("ABSOLUTE_POSITION", None),
    ("ALL_OR_NOTHING", "all_or_nothing"),
    ("RELATIVE_NEXT_EXCLUDE_LAST", "relative_next_exclude_last"),
    ("RELATIVE_NEXT_INCLUDE_LAST", "relative_next_include_last"),
    ("RELATIVE_ONE_PREVIOUS_AND_NEXT", "relative_one_previous_and_next"),
    ("RELATIVE_ALL_PREVIOUS_AND_NEXT", "relative_all_previous_and_next"),
    ("LONGEST_ORDERED_SUBSET", "longest_ordered_subset"),
    ("LONGEST_CONTIGUOUS_SUBSET", "longest_contiguous_subset"),
    ("RELATIVE_TO_CORRECT", "relative_to_correct"),
    ("5", "longest_ordered_subset"),  # the number Moodle stores
    ("-1", "all_or_nothing"),
])
def test_ordering_grading_type_imports_and_exports(written, grading):
    result = parse_moodle_xml(ORDERING.format(grading=written).encode())
    assert result.problems == []
    (q,) = result.questions
    assert q.get("grading") == grading
    text, _ = export_moodle_xml([{k: v for k, v in q.items() if k != "_line"}])
    expected = written if not written.lstrip("-").isdigit() else {
        "5": "LONGEST_ORDERED_SUBSET", "-1": "ALL_OR_NOTHING"}[written]
    assert f"<gradingtype>{expected}</gradingtype>" in text
    # Graded as the type says: "dua satu tiga".
    fractions = {None: 1 / 3, "all_or_nothing": 0.0, "longest_ordered_subset": 2 / 3}
    if grading in fractions:
        assert answer(q, "0:dua", "1:satu", "2:tiga").fraction == pytest.approx(fractions[grading])


def test_an_unknown_ordering_grading_type_is_a_problem_with_its_line():
    result = parse_moodle_xml(ORDERING.format(grading="SOMETIMES").encode())
    assert result.problems == [(7, "the ordering grading type 'SOMETIMES' is not one Moodle has")]


# ------------------------------------------------------------------ matching right-hand texts

MATCHING = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="matching">
    <name><text>Tanda</text></name>
    <questiontext format="html"><text>Pasangkan.</text></questiontext>
    <shuffleanswers>false</shuffleanswers>
    <subquestion format="html"><text>Dan</text><answer><text>Teh &amp; kopi</text></answer>
    </subquestion>
    <subquestion format="html"><text>Entitas</text>
      <answer><text><![CDATA[Roti &amp; selai]]></text></answer></subquestion>
    <subquestion format="html"><text>Tag</text>
      <answer><text>&amp;lt;b&amp;gt; tebal</text></answer></subquestion>
    <subquestion format="html"><text>Kutip</text>
      <answer><text>"kata" 'kutip' &amp;quot;ganda&amp;quot;</text></answer></subquestion>
    <subquestion format="html"><text>HTML</text>
      <answer><text><![CDATA[<b>tebal</b> 3 < 5]]></text></answer></subquestion>
  </question>
</quiz>
"""


def test_matching_right_hand_texts_show_as_moodle_shows_them_once():
    result = parse_moodle_xml(MATCHING.encode())
    assert result.problems == []
    (q,) = result.questions
    from lms.quizzes.markup import plain_text

    # Moodle shows a right-hand text with format_string: references read once, tags dropped.
    shown = [plain_text(p["right"]) for p in q["pairs"]]
    assert shown == ["Teh & kopi", "Roti & selai", "<b> tebal", "\"kata\" 'kutip' \"ganda\"",
                     "tebal 3 < 5"]
    html = str(REG.get("matching").render(q, field="q1"))
    options = re.findall(r"<option value=\"0:[^\"]*\">([^<]*)</option>", html)
    assert [unescape(o) for o in options] == shown  # each shown as text, escaped exactly once
    assert "&amp;amp;" not in html.split('value="')[0]
    # Through the form and grading: the value each option submits is the right one.
    values = [unescape(v) for v in re.findall(r'<option value="(0:[^"]*)"', html)]
    raw = [v.replace("0:", f"{i}:", 1) for i, v in enumerate(values)]
    assert answer(q, *raw).fraction == 1.0
    text, _ = export_moodle_xml([{k: v for k, v in q.items() if k != "_line"}])
    again = parse_moodle_xml(text.encode()).questions[0]
    assert [p["right"] for p in again["pairs"]] == [p["right"] for p in q["pairs"]]
