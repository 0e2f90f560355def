"""The quiz-file TOML writer: whatever it writes, tomllib reads back as the same data."""

from __future__ import annotations

import datetime
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.quizzes.formats import toml_out
from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.formats.toml_out import dump

DATA = Path(__file__).resolve().parent.parent / "data"


def roundtrip(doc):
    text = dump(doc)
    assert tomllib.loads(text) == doc, text
    return text


def test_quiz_document_in_the_documented_style():
    doc = {
        "module": "pengenalan",
        "kind": "module",
        "pass_mark": 70,
        "shuffle_options": True,
        "draw_categories": {"etika": 3, "keamanan digital": 2},
        "title": {"id": "Kuis Modul 1", "en": "Module 1 Quiz"},
        "questions": [
            {
                "id": "q1",
                "type": "single_choice",
                "text": "Apa arti **literasi digital**?\n\nPilih satu.",
                "options": [
                    {"id": "a", "text": "Menemukan", "correct": True, "feedback": "Tepat!"},
                    {"id": "b", "text": "Mengetik", "correct": False},
                ],
            },
            {"id": "q2", "type": "numerical", "text": "Berapa?",
             "answers": [{"value": 3.5, "tolerance": 0.1, "credit": 100.0}]},
        ],
    }
    text = roundtrip(doc)
    assert 'module = "pengenalan"' in text
    assert "[title]" in text and text.count("[[questions]]") == 2
    assert '"keamanan digital" = 2' in text
    assert 'text = """\nApa arti **literasi digital**?\n\nPilih satu."""' in text
    assert '  { id = "a", text = "Menemukan", correct = true, feedback = "Tepat!" },\n' in text
    # Settings come before every table, tables before the arrays of tables.
    assert text.index("pass_mark") < text.index("[title]") < text.index("[[questions]]")


@pytest.mark.parametrize(
    "text",
    [
        'quote " and backslash \\ and tab \t',
        "line\nbreak with \"\"\" three quotes\n",
        'ends with a quote"',
        'ends with two quotes""\nreally',
        "\\\nline ending in a backslash",
        "carriage\r\nreturn\rlone",
        "controls \x00 \x01 \x1f \x7f \x08 \x0c",
        "unicode: Perpustakaan ✓ 図書館 😀 \u2028 \u00a0",
        "",
        "\n",
        "\n\nstarts with blank lines",
    ],
)
def test_strings_are_escaped(text):
    roundtrip({"s": text, "t": {"s": text}, "a": [text], "q": [{"s": text, "l": [{"s": text}]}]})


def test_keys_numbers_dates_and_nesting():
    doc = {
        "bare-key_1": 1,
        "needs quotes": -2,
        "dotted.key": 0.5,
        "": "empty key",
        "é": "unicode key",
        "big": 2**62,
        "float_int": 100.0,
        "tiny": 1e-300,
        "huge": 1.5e300,
        "neg": -0.0,
        "inf": math.inf,
        "ninf": -math.inf,
        "flag": False,
        "when": datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
        "naive": datetime.datetime(2026, 12, 1, 8, 30),
        "day": datetime.date(2026, 12, 1),
        "time": datetime.time(8, 30, 15),
        "mixed": [1, "a", 2.5, True, [1, [2]], {"x": {"y": []}}],
        "empty_list": [],
        "empty_table": {},
        "table": {"a": 1, "sub": {"b": [{"c": 1}, {"c": 2}], "deeper": {"d": "x"}}},
        "questions": [{}, {"nested": {"a": {"b": 1}}, "list": [[{"x": 1}]]}],
    }
    roundtrip(doc)


def test_nan_is_written():
    assert math.isnan(tomllib.loads(dump({"x": math.nan}))["x"])


@pytest.mark.parametrize("bad", [{"x": None}, {"x": [None]}, {"x": object()}, {1: "a"}])
def test_values_without_a_toml_form_are_refused(bad):
    with pytest.raises(TypeError):
        dump(bad)


def test_a_document_must_be_a_table():
    with pytest.raises(TypeError):
        dump([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "gift").glob("*.gift")))
def test_every_parsed_gift_question_survives_a_quiz_file(name):
    questions = parse_gift((DATA / "gift" / name).read_bytes()).questions
    doc = {"kind": "final", "title": {"id": "Uji"},
           "questions": [{k: v for k, v in q.items() if k != "_line"} for q in questions]}
    roundtrip(doc)


def test_aiken_questions_survive_a_quiz_file():
    questions = parse_aiken((DATA / "aiken" / "good.aiken").read_bytes()).questions
    roundtrip({"questions": [{k: v for k, v in q.items() if k != "_line"} for q in questions]})


# ----------------------------------------------------------------------------- properties

keys = st.text(max_size=12)
scalars = (
    st.text(max_size=40)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
)
inline_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
option = st.dictionaries(
    st.sampled_from(["id", "text", "correct", "weight", "feedback", "left", "right", "credit"]),
    scalars,
    max_size=6,
)
question = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=20),
        "type": st.sampled_from(["single_choice", "multiple_choice", "essay", "matching"]),
        "text": st.text(max_size=200),
    },
    optional={
        "points": st.integers(0, 10) | st.floats(0, 10),
        "feedback": st.text(max_size=80),
        "category": st.text(max_size=20),
        "options": st.lists(option, max_size=5),
        "answers": st.lists(option, max_size=3),
        "items": st.lists(st.text(max_size=20), max_size=5),
        "allow_upload": st.booleans(),
        "extra": inline_values,
    },
)
quiz = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["module", "final", "practical"]),
        "title": st.dictionaries(st.sampled_from(["id", "en"]), st.text(max_size=30)),
        "questions": st.lists(question, min_size=1, max_size=5),
    },
    optional={
        "pass_mark": st.integers(0, 100) | st.floats(0, 100),
        "draw_categories": st.dictionaries(keys, st.integers(1, 9), max_size=3),
        "review": st.dictionaries(st.sampled_from(["during", "after_close"]),
                                  st.lists(st.sampled_from(["marks", "response"]), max_size=2)),
        "misc": st.dictionaries(keys, inline_values, max_size=3),
    },
)


@settings(max_examples=300, deadline=None)
@given(quiz)
def test_any_quiz_shaped_document_round_trips(doc):
    roundtrip(doc)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_round_trips_in_every_position(text):
    roundtrip({"a": text, "t": {"b": text}, "questions": [{"c": text, "o": [{"d": text}]}]})
    assert tomllib.loads(f"k = {toml_out.basic_string(text)}")["k"] == text
    assert tomllib.loads(f"k = {toml_out.multiline_string(text)}")["k"] == text


@pytest.mark.parametrize("text", ['a\n"""', 'a\n""""""', '"\nb"', 'x\n"', 'q\n\\"""'])
def test_multiline_strings_with_quote_runs_read_back_exactly(text):
    doc = {"questions": [{"id": "q", "type": "essay", "text": text}]}
    assert tomllib.loads(dump(doc)) == doc


def test_keys_ending_in_a_line_break_are_quoted():
    doc = {"questions": [{"id": "q", "type": "x", "text": "t", "extra": {"0\n": ""}}]}
    assert tomllib.loads(dump(doc)) == doc
