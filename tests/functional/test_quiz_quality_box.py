"""An author sees which questions can be guessed: the quality box of the quiz editor and the
note at publish. Warnings never stop a save or a publish."""

from __future__ import annotations

import re

import pytest

from lms.authoring.services import drafts
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import hidden, login

SLUG = "kursus-mutu"

QUIZ_FORM = {"slug": "kuis-satu", "kind": "module", "module": "modul-1",
             "title_id": "Kuis Satu", "title_en": "Quiz One", "pass_mark": "70",
             "attempts": "", "grading": "highest", "time_limit_minutes": "",
             "opens_at": "", "closes_at": "", "shuffle_questions": "0", "shuffle_options": "1",
             "draw": "", "draw_categories": "", "per_page": ""}


def single_form(qid, text, right, *wrong):
    form = {"id": qid, "text": text, "points": "1", "category": "", "feedback": "",
            "options-rows": str(1 + len(wrong)), "shuffle": "1",
            "options-0-id": "", "options-0-text": right, "options-0-correct": "y",
            "options-0-weight": "", "options-0-feedback": ""}
    for i, w in enumerate(wrong, start=1):
        form |= {f"options-{i}-id": "", f"options-{i}-text": w, f"options-{i}-weight": "",
                 f"options-{i}-feedback": ""}
    return form


@pytest.fixture
def trainer(client, trainer_user, tmp_path):
    import_folder(make_pack(tmp_path, SLUG, modules=1))
    drafts.add_editor(drafts.open_draft(SLUG, None), trainer_user, user=None)
    login(client, trainer_user.email)
    assert client.post(f"/author/{SLUG}/quizzes", data=QUIZ_FORM).status_code == 302
    return client


def add(client, form):
    url = f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=single_choice"
    page = client.get(url)
    saved = client.post(url, data={"revision": hidden(page.text, "revision"), **form})
    assert saved.status_code == 302, saved.text  # a guessable question is still saved


def quality_box(page: str) -> str:
    match = re.search(r'<section id="quality".*?</section>', page, re.S)
    assert match, "no quality box"
    return match.group(0)


def test_the_editor_shows_the_figure_and_each_guessable_question(trainer):
    add(trainer, single_form("giveaway", "Mana yang **tidak** aman?",
                             "Menyimpan kata sandi di peramban komputer bersama", "Keluar",
                             "Semua benar"))
    add(trainer, single_form("negatif", "Mana yang bukan strategi TPBIS?",
                             "Replikasi", "Advokasi", "Pelibatan masyarakat"))
    box = quality_box(trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text)
    assert "alert--warning" in box
    assert "Right option is the longest: 1 of 2 single-choice questions (50%" in box
    assert "chance is at most 30%" in box
    # each warning names its question and links to it
    assert '<a href="#q-giveaway"><code>giveaway</code></a>' in box
    assert "clearly the longest" in box and "catch-all answer" in box
    assert '<a href="#q-negatif"><code>negatif</code></a>' in box
    assert "without emphasis" in box and "**bukan**" in box
    assert "can still be published" in box


def test_a_fair_quiz_says_so_in_indonesian(trainer):
    add(trainer, single_form("adil", "Cara tercepat mengolah buku ber-KDT?",
                             "Salin KDT, lalu cocokkan", "Salin KDT tanpa dicek",
                             "Tebak kelas dari judul buku"))
    trainer.post("/language", data={"lang": "id", "next": "/"})
    box = quality_box(trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text)
    assert "alert--success" in box
    assert "Jawaban benar adalah pilihan terpanjang: 0 dari 1 soal pilihan tunggal (0%" in box
    assert "Tidak ada soal yang mudah ditebak." in box


def test_publishing_a_guessable_quiz_shows_a_note_and_still_publishes(trainer):
    add(trainer, single_form("giveaway", "Mana yang aman?",
                             "Keluar dari akun dan menghapus unduhan setiap selesai", "Simpan",
                             "Biarkan"))
    workspace = trainer.get(f"/author/{SLUG}/").text
    note = re.search(r'<div class="alert alert--warning" id="quality-note">.*?</div>',
                     workspace, re.S)
    assert note and "Quiz One" in note.group(0) and "2 warnings" in note.group(0)
    assert f'/author/{SLUG}/quizzes/kuis-satu#quality' in note.group(0)
    published = trainer.post(f"/author/{SLUG}/publish",
                             data={"note": "kuis baru"}, follow_redirects=True)
    assert published.status_code == 200
    assert "Published." in published.text
    assert "some questions can be guessed in Quiz One" in published.text  # its title


def test_validate_prints_guessable_questions_as_warnings_and_the_figures(runner, tmp_path):
    pack = make_pack(tmp_path, "kursus-cli", modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "kuis.toml").write_text('''module = "modul-1"
kind = "module"
[title]
id = "Kuis"
[[questions]]
id = "q1"
type = "single_choice"
text = "Mana yang tepat?"
options = [
  { id = "a", text = "Jawaban benar yang jauh lebih panjang", correct = true },
  { id = "b", text = "Semua benar", correct = false },
]
''', encoding="utf-8")
    result = runner.invoke(args=["lms", "validate", "--figures", str(pack)])
    assert result.exit_code == 0, result.output  # warnings are not problems
    assert "ok: kursus-cli" in result.output
    assert "quality: kursus-cli/quizzes/kuis.toml: right option uniquely longest in 1 of 1" \
        in result.output
    assert "warning: kursus-cli/quizzes/kuis.toml: q1: option “Semua benar” is a catch-all" \
        in result.output
