"""single_choice and multiple_choice: validation, normalisation, grading."""

from __future__ import annotations

import pytest

from lms.quizzes.types.multiple_choice import MultipleChoice
from lms.quizzes.types.single_choice import SingleChoice

SC = SingleChoice()
MC = MultipleChoice()


def single(**extra):
    q = {
        "id": "q1",
        "type": "single_choice",
        "text": "Kelas DDC 020 adalah?",
        "options": [
            {"id": "a", "text": "Ilmu perpustakaan", "correct": True, "feedback": "Benar."},
            {"id": "b", "text": "Filsafat", "correct": False, "feedback": "Itu 100."},
            {"id": "c", "text": "Agama", "correct": False},
        ],
    }
    q.update(extra)
    return q


def multiple(**extra):
    q = {
        "id": "q2",
        "type": "multiple_choice",
        "text": "Siapa dimakamkan di makam Grant?",
        "options": [
            {"id": "a", "text": "Tidak ada", "weight": -100},
            {"id": "b", "text": "Grant", "weight": 50, "feedback": "Ya."},
            {"id": "c", "text": "Istri Grant", "weight": 50},
            {"id": "d", "text": "Ayah Grant", "weight": -50},
        ],
    }
    q.update(extra)
    return q


def fields(problems):
    return [f for f, _ in problems]


# -- single choice ---------------------------------------------------------------------


def test_single_valid():
    assert SC.validate(single()) == []


def test_single_weights_valid():
    q = single(
        options=[{"id": "a", "text": "x", "weight": 100}, {"id": "b", "text": "y", "weight": 50}]
    )
    assert SC.validate(q) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"options": []}, "options"),
        ({"options": "abc"}, "options"),
        ({"options": [{"id": "a", "text": "x", "correct": True}]}, "options"),
        (
            {"options": [{"id": "a", "text": "x", "correct": True}, {"id": "a", "text": "y"}]},
            "options[1].id",
        ),
        (
            {"options": [{"id": "a", "text": "x", "correct": True}, {"id": "b", "text": " "}]},
            "options[1].text",
        ),
        ({"options": [{"id": "a", "text": "x", "correct": True}, "b"]}, "options[1]"),
        ({"options": [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]}, "options"),
        (
            {
                "options": [
                    {"id": "a", "text": "x", "correct": True},
                    {"id": "b", "text": "y", "correct": True},
                ]
            },
            "options",
        ),
        (
            {
                "options": [
                    {"id": "a", "text": "x", "weight": 50},
                    {"id": "b", "text": "y", "weight": 20},
                ]
            },
            "options",
        ),
        (
            {
                "options": [
                    {"id": "a", "text": "x", "weight": 100},
                    {"id": "b", "text": "y", "weight": 120},
                ]
            },
            "options[1].weight",
        ),
        (
            {
                "options": [
                    {"id": "a", "text": "x", "weight": 100},
                    {"id": "b", "text": "y", "correct": False},
                ]
            },
            "options",
        ),
        (
            {"options": [{"id": "a", "text": "x", "correct": "yes"}, {"id": "b", "text": "y"}]},
            "options[0].correct",
        ),
        ({"text": ""}, "text"),
        ({"points": -1}, "points"),
        ({"points": "2"}, "points"),
        ({"type": "essay"}, "type"),
        ({"id": ""}, "id"),
        ({"feedback": 3}, "feedback"),
    ],
)
def test_single_invalid(change, field):
    problems = SC.validate(single(**change))
    assert field in fields(problems), problems
    assert all(message.endswith(".") for _, message in problems)


def test_single_text_html_is_enough():
    q = single(text="", text_html="<p>Kelas?</p>")
    assert SC.validate(q) == []


def test_single_normalise_and_grade():
    q = single()
    assert SC.normalise_response(q, ["a"]) == "a"
    assert SC.normalise_response(q, ["zzz", "b"]) == "b"
    assert SC.normalise_response(q, []) is None
    assert SC.normalise_response(q, ["<script>"]) is None
    assert SC.normalise_response(q, None) is None
    g = SC.grade(q, "a")
    assert (g.fraction, g.state, g.feedback) == (1.0, "correct", ["Benar."])
    g = SC.grade(q, "b")
    assert (g.fraction, g.state, g.feedback) == (0.0, "incorrect", ["Itu 100."])
    assert SC.grade(q, "c").feedback == []
    assert SC.grade(q, None).state == "unanswered"
    assert SC.grade(q, "nope").state == "unanswered"
    assert SC.grade(q, ["a"]).state == "unanswered"


