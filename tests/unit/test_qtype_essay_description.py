"""essay and description: manual grading and the non-question."""

from __future__ import annotations

import pytest

from lms.quizzes.types.description import Description
from lms.quizzes.types.essay import Essay, word_count

ES = Essay()
DE = Description()


def essay(**extra):
    d = {
        "id": "e",
        "type": "essay",
        "text": "Ceritakan programnya.",
        "rubric": "Satu program konkret.",
        "max_words": 200,
        "allow_upload": False,
    }
    d.update(extra)
    return d


def test_essay_validation():
    assert ES.validate(essay()) == []
    assert ES.validate({"type": "essay", "text": "x"}) == []
    for change, field in [
        ({"max_words": 0}, "max_words"),
        ({"max_words": 2.5}, "max_words"),
        ({"allow_upload": "y"}, "allow_upload"),
        ({"rubric": 1}, "rubric"),
    ]:
        assert field in [f for f, _ in ES.validate(essay(**change))]


def test_essay_grade_needs_grading():
    assert ES.auto_graded is False
    resp = ES.normalise_response(essay(), ["  Program literasi\r\ndesa  "])
    assert resp == "Program literasi\ndesa"
    g = ES.grade(essay(), resp)
    assert (g.fraction, g.state) == (0.0, "needs_grading")
    assert ES.grade(essay(), None).state == "unanswered"
    assert ES.grade(essay(), "   ").state == "unanswered"
    assert ES.normalise_response(essay(), []) is None
    assert ES.normalise_response(essay(), [""]) is None
    assert ES.correct_response(essay()) is None
    assert word_count(" satu  dua\ntiga ") == 3


def test_description():
    q = {"id": "d", "type": "description", "text": "Bagian berikut tentang TPBIS."}
    assert DE.is_question is False
    assert DE.validate(q) == []
    assert DE.validate({**q, "points": 0}) == []
    assert [f for f, _ in DE.validate({**q, "points": 1})] == ["points"]
    assert DE.points({**q, "points": 3}) == 0.0
    assert DE.field_names(q, "f") == []
    assert DE.normalise_response(q, ["x"]) is None
    assert DE.grade(q, "anything") == DE.grade(q, None)
    assert DE.grade(q, None).fraction == 0.0
    assert DE.correct_response(q) is None


@pytest.mark.parametrize("points", [0, 1, 2.5])
def test_points(points):
    assert ES.points(essay(points=points)) == points
    assert ES.points(essay()) == 1.0
