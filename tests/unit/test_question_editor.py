"""The question editor's forms, described by each question type (lms/quizzes/editor.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lms.authoring import quizfiles
from lms.quizzes import editor
from lms.quizzes.registry import default_registry

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = default_registry()


def shipped_questions() -> list[dict]:
    out = []
    for path in sorted(ROOT.glob("courses/*/quizzes/*.toml")):
        out += tomllib.loads(path.read_text("utf-8"))["questions"]
    return out


SHIPPED = shipped_questions()
EXTRA = [  # shapes the shipped courses do not use
    {"id": "intro", "type": "description", "text": "Bacalah kasus berikut.\n\n**Kasus**: ...\n"},
    {"id": "w", "type": "single_choice", "text": "Pilih", "shuffle": False, "options": [
        {"id": "a", "text": "Ya", "weight": 100}, {"id": "b", "text": "Agak", "weight": 50},
        {"id": "c", "text": "Tidak", "weight": 0, "feedback": "Bukan."}]},
    {"id": "r", "type": "numerical", "text": "Berapa?", "points": 2.5, "category": "hitung",
     "answers": [{"min": 1, "max": 5}, {"value": 10, "tolerance_pct": 5, "credit": 50}]},
    {"id": "sa", "type": "short_answer", "text": "Sebut", "case_sensitive": True,
     "indonesian": True, "variants": {"perpustakaan": ["perpus", "pustaka"]},
     "answers": [{"text": "perpustakaan*"}]},
    {"id": "o", "type": "ordering", "text": "Urutkan", "shuffle": False, "items": ["a", "b", "c"]},
    {"id": "e", "type": "essay", "text": "Tulis", "rubric": "Isi:\n- satu\n- dua", "max_words": 200},
]


def test_every_builtin_type_describes_its_editor():
    for qtype in REGISTRY:
        assert qtype.editor_fields is not None, qtype.name
        for field in qtype.editor_fields:
            assert field.kind in editor.EDITOR_KINDS


def test_shipped_examples_cover_every_type():
    types = {q["type"] for q in SHIPPED + EXTRA}
    assert types == set(REGISTRY.names())


@pytest.mark.parametrize("question", SHIPPED + EXTRA,
                         ids=lambda q: f"{q['type']}-{q['id']}")
def test_form_round_trips_the_question(question):
    qtype = REGISTRY.get(question["type"])
    form = editor.question_to_form(qtype, question)
    back, problems = editor.form_to_question(qtype, form)
    assert problems == []
    assert back == question


def test_round_trip_through_the_quiz_file():
    questions = SHIPPED[:20] + EXTRA
    text = quizfiles.dump({"kind": "final", "title": {"id": "Ujian"}}, questions)
    assert quizfiles.questions_of(quizfiles.parse(text)) == questions


def test_questions_only_change_keeps_the_settings_text_and_comments():
    old = ('# komentar penulis\nkind = "final"\npass_mark = 80\n\n[title]\nid = "Ujian"\n\n'
           '[[questions]]\nid = "q1"\ntype = "true_false"\ntext = "Ya?"\nanswer = true\n')
    doc = quizfiles.parse(old)
    new_q = {"id": "q2", "type": "true_false", "text": "Tidak?", "answer": False}
    text = quizfiles.dump(quizfiles.settings_of(doc), [*quizfiles.questions_of(doc), new_q],
                          old_text=old)
    assert text.startswith("# komentar penulis\n")
    assert quizfiles.questions_of(quizfiles.parse(text))[1] == new_q


def _form(qtype_name, **values):
    qtype = REGISTRY.get(qtype_name)
    form = editor.question_to_form(qtype, {})
    form.update(values)
    return qtype, form


def test_new_question_form_starts_with_empty_rows():
    qtype, form = _form("single_choice")
    assert form["options-rows"] == "4"
    assert form["options-0-text"] == "" and form["options-0-correct"] is False


def test_missing_text_is_reported_and_a_missing_id_is_made_from_the_text():
    qtype, form = _form("true_false", answer="0")
    _q, problems = editor.form_to_question(qtype, form)
    fields = {f for f, _m in problems}
    assert "text" in fields and "id" not in fields

    qtype, form = _form("true_false", answer="0",
                        text="Apakah **perpustakaan** desa boleh meminjamkan buku ke luar desa?")
    q, problems = editor.form_to_question(qtype, form, taken_ids=["apakah-perpustakaan-desa-boleh"])
    assert problems == []
    assert q["id"] == "apakah-perpustakaan-desa-boleh-2"


@pytest.mark.parametrize(("text", "taken", "expected"), [
    ("Apa itu literasi informasi?", [], "apa-itu-literasi-informasi"),
    ("Siapa *penerbit* [buku](../media/a.png) ini?", [], "siapa-penerbit-buku-ini"),
    ("Ejaan: Kode Dewey 020 — ilmu perpustakaan dan informasi", [], "ejaan-kode-dewey-020-ilmu"),
    ("Bagaimana perpustakaan melayani?", ["bagaimana-perpustakaan-melayani"],
     "bagaimana-perpustakaan-melayani-2"),
    ("Bagaimana perpustakaan kecamatan melayani warga", [],
     "bagaimana-perpustakaan-kecamatan"),  # at most 40 characters, whole words
    ("Pengklasifikasianperpustakaanberbasisinklusisosialuntukmasyarakat desa", [],
     "pengklasifikasianperpustakaanberbasisink"),
    ("Ketepatan é ü ñ", [], "ketepatan-e-u-n"),
    ("???", ["soal"], "soal-2"),
])
def test_question_ids_are_made_from_the_first_words(text, taken, expected):
    qid = editor.question_id_from_text(text, taken)
    assert qid == expected
    assert editor.ID_RE.match(qid) and len(qid) <= 60


def test_an_edited_question_keeps_its_id_when_the_field_is_left_empty():
    qtype, form = _form("true_false", answer="0", text="Benar?")
    q, problems = editor.form_to_question(qtype, form, base={"id": 7, "type": "true_false"})
    assert problems == [] and q["id"] == 7


def test_the_correct_marks_score_unless_weights_are_given():
    rows = [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]
    assert editor.correct_or_weight(rows) == [
        {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": False}]
    rows[1]["weight"] = 50
    assert editor.correct_or_weight(rows) == [
        {"id": "a", "text": "A", "weight": 0}, {"id": "b", "text": "B", "weight": 50}]


def test_single_choice_correct_is_one_radio_group_and_weights_show_as_correct():
    qtype = REGISTRY.get("single_choice")
    form = editor.form_from_request(qtype, {"options-rows": "2", "options-0-text": "A",
                                            "options-1-text": "B", "options-correct": "1"})
    assert form["options-0-correct"] is False and form["options-1-correct"] is True
    weighted = {"id": "w", "type": "single_choice", "text": "?", "options": [
        {"id": "a", "text": "A", "weight": 50}, {"id": "b", "text": "B", "weight": 100},
        {"id": "c", "text": "C", "weight": 100}]}
    shown = editor.question_to_form(qtype, weighted)
    assert [shown[f"options-{i}-correct"] for i in range(3)] == [False, True, False]
    back, problems = editor.form_to_question(qtype, shown)
    assert problems == [] and back == weighted


def test_true_false_needs_an_answer_chosen():
    qtype, form = _form("true_false", id="t", text="Benar?")
    assert form["answer"] == ""
    _q, problems = editor.form_to_question(qtype, form)
    assert problems == [("answer", "Choose one of the options.")]


def test_single_choice_without_a_correct_option_is_reported_on_options():
    qtype, form = _form("single_choice", **{
        "id": "q1", "text": "Apa?", "options-0-text": "A", "options-1-text": "B"})
    q, problems = editor.form_to_question(qtype, form)
    assert [o["id"] for o in q["options"]] == ["a", "b"]
    assert any(f == "options" and "correct" in m for f, m in problems)


def test_problem_on_a_row_points_at_the_form_row_that_made_it():
    # Row 0 is left empty, so question option 1 ("") came from form row 2.
    qtype, form = _form("matching", **{
        "id": "m", "text": "Pasangkan", "pairs-rows": "3",
        "pairs-1-left": "DDC", "pairs-1-right": "Dewey",
        "pairs-2-left": "DDC", "pairs-2-right": "Lain"})
    _q, problems = editor.form_to_question(qtype, form)
    assert ("pairs-2-left" in {f for f, _m in problems})


def test_required_cell_blank_is_reported_on_the_cell():
    qtype, form = _form("matching", **{
        "id": "m", "text": "Pasangkan", "pairs-0-left": "DDC", "pairs-1-left": "UDC",
        "pairs-1-right": "Universal"})
    _q, problems = editor.form_to_question(qtype, form)
    assert ("pairs-0-right", "This field is required.") in problems


def test_bad_numbers_are_reported_once_on_the_input():
    qtype, form = _form("numerical", **{
        "id": "n", "text": "Berapa?", "points": "dua", "answers-0-value": "tiga"})
    _q, problems = editor.form_to_question(qtype, form)
    assert ("points", "Enter a number, e.g. 2 or 2.5.") in problems
    assert [f for f, _m in problems].count("answers-0-value") == 1


def test_numbers_accept_a_decimal_comma():
    qtype, form = _form("numerical", **{
        "id": "n", "text": "Berapa?", "answers-0-value": "2,5", "answers-0-tolerance": "0,1"})
    q, problems = editor.form_to_question(qtype, form)
    assert problems == []
    assert q["answers"] == [{"value": 2.5, "tolerance": 0.1}]


def test_essay_max_words_must_be_whole():
    qtype, form = _form("essay", id="e", text="Tulis", max_words="2.5")
    _q, problems = editor.form_to_question(qtype, form)
    assert ("max_words", "Enter a whole number, e.g. 3.") in problems


def test_ordering_duplicate_item_is_reported_on_that_item():
    qtype, form = _form("ordering", **{"id": "o", "text": "Urutkan", "items-0": "a",
                                       "items-1": "b", "items-2": "a"})
    _q, problems = editor.form_to_question(qtype, form)
    assert "items-2" in {f for f, _m in problems}


def test_variants_with_a_bad_line_are_reported():
    qtype, form = _form("short_answer", **{"id": "s", "text": "Apa?", "answers-0-text": "x",
                                           "variants": "perpustakaan perpus"})
    _q, problems = editor.form_to_question(qtype, form)
    assert "variants" in {f for f, _m in problems}


def test_bad_id_is_refused():
    qtype, form = _form("description", id="dua kata", text="Teks")
    _q, problems = editor.form_to_question(qtype, form)
    assert "id" in {f for f, _m in problems}


def test_description_hides_points():
    qtype = REGISTRY.get("description")
    assert "points" not in editor.question_to_form(qtype, {})


def test_unknown_keys_of_the_edited_question_are_kept():
    qtype = REGISTRY.get("true_false")
    base = {"id": "t", "type": "true_false", "text": "Ya?", "answer": True, "title": "Judul",
            "text_format": "markdown"}
    form = editor.question_to_form(qtype, base)
    q, problems = editor.form_to_question(qtype, form, base=base)
    assert problems == [] and q == base


def test_type_without_editor_fields_keeps_its_own_keys():
    from lms.quizzes.base import QuestionType

    class Likert(QuestionType):
        name = "likert"

        def validate(self, q):
            return self.validate_common(q)

    qtype = Likert()
    base = {"id": "l", "type": "likert", "text": "Setuju?", "scale": 5,
            "labels": ["tidak", "ya"], "extra": {"a": 1}}
    form = editor.question_to_form(qtype, base)
    assert form[editor.OTHER] == 'scale = 5\nlabels = ["tidak", "ya"]\n\n[extra]\na = 1'
    q, problems = editor.form_to_question(qtype, form, base=base)
    assert problems == [] and q == base
    # The author removes a key in the box: it is gone, not kept from the old question.
    form[editor.OTHER] = "scale = 7"
    q, problems = editor.form_to_question(qtype, form, base=base)
    assert q == {"id": "l", "type": "likert", "text": "Setuju?", "scale": 7}
    form[editor.OTHER] = "scale = "
    _q, problems = editor.form_to_question(qtype, form, base=base)
    assert problems and problems[0][0] == editor.OTHER
    form[editor.OTHER] = 'text = "dua kali"'
    _q, problems = editor.form_to_question(qtype, form, base=base)
    assert problems == [(editor.OTHER, "text has its own field above; remove it here.")]


def test_row_buttons_add_remove_and_move():
    qtype = REGISTRY.get("ordering")
    form = editor.question_to_form(qtype, {"items": ["a", "b", "c"]})
    form = editor.apply_row_action(qtype, form, "add:items")
    assert form["items-rows"] == "4" and form["items-3"] == ""
    form = editor.apply_row_action(qtype, form, "up:items:2")
    assert [form[f"items-{i}"] for i in range(3)] == ["a", "c", "b"]
    form = editor.apply_row_action(qtype, form, "remove:items:0")
    assert form["items-rows"] == "3" and form["items-0"] == "c"
    same = editor.apply_row_action(qtype, form, "down:nothing:0")
    assert same == form


def test_draw_categories_lines():
    assert quizfiles.parse_draw_categories("etika: 3\n\nkeamanan digital: 2") == (
        {"etika": 3, "keamanan digital": 2}, None)
    assert quizfiles.parse_draw_categories("etika tiga")[1] == "etika tiga"


def test_appended_questions_get_unique_ids_and_the_category():
    out = quizfiles.append_questions([{"id": "q1"}], [{"id": "q1", "_line": 3}, {"id": "q2"}],
                                     category="etika")
    assert [q["id"] for q in out] == ["q1", "q1-2", "q2"]
    assert out[1] == {"id": "q1-2", "category": "etika"}


@pytest.mark.parametrize(("posted", "action"), [
    ({"row_action": "up:items:2"}, "up:items:2"),
    ({"action": "add_option"}, "add:options"),
    ({"action": "remove_option-3"}, "remove:options:3"),
    ({"action": "move_up-1"}, "up:options:1"),
    ({"action": "move_down-0"}, "down:options:0"),
    ({"action": "preview"}, "preview"),
    ({"action": "move_up"}, ""),
    ({}, ""),
])
def test_row_buttons_are_read_from_either_name(posted, action):
    assert editor.row_action_of(posted) == action
