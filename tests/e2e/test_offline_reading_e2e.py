"""Issue 17 item 2 in a real browser: save a course, read it offline, log out and find nothing;
quiz answers given offline sent on reconnection, and refused with a message when too late.

Service workers run on http://127.0.0.1 (a secure context). `context.set_offline(True)` cuts
the browser off the network, the service worker's fetches included.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms import clock as app_clock
from lms.auth.services import register_participant
from lms.courses.models import Course
from lms.courses.models import Quiz as QuizRow
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes import queries as quiz_queries
from lms.quizzes.models import QuizAttempt
from tests.helpers.browser import log_in
from tests.helpers.packs import import_folder, make_pack

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
EMAIL = "maria@contoh.id"
PASSWORD = "pustaka-flores-2026"

QUIZ = '''kind = "final"
pass_mark = 50
attempts = 0
time_limit_minutes = {time_limit}
shuffle_questions = false

[title]
id = "Kuis Luring"

[[questions]]
id = "koleksi"
type = "short_answer"
text = "Koleksi apa yang paling sering dipinjam warga?"
answers = [{{ text = "buku resep", credit = 100 }}]

[[questions]]
id = "layanan"
type = "short_answer"
text = "Layanan baru apa yang ingin Anda buka?"
answers = [{{ text = "kelas komputer", credit = 100 }}]
'''


def setup_course(live_server, tmp_path, *, time_limit: int = 0) -> int:
    """A three-module course with an image and a quiz; Maria enrolled. Returns the quiz id."""
    pack = make_pack(tmp_path, "baca-luring", modules=3,
                     body="## Peta\n\nLihat peta desa.\n\n![Peta desa](media/peta.png)")
    (pack / "media").mkdir()
    (pack / "media" / "peta.png").write_bytes(PNG)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "kuis-luring.toml").write_text(QUIZ.format(time_limit=time_limit),
                                                        encoding="utf-8")
    with live_server.app.app_context():
        import_folder(pack)
        course = db.session.scalar(select(Course).where(Course.slug == "baca-luring"))
        quiz_id = db.session.scalar(select(QuizRow.id).where(QuizRow.course_id == course.id))
        user = register_participant(
            full_name="Maria Goreti Lewar", email=EMAIL, password=PASSWORD,
            library_name="Perpustakaan Desa Watublapi", library_level="desa", province_code="53",
            regency_code="53.10")
        db.session.add(Enrollment(user_id=user.id, course_id=course.id))
        db.session.commit()
        db.session.remove()
    return quiz_id


def log_in_learner(page) -> None:
    log_in(page, EMAIL, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/login"))


def worker_ready(page) -> None:
    """Wait until the service worker controls the page (it claims open pages when active)."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_a_saved_course_is_read_offline_and_gone_after_logout(page, live_server, tmp_path):
    setup_course(live_server, tmp_path)
    log_in_learner(page)
    page.goto("/courses/baca-luring")
    worker_ready(page)
    page.get_by_role("button", name="Simpan untuk dibaca luring").click()
    status = page.locator("[data-offline-status]")
    expect(status).to_contain_text("Tersimpan di perangkat ini: 4 halaman", timeout=15_000)
    page.goto("/courses/baca-luring/modules/modul-1")
    expect(page.get_by_role("img", name="Peta desa")).to_be_visible()

    page.context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("heading", name="Modul modul-1", exact=True)).to_be_visible()
        assert page.evaluate("document.querySelector('img[alt=\"Peta desa\"]').naturalWidth") == 1
        # A module never opened: saved with the course, so it opens too.
        page.goto("/courses/baca-luring/modules/modul-3")
        expect(page.get_by_role("heading", name="Modul modul-3", exact=True)).to_be_visible()
        expect(page.get_by_text("Lihat peta desa.")).to_be_visible()
        # A page never saved (Beranda is personal): the offline page, with the way to the saved ones.
        page.goto("/")
        expect(page.get_by_role("heading", name="Anda sedang luring")).to_be_visible()
        page.get_by_role("link", name="Buka kursus yang tersimpan di perangkat ini").click()
        saved = page.locator("[data-offline-list]")
        expect(saved.get_by_role("link", name="Kursus Uji baca-luring")).to_be_visible()
        expect(saved).to_contain_text("4 halaman, 1 berkas media")
        expect(page.locator("[data-offline-total]")).to_contain_text("Situs ini memakai")
    finally:
        page.context.set_offline(False)

    page.goto("/courses/")
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.wait_for_function("caches.keys().then(n => !n.some(k => k.startsWith('pelita-course-')))"
                           " .then(ok => ok)")
    page.context.set_offline(True)
    try:
        page.goto("/courses/baca-luring/modules/modul-3")
        expect(page.get_by_role("heading", name="Anda sedang luring")).to_be_visible()
        expect(page.get_by_text("Lihat peta desa.")).to_have_count(0)
        page.goto("/saved")
        expect(page.get_by_text("Belum ada kursus yang tersimpan di perangkat ini.")).to_be_visible()
    finally:
        page.context.set_offline(False)


