"""The Likert type on its own: definitions, junk form input, grading, rendering, summaries."""

from __future__ import annotations

import re

import pytest
from pelita_likert import Likert, aggregate
from pelita_likert.qtype import DEFAULT_LABELS

from lms.quizzes.registry import QuestionTypeRegistry

LK = Likert()

LABELS_ID = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]
LABELS_EN = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def q(**extra) -> dict:
    base = {"id": "sa1", "type": "likert",
            "text": "Seberapa setuju Anda dengan pernyataan berikut?",
            "statements": ["Saya percaya diri mengajarkan literasi digital.",
                           "Saya dapat memandu pencarian informasi."],
            "statements_en": ["I am confident teaching digital literacy.",
                              "I can guide an information search."]}
    base.update(extra)
    return base


def fields(problems):
    return [f for f, _m in problems]


@pytest.fixture(autouse=True)
def indonesian(monkeypatch):
    monkeypatch.setattr(Likert, "locale", staticmethod(lambda: "id"))


# -- definitions --------------------------------------------------------------------------


def test_a_good_definition_has_no_problems():
    assert LK.validate(q()) == []
    assert LK.validate(q(labels=LABELS_ID, labels_en=LABELS_EN)) == []
    assert LK.validate(q(scale=3, labels=["Kurang", "Cukup", "Baik"], points=2)) == []
    assert LK.validate({"type": "likert", "text": "Saya siap memfasilitasi."}) == []


@pytest.mark.parametrize("bad, field", [
    ({"scale": 1}, "scale"),
    ({"scale": 8}, "scale"),
    ({"scale": 4.5}, "scale"),
    ({"scale": "lima"}, "scale"),
    ({"labels": ["Ya", "Tidak"]}, "labels"),
    ({"labels": "Setuju"}, "labels"),
    ({"labels": []}, "labels"),
    ({"labels_en": LABELS_EN[:4]}, "labels_en"),
    ({"labels_en": {"en": LABELS_EN}}, "labels_en"),
    ({"labels": ["A", "B", "", "D", "E"]}, "labels[2]"),
    ({"labels": ["A", "B", "A", "D", "E"]}, "labels[2]"),
    ({"statements": []}, "statements"),
    ({"statements": "Saya percaya diri."}, "statements"),
    ({"statements": ["Satu", ""]}, "statements[1]"),
    ({"statements": ["Satu", 3]}, "statements[1]"),
    ({"statements": ["Satu", "Satu"]}, "statements[1]"),
    ({"statements": [{"id": "Satu"}]}, "statements[0]"),
    ({"statements_en": ["One"]}, "statements_en"),
    ({"statements_en": ["One", " "]}, "statements_en[1]"),
    ({"statements": ["Satu"], "statements_en": ["One", "Two"]}, "statements_en"),
    ({"statements": ["x"] * 41}, "statements"),
    ({"points": -1}, "points"),
    ({"text": ""}, "text"),
    ({"type": "essay"}, "type"),
])
def test_bad_definitions_name_the_field_at_fault(bad, field):
    problems = LK.validate(q(**bad))
    assert field in fields(problems), problems
    assert all(message.strip() for _f, message in problems)


def test_the_registry_reports_problems_through_the_plugin_type():
    registry = QuestionTypeRegistry()
    registry.register(Likert)
    assert registry.validate_question(q()) == []
    assert fields(registry.validate_question(q(scale=9))) == ["scale"]


def test_points_default_to_zero_so_the_score_is_not_moved():
    assert (Likert.scored, Likert.default_points) == (False, 0)  # the engine's contract
    assert LK.points(q()) == 0.0
    assert LK.points(q(points=2)) == 2.0


# -- responses ----------------------------------------------------------------------------


def test_the_browser_editor_round_trips_a_likert_question():
    from lms.quizzes.editor import form_to_question, question_to_form

    definition = q(scale=4, labels=["Kurang", "Cukup", "Baik", "Sangat baik"], points=0)
    form = question_to_form(LK, definition)
    assert form["statements-1"] == "Saya dapat memandu pencarian informasi."
    back, problems = form_to_question(LK, form)
    assert problems == []
    assert {k: back[k] for k in ("scale", "statements", "statements_en", "labels")} == {
        k: definition[k] for k in ("scale", "statements", "statements_en", "labels")}
    form["labels-3"] = ""
    _back, problems = form_to_question(LK, form)
    assert [f for f, _m in problems] == ["labels"]


def test_the_editor_points_help_says_empty_means_zero():
    from lms.quizzes.editor import common_fields
    from lms.quizzes.types.true_false import TrueFalse

    help_of = {f.name: f.help for f in common_fields(LK)}
    assert help_of["points"].startswith("Empty means 0: this question has no right answer")
    assert {f.name: f.help for f in common_fields(TrueFalse())}["points"] == "Empty means 1."


