"""Evidence upload in a real browser, with quiz.js running: the background save skips the file
input (and still saves the text), the Save button uploads, Remove removes.

Marked `e2e` (Debian's Chromium through Playwright); skipped with the reason without it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

import config
from lms import create_app
from lms.auth.services import register_participant
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes.models import QuestionResponse, ResponseFile
from tests.helpers.packs import import_folder, make_pack

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("PELITA_CHROMIUM", "/usr/bin/chromium")
QUIZ = '''kind = "practical"

[title]
id = "Tugas Praktik"

[[questions]]
id = "rencana"
type = "essay"
text = "Tulis rencana dan lampirkan buktinya."
allow_upload = true
'''
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


@pytest.fixture
def server(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    pytest.importorskip("playwright.sync_api")
    app = create_app(config.TestConfig(f"sqlite:///{tmp_path / 'upload.sqlite3'}"))
    pack = make_pack(tmp_path, "kursus-unggah", modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "tugas.toml").write_text(QUIZ, encoding="utf-8")
    with app.app_context():
        db.create_all()
        import_folder(pack)
        user = register_participant(
            full_name="Maria Goreti Lewar", email="maria@contoh.id",
            password="pustaka-flores-2026", library_name="Perpustakaan Desa Watublapi",
            library_level="desa", province_code="53", regency_code="53.10")
        course = db.session.scalar(select(Course).where(Course.slug == "kursus-unggah"))
        db.session.add(Enrollment(user_id=user.id, course_id=course.id))
        db.session.commit()
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def in_own_thread(scenario) -> None:
    """Run a Playwright scenario in a thread of its own: the browser tests in tests/e2e keep a
    session-wide Playwright open in the main thread, and two cannot share a thread."""
    failure: list[BaseException] = []

    def run():
        try:
            scenario()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the browser scenario did not finish in 120 s"
    if failure:
        raise failure[0]


def rows(app, model):
    with app.app_context():
        found = list(db.session.scalars(select(model)))
        db.session.remove()
        return found


def test_upload_with_quiz_js(server, tmp_path):
    app, base_url = server
    evidence = tmp_path / "bukti kegiatan.pdf"
    evidence.write_bytes(PDF)

    def scenario():
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update"])
            try:
                page = browser.new_context(base_url=base_url).new_page()
                page.set_default_timeout(10_000)
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto("/login")
                page.locator('button[name="lang"][value="en"]').click()  # English pages
                page.get_by_label("Email").fill("maria@contoh.id")
                page.get_by_label("Password").fill("pustaka-flores-2026")
                page.get_by_role("button", name="Log in").click()
                page.goto("/courses/kursus-unggah")
                page.get_by_role("link", name="Tugas Praktik").click()
                page.get_by_role("button", name="Start the quiz").click()

                page.locator("textarea").fill("Rencana pendampingan desa.")
                page.locator('input[type="file"]').set_input_files(str(evidence))
                # The background save sends the text without the file, without a script error.
                expect(page.locator("#quiz-status")).to_have_text("All answers are saved.", timeout=10_000)
                assert [r.response for r in rows(app, QuestionResponse)] == [
                    "Rencana pendampingan desa."]
                assert rows(app, ResponseFile) == []

                page.get_by_role("button", name="Save", exact=True).click()
                expect(page.get_by_role("link", name="bukti kegiatan.pdf")).to_be_visible()
                assert [f.filename for f in rows(app, ResponseFile)] == ["bukti kegiatan.pdf"]
                expect(page.locator("textarea")).to_have_value("Rencana pendampingan desa.")

                page.get_by_role("button", name="Remove bukti kegiatan.pdf").click()
                expect(page.get_by_role("link", name="bukti kegiatan.pdf")).to_have_count(0)
                assert rows(app, ResponseFile) == []
                assert errors == []
            finally:
                browser.close()

    in_own_thread(scenario)