def test_single_partial_and_negative_weights_floor_at_zero():
    q = single(
        options=[
            {"id": "a", "text": "x", "weight": 100},
            {"id": "b", "text": "y", "weight": 50},
            {"id": "c", "text": "z", "weight": -25},
        ]
    )
    assert SC.grade(q, "b").state == "partial"
    assert SC.grade(q, "b").fraction == 0.5
    assert SC.grade(q, "c").fraction == 0.0
    assert SC.correct_response(q) == "a"
    assert SC.right_answer_text(q) == "x"


def test_single_shuffle_keys_and_correct_response():
    assert SC.shuffle_keys(single()) == ["a", "b", "c"]
    assert SC.shuffle_keys(single(shuffle=False)) is None
    assert SC.correct_response(single()) == "a"
    assert SC.right_answer_text(single()) == "Ilmu perpustakaan"
    assert SC.field_names(single(), "q-1") == ["q-1"]


def test_single_integer_option_ids():
    q = single(options=[{"id": 1, "text": "x", "correct": True}, {"id": 2, "text": "y"}])
    assert SC.validate(q) == []
    assert SC.normalise_response(q, ["1"]) == "1"
    assert SC.grade(q, "1").fraction == 1.0


# -- multiple choice ------------------------------------------------------------------


def test_multiple_valid():
    assert MC.validate(multiple()) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            [{"id": "a", "text": "x", "weight": 50}, {"id": "b", "text": "y", "weight": 40}],
            "add up to 100",
        ),
        (
            [{"id": "a", "text": "x", "weight": 100}, {"id": "b", "text": "y", "weight": -150}],
            "between -100 and 100",
        ),
        ([{"id": "a", "text": "x", "weight": 100}, {"id": "b", "text": "y"}], "do not mix"),
        (
            [
                {"id": "a", "text": "x", "correct": False},
                {"id": "b", "text": "y", "correct": False},
            ],
            "At least one",
        ),
        (
            [{"id": "a", "text": "x", "weight": "50"}, {"id": "b", "text": "y", "weight": 50}],
            "number of percent",
        ),
    ],
)
def test_multiple_invalid(options, message):
    problems = MC.validate(multiple(options=options))
    assert any(message in m for _, m in problems), problems


def test_multiple_thirds_are_valid_and_all_right_is_full_marks():
    q = multiple(
        options=[
            {"id": "a", "text": "x", "weight": 33.33333},
            {"id": "b", "text": "y", "weight": 33.33333},
            {"id": "c", "text": "z", "weight": 33.33333},
            {"id": "d", "text": "w", "weight": -100},
        ]
    )
    assert MC.validate(q) == []
    g = MC.grade(q, ["a", "b", "c"])
    assert (g.fraction, g.state) == (1.0, "correct")


def test_multiple_grading_partial_negative_floor_and_cap():
    q = multiple()
    assert MC.grade(q, ["b", "c"]).fraction == 1.0
    g = MC.grade(q, ["b"])
    assert (g.fraction, g.state, g.feedback) == (0.5, "partial", ["Ya."])
    assert MC.grade(q, ["b", "d"]).fraction == 0.0
    g = MC.grade(q, ["a", "b", "c", "d"])  # everything ticked: 100 - 150 -> floor 0
    assert (g.fraction, g.state) == (0.0, "incorrect")
    assert MC.grade(q, []).state == "unanswered"
    assert MC.grade(q, ["zzz"]).state == "unanswered"
    assert MC.grade(q, "b").state == "unanswered"
    assert MC.grade(q, [1, None, {"b": 1}]).state == "unanswered"


def test_multiple_normalise_keeps_definition_order_and_drops_garbage():
    q = multiple()
    assert MC.normalise_response(q, ["c", "b", "c", "x"]) == ["b", "c"]
    assert MC.normalise_response(q, []) is None
    assert MC.normalise_response(q, ["", "javascript:"]) is None
    assert MC.normalise_response(q, 12) is None


def test_multiple_correct_shorthand():
    q = multiple(
        options=[
            {"id": "a", "text": "x", "correct": True},
            {"id": "b", "text": "y", "correct": True},
            {"id": "c", "text": "z", "correct": False},
        ]
    )
    assert MC.validate(q) == []
    assert MC.weights(q) == {"a": 50, "b": 50, "c": -50}
    assert MC.grade(q, ["a", "b"]).fraction == 1.0
    assert MC.grade(q, ["a", "c"]).fraction == 0.0
    assert MC.grade(q, ["a"]).fraction == 0.5
    assert MC.correct_response(q) == ["a", "b"]


def test_multiple_correct_response_and_right_answer():
    q = multiple()
    assert MC.correct_response(q) == ["b", "c"]
    assert MC.right_answer_text(q) == "Grant; Istri Grant"
    assert MC.shuffle_keys(q) == ["a", "b", "c", "d"]
