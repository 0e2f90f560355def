"""matching and ordering: validation, slot values, grading."""

from __future__ import annotations

import pytest

from lms.quizzes.types.matching import Matching
from lms.quizzes.types.ordering import Ordering

MA = Matching()
OR = Ordering()


def matching(**extra):
    d = {
        "id": "m",
        "type": "matching",
        "text": "Pasangkan.",
        "pairs": [
            {"left": "DDC", "right": "Melvil Dewey"},
            {"left": "UDC", "right": "Paul Otlet"},
            {"left": "Colon", "right": "Ranganathan"},
        ],
        "distractors": ["Ptolemy"],
    }
    d.update(extra)
    return d


def ordering(**extra):
    d = {
        "id": "o",
        "type": "ordering",
        "text": "Urutkan.",
        "items": ["Seleksi", "Pengadaan", "Pengolahan", "Layanan"],
    }
    d.update(extra)
    return d


def test_matching_valid_and_choices():
    assert MA.validate(matching()) == []
    assert MA.choices(matching()) == ["Melvil Dewey", "Paul Otlet", "Ranganathan", "Ptolemy"]
    assert MA.field_names(matching(), "f") == ["f-0", "f-1", "f-2"]
    assert MA.shuffle_keys(matching()) == ["0", "1", "2", "3"]
    assert MA.shuffle_keys(matching(shuffle=False)) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pairs": [{"left": "a", "right": "b"}]}, "pairs"),
        ({"pairs": None}, "pairs"),
        ({"pairs": [{"left": "a", "right": "b"}, {"left": "a", "right": "c"}]}, "pairs[1].left"),
        ({"pairs": [{"left": "a", "right": ""}, {"left": "b", "right": "c"}]}, "pairs[0].right"),
        ({"pairs": [{"left": "a", "right": "b"}, "c"]}, "pairs[1]"),
        ({"distractors": "x"}, "distractors"),
        ({"distractors": [""]}, "distractors"),
    ],
)
def test_matching_invalid(change, field):
    assert field in [f for f, _ in MA.validate(matching(**change))]


def test_matching_normalise_in_any_order_and_grade():
    q = matching()
    resp = MA.normalise_response(q, ["2:3", "0:0", "1:1"])
    assert resp == {"0": "Melvil Dewey", "1": "Paul Otlet", "2": "Ptolemy"}
    g = MA.grade(q, resp)
    assert (g.fraction, g.state) == (pytest.approx(2 / 3), "partial")
    assert MA.grade(q, MA.correct_response(q)).fraction == 1.0


def test_matching_partial_answers_and_garbage():
    q = matching()
    assert MA.normalise_response(q, ["", "0:0"]) == {"0": "Melvil Dewey"}
    assert MA.normalise_response(q, ["9:0", "0:9", "a:b", "0:-1", "1:1:1", "\u0661:0"]) is None
    assert MA.normalise_response(q, ["0:1", "0:0"]) == {"0": "Paul Otlet"}  # first value wins
    assert MA.normalise_response(q, None) is None
    assert MA.grade(q, None).state == "unanswered"
    assert MA.grade(q, {}).state == "unanswered"
    assert MA.grade(q, {"0": 5}).state == "incorrect"
    assert MA.grade(q, {0: "Melvil Dewey"}).fraction == pytest.approx(1 / 3)


def test_matching_duplicate_rights_count_for_both():
    q = matching(pairs=[{"left": "a", "right": "x"}, {"left": "b", "right": "x"}], distractors=[])
    assert MA.choices(q) == ["x"]
    assert MA.grade(q, MA.normalise_response(q, ["0:0", "1:0"])).fraction == 1.0


def test_matching_right_answer_text():
    assert MA.right_answer_text(matching()).startswith("DDC → Melvil Dewey; UDC → Paul Otlet")


def test_ordering_valid_and_invalid():
    assert OR.validate(ordering()) == []
    assert "items" in [f for f, _ in OR.validate(ordering(items=["one"]))]
    assert "items[1]" in [f for f, _ in OR.validate(ordering(items=["a", "a"]))]
    assert "items[0]" in [f for f, _ in OR.validate(ordering(items=["", "a"]))]


def test_ordering_normalise_and_partial_credit():
    q = ordering()
    assert OR.field_names(q, "f") == ["f-0", "f-1", "f-2", "f-3"]
    assert OR.shuffle_keys(q) == ["0", "1", "2", "3"]
    resp = OR.normalise_response(q, ["0:0", "1:2", "2:1", "3:3"])
    assert resp == [0, 2, 1, 3]
    g = OR.grade(q, resp)
    assert (g.fraction, g.state) == (0.5, "partial")
    assert OR.grade(q, [3, 2, 1, 0]).fraction == 0.0
    assert OR.grade(q, OR.correct_response(q)).fraction == 1.0
    assert OR.normalise_response(q, ["1:1"]) == [None, 1, None, None]
    assert OR.grade(q, [None, 1, None, None]).fraction == 0.25


def test_ordering_garbage():
    q = ordering()
    assert OR.normalise_response(q, ["x", "4:0", "0:4"]) is None
    assert OR.grade(q, None).state == "unanswered"
    assert OR.grade(q, [None, None]).state == "unanswered"
    assert OR.grade(q, [True, "0"]).state == "unanswered"
    assert OR.grade(q, [0, 1, 2, 3, 4, 5]).fraction == 1.0
    assert OR.right_answer_text(q) == "1. Seleksi; 2. Pengadaan; 3. Pengolahan; 4. Layanan"
