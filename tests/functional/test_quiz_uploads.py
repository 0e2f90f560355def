"""Evidence uploads on essay questions (`allow_upload = true`): saving without JavaScript,
checks by content, limits, removal, read-only after submit, grading and guarded downloads."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes import errors as quiz_errors
from lms.quizzes import queries as quiz_queries
from lms.quizzes.models import QuestionResponse, QuizAttempt, ResponseFile
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.pages import english
from tests.helpers.people import make_editor
from tests.helpers.quizzes import (
    ESSAY_QUIZ,
    PDF,
    PNG,
    UPLOAD_QUIZ,
    answers_form,
    attempt_id_from,
    enrol,
    import_pack,
    quiz_by_slug,
    write_pack,
)

# These tests read the services' English messages (the app's default is Indonesian).
pytestmark = pytest.mark.usefixtures("english_messages")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


@pytest.fixture
def upload_quiz(client, auth, make_user, tmp_path):
    """A learner logged in (English pages) with an attempt at the upload quiz started."""
    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"tugas": UPLOAD_QUIZ, "esai": ESSAY_QUIZ}))
    enrol(learner, course)
    quiz = quiz_by_slug(course, "tugas")
    auth.login(learner.email)
    english(client)
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    return learner, course, quiz, db.session.get(QuizAttempt, attempt_id)


def file_field(attempt: QuizAttempt, qid: str) -> str:
    return f"q{attempt.question_ids.index(qid)}-file"


def save(client, attempt, answers=None, files=None, **extra):
    data = {"shown": [f"q{i}" for i in range(len(attempt.question_ids))], "action": "save",
            "page": "1", **answers_form(attempt, answers or {}), **extra}
    for name, items in (files or {}).items():
        data[file_field(attempt, name)] = [(io.BytesIO(content), fname) for fname, content in items]
    response = client.post(f"/attempts/{attempt.id}/save", data=data,
                           content_type="multipart/form-data")
    response.get_data()
    response.close()  # closes the request body too (large ones are temporary files)
    return response


def stored(attempt) -> list[ResponseFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(ResponseFile).where(
        ResponseFile.attempt_id == attempt.id).order_by(ResponseFile.id)))


def test_the_attempt_page_offers_a_labelled_file_input(client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    field = file_field(attempt, "p2")
    assert f'<label for="{field}" class="quiz-upload__label">Add a file (evidence)</label>' in page
    tag = re.search(rf'<input type="file" name="{field}"[^>]*>', page).group(0)
    assert f'id="{field}"' in tag and "multiple" in tag and f'aria-describedby="{field}-hint"' in tag
    accept = re.search(r'accept="([^"]+)"', tag).group(1).split(",")
    assert {".pdf", ".jpg", ".png", ".webp", ".docx", ".xlsx", ".odt", ".txt"} <= set(accept)
    assert "at most 5 MB per file and 3 files" in page


def test_a_page_without_upload_questions_is_a_plain_form(client, auth, make_user, tmp_path):
    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"esai": ESSAY_QUIZ}))
    enrol(learner, course)
    auth.login(learner.email)
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz_by_slug(course, 'esai').id}/start"))
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "multipart/form-data" not in page and 'type="file"' not in page


def test_upload_list_remove_without_javascript(client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    response = save(client, attempt, {"p1": "a", "p2": "Rencana terlampir."},
                    files={"p2": [("Rencana Desa.PDF", PDF), ("peta.png", PNG)]})
    assert response.status_code == 302
    files = stored(attempt)
    assert [(f.filename, f.mimetype, f.size, f.question_id) for f in files] == [
        ("Rencana Desa.pdf", "application/pdf", len(PDF), "p2"),
        ("peta.png", "image/png", len(PNG), "p2"),
    ]
    assert files[0].sha256 and files[0].uploaded_at is not None
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Rencana Desa.pdf" in page and "peta.png" in page
    assert f'name="remove_file" value="{files[0].id}"' in page
    assert f'href="/attempts/{attempt.id}/files/{files[0].id}"' in page

    removed = save(client, attempt, {"p2": "Rencana terlampir."}, remove_file=str(files[0].id))
    assert removed.status_code == 302 and "page=1" in removed.headers["Location"]
    assert [f.filename for f in stored(attempt)] == ["peta.png"]
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Rencana Desa.pdf has been removed." in page
    # The text answer saved with the same request is kept.
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "p2"))
    assert row.response == "Rencana terlampir."


def test_a_pdf_that_is_really_an_exe_is_refused(client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    response = save(client, attempt, {"p2": "Teks tetap tersimpan."},
                    files={"p2": [("tugas.pdf", EXE)]}, action="next")
    assert response.status_code == 302
    assert stored(attempt) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tugas.pdf is not really a PDF file, so it was not uploaded." in page
    assert "Teks tetap tersimpan." in page  # the answer was saved anyway


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", EXE, "program.exe cannot be uploaded: only these file types are allowed: "
                             "PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT, TXT."),
        ("halaman.html", b"<script>alert(1)</script>", "halaman.html cannot be uploaded"),
        ("foto.jpg", PNG, "foto.jpg is not really a JPEG file"),
        ("kosong.pdf", b"", "kosong.pdf is empty; choose the file again."),
    ],
)
def test_refused_types_have_clear_messages(client, upload_quiz, name, content, message):
    _learner, _course, _quiz, attempt = upload_quiz
    response = save(client, attempt, files={"p2": [(name, content)]})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert stored(attempt) == []


def test_size_limit_from_the_config(app, client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    # (Test bodies stay under 500 KB: larger ones are temporary files the test client leaks.)
    app.config["QUIZ_UPLOAD_MAX_BYTES"] = 200 * 1024
    big = PDF + b"0" * (200 * 1024)
    response = save(client, attempt, files={"p2": [("besar.pdf", big)]})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "besar.pdf is larger than 200 KB." in page
    assert "at most 200 KB per file" in page
    assert stored(attempt) == []
    small = PDF + b"0" * 1000
    save(client, attempt, files={"p2": [("kecil.pdf", small)]})
    assert [f.filename for f in stored(attempt)] == ["kecil.pdf"]


def test_default_limit_is_5_mb(app, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    app.config.pop("QUIZ_UPLOAD_MAX_BYTES", None)
    assert quiz_queries.upload_max_bytes() == 5 * 1024 * 1024
    with pytest.raises(quiz_errors.UploadRefused, match="larger than 5 MB"):
        quiz_attempts.add_response_file(attempt, "p2", "a.pdf", PDF + b"0" * (5 * 1024 * 1024))
    quiz_attempts.add_response_file(attempt, "p2", "a.pdf", PDF + b"0" * (5 * 1024 * 1024 - len(PDF)))


def test_at_most_three_files_and_no_duplicates(client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    files = [(f"bukti-{i}.pdf", PDF + str(i).encode()) for i in range(4)]
    response = save(client, attempt, files={"p2": files})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bukti-3.pdf was not uploaded: a question takes at most 3 files." in page
    assert [f.filename for f in stored(attempt)] == ["bukti-0.pdf", "bukti-1.pdf", "bukti-2.pdf"]
    assert "This question has the maximum of 3 files" in page
    assert 'type="file"' not in page
    quiz_attempts.remove_response_file(attempt, stored(attempt)[0].id)
    with pytest.raises(quiz_errors.UploadRefused, match="already been uploaded"):
        quiz_attempts.add_response_file(attempt, "p2", "lagi.pdf", PDF + b"1")


def test_only_upload_questions_take_files(upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    for qid in ("p1", "nope"):
        with pytest.raises(quiz_errors.UploadRefused, match="does not accept files"):
            quiz_attempts.add_response_file(attempt, qid, "a.pdf", PDF)
    assert stored(attempt) == []


def test_uploads_count_as_answered_and_are_graded_by_a_trainer(client, auth, make_user,
                                                                upload_quiz):
    learner, course, quiz, attempt = upload_quiz
    save(client, attempt, {"p1": "a"}, files={"p2": [("rencana.pdf", PDF)]})
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    field = f"q{attempt.question_ids.index('p2')}"
    assert re.search(rf'class="quiz-nav__item is-answered" data-nav-field="{field}"', page)
    confirm = client.get(f"/attempts/{attempt.id}/finish").get_data(as_text=True)
    assert "You have answered all 2 questions." in confirm
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.status == "submitted" and attempt.needs_manual_grading
    essay = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id, QuestionResponse.question_id == "p2"))
    assert essay.state == "needs_grading" and essay.response is None
    file_id = stored(attempt)[0].id

    # Read-only after submit, through the page and the service.
    save(client, attempt, files={"p2": [("lagi.pdf", PDF + b"x")]}, remove_file=str(file_id))
    assert [f.filename for f in stored(attempt)] == ["rencana.pdf"]
    with pytest.raises(quiz_errors.AttemptClosed):
        quiz_attempts.add_response_file(attempt, "p2", "lagi.pdf", PDF + b"x")
    with pytest.raises(quiz_errors.AttemptClosed):
        quiz_attempts.remove_response_file(attempt, file_id)
    review = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "rencana.pdf" in review and "remove_file" not in review
    auth.logout()

    trainer = make_user("trainer")
    make_editor(trainer, course)  # learners outside cohorts are graded by the course's editors
    auth.login(trainer.email)
    english(client)
    assert learner.full_name in client.get("/quizzes/grading").get_data(as_text=True)
    grade_page = client.get(f"/quizzes/grading/{essay.id}").get_data(as_text=True)
    assert "Uploaded files" in grade_page and "(no text answer)" in grade_page
    assert f'href="/attempts/{attempt.id}/files/{file_id}"' in grade_page
    assert client.get(f"/attempts/{attempt.id}/files/{file_id}").data == PDF
    client.post(f"/quizzes/grading/{essay.id}", data={"points": "3", "comment": "Baik."})
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.status == "graded" and attempt.score == 80.0  # (1 + 3) of (1 + 4)


def test_downloads_only_for_the_learner_and_trainers(client, auth, make_user, upload_quiz):
    learner, _course, _quiz, attempt = upload_quiz
    save(client, attempt, files={"p2": [("Laporan Ü.pdf", PDF)]})
    f = stored(attempt)[0]
    url = f"/attempts/{attempt.id}/files/{f.id}"
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Laporan%20%C3%9C.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get(f"/attempts/{attempt.id}/files/{f.id + 999}").status_code == 404
    assert client.get(f"/attempts/{attempt.id + 999}/files/{f.id}").status_code == 404
    auth.logout()

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = make_user()
    auth.login(other.email)
    assert client.get(url).status_code == 403
    auth.logout()
    admin = make_user("admin")
    auth.login(admin.email)
    assert client.get(url).status_code == 200


def test_file_ids_of_another_attempt_are_not_served(client, auth, make_user, upload_quiz):
    learner, course, _quiz, attempt = upload_quiz
    save(client, attempt, files={"p2": [("milik-saya.pdf", PDF)]})
    mine = stored(attempt)[0]
    auth.logout()
    other = make_user()
    enrol(other, course)
    auth.login(other.email)
    quiz = quiz_by_slug(course, "tugas")
    other_attempt = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    assert client.get(f"/attempts/{other_attempt}/files/{mine.id}").status_code == 404


def test_background_save_still_works_on_an_upload_page(client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    field = f"q{attempt.question_ids.index('p2')}"
    response = client.post(f"/attempts/{attempt.id}/save",
                           data={"shown": field, field: "Disimpan di latar belakang."},
                           headers={"X-Requested-With": "fetch", "Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["saved"] == ["p2"]
    assert stored(attempt) == []


def test_a_too_large_request_gets_the_413_page(app, client, upload_quiz):
    _learner, _course, _quiz, attempt = upload_quiz
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = save(client, attempt, files={"p2": [("besar.pdf", PDF + b"0" * 100_000)]})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
    assert stored(attempt) == []


def test_files_are_loaded_only_when_downloaded(app, client, upload_quiz, count_queries):
    _learner, _course, _quiz, attempt = upload_quiz
    save(client, attempt, files={"p2": [("a.pdf", PDF)]})
    db.session.expire_all()
    with count_queries() as queries:
        files = quiz_queries.response_files(db.session.get(QuizAttempt, attempt.id))
    assert all("data" not in q.split("FROM")[0] for q in queries.statements)
    assert db.session.scalar(select(func.count(ResponseFile.id))) == len(files["p2"]) == 1


def test_shipped_practical_assignment_accepts_uploads(app):
    from pathlib import Path

    from lms.courses.services.importer import load_packs

    root = Path(__file__).resolve().parents[2] / "courses" / "pelibatan-masyarakat"
    packs, problems = load_packs([root])
    assert problems == []
    tugas = next(q for q in packs[0].quizzes if q.slug == "tugas-praktik")
    assert any(quiz_queries.accepts_uploads(q) for q in tugas.questions)


def test_simultaneous_uploads_never_exceed_three_files(app, make_user, tmp_path):
    """Eight uploads to one question at the same moment: the attempt row lock lets three in."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"tugas": UPLOAD_QUIZ}))
    enrol(learner, course)
    attempt_id = quiz_attempts.start_or_resume(learner, quiz_by_slug(course, "tugas")).id
    db.session.commit()
    barrier = threading.Barrier(8)
    results: list = [None] * 8

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                attempt = db.session.get(QuizAttempt, attempt_id)
                results[i] = quiz_attempts.add_response_file(attempt, "p2", f"b{i}.pdf",
                                                        PDF + str(i).encode()).id
            except quiz_errors.UploadRefused as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, int) for r in results) == 3, results
    assert all(isinstance(r, int | quiz_errors.UploadRefused) for r in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ResponseFile.id))) == 3
