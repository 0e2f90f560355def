"""Property tests over every built-in type: grades stay in [0, 1], shuffling never changes a
grade, correct_response earns full marks, normalise_response never raises."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.quizzes.registry import default_registry

REG = default_registry()

QUESTIONS = [
    {
        "type": "single_choice",
        "text": "?",
        "options": [
            {"id": "a", "text": "A", "correct": True},
            {"id": "b", "text": "B", "correct": False},
            {"id": "c", "text": "C", "correct": False},
        ],
    },
    {
        "type": "single_choice",
        "text": "?",
        "options": [
            {"id": "a", "text": "A", "weight": 100},
            {"id": "b", "text": "B", "weight": 50},
            {"id": "c", "text": "C", "weight": -100},
        ],
    },
    {
        "type": "multiple_choice",
        "text": "?",
        "options": [
            {"id": "a", "text": "A", "weight": 50},
            {"id": "b", "text": "B", "weight": 50},
            {"id": "c", "text": "C", "weight": -100},
            {"id": "d", "text": "D", "weight": -50},
        ],
    },
    {
        "type": "multiple_choice",
        "text": "?",
        "options": [
            {"id": "a", "text": "A", "weight": 33.33333},
            {"id": "b", "text": "B", "weight": 33.33333},
            {"id": "c", "text": "C", "weight": 33.33334},
        ],
    },
    {
        "type": "multiple_choice",
        "text": "?",
        "options": [
            {"id": "a", "text": "A", "correct": True},
            {"id": "b", "text": "B", "correct": False},
        ],
    },
    {"type": "true_false", "text": "?", "answer": False},
    {
        "type": "short_answer",
        "text": "?",
        "answers": [{"text": "kat*log"}, {"text": "buku * besar", "credit": 50}],
        "variants": {"katalog": ["catalog"]},
    },
    {
        "type": "short_answer",
        "text": "?",
        "answers": [{"text": "dua puluh lima"}],
        "indonesian": True,
    },
    {"type": "short_answer", "text": "?", "answers": [{"text": "*"}]},
    {
        "type": "numerical",
        "text": "?",
        "answers": [{"value": 3.5, "tolerance": 0.1}, {"min": 0, "max": 10, "credit": 50}],
    },
    {"type": "numerical", "text": "?", "answers": [{"value": -200, "tolerance_pct": 5}]},
    {
        "type": "matching",
        "text": "?",
        "pairs": [
            {"left": "a", "right": "x"},
            {"left": "b", "right": "y"},
            {"left": "c", "right": "x"},
        ],
        "distractors": ["z"],
    },
    {"type": "ordering", "text": "?", "items": ["1", "2", "3", "4"]},
    {"type": "essay", "text": "?"},
    {"type": "description", "text": "?"},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=20,
)
slot_like = st.builds(lambda a, b: f"{a}:{b}", st.integers(-1, 6), st.integers(-1, 6))
# Matching and ordering values are "slot:<option text>".
slot_text = st.builds(
    lambda a, b: f"{a}:{b}",
    st.integers(-1, 6),
    st.sampled_from(["x", "y", "z", "1", "2", "3", "4", "a", "", "x\r\n"]),
)
raw_values = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(["a", "b", "c", "d", "true", "false", "3,5", "1.000", "katalog", "25"]),
        slot_like,
        slot_text,
    ),
    max_size=8,
)


def test_sample_questions_are_valid():
    for q in QUESTIONS:
        assert REG.validate_question(q) == [], q


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, len(QUESTIONS) - 1), raw=raw_values)
def test_normalise_then_grade_stays_in_range_and_is_json(index, raw):
    q = QUESTIONS[index]
    qtype = REG.get(q["type"])
    response = qtype.normalise_response(q, raw)
    json.dumps(response)
    grade = qtype.grade(q, response)
    assert 0.0 <= grade.fraction <= 1.0
    assert grade.state in ("correct", "partial", "incorrect", "needs_grading", "unanswered")
    assert all(isinstance(f, str) for f in grade.feedback)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, len(QUESTIONS) - 1), response=json_values)
def test_grade_of_arbitrary_response_stays_in_range(index, response):
    q = QUESTIONS[index]
    qtype = REG.get(q["type"])
    grade = qtype.grade(q, response)
    assert 0.0 <= grade.fraction <= 1.0


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, len(QUESTIONS) - 1), raw=json_values)
def test_normalise_never_raises_on_garbage(index, raw):
    q = QUESTIONS[index]
    REG.get(q["type"]).normalise_response(q, raw)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, len(QUESTIONS) - 1), raw=raw_values, seed=st.integers(0, 2**32))
def test_shuffling_never_changes_a_grade(index, raw, seed):
    q = QUESTIONS[index]
    qtype = REG.get(q["type"])
    keys = qtype.shuffle_keys(q)
    response = qtype.normalise_response(q, raw)
    before = qtype.grade(q, response)
    if keys is None:
        return
    order = list(keys)
    random.Random(seed).shuffle(order)
    # The displayed order changes nothing in the definition or the response values...
    html = qtype.render(q, field="f", response=response, order=order, disabled=False, gettext=str)
    assert html
    assert qtype.grade(q, response) == before
    # ...and neither does the order in which the form values arrive.
    shuffled_raw = list(raw)
    random.Random(seed).shuffle(shuffled_raw)
    if q["type"] in ("multiple_choice",):
        assert qtype.grade(q, qtype.normalise_response(q, shuffled_raw)) == before
    # Reordering the options in the definition itself keeps every grade.
    if "options" in q:
        by_id = {o["id"]: o for o in q["options"]}
        reordered = {**q, "options": [by_id[k] for k in order]}
        assert qtype.grade(reordered, response) == before


def test_correct_response_earns_full_marks_for_every_auto_graded_type():
    for q in QUESTIONS:
        qtype = REG.get(q["type"])
        if not qtype.auto_graded or not qtype.is_question:
            assert qtype.correct_response(q) is None
            continue
        correct = qtype.correct_response(q)
        json.dumps(correct)
        grade = qtype.grade(q, correct)
        assert (grade.fraction, grade.state) == (1.0, "correct"), q


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_correct_response_survives_a_form_round_trip(seed):
    """Rendering the correct response (options in any displayed order) and reading the checked
    values back, in any order, earns full marks."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values = []
            self.select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("type") in ("radio", "checkbox") and "checked" in a:
                self.values.append(a["value"])
            elif tag == "input" and a.get("type") == "text":
                self.values.append(a.get("value", ""))
            elif tag == "option" and "selected" in a:
                self.values.append(a["value"])

    for q in QUESTIONS:
        qtype = REG.get(q["type"])
        if not qtype.auto_graded or not qtype.is_question:
            continue
        rng = random.Random(seed)
        order = qtype.shuffle_keys(q)
        if order is not None:
            rng.shuffle(order)
        html = qtype.render(
            q,
            field="f",
            response=qtype.correct_response(q),
            order=order,
            disabled=False,
            gettext=str,
        )
        form = Form()
        form.feed(str(html))
        if q["type"] in ("multiple_choice", "matching", "ordering"):
            rng.shuffle(form.values)
        grade = qtype.grade(q, qtype.normalise_response(q, form.values))
        assert grade.fraction == 1.0, (q, form.values)
