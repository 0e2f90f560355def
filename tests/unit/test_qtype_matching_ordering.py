"""matching and ordering: validation, slot values, grading, the order items are shown in."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from lms.quizzes.registry import default_registry
from lms.quizzes.rules import QuizRules, build_layout
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
        ({"distractors": ["Ptolemy", "Ptolemy"]}, "distractors[1]"),
        ({"distractors": ["Paul Otlet"]}, "distractors[0]"),
        (
            {"pairs": [{"left": "a", "right": "x\ny"}, {"left": "b", "right": "x\r\ny"}]},
            "pairs[1].right",
        ),
    ],
)
def test_matching_invalid(change, field):
    assert field in [f for f, _ in MA.validate(matching(**change))]


def test_matching_normalise_in_any_order_and_grade():
    q = matching()
    resp = MA.normalise_response(q, ["2:Ptolemy", "0:Melvil Dewey", "1:Paul Otlet"])
    assert resp == {"0": "Melvil Dewey", "1": "Paul Otlet", "2": "Ptolemy"}
    g = MA.grade(q, resp)
    assert (g.fraction, g.state) == (pytest.approx(2 / 3), "partial")
    assert MA.grade(q, MA.correct_response(q)).fraction == 1.0


def test_matching_partial_answers_and_garbage():
    q = matching()
    assert MA.normalise_response(q, ["", "0:Melvil Dewey"]) == {"0": "Melvil Dewey"}
    garbage = ["9:Ptolemy", "0:Nobody", "a:Ptolemy", "-1:Ptolemy", "0:0", "1:1", "\u0661:Ptolemy",
               "1234567:Ptolemy", ":Ptolemy", "Ptolemy"]
    assert MA.normalise_response(q, garbage) is None
    assert MA.normalise_response(q, ["0:Paul Otlet", "0:Melvil Dewey"]) == {"0": "Paul Otlet"}
    assert MA.normalise_response(q, None) is None
    assert MA.grade(q, None).state == "unanswered"
    assert MA.grade(q, {}).state == "unanswered"
    assert MA.grade(q, {"0": 5}).state == "incorrect"
    assert MA.grade(q, {0: "Melvil Dewey"}).fraction == pytest.approx(1 / 3)


def test_matching_duplicate_rights_count_for_both():
    q = matching(pairs=[{"left": "a", "right": "x"}, {"left": "b", "right": "x"}], distractors=[])
    assert MA.choices(q) == ["x"]
    assert MA.validate(q) == []
    assert MA.grade(q, MA.normalise_response(q, ["0:x", "1:x"])).fraction == 1.0


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
    resp = OR.normalise_response(q, ["0:Seleksi", "1:Pengolahan", "2:Pengadaan", "3:Layanan"])
    assert resp == [0, 2, 1, 3]
    g = OR.grade(q, resp)
    assert (g.fraction, g.state) == (0.5, "partial")
    assert OR.grade(q, [3, 2, 1, 0]).fraction == 0.0
    assert OR.grade(q, OR.correct_response(q)).fraction == 1.0
    assert OR.normalise_response(q, ["1:Pengadaan"]) == [None, 1, None, None]
    assert OR.grade(q, [None, 1, None, None]).fraction == 0.25


def test_ordering_garbage():
    q = ordering()
    assert OR.normalise_response(q, ["x", "4:Seleksi", "0:4", "0:0", "1:1", "0:Lain"]) is None
    assert OR.grade(q, None).state == "unanswered"
    assert OR.grade(q, [None, None]).state == "unanswered"
    assert OR.grade(q, [True, "0"]).state == "unanswered"
    assert OR.grade(q, [0, 1, 2, 3, 4, 5]).fraction == 1.0
    assert OR.right_answer_text(q) == "1. Seleksi; 2. Pengadaan; 3. Pengolahan; 4. Layanan"


def test_texts_with_colons_and_line_breaks_survive_the_form():
    q = ordering(items=["a: satu", "b:\ndua", "c"])
    assert OR.validate(q) == []
    # Browsers send line breaks in values as CRLF.
    assert OR.normalise_response(q, ["0:b:\r\ndua", "1:a: satu", "2:c"]) == [1, 0, 2]
    assert "items[1]" in [f for f, _ in OR.validate(ordering(items=["a\nb", "a\r\nb"]))]
    m = matching(pairs=[{"left": "L1", "right": "x:\ny"}, {"left": "L2", "right": "z"}],
                 distractors=[])
    assert MA.normalise_response(m, ["1:z", "0:x:\r\ny"]) == {"0": "x:\ny", "1": "z"}


def test_ordering_items_are_never_shown_in_their_correct_order():
    version = SimpleNamespace(questions=[
        {"id": "u", "type": "ordering", "text": "Urutkan", "items": ["satu", "dua"]}])
    rules = QuizRules.of({"shuffle_options": False})
    for seed in range(20):  # with two items, a plain shuffle keeps the answer half of the time
        layout = build_layout(version, rules, random.Random(seed), default_registry())
        assert layout["questions"][0]["order"] == ["1", "0"]
