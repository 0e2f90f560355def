"""Issue 21, item 1 in a real browser: a master trainer writes a module with a table, a call-out
box and a picture with its description using only the toolbar and the keyboard — no Markdown
typed for those three — sees them in the live preview, saves, and the page's own preview shows
a <table>, the call-out box and an <img alt>. The picture dialog refuses to insert without a
description. axe-core finds nothing on the editor page or in the open dialog, and with
JavaScript switched off the page is the plain textarea that still saves.

The interface is the default one (Bahasa Indonesia), as the librarians use it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.auth.services import create_user
from lms.authoring.services import drafts
from lms.extensions import db
from tests.helpers.browser import EXAMPLE, example_learner, log_in
from tests.helpers.images import png
from tests.helpers.packs import import_folder

TRAINER = ("yustina@contoh.id", "modul-baru-untuk-angkatan")
EDIT = "/author/contoh-kursus/modules/pengenalan/edit"
ALT = "Rak buku kayu di perpustakaan desa"


@pytest.fixture
def trainer(live_server):
    """The example course, with a master trainer as its editor."""
    with live_server.app.app_context():
        import_folder(EXAMPLE)
        user = create_user(email=TRAINER[0], full_name="Yustina Mahuze", password=TRAINER[1],
                           role=Role.TRAINER)
        drafts.add_editor(drafts.open_draft("contoh-kursus", None), user, user=None)
        db.session.remove()
    return TRAINER


def toolbar_button(page, name: str) -> None:
    """From the text, Alt+F10 into the toolbar, then the arrow keys to the button, then Enter."""
    page.keyboard.press("Alt+F10")
    toolbar = page.get_by_role("toolbar", name="Format teks")
    for _step in range(12):
        if toolbar.get_by_role("button", name=name, exact=True).evaluate(
                "b => b === document.activeElement"):
            break
        page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_focused()
    page.keyboard.press("Enter")


def test_a_trainer_writes_a_table_a_call_out_and_a_picture_with_the_toolbar(
        page, live_server, trainer, axe, tmp_path):
    learner = example_learner(live_server.app)  # before publishing: it imports the example pack
    log_in(page, *trainer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(EDIT)
    text = page.get_by_label("Teks (Markdown)")
    toolbar = page.get_by_role("toolbar", name="Format teks")
    expect(toolbar).to_be_visible()
    preview = page.get_by_role("region", name="Pratinjau langsung")
    expect(preview.get_by_role("heading", name="Peran perpustakaan")).to_be_visible()
    # Side by side on a wide screen: the preview starts to the right of the text.
    text_box, preview_box = text.bounding_box(), preview.bounding_box()
    assert preview_box["x"] > text_box["x"] + text_box["width"] - 1
    assert axe(page) == []

    # One Tab stop: Tab from the toolbar's first button goes to the text, not the next button.
    text.focus()
    page.keyboard.press("Alt+F10")
    expect(toolbar.get_by_role("button", name="Judul bagian")).to_be_focused()
    page.keyboard.press("Tab")
    expect(text).to_be_focused()

    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Rak di perpustakaan desa:")

    # A table: the skeleton goes in with the first heading selected, typed over.
    toolbar_button(page, "Tabel")
    page.keyboard.type("Rak")
    expect(text).to_have_value(re.compile(r"\| Rak \| Kolom 2 \|\n\| --- \| --- \|\n\| Isi \| Isi \|"))

    # A call-out box: kind and title in the dialog, then its text typed over the placeholder.
    page.keyboard.press("Control+End")
    toolbar_button(page, "Kotak catatan")
    dialog = page.get_by_role("dialog", name="Sisipkan kotak catatan")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Jenis kotak").select_option("tip")
    dialog.get_by_label("Judul kotak (tidak wajib)").focus()
    page.keyboard.type("Tips fasilitator")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(text).to_be_focused()
    page.keyboard.type("Ajak peserta menghitung buku.")
    expect(text).to_have_value(re.compile(
        r'\n!!! tip "Tips fasilitator"\n    Ajak peserta menghitung buku\.\n'))

    # A picture: uploaded from inside the picker, refused without a description.
    page.keyboard.press("Control+End")
    toolbar_button(page, "Gambar")
    picker = page.get_by_role("dialog", name="Sisipkan gambar")
    expect(picker.get_by_label("pelita.png")).to_be_visible()  # the course's own picture
    picture = tmp_path / "rak-buku.png"
    picture.write_bytes(png())
    picker.get_by_label("Atau unggah gambar baru").set_input_files(picture)
    picker.get_by_role("button", name="Unggah gambar", exact=True).press("Enter")
    expect(picker.get_by_role("status")).to_contain_text("Terunggah")
    expect(picker.get_by_label("rak-buku.png")).to_be_checked()
    alt = picker.get_by_label("Keterangan gambar (wajib)")
    expect(alt).to_be_focused()
    before = text.input_value()
    page.keyboard.press("Enter")  # insert, without a description
    expect(picker.get_by_role("alert")).to_contain_text("Tulis keterangan gambar")
    expect(picker).to_be_visible()
    expect(alt).to_be_focused()
    expect(alt).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []  # the open dialog, with its error
    assert text.input_value() == before
    page.keyboard.type(ALT)
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(text).to_have_value(re.compile(re.escape(f"![{ALT}](../media/rak-buku.png)")))

    # The live preview shows all three as learners will see them.
    # (the example module already has a table and a tip of its own)
    expect(preview.locator("table", has_text="Kolom 2").locator("th").first).to_have_text("Rak")
    expect(preview.locator(".admonition.tip", has_text="Ajak peserta")).to_have_count(1)
    expect(preview.get_by_role("img", name=ALT)).to_be_visible()

    # Bold with Ctrl+B, from the keyboard.
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+B")
    page.keyboard.type("Penting")
    expect(text).to_have_value(re.compile(r"\*\*Penting\*\*\s*$"))

    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Modul disimpan")
    page.get_by_role("button", name="Pratinjau", exact=True).click()
    saved = page.locator("#preview")
    expect(saved.locator("table", has_text="Kolom 2")).to_have_count(1)
    expect(saved.locator(".admonition.tip", has_text="Ajak peserta").locator(
        ".admonition-title")).to_have_text("Tips fasilitator")
    expect(saved.get_by_role("img", name=ALT)).to_have_attribute(
        "src", re.compile(r"/media/rak-buku\.png$"))

    # Published, a learner reads the same three things on the module page.
    page.goto("/author/contoh-kursus/")
    page.get_by_label("Apa yang berubah?").fill("Modul 1: tabel, tips dan gambar rak")
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    expect(page.get_by_role("status").first).to_be_visible()
    page.context.clear_cookies()
    log_in(page, *learner)
    page.goto("/courses/contoh-kursus")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    page.goto("/courses/contoh-kursus/modules/pengenalan")
    module = page.get_by_role("main")
    expect(module.locator("table", has_text="Kolom 2")).to_have_count(1)
    expect(module.locator(".admonition.tip", has_text="Ajak peserta")).to_have_count(1)
    expect(module.get_by_role("img", name=ALT)).to_be_visible()


def test_on_a_phone_the_preview_is_below_the_text(page, trainer, axe):
    log_in(page, *trainer)
    page.goto(EDIT)
    text = page.get_by_label("Teks (Markdown)")
    preview = page.get_by_role("region", name="Pratinjau langsung")
    expect(preview.get_by_role("heading", name="Peran perpustakaan")).to_be_visible()
    assert preview.bounding_box()["y"] >= text.bounding_box()["y"] + text.bounding_box()["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []


def test_without_javascript_the_textarea_is_plain_and_saves(browser, live_server, trainer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, *trainer)
        page.goto(EDIT)
        expect(page.get_by_role("toolbar")).to_have_count(0)
        expect(page.get_by_role("button", name="Tabel")).to_have_count(0)
        text = page.get_by_label("Teks (Markdown)")
        text.fill("## Tanpa JavaScript\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n")
        page.get_by_role("button", name="Pratinjau", exact=True).click()
        expect(page.locator("#preview table")).to_have_count(1)
        page.get_by_role("button", name="Simpan", exact=True).click()
        expect(page.get_by_role("status").first).to_contain_text("Modul disimpan")
        expect(page.get_by_label("Teks (Markdown)")).to_have_value(re.compile("Tanpa JavaScript"))
    finally:
        context.close()


def test_question_text_and_feedback_have_the_same_toolbar(page, trainer, axe):
    log_in(page, *trainer)
    page.goto("/author/contoh-kursus/quizzes/kuis-pengenalan/questions/new?type=single_choice")
    toolbars = page.get_by_role("toolbar", name="Format teks")
    expect(toolbars.first).to_be_visible()
    assert toolbars.count() >= 2  # question text and general feedback at least
    # No second preview: the question editor's own shows the whole question.
    expect(page.get_by_role("region", name="Pratinjau langsung")).to_have_count(0)
    question = page.get_by_role("textbox", name=re.compile("^Teks pertanyaan"))
    question.focus()
    page.keyboard.press("Control+B")
    page.keyboard.type("Sumber")
    expect(question).to_have_value(re.compile(r"\*\*Sumber\*\*"))
    expect(page.locator("#question-preview strong", has_text="Sumber")).to_be_visible()
    assert axe(page) == []
