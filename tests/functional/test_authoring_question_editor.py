"""The question editor reads like the question (issue 21, item 2): a trainer writes the text and
the options, ticks "Benar", and leaves ids and weights alone; the id is made from the text;
weights folded under "Pengaturan lanjutan" score only when filled; option rows are added,
removed and moved without JavaScript and without losing typed text; "Pratinjau" shows the
question as the learner sees it, with its guessable-question warnings."""

from __future__ import annotations

import re
import tomllib

import pytest

from lms.authoring import quizfiles
from lms.authoring.services import drafts
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import hidden, login

SLUG = "kursus-soal"
QUIZ = "kuis-soal"
NEW = f"/author/{SLUG}/quizzes/{QUIZ}/questions/new"

QUIZ_FORM = {"slug": QUIZ, "kind": "module", "module": "modul-1", "title_id": "Kuis Soal",
             "title_en": "", "pass_mark": "60", "attempts": "", "grading": "highest",
             "time_limit_minutes": "", "opens_at": "", "closes_at": "", "shuffle_questions": "0",
             "shuffle_options": "0", "draw": "", "draw_categories": "", "per_page": ""}

TEXT = "Apa tugas utama **perpustakaan desa**?"
SINGLE = {"text": TEXT, "points": "", "category": "", "feedback": "",
          "options-rows": "3",
          "options-0-id": "", "options-0-text": "Meminjamkan bacaan kepada warga",
          "options-0-weight": "", "options-0-feedback": "",
          "options-1-id": "", "options-1-text": "Menjual buku pelajaran",
          "options-1-weight": "", "options-1-feedback": "",
          "options-2-id": "", "options-2-text": "Mengumpulkan iuran warga",
          "options-2-weight": "", "options-2-feedback": "",
          "options-correct": "0", "shuffle": "1"}


@pytest.fixture
def trainer(client, tmp_path, trainer_user):
    import_folder(make_pack(tmp_path, SLUG, modules=1))
    drafts.add_editor(drafts.open_draft(SLUG, None), trainer_user, user=None)
    login(client, trainer_user.email)
    assert client.post(f"/author/{SLUG}/quizzes", data=QUIZ_FORM).status_code == 302
    return client


def new_page(client, qtype="single_choice"):
    page = client.get(f"{NEW}?type={qtype}")
    assert page.status_code == 200
    return page.text


def post_new(client, data, qtype="single_choice"):
    revision = hidden(new_page(client, qtype), "revision")
    return client.post(f"{NEW}?type={qtype}", data={"revision": revision, **data})


def questions() -> list[dict]:
    db.session.expire_all()
    row = drafts.get_file(drafts.draft_for(SLUG), quizfiles.quiz_path(QUIZ))
    return tomllib.loads(row.data.decode()).get("questions", [])


def preview_marks(client, answer) -> str:
    """The marks the quiz preview (the learner's grading, nothing stored) gives `answer`."""
    url = f"/author/{SLUG}/quizzes/{QUIZ}/preview"
    token = hidden(client.get(url).text, "csrf_token")
    page = client.post(url, data={"csrf_token": token, "q0": answer}).text
    return re.search(r'id="preview-score"[^>]*>([^<]*)<', page).group(1)


def test_the_form_asks_for_text_options_and_correct_not_ids_or_weights(trainer):
    page = new_page(trainer)
    # The id and the weights wait, folded, under the advanced settings.
    assert 'name="id" value=""' in page
    advanced = re.findall(r'<details class="editor-advanced"( open)?>', page)
    assert advanced and not any(advanced)
    assert page.index('name="id"') > page.index('<details class="editor-advanced">')
    weight = page.index('name="options-0-weight"')
    assert page.rfind("<details", 0, weight) > page.rfind("</details>", 0, weight)
    # No paragraph explaining which of Correct and weight wins.
    assert "are not used" not in page
    # Option texts are growing textareas; "Correct" of a single choice is one radio group.
    assert re.search(r'<textarea id="e-options-0-text" name="options-0-text" rows="2" '
                     r'class="textarea--grow"', page)
    assert 'type="radio" id="e-options-0-correct" name="options-correct" value="0"' in page
    # The question text and the feedback get the Markdown toolbar (md-editor branch).
    assert re.search(r'<textarea id="e-text" name="text"[^>]* data-markdown-editor', page)
    assert re.search(r'<textarea id="e-feedback" name="feedback"[^>]* data-markdown-editor', page)
    # Buttons a screen reader names with the row they act on.
    assert 'aria-label="Move Option 2 up"' in page and 'aria-label="Remove Option 4"' in page


def test_the_id_is_made_from_the_question_text_and_unique_in_the_quiz(trainer):
    assert post_new(trainer, SINGLE).status_code == 302
    assert post_new(trainer, SINGLE).status_code == 302
    ids = [q["id"] for q in questions()]
    assert ids == ["apa-tugas-utama-perpustakaan-desa", "apa-tugas-utama-perpustakaan-desa-2"]
    # Editing: the heading reads like the question; the id is editable, with its warning.
    page = trainer.get(f"/author/{SLUG}/quizzes/{QUIZ}/questions/{ids[0]}").text
    assert "<h1>Edit question: Apa tugas utama perpustakaan desa?</h1>" in page
    assert f'name="id" value="{ids[0]}"' in page
    assert "changing the id makes the question statistics count it as a new question" in page
    # An emptied id keeps the question's id (answers are stored under it).
    data = {**SINGLE, "id": "", "revision": hidden(page, "revision")}
    saved = trainer.post(f"/author/{SLUG}/quizzes/{QUIZ}/questions/{ids[0]}", data=data)
    assert saved.status_code == 302
    assert [q["id"] for q in questions()] == ids


