"""Issue 21, item 2 in a real browser (Indonesian interface): a master trainer writes a
multiple-choice question without touching weights or ids, adds an option, moves it up and
removes one with the keyboard-usable buttons (no typed text lost), sees the live preview with
its guessable-question warning go away, saves and publishes; a learner answering it correctly
gets full marks. axe-core checks the editor at 360 px, where the option fields stay wide."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.auth.services import create_user
from lms.authoring.services import drafts
from lms.extensions import db
from tests.helpers.browser import example_learner, log_in

TRAINER = ("yosina@contoh.id", "soal-pilihan-ganda-baru")
SLUG = "contoh-kursus"
QUESTION = "Sebuah pesan berantai tidak ada penulisnya. Apa yang **pertama** kali Anda periksa?"
OPTIONS = ["Siapa penulisnya dan dari mana asalnya", "Berapa banyak orang yang membagikannya",
           "Semua jawaban benar", "Apakah gambarnya menarik"]
ADDED = "Kapan pesan itu pertama kali muncul"


@pytest.fixture
def people(live_server):
    learner = example_learner(live_server.app)
    with live_server.app.app_context():
        trainer = create_user(email=TRAINER[0], full_name="Yosina Kambu", password=TRAINER[1],
                              role=Role.TRAINER)
        drafts.add_editor(drafts.open_draft(SLUG, None), trainer, user=None)
        db.session.remove()
    return learner


def option(page, number: int):
    return page.get_by_role("group", name=f"Pilihan {number}", exact=True)


def create_quiz(page) -> None:
    page.goto(f"/author/{SLUG}/quizzes")
    page.get_by_label("Alamat kuis (slug)").fill("kuis-pesan-berantai")
    page.get_by_label("Jenis").select_option("module")
    page.get_by_label("Modul", exact=True).select_option(index=1)
    page.get_by_label("Judul (bahasa Indonesia)").fill("Kuis pesan berantai")
    page.get_by_role("button", name="Buat kuis").click()
    page.get_by_label("Tambah pertanyaan berjenis").select_option("multiple_choice")
    page.get_by_role("button", name="Tambah pertanyaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pertanyaan baru")


def test_trainer_writes_a_multiple_choice_question_and_a_learner_gets_full_marks(
        page, browser, live_server, people, axe):
    log_in(page, *TRAINER)
    create_quiz(page)

    page.get_by_label("Teks pertanyaan").fill(QUESTION)
    for number, text in enumerate(OPTIONS, start=1):
        option(page, number).get_by_label("Teks pilihan").fill(text)
    option(page, 1).get_by_label("Benar").check()

    # Add an option: the new row gets the focus, typed text elsewhere stays.
    page.get_by_role("button", name="Tambah: Pilihan").click()
    expect(option(page, 5).get_by_label("Teks pilihan")).to_be_focused()
    page.keyboard.type(ADDED)
    option(page, 5).get_by_label("Benar").check()
    # Move it up with the keyboard: the focus follows the option.
    page.get_by_role("button", name="Pindahkan Pilihan 5 ke atas").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pindahkan Pilihan 4 ke atas")).to_be_focused()
    expect(option(page, 4).get_by_label("Teks pilihan")).to_have_value(ADDED)
    expect(option(page, 4).get_by_label("Benar")).to_be_checked()
    expect(option(page, 5).get_by_label("Teks pilihan")).to_have_value(OPTIONS[3])

    # The live preview: the learner's rendering, with the catch-all warning.
    preview = page.get_by_role("region", name="Pratinjau: yang dilihat peserta")
    expect(preview.get_by_label(ADDED)).to_be_visible()
    expect(preview.locator("strong", has_text="pertama")).to_be_visible()
    expect(preview).to_contain_text("Semua jawaban benar")
    expect(preview.locator("#preview-quality")).to_contain_text("Semua jawaban benar")
    page.get_by_role("button", name="Hapus Pilihan 3").click()
    expect(page.get_by_role("button", name="Hapus Pilihan 3")).to_be_focused()
    expect(preview.locator("#preview-quality")).to_have_count(0)
    texts = [option(page, n).get_by_label("Teks pilihan") for n in range(1, 5)]
    for box, text in zip(texts, [OPTIONS[0], OPTIONS[1], ADDED, OPTIONS[3]], strict=True):
        expect(box).to_have_value(text)
    page.get_by_role("button", name="Pratinjau", exact=True).click()
    expect(preview).to_be_focused()

    # Wide option fields at 360 px, and no WCAG violations on the editor.
    page.set_viewport_size({"width": 360, "height": 780})
    assert texts[0].bounding_box()["width"] > 250
    assert axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    assert texts[0].bounding_box()["width"] > 400

    page.get_by_role("button", name="Simpan pertanyaan").last.click()
    expect(page.get_by_role("status")).to_contain_text("sebuah-pesan-berantai-tidak-ada")
    page.goto(f"/author/{SLUG}/")
    page.get_by_label("Apa yang berubah?").fill("Kuis pesan berantai")
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("Diterbitkan|terbit"))

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    learner = context.new_page()
    learner.set_default_timeout(10_000)
    log_in(learner, *people)
    learner.goto(f"/courses/{SLUG}")
    learner.get_by_role("button", name="Ikuti kursus ini").click()
    learner.get_by_role("link", name="Mulai:").click()  # the first module, where the quiz is
    learner.get_by_role("link", name="Kuis pesan berantai").first.click()
    learner.get_by_role("button", name="Mulai kuis").click()
    learner.get_by_label(OPTIONS[0]).check()
    learner.get_by_label(ADDED).check()
    learner.get_by_role("button", name="Simpan dan selesai").click()
    learner.get_by_role("button", name="Kirim semua jawaban dan selesai").click()
    expect(learner.get_by_text("100").first).to_be_visible()
    context.close()