def test_the_saved_page_removes_a_course(page, live_server, tmp_path, axe):
    setup_course(live_server, tmp_path)
    log_in_learner(page)
    page.goto("/courses/baca-luring")
    worker_ready(page)
    page.get_by_role("button", name="Simpan untuk dibaca luring").click()
    expect(page.locator("[data-offline-status]")).to_contain_text("Tersimpan di perangkat ini",
                                                                 timeout=15_000)
    assert axe(page) == []
    page.goto("/saved")
    expect(page.locator("[data-offline-total]")).to_contain_text("Situs ini memakai")
    assert axe(page) == []
    page.get_by_role("button", name="Hapus Kursus Uji baca-luring dari perangkat ini").click()
    expect(page.locator("[data-offline-said]")).to_have_text(
        "Kursus Uji baca-luring telah dihapus dari perangkat ini.")
    expect(page.get_by_text("Belum ada kursus yang tersimpan di perangkat ini.")).to_be_visible()
    assert page.evaluate("caches.keys()") and not any(
        name.startswith("pelita-course-") for name in page.evaluate("caches.keys()"))


def start_attempt(page, quiz_id: int) -> int:
    page.goto(f"/quizzes/{quiz_id}")
    page.get_by_role("button", name="Mulai kuis").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+"))
    return int(re.search(r"/attempts/(\d+)", page.url).group(1))


def answer(page, number: int, text: str) -> None:
    page.get_by_role("region", name=f"Pertanyaan {number}").get_by_label("Jawaban").fill(text)


def stored(live_server, attempt_id: int) -> dict:
    with live_server.app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        out = {qid: row.response for qid, row in quiz_queries.saved_responses(attempt).items()}
        db.session.remove()
    return out


def test_answers_given_offline_are_sent_on_reconnection(page, live_server, tmp_path):
    quiz_id = setup_course(live_server, tmp_path)
    log_in_learner(page)
    attempt_id = start_attempt(page, quiz_id)
    worker_ready(page)
    status = page.locator("#quiz-status")
    page.context.set_offline(True)
    try:
        answer(page, 1, "buku resep")
        answer(page, 2, "kelas komputer")
        expect(status).to_contain_text("2 jawaban belum terkirim — tersimpan di perangkat ini")
        assert stored(live_server, attempt_id) == {}
    finally:
        page.context.set_offline(False)
    expect(status).to_have_text("Semua jawaban tersimpan.", timeout=15_000)
    assert stored(live_server, attempt_id) == {"koleksi": "buku resep", "layanan": "kelas komputer"}


@pytest.fixture
def no_idle_logout(live_server):
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 0


def test_an_answer_that_arrives_too_late_is_refused_and_shown(page, live_server, tmp_path,
                                                              no_idle_logout):
    quiz_id = setup_course(live_server, tmp_path, time_limit=10)
    log_in_learner(page)
    attempt_id = start_attempt(page, quiz_id)
    status = page.locator("#quiz-status")
    answer(page, 1, "buku resep")
    expect(status).to_have_text("Semua jawaban tersimpan.")
    page.context.set_offline(True)
    try:
        answer(page, 2, "kelas komputer\ndan pojok baca anak")
        expect(status).to_contain_text("1 jawaban belum terkirim")
        # The phone stays without signal past the time limit and the 60 s grace period.
        app_clock.freeze(app_clock.now() + timedelta(minutes=12))
    finally:
        page.context.set_offline(False)
    message = "Jawaban ini tiba setelah waktu kuis habis dan tidak disimpan."
    expect(status).to_contain_text(message, timeout=15_000)
    late = page.locator("#quiz-late")
    expect(late).to_contain_text(message)
    expect(late).to_contain_text("Pertanyaan 2: kelas komputer")
    held = stored(live_server, attempt_id)
    assert held["koleksi"] == "buku resep" and held.get("layanan") is None  # graded unanswered
    # Still there after a reload (which now shows the review of the closed attempt), to copy.
    page.reload()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review"))
    expect(page.locator("#quiz-late")).to_contain_text("kelas komputer")
    page.get_by_role("button", name="Sudah saya baca: hapus jawaban ini dari perangkat ini").click()
    expect(page.locator("#quiz-late")).to_have_count(0)
    assert page.evaluate(f"localStorage.getItem('pelita-late-{attempt_id}')") is None
