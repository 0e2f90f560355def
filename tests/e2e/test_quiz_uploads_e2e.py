"""Evidence upload in a real browser, with quiz.js running: the background save skips the file
input (and still saves the text), the Save button uploads, Remove removes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.services import register_participant
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes.models import QuestionResponse, ResponseFile
from tests.helpers.packs import import_folder, make_pack

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
def learner(live_server, tmp_path):
    """Maria, enrolled in a course whose practical assignment takes evidence files."""
    pack = make_pack(tmp_path, "kursus-unggah", modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "tugas.toml").write_text(QUIZ, encoding="utf-8")
    with live_server.app.app_context():
        import_folder(pack)
        user = register_participant(
            full_name="Maria Goreti Lewar", email="maria@contoh.id",
            password="pustaka-flores-2026", library_name="Perpustakaan Desa Watublapi",
            library_level="desa", province_code="53", regency_code="53.10")
        course = db.session.scalar(select(Course).where(Course.slug == "kursus-unggah"))
        db.session.add(Enrollment(user_id=user.id, course_id=course.id))
        db.session.commit()
        db.session.remove()
    return "maria@contoh.id", "pustaka-flores-2026"


def rows(app, model):
    with app.app_context():
        found = list(db.session.scalars(select(model)))
        db.session.remove()
        return found


def test_upload_with_quiz_js(browser, live_server, learner, tmp_path):
    email, password = learner
    app = live_server.app
    evidence = tmp_path / "bukti kegiatan.pdf"
    evidence.write_bytes(PDF)
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/login")
        page.locator('button[name="lang"][value="en"]').click()  # English pages
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.goto("/courses/kursus-unggah")
        page.get_by_role("link", name="Tugas Praktik").click()
        page.get_by_role("button", name="Start the quiz").click()

        page.locator("textarea").fill("Rencana pendampingan desa.")
        page.locator('input[type="file"]').set_input_files(str(evidence))
        # The background save sends the text without the file, without a script error.
        expect(page.locator("#quiz-status")).to_have_text("All answers are saved.", timeout=10_000)
        assert [r.response for r in rows(app, QuestionResponse)] == ["Rencana pendampingan desa."]
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
        context.close()
