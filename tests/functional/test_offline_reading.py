"""Issue 17 item 2: installable Pelita and courses saved for reading offline (server side).

The manifest, the service worker served at the site root, the two pages the worker keeps, the
list of what "save for reading offline" stores (/courses/<slug>/offline.json) and who may have
it, the signed-out marker the worker clears saved courses on, and the message for answers that
arrive after a quiz's time is over. The browser side is tests/e2e/test_offline_reading_e2e.py.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes.models import QuizAttempt
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import english, login
from tests.helpers.quizzes import QUIZ_START, answers_form, attempt_id_from, setup_quiz

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _pack(tmp_path, *, modules=3, sequential=False, media=("peta.png",), slug="baca-luring"):
    pack = make_pack(tmp_path, slug, modules=modules, sequential=sequential)
    (pack / "media").mkdir(exist_ok=True)
    for old in (pack / "media").iterdir():
        old.unlink()
    for name in media:
        (pack / "media" / name).write_bytes(PNG)
    return pack


def _course(slug="baca-luring"):
    from lms.courses.models import Course

    return db.session.scalar(select(Course).where(Course.slug == slug))


def _enrol(user, course):
    db.session.add(Enrollment(user_id=user.id, course_id=course.id))
    db.session.commit()


# --------------------------------------------------------------------------- manifest and worker


def test_the_manifest_makes_pelita_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    data = json.loads(response.get_data(as_text=True))
    assert data["name"] == "Pelita" and data["short_name"] == "Pelita"
    assert data["start_url"] == "/" and data["scope"] == "/" and data["display"] == "standalone"
    assert data["lang"] == "id"
    with client.get("/static/css/pelita.css") as response:
        css = response.get_data(as_text=True)
    assert f"--green: {data['theme_color']}" in css and f"--bg: {data['background_color']}" in css
    sizes = {}
    for icon in data["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200, icon["src"]
            if icon["type"] == "image/png":
                sizes[icon["sizes"]] = Image.open(io.BytesIO(image.data)).size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}
    # Linked from every page, with the theme colour.
    home = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home
    assert f'<meta name="theme-color" content="{data["theme_color"]}">' in home


def test_the_service_worker_is_served_at_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    config = json.loads(re.match(r"self\.PELITA = (\{.*\});\n", body).group(1))
    assert config["fallback"] == "/offline"
    assert re.fullmatch(r"pelita-shell-[0-9a-f]{12}", config["shell"])
    # The shell: the stylesheet, the scripts, the icons and the two offline pages, all there.
    assert {"/offline", "/saved"} <= set(config["urls"])
    assert any(u.startswith("/static/css/pelita.css?v=") for u in config["urls"])
    for url in config["urls"]:
        with client.get(url) as shell_file:
            assert shell_file.status_code == 200, url
    # Same files, same worker: the browser only updates it when the shell changes.
    assert client.get("/sw.js").get_data(as_text=True) == body


def test_every_page_loads_the_offline_script_which_registers_the_worker(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<script src="/static/js/offline\.js\?v=[0-9a-f]+" defer></script>', html)
    with client.get("/static/js/offline.js") as response:
        script = response.get_data(as_text=True)
    assert 'register("/sw.js", { scope: "/" })' in script


def test_the_kept_pages_show_nothing_personal(logged_in, participant):
    for url, heading in (("/offline", "Anda sedang luring"), ("/saved", "Tersimpan di perangkat ini")):
        html = logged_in.get(url).get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in html
        assert "csrf" not in html and "<form" not in html
        assert participant.full_name not in html and participant.email not in html
        # No owner mark: showing it (offline) never deletes a saved course.
        assert "data-offline-user" not in html
    assert 'href="/saved"' in logged_in.get("/offline").get_data(as_text=True)


def test_pages_say_who_is_signed_in_for_the_saved_courses(client, participant):
    anonymous = client.get("/courses/")
    assert anonymous.headers["Pelita-Session"] == "none"
    assert 'data-offline-user=""' in anonymous.get_data(as_text=True)
    login(client, participant)
    signed_in = client.get("/courses/")
    assert "Pelita-Session" not in signed_in.headers
    assert f'data-offline-user="{participant.id}"' in signed_in.get_data(as_text=True)
    out = client.post("/logout")
    assert out.headers["Clear-Site-Data"] == '"cache"'
    after = client.get(out.headers["Location"])
    assert after.headers["Pelita-Session"] == "none"
    assert 'data-offline-user=""' in after.get_data(as_text=True)


# --------------------------------------------------------------------------- what a course saves


def test_offline_json_lists_the_current_versions_pages_and_media(client, participant, tmp_path):
    import_folder(_pack(tmp_path, modules=3, media=("peta.png", "lama.png")))
    course = _course()
    _enrol(participant, course)
    # A new version: module 3 removed, a media file replaced by another.
    import_folder(_pack(tmp_path, modules=2, media=("peta.png", "baru.png")))
    course = _course()
    version = course.current_version_id
    login(client, participant)
    response = client.get("/courses/baca-luring/offline.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["course"] == {"slug": "baca-luring", "title": "Test Course baca-luring",
                              "version": version, "url": "/courses/baca-luring"}
    assert [p["url"] for p in data["pages"]] == ["/courses/baca-luring/modules/modul-1",
                                                 "/courses/baca-luring/modules/modul-2"]
    assert data["media"] == [f"/courses/baca-luring/v{version}/media/baru.png",
                             f"/courses/baca-luring/v{version}/media/peta.png"]
    for url in [data["course"]["url"], *(p["url"] for p in data["pages"]), *data["media"]]:
        with client.get(url, headers={"X-Pelita-Offline": "save"}) as saved:
            assert saved.status_code == 200, url


def test_saving_a_course_is_not_a_visit(client, participant, tmp_path):
    import_folder(_pack(tmp_path))
    _enrol(participant, _course())
    login(client, participant)
    client.get("/courses/baca-luring/modules/modul-1")
    client.get("/courses/baca-luring/modules/modul-3", headers={"X-Pelita-Offline": "save"})
    enrollment = db.session.scalar(select(Enrollment))
    db.session.refresh(enrollment)
    assert enrollment.last_module_id is not None
    html = client.get("/courses/baca-luring").get_data(as_text=True)
    assert "Continue: Modul modul-1" in html


def test_a_sequential_course_saves_only_the_modules_the_learner_may_open(
        client, participant, trainer_user, tmp_path):
    import_folder(_pack(tmp_path, sequential=True))
    _enrol(participant, _course())
    login(client, participant)
    pages = [p["url"] for p in client.get("/courses/baca-luring/offline.json").get_json()["pages"]]
    assert pages == ["/courses/baca-luring/modules/modul-1"]
    client.post("/courses/baca-luring/modules/modul-1/done")
    pages = [p["url"] for p in client.get("/courses/baca-luring/offline.json").get_json()["pages"]]
    assert pages == ["/courses/baca-luring/modules/modul-1", "/courses/baca-luring/modules/modul-2"]
    login(client, trainer_user)  # trainers read every module, as on the module pages
    assert len(client.get("/courses/baca-luring/offline.json").get_json()["pages"]) == 3


def test_offline_json_is_for_the_people_who_may_read_the_modules(
        client, make_user, participant, trainer_user, tmp_path):
    import_folder(_pack(tmp_path))
    _enrol(participant, _course())
    url = "/courses/baca-luring/offline.json"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, make_user(email="bukan-peserta@contoh.id"))
    assert client.get(url).status_code == 403
    login(client, participant)
    assert client.get(url).status_code == 200
    client.post("/courses/baca-luring/unenrol")
    assert client.get(url).status_code == 403
    login(client, trainer_user)
    assert client.get(url).status_code == 200
    assert client.get("/courses/tidak-ada/offline.json").status_code == 404


def test_the_save_button_is_offered_to_readers_only_and_hidden_until_the_script_shows_it(
        client, make_user, participant, tmp_path):
    import_folder(_pack(tmp_path))
    _enrol(participant, _course())
    login(client, participant)
    html = client.get("/courses/baca-luring").get_data(as_text=True)
    panel = re.search(r'<section class="offline-save card"[^>]*>', html).group(0)
    assert " hidden" in panel and 'data-offline-save="/courses/baca-luring/offline.json"' in panel
    assert "Save for reading offline" in html
    login(client, make_user(email="tamu@contoh.id"))
    assert "data-offline-save" not in client.get("/courses/baca-luring").get_data(as_text=True)
    client.post("/logout")
    assert "data-offline-save" not in client.get("/courses/baca-luring").get_data(as_text=True)


# --------------------------------------------------------------------------- answers too late


@pytest.fixture
def quiz_clock(app, clock):
    app.config["IDLE_TIMEOUT_MINUTES"] = 0
    clock.set(QUIZ_START)
    return clock


def test_an_answer_sent_after_the_time_limit_is_refused_with_a_clear_message(
        logged_in, participant, tmp_path, quiz_clock):
    _course_row, quiz = setup_quiz(tmp_path, participant, time_limit=10)
    attempt = db.session.get(QuizAttempt, attempt_id_from(logged_in.post(f"/quizzes/{quiz.id}/start")))
    quiz_clock.advance(minutes=12)  # answered offline; the phone reconnects after the deadline
    late = logged_in.post(f"/attempts/{attempt.id}/save", data={
        **answers_form(attempt, {"q1": "a"}), "sync_client": "perangkat-1", "sync_seq-q0": "3"},
        headers={"X-Requested-With": "fetch", "Accept": "application/json"})
    assert late.status_code == 409
    data = late.get_json()
    assert data["closed"] is True and data["late"] is True
    assert data["error"].startswith("Jawaban ini tiba setelah waktu kuis habis dan tidak disimpan.")
    english(logged_in)
    again = logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, {"q1": "a"}),
                           headers={"X-Requested-With": "fetch"})
    assert again.get_json()["error"].startswith(
        "These answers arrived after the time for this quiz was over and were not saved.")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).closed_by == "deadline"


def test_a_save_for_an_attempt_submitted_elsewhere_is_not_called_late(
        logged_in, participant, tmp_path, quiz_clock):
    _course_row, quiz = setup_quiz(tmp_path, participant)
    attempt = db.session.get(QuizAttempt, attempt_id_from(logged_in.post(f"/quizzes/{quiz.id}/start")))
    english(logged_in)
    logged_in.post(f"/attempts/{attempt.id}/submit")
    response = logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, {"q1": "a"}),
                              headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409
    assert response.get_json()["late"] is False
    assert "has been submitted" in response.get_json()["error"]
