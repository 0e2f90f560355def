"""Ordering questions graded by Moodle's qtype_ordering grading types (`grading = "..."`): each
type against the examples of Moodle's own tests (question/type/ordering/tests/question_test.php,
items "Modular Object Oriented Dynamic Learning Environment") and hand-worked cases."""

from __future__ import annotations

import pytest

from lms.quizzes.editor import form_to_question, question_to_form
from lms.quizzes.registry import default_registry
from lms.quizzes.types._slots import slot_value
from lms.quizzes.types.ordering import (
    DEFAULT_GRADING,
    GRADING_TYPES,
    Ordering,
    order_fraction,
)

OR = Ordering()
REG = default_registry()
WORDS = ["Modular", "Object", "Oriented", "Dynamic", "Learning", "Environment"]
RIGHT = WORDS
REVERSED = list(reversed(WORDS))
ENV_FIRST = ["Environment", "Object", "Oriented", "Dynamic", "Learning", "Modular"]
ORIENTED_FIRST = ["Oriented", "Object", "Dynamic", "Learning", "Environment", "Modular"]
MODULAR_LAST = ["Object", "Oriented", "Dynamic", "Learning", "Environment", "Modular"]


def question(grading: str | None = None) -> dict:
    q = {"id": "moodle", "type": "ordering", "text": "Urutkan.", "items": list(WORDS)}
    if grading:
        q["grading"] = grading
    return q


def grade(grading: str, order: list[str]):
    """Grade `order` as a learner submits it: one select per position."""
    q = question(grading)
    raw = [slot_value(p, word) for p, word in enumerate(order)]
    return OR.grade(q, OR.normalise_response(q, raw))


# (grading type, learner's order, fraction) — Moodle's test values; where Moodle's test only
# bounds the value (assertLessThan/GreaterThan) the exact value is worked out by hand below.
MOODLE_CASES = [
    ("all_or_nothing", RIGHT, 1.0),
    ("all_or_nothing", REVERSED, 0.0),
    ("all_or_nothing", ORIENTED_FIRST, 0.0),
    ("absolute_position", RIGHT, 1.0),
    ("absolute_position", REVERSED, 0.0),
    ("absolute_position", ENV_FIRST, 4 / 6),  # 0.66 < x < 0.67
    ("absolute_position", ORIENTED_FIRST, 1 / 6),  # 0.16 < x < 0.17
    ("relative_next_exclude_last", RIGHT, 1.0),
    ("relative_next_exclude_last", REVERSED, 0.0),
    ("relative_next_exclude_last", ENV_FIRST, 0.6),
    ("relative_next_exclude_last", ORIENTED_FIRST, 0.4),
    ("relative_next_include_last", RIGHT, 1.0),
    ("relative_next_include_last", REVERSED, 0.0),
    ("relative_next_include_last", ENV_FIRST, 0.5),
    ("relative_one_previous_and_next", RIGHT, 1.0),
    ("relative_one_previous_and_next", REVERSED, 0.0),
    ("relative_one_previous_and_next", ORIENTED_FIRST, 4 / 12),  # 0.33 < x < 0.34
    ("relative_all_previous_and_next", RIGHT, 1.0),
    ("relative_all_previous_and_next", REVERSED, 0.0),
    ("relative_all_previous_and_next", ORIENTED_FIRST, 0.6),
    ("relative_all_previous_and_next", MODULAR_LAST, 20 / 30),  # 0.6 < x < 0.7
    ("longest_ordered_subset", RIGHT, 1.0),
    ("longest_ordered_subset", REVERSED, 0.0),
    ("longest_ordered_subset", MODULAR_LAST, 5 / 6),  # 0.8 < x < 0.84
    ("longest_contiguous_subset", RIGHT, 1.0),
    ("longest_contiguous_subset", REVERSED, 0.0),
    ("longest_contiguous_subset", MODULAR_LAST, 5 / 6),
    ("relative_to_correct", RIGHT, 1.0),
    ("relative_to_correct", REVERSED, 0.4),  # "very generous", says Moodle's test
    ("relative_to_correct", MODULAR_LAST, 20 / 30),  # 0.6 < x < 0.7
]