def test_ids_are_checked_with_messages_in_indonesian(trainer):
    assert trainer.post("/language", data={"lang": "id", "next": "/"}).status_code == 302
    assert post_new(trainer, SINGLE).status_code == 302
    bad = post_new(trainer, {**SINGLE, "id": "soal satu!"})
    assert bad.status_code == 422
    assert re.search(r'id="e-id-error">Gunakan hanya huruf, angka', bad.text)
    assert re.search(r'<details class="editor-advanced" open>', bad.text)  # shows the error
    taken = post_new(trainer, {**SINGLE, "id": "apa-tugas-utama-perpustakaan-desa"})
    assert taken.status_code == 422
    assert re.search(r'id="e-id-error">[^<]*id ini', taken.text)
    empty = post_new(trainer, {**SINGLE, "text": ""})
    assert re.search(r'id="e-text-error">Kolom ini wajib diisi', empty.text)
    assert "Pengaturan lanjutan" in empty.text and "Pratinjau" in empty.text
    assert 'aria-label="Pindahkan Pilihan 2 ke atas"' in empty.text
    assert len(questions()) == 1


def test_benar_alone_scores_the_question(trainer):
    assert post_new(trainer, SINGLE).status_code == 302
    options = questions()[0]["options"]
    assert [o.get("correct") for o in options] == [True, False, False]
    assert not any("weight" in o for o in options)
    assert preview_marks(trainer, "a") == "Marks: 1 of 1"
    assert preview_marks(trainer, "b") == "Marks: 0 of 1"


def test_weights_under_advanced_settings_score_when_filled(trainer):
    data = {**SINGLE, "options-0-weight": "100", "options-1-weight": "50",
            "options-correct": "2"}  # a stray Benar: the weights score
    assert post_new(trainer, data).status_code == 302
    options = questions()[0]["options"]
    assert [o.get("weight") for o in options] == [100, 50, 0]
    assert not any("correct" in o for o in options)
    assert preview_marks(trainer, "b") == "Marks: 0.5 of 1"
    assert preview_marks(trainer, "c") == "Marks: 0 of 1"
    # Edited again: the weights show, opened; Benar is ticked where the weight is full marks.
    page = trainer.get(f"/author/{SLUG}/quizzes/{QUIZ}/questions/{questions()[0]['id']}").text
    assert page.count('<details class="editor-advanced" open>') == 3  # every weight shows
    assert re.search(r'name="options-correct" value="0" data-row-index checked', page)


def test_multiple_choice_with_benar_only(trainer):
    data = {**{k: v for k, v in SINGLE.items() if k != "options-correct"},
            "options-0-correct": "y", "options-2-correct": "y"}
    assert post_new(trainer, data, "multiple_choice").status_code == 302
    assert [o["correct"] for o in questions()[0]["options"]] == [True, False, True]
    assert preview_marks(trainer, ["a", "c"]) == "Marks: 1 of 1"


def test_row_buttons_keep_the_typed_text_without_javascript(trainer):
    data = {**SINGLE, "options-correct": "1"}
    revision = hidden(new_page(trainer), "revision")
    post = {"revision": revision, **data}

    added = trainer.post(f"{NEW}?type=single_choice", data={**post, "row_action": "add:options"})
    assert added.status_code == 200
    assert 'name="options-rows" value="4"' in added.text
    assert "Meminjamkan bacaan kepada warga</textarea>" in added.text
    assert re.search(r'<textarea id="e-options-3-text"[^>]* autofocus', added.text)

    moved = trainer.post(f"{NEW}?type=single_choice", data={**post, "row_action": "up:options:1"})
    text = moved.text
    assert text.index("Menjual buku pelajaran") < text.index("Meminjamkan bacaan kepada warga")
    # The Benar mark moves with its option; focus stays on the moved option's button.
    assert re.search(r'name="options-correct" value="0" data-row-index checked', text)
    assert re.search(r'id="e-options-0-up"[^>]*disabled', text)
    assert re.search(r'id="e-options-0-down"[^>]* autofocus', text)

    # The short names of the option buttons do the same.
    alias = trainer.post(f"{NEW}?type=single_choice", data={**post, "action": "move_up-1"})
    assert alias.text.index("Menjual buku") < alias.text.index("Meminjamkan bacaan")
    assert 'name="options-rows" value="4"' in trainer.post(
        f"{NEW}?type=single_choice", data={**post, "action": "add_option"}).text

    removed = trainer.post(f"{NEW}?type=single_choice",
                           data={**post, "row_action": "remove:options:0"})
    assert "Meminjamkan bacaan kepada warga" not in removed.text
    assert 'name="options-rows" value="2"' in removed.text
    assert "Menjual buku pelajaran</textarea>" in removed.text
    assert TEXT in removed.text
    assert questions() == []  # nothing was saved


def test_preview_shows_the_learners_question_and_its_warnings(trainer):
    data = {**SINGLE, "options-2-text": "Semua jawaban benar"}
    revision = hidden(new_page(trainer), "revision")
    page = trainer.post(f"{NEW}?type=single_choice",
                        data={"revision": revision, **data, "row_action": "preview"}).text
    preview = page[page.index('id="question-preview"'):]
    assert 'class="pq-option"' in preview  # the learner's rendering of the type
    assert "<strong>perpustakaan desa</strong>" in preview
    assert 'id="question-preview" aria-labelledby="question-preview-title" tabindex="-1" autofocus' in page
    assert "is a catch-all answer" in preview
    assert questions() == []
    # The editor's script asks for the preview alone.
    fragment = trainer.post(f"{NEW}?type=single_choice",
                            data={"revision": revision, **data, "row_action": "preview",
                                  "fragment": "preview"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'class="pq-option"' in fragment.text
