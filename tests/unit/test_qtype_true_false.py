"""true_false: validation, normalisation, grading, feedback."""

from __future__ import annotations

from lms.quizzes.types.true_false import TrueFalse

TF = TrueFalse()


def q(**extra):
    d = {
        "id": "tf",
        "type": "true_false",
        "text": "Perpustakaan desa termasuk TPBIS?",
        "answer": True,
        "feedback_true": "Ya.",
        "feedback_false": "Bukan, TPBIS mencakup desa.",
    }
    d.update(extra)
    return d


def test_valid_and_invalid():
    assert TF.validate(q()) == []
    assert [f for f, _ in TF.validate(q(answer="true"))] == ["answer"]
    assert [f for f, _ in TF.validate(q(answer=None))] == ["answer"]
    assert [f for f, _ in TF.validate(q(feedback_true=1))] == ["feedback_true"]


def test_normalise():
    assert TF.normalise_response(q(), ["true"]) is True
    assert TF.normalise_response(q(), [" FALSE "]) is False
    assert TF.normalise_response(q(), ["maybe"]) is None
    assert TF.normalise_response(q(), []) is None
    assert TF.normalise_response(q(), "true") is None  # raw must be a list


def test_grade_and_feedback_follow_the_choice():
    g = TF.grade(q(), True)
    assert (g.fraction, g.state, g.feedback) == (1.0, "correct", ["Ya."])
    g = TF.grade(q(), False)
    assert (g.fraction, g.state, g.feedback) == (0.0, "incorrect", ["Bukan, TPBIS mencakup desa."])
    assert TF.grade(q(answer=False), False).fraction == 1.0
    assert TF.grade(q(), "true").state == "unanswered"
    assert TF.grade(q(), 1).state == "unanswered"


def test_correct_response_and_right_answer_text():
    assert TF.correct_response(q()) is True
    assert TF.correct_response(q(answer=False)) is False
    assert TF.right_answer_text(q(answer=False), gettext={"False": "Salah"}.get) == "Salah"
    assert TF.shuffle_keys(q()) is None