def test_field_names_one_radio_group_per_statement():
    assert LK.field_names(q(), "q0") == ["q0-0", "q0-1"]
    assert LK.field_names({"type": "likert", "text": "Saya siap."}, "q3") == ["q3-0"]


@pytest.mark.parametrize("raw, expected", [
    (["0:4", "1:2"], {"0": 4, "1": 2}),
    (["1:5", "0:1"], {"0": 1, "1": 5}),
    (["0:4", "0:2"], {"0": 4}),  # a doubled field: the first value wins
    (["0:6"], None),  # beyond the scale
    (["0:0"], None),
    (["2:3"], None),  # no third statement
    (["-1:3", "a:b", "03", "", "0:", ":3", "0:3:1", "٠:٣"], None),
    ([], None),
    ("0:3", {"0": 3}),
    (None, None),
    ([None, 4, "1:3"], {"1": 3}),
])
def test_normalise_keeps_only_valid_answers(raw, expected):
    assert LK.normalise_response(q(), raw) == expected


def test_grade_counts_answered_statements():
    full = LK.grade(q(), {"0": 4, "1": 2})
    assert (full.fraction, full.state) == (1.0, "answered")  # no right answer: not "correct"
    half = LK.grade(q(), {"0": 4})
    assert (half.fraction, half.state) == (0.5, "answered")
    for junk in (None, {}, [], "4", {"0": 9}, {"x": 1}, {"0": True}, {"0": 2.5}):
        grade = LK.grade(q(), junk)
        assert (grade.fraction, grade.state) == (0.0, "unanswered"), junk
    assert LK.grade(q(), LK.correct_response(q())).fraction == 1.0
    assert LK.right_answer_text(q()) == ""


# -- rendering ----------------------------------------------------------------------------


def test_render_is_a_fieldset_per_statement_with_labelled_radios():
    html = str(LK.render(q(), field="q0", response={"1": 4}))
    assert html.count("<fieldset") == 3  # the question and its two statements
    assert html.count("<legend") == 2
    assert "Saya dapat memandu pencarian informasi." in html
    radios = re.findall(r'<input type="radio" name="(q0-\d)" id="([^"]+)" value="([^"]+)"', html)
    assert len(radios) == 10
    for _name, input_id, _value in radios:
        assert f'<label for="{input_id}">' in html
    assert 'name="q0-1" id="q0-1-4" value="1:4" checked' in html
    assert html.count("checked") == 1


def test_render_uses_the_authored_labels_in_the_learners_language(monkeypatch):
    definition = q(labels=LABELS_ID, labels_en=LABELS_EN)
    assert "Sangat setuju" in str(LK.render(definition, field="q0"))
    monkeypatch.setattr(Likert, "locale", staticmethod(lambda: "en"))
    html = str(LK.render(definition, field="q0"))
    assert "Strongly agree" in html and "Sangat setuju" not in html
    assert "I can guide an information search." in html


def test_render_translates_the_default_labels_with_the_given_gettext():
    catalogue = dict(zip(DEFAULT_LABELS[5], LABELS_ID, strict=True))
    html = str(LK.render(q(), field="q0", gettext=lambda s: catalogue.get(s, s)))
    for label in LABELS_ID:
        assert f">{label}</label>" in html


def test_render_escapes_author_text_and_disables_in_review():
    html = str(LK.render(q(statements=["<script>x</script>"]), field="q0", disabled=True))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count(" disabled") == 5


def test_without_statements_the_question_text_is_the_statement():
    html = str(LK.render({"type": "likert", "text": "Saya siap."}, field="q2"))
    assert html.count("<fieldset") == 1 and "<legend" not in html
    assert 'name="q2-0"' in html


# -- summaries ----------------------------------------------------------------------------


def test_aggregate_counts_each_point_per_statement():
    responses = [{"0": 5, "1": 4}, {"0": 5}, {"0": 1, "1": 4}, None, "junk", {"0": 9}]
    first, second = aggregate(q(), responses)
    assert first.statement == "Saya percaya diri mengajarkan literasi digital."
    assert first.counts == [1, 0, 0, 0, 2] and first.answered == 3
    assert first.mean == pytest.approx(11 / 3)
    assert second.counts == [0, 0, 0, 2, 0] and second.shares[3] == 1.0
    assert first.labels == list(DEFAULT_LABELS[5])
    empty = aggregate(q(), [])[0]
    assert empty.mean is None and empty.shares == [0.0] * 5