@pytest.mark.parametrize(("grading", "order", "fraction"), MOODLE_CASES)
def test_moodles_examples(grading, order, fraction):
    assert grade(grading, order).fraction == pytest.approx(fraction, abs=1e-6)


def test_every_moodle_grading_type_is_covered():
    assert {case[0] for case in MOODLE_CASES} == set(GRADING_TYPES)


def test_hand_worked_cases():
    # A B C D put as B A C D.
    order = [1, 0, 2, 3]
    assert order_fraction("absolute_position", order, 4) == 0.5  # C, D in place
    assert order_fraction("all_or_nothing", order, 4) == 0.0
    # Right next items: A->B no (A is followed by C), B->C no, C->D yes: 1 of 3.
    assert order_fraction("relative_next_exclude_last", order, 4) == pytest.approx(1 / 3)
    # ... and D last: 2 of 4.
    assert order_fraction("relative_next_include_last", order, 4) == 0.5
    # Neighbours (start/end count): A (start,B) has (B,C): 0; B (A,C) has (start,A): 0;
    # C (B,D) has (A,D): 1; D (C,end) has (C,end): 2 -> 3 of 8.
    assert order_fraction("relative_one_previous_and_next", order, 4) == pytest.approx(3 / 8)
    # All before/after: only the pair A,B is the wrong way round: 12 - 2 = 10 of 12.
    assert order_fraction("relative_all_previous_and_next", order, 4) == pytest.approx(10 / 12)
    # Longest run in the right relative order: A C D (or B C D): 3 of 4.
    assert order_fraction("longest_ordered_subset", order, 4) == 0.75
    # Consecutive right positions in order: B C D: 3 of 4.
    assert order_fraction("longest_contiguous_subset", order, 4) == 0.75
    # A C B D: ordered subsets A C D / A B D have 3 items; consecutive positions in order
    # (A then B, C then D) only 2.
    assert order_fraction("longest_contiguous_subset", [0, 2, 1, 3], 4) == 0.5
    assert order_fraction("longest_ordered_subset", [0, 2, 1, 3], 4) == 0.75
    # Relative to correct: each item earns (n-1) - distance: A 2, B 2, C 3, D 3 = 10 of 12.
    assert order_fraction("relative_to_correct", order, 4) == pytest.approx(10 / 12)
    # A lone item in place is no ordered subset (Moodle ignores subsets of one item).
    assert order_fraction("longest_ordered_subset", [3, 2, 1, 0], 4) == 0.0


def test_empty_positions_earn_nothing():
    # Only "Modular" placed, in its right first position.
    response = [0, None, None, None, None, None]
    assert order_fraction("absolute_position", response, 6) == pytest.approx(1 / 6)
    assert order_fraction("relative_next_exclude_last", response, 6) == 0.0
    assert order_fraction("longest_ordered_subset", response, 6) == 0.0
    assert order_fraction("relative_to_correct", response, 6) == pytest.approx(5 / 30)


def test_the_default_is_absolute_position_as_before():
    assert DEFAULT_GRADING == "absolute_position"
    q = question()
    raw = [slot_value(p, w) for p, w in enumerate(ENV_FIRST)]
    assert OR.grade(q, OR.normalise_response(q, raw)).fraction == pytest.approx(4 / 6)


def test_grading_is_validated():
    assert REG.validate_question(question("longest_ordered_subset")) == []
    problems = REG.validate_question(question("relative"))
    assert any(field == "grading" for field, _ in problems)


def test_the_editor_has_a_grading_field_that_round_trips():
    fields = {f.name: f for f in OR.editor_fields}
    assert "grading" in fields
    assert {value for value, _ in fields["grading"].choices} == {None, *GRADING_TYPES} - {
        DEFAULT_GRADING}
    q = question("relative_to_correct")
    form = question_to_form(OR, q)
    back, problems = form_to_question(OR, form)[:2]
    assert problems == [] and back["grading"] == "relative_to_correct"
    default = form_to_question(OR, question_to_form(OR, question()))[0]
    assert "grading" not in default
