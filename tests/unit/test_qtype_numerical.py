"""numerical: the number-reading rule, tolerances, ranges, credit."""

from __future__ import annotations

import pytest

from lms.quizzes.types.numerical import Numerical, format_number, parse_number

NUM = Numerical()


def q(*answers, **extra):
    d = {"id": "n", "type": "numerical", "text": "Berapa?", "answers": list(answers)}
    d.update(extra)
    return d


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,5", 3.5),
        ("3.5", 3.5),
        (" -3,5 ", -3.5),
        ("\u22122,5", -2.5),
        ("+2", 2.0),
        ("1.000", 1.0),  # a lone d.ddd: the decimal reading first (1000 is the other)
        ("12.345.678", 12345678.0),
        ("1.000,5", 1000.5),
        ("1.234.567,89", 1234567.89),
        ("1,000", 1.0),
        ("0.001", 0.001),
        ("1.5000", 1.5),
        ("3.14159", 3.14159),
        ("1 000", 1000.0),
        (".5", 0.5),
        (",5", 0.5),
        ("3.", 3.0),
        ("1e3", 1000.0),
        ("2,5e-1", 0.25),
    ],
)
def test_parse_number_accepts(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "1..2",
        "1.00.0",
        "1.000.00",
        "1,00,0",
        "1.000,5,5",
        "1,000.5",  # a comma is always the decimal mark, so no dot may follow it
        "1,000,000",  # ... and a number has at most one
        "12 kg",
        "nan",
        "inf",
        "-",
        "1e999",
        "٣",
        "x" * 100,
        None,
        5,
    ],
)
def test_parse_number_rejects(text):
    assert parse_number(text) is None


def test_format_number():
    assert format_number(2.0) == "2"
    assert format_number(3.14) == "3.14"
    assert format_number(-0.5) == "-0.5"


def test_valid_definitions():
    assert NUM.validate(q({"value": 3.5})) == []
    assert NUM.validate(q({"value": 3.5, "tolerance": 0.1, "credit": 100, "feedback": "ok"})) == []
    assert NUM.validate(q({"value": 200, "tolerance_pct": 5})) == []
    assert NUM.validate(q({"min": 1, "max": 5})) == []


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"value": "3,5"}, "answers[0].value"),
        ({"value": 3, "tolerance": -1}, "answers[0].tolerance"),
        ({"value": 3, "tolerance_pct": "5"}, "answers[0].tolerance_pct"),
        ({"value": 3, "tolerance": 1, "tolerance_pct": 5}, "answers[0]"),
        ({"min": 5, "max": 1}, "answers[0]"),
        ({"min": 1}, "answers[0]"),
        ({"min": 1, "max": 2, "value": 1}, "answers[0]"),
        ({"value": 3, "credit": 101}, "answers[0].credit"),
        ({"value": 3, "credit": 50}, "answers"),
        ({"value": True}, "answers[0].value"),
    ],
)
def test_invalid_definitions(answer, field):
    assert field in [f for f, _ in NUM.validate(q(answer))]


def test_no_answers():
    assert "answers" in [f for f, _ in NUM.validate(q())]


def test_grade_with_decimal_comma_and_tolerance():
    question = q({"value": 3.5, "tolerance": 0.1, "feedback": "Tepat."})
    for text in ["3,5", "3.5", "3,6", "3.4", " 3,45 "]:
        g = NUM.grade(question, NUM.normalise_response(question, [text]))
        assert (g.fraction, g.feedback) == (1.0, ["Tepat."]), text
    assert NUM.grade(question, NUM.normalise_response(question, ["3,61"])).state == "incorrect"


def test_grade_exact_with_float_noise():
    question = q({"value": 0.3})
    assert NUM.grade(question, 0.1 + 0.2).fraction == 1.0


def test_grade_relative_tolerance():
    question = q({"value": 200, "tolerance_pct": 5})
    assert NUM.grade(question, 210).fraction == 1.0
    assert NUM.grade(question, 189.9).fraction == 0.0


def test_grade_range_and_partial_credit():
    question = q({"min": 1, "max": 5}, {"min": 0, "max": 10, "credit": 50, "feedback": "Dekat."})
    assert NUM.grade(question, 1).fraction == 1.0
    assert NUM.grade(question, 5).fraction == 1.0
    g = NUM.grade(question, 7)
    assert (g.fraction, g.state, g.feedback) == (0.5, "partial", ["Dekat."])
    assert NUM.grade(question, 11).state == "incorrect"


def test_thousands_separator_in_grading():
    question = q({"value": 1000})
    assert NUM.grade(question, NUM.normalise_response(question, ["1.000"])).fraction == 1.0
    assert NUM.grade(question, NUM.normalise_response(question, ["1,000"])).fraction == 0.0


def test_garbage_is_unanswered():
    question = q({"value": 1})
    assert NUM.normalise_response(question, ["satu"]) is None
    assert NUM.normalise_response(question, []) is None
    assert NUM.normalise_response(question, None) is None
    assert NUM.grade(question, None).state == "unanswered"
    assert NUM.grade(question, "abc").state == "unanswered"
    assert NUM.grade(question, float("nan")).state == "unanswered"
    assert NUM.grade(question, True).state == "unanswered"
    assert NUM.grade(question, "1").fraction == 1.0


def test_correct_response_and_right_answer_text():
    assert NUM.correct_response(q({"value": 3.5, "tolerance": 0.1})) == 3.5
    assert NUM.correct_response(q({"min": 1, "max": 5})) == 3
    question = q(
        {"value": 3.5, "tolerance": 0.1},
        {"min": 1, "max": 5},
        {"value": 2},
        {"value": 10, "tolerance_pct": 5},
    )
    assert NUM.right_answer_text(question) == "3.5 ± 0.1; 1 – 5; 2; 10 ± 5%"


def test_any_other_answer_catches_every_unmatched_number():
    question = q({"value": 3, "tolerance": 2, "feedback": "Ya."},
                 {"value": 10, "credit": 0, "feedback": "Itu sepuluh."},
                 {"any": True, "credit": 0, "feedback": "Completely wrong"})
    assert NUM.validate(question) == []
    assert NUM.grade(question, 4).feedback == ["Ya."]
    assert NUM.grade(question, 10).feedback == ["Itu sepuluh."]  # a specific answer wins
    wrong = NUM.grade(question, 99)
    assert (wrong.fraction, wrong.state, wrong.feedback) == (0.0, "incorrect", ["Completely wrong"])
    assert NUM.right_answer_text(question) == "3 ± 2"
    # Only "any other answer" at full credit is not a right answer.
    assert "answers" in [f for f, _ in NUM.validate(q({"any": True}))]
    assert "answers[0]" in [f for f, _ in NUM.validate(q({"any": True, "value": 1}, {"value": 1}))]
    assert "answers[0].any" in [f for f, _ in NUM.validate(q({"any": "ya"}, {"value": 1}))]


def test_any_other_answer_survives_the_browser_editor():
    from lms.quizzes import editor

    question = q({"value": 3.14, "tolerance": 0.01}, {"any": True, "credit": 0, "feedback": "x"})
    values = editor.question_to_form(NUM, question)
    assert values["answers-1-any"] is True
    form = {k: ("y" if v is True else v) for k, v in values.items() if v is not False}
    assert editor.form_to_question(NUM, form, base=question) == (question, [])
