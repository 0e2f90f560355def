"""The one rule for numbers as people type them (lms/quizzes/numbers.py), through the numerical
question a learner answers: a comma is always a decimal mark; a dot is one unless the number only
makes sense with dots as thousands separators; a lone d.ddd counts when either reading is right."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.numbers import is_ambiguous, readings
from lms.quizzes.types.numerical import Numerical

NUM = Numerical()


def score(question: dict, typed: str) -> float:
    """The fraction a learner typing `typed` earns (through the form values, as on the page)."""
    return NUM.grade(question, NUM.normalise_response(question, [typed])).fraction


def gift(text: str) -> dict:
    result = parse_gift(text)
    assert result.problems == [], result.problems
    (question,) = result.questions
    return question


# ------------------------------------------------------------------ the wrong grades


def test_a_range_accepts_its_dotted_ends():
    # Was: 3.141 and 3.142 read as 3141 and 3142 and scored 0.
    q = gift("Pi to three places? {#3.141..3.142}")
    assert score(q, "3.141") == 1.0
    assert score(q, "3.142") == 1.0
    assert score(q, "3,141") == 1.0 and score(q, "3,1415") == 1.0
    assert score(q, "3.143") == 0.0


def test_a_tolerance_accepts_the_dotted_and_the_comma_form():
    # Was: 3.142 scored 0 while 3,142 scored 1.
    q = gift("Pi? {#3.1415:0.0005}")
    assert score(q, "3.142") == 1.0
    assert score(q, "3,142") == 1.0
    assert score(q, "3.14") == 0.0


def test_indonesian_thousands_separators():
    q = gift("Tahun lahir Grant? {#1822:1}")
    assert score(q, "1.822") == 1.0  # Indonesian thousands dot: the thousands reading is right
    assert score(q, "1822") == 1.0 and score(q, "1 822") == 1.0
    big = gift("Penduduk desa? {#1822000}")
    assert score(big, "1.822.000") == 1.0
    assert score(big, "1.822.000,0") == 1.0
    assert score(big, "1,822,000") == 0.0  # commas are never thousands separators: unanswered
    assert NUM.grade(big, NUM.normalise_response(big, ["1,822,000"])).state == "unanswered"


def test_the_answer_box_says_what_it_expects():
    html = NUM.render(gift("Pi? {#3.14:0.01}"), field="q0")
    assert "Use a comma for decimals, e.g. 3,14." in html
    assert 'aria-labelledby="q0-label q0-text"' in html and 'aria-describedby="q0-hint"' in html


def test_an_ambiguous_answer_is_shown_back_as_typed():
    q = gift("Pi? {#3.1415:0.0005}")
    stored = NUM.normalise_response(q, [" 3.142 "])
    assert stored == "3.142"
    assert 'value="3.142"' in NUM.render(q, field="q0", response=stored)


# ------------------------------------------------------------------ Moodle's documented examples


MOODLE_EXAMPLES = [
    ("When was Ulysses S. Grant born?{#1822:5}", "1822", 1.0),
    ("When was Ulysses S. Grant born?{#1822:5}", "1817", 1.0),
    ("When was Ulysses S. Grant born?{#1822:5}", "1828", 0.0),
    ("What is a number from 1 to 5? {#3:2}", "1", 1.0),
    ("What is a number from 1 to 5? {#3:2}", "5", 1.0),
    ("What is a number from 1 to 5? {#3:2}", "5.5", 0.0),
    ("What is a number from 1 to 5? {#1..5}", "4,9", 1.0),
    ("What is a number from 1 to 5? {#1..5}", "0.9", 0.0),
    ("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}", "3.142", 1.0),
    ("What is the value of pi (to 3 decimal places)? {#3.141..3.142}", "3.1415", 1.0),
    ("What is the value of pi (to 3 decimal places)? {#3.141..3.142}", "3.141", 1.0),
    ("When was Ulysses S. Grant born? {#\n=1822:0 # Correct! Full credit.\n"
     "=%50%1822:2 # He was born in 1822. Half credit for being close.\n}", "1822", 1.0),
    ("When was Ulysses S. Grant born? {#\n=1822:0 # Correct! Full credit.\n"
     "=%50%1822:2 # He was born in 1822. Half credit for being close.\n}", "1821", 0.5),
    ("When was Ulysses S. Grant born? {#\n=1822:0 # Correct! Full credit.\n"
     "=%50%1822:2 # He was born in 1822. Half credit for being close.\n}", "1825", 0.0),
]


def test_moodle_documentation_examples_grade_as_in_moodle():
    # Was: the pi examples gave 0 for 3.142 and 3.141 (read as 3142 and 3141).
    got = [(source[:40], typed, score(gift(source), typed)) for source, typed, _ in MOODLE_EXAMPLES]
    assert got == [(source[:40], typed, want) for source, typed, want in MOODLE_EXAMPLES]


# ------------------------------------------------------------------ properties of the rule

# Numbers with 0 to 4 decimals, so that a lone d.ddd (1.822) is among them.
decimals = st.builds(
    lambda value, places: Decimal(value).scaleb(-places),
    st.integers(min_value=-10**10, max_value=10**10), st.integers(min_value=0, max_value=4))


@settings(max_examples=300, deadline=None)
@given(decimals)
def test_a_decimal_comma_or_dot_reads_as_the_number_written(value):
    comma = format(value, "f").replace(".", ",")
    assert readings(comma) == (pytest.approx(float(value)),)  # a comma: always this reading
    dot = format(value, "f")
    found = readings(dot)  # a dot: this reading first; a lone d.ddd also the thousands one
    assert found[0] == pytest.approx(float(value))
    assert len(found) == (2 if is_ambiguous(dot) else 1)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1_000_000, max_value=10**15), st.integers(min_value=1, max_value=999),
       st.integers(min_value=0, max_value=999))
def test_dots_are_thousands_separators_only_when_they_must_be(value, head, tail):
    text = f"{value:,}".replace(",", ".")
    assert readings(text) == (float(value),)
    assert readings(text + ",5") == (pytest.approx(value + 0.5),)
    lone = f"{head}.{tail:03d}"  # a lone d.ddd reads both ways
    assert readings(lone) == (float(lone), float(head * 1000 + tail))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789.,+- e", max_size=14)))
@example("1,000,000")
@example("1,000.5")
def test_any_text_reads_as_finite_numbers_or_nothing(text):
    found = readings(text)
    assert len(found) <= 2 and all(math.isfinite(v) for v in found)
    if text.count(",") > 1 or ("," in text and "." in text[text.index(","):]):
        assert found == ()  # a comma is the decimal mark: only one, and nothing after it
    assert NUM.grade({"answers": [{"value": 1}]}, NUM.normalise_response({}, [text])).state in (
        "correct", "incorrect", "unanswered")


@settings(max_examples=200, deadline=None)
@given(decimals, st.sampled_from([".", ","]))
def test_the_right_answer_typed_either_way_is_right(value, mark):
    q = {"answers": [{"value": float(value), "tolerance": 0.00005}]}
    assert score(q, format(value, "f").replace(".", mark)) == 1.0


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_a_lone_d_ddd_is_right_for_either_reading_and_wrong_for_others(head, tail):
    typed = f"{head}.{tail:03d}"
    small, large = float(typed), float(head * 1000 + tail)
    assert score({"answers": [{"value": small}]}, typed) == 1.0
    assert score({"answers": [{"value": large}]}, typed) == 1.0
    assert score({"answers": [{"value": large + 2}]}, typed) == 0.0
