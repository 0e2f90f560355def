"""An unwritable storage folder (PELITA_UPLOAD_DIR: read-only, full, missing): the trainer is
told in their language that nothing was lost and what to do, nothing is half-written in the
database or the folder, the admin sees it on their page, and the log says it once.

The folder is made unwritable in ways that hold even for root (tests may run as root, for whom
chmod changes nothing): a path under a regular file, or a write that fails with ENOSPC.
"""

from __future__ import annotations

import errno
import io
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import storage
from lms.authoring.models import CourseDraft
from lms.authoring.services import drafts
from lms.authoring.zipio import write_zip
from lms.courses.models import Course, CourseVersion, Module
from lms.extensions import db
from tests.helpers.packs import make_pack
from tests.helpers.pages import login

SLUG = "kursus-simpan"


@pytest.fixture
def zip_bytes(tmp_path) -> bytes:
    pack = make_pack(tmp_path / "src", SLUG, modules=2)
    return write_zip({p.relative_to(pack).as_posix(): p.read_bytes()
                      for p in sorted(pack.rglob("*")) if p.is_file()}, SLUG)


@pytest.fixture
def blocked(app, tmp_path) -> Path:
    """The storage folder sits under a regular file: no one, root included, can create it."""
    (tmp_path / "not-a-folder").write_text("a file where a folder should be")
    folder = tmp_path / "not-a-folder" / "uploads"
    app.config["AUTHORING_UPLOAD_DIR"] = str(folder)
    return folder


def upload(client, data: bytes):
    return client.post("/author/import", data={"file": (io.BytesIO(data), "kursus.zip")},
                       content_type="multipart/form-data")


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def confirm(client, token: str):
    return client.post("/author/import", data={"token": token, "note": "Impor",
                                               "action": "confirm"})


def storage_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pelita"
            and "torage folder" in r.getMessage()]


def nothing_imported() -> None:
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0


def test_an_unwritable_storage_folder_tells_the_trainer_in_indonesian_that_nothing_was_lost(
        client, admin_user, blocked, zip_bytes, caplog):
    caplog.set_level(logging.INFO)
    login(client, admin_user, in_english=False)
    for _try in range(2):
        page = upload(client, zip_bytes)
        assert page.status_code == 503
        assert "folder penyimpanannya tidak dapat ditulisi" in page.text
        assert "Tidak ada yang diimpor atau diubah" in page.text
        assert "zip Anda masih ada di komputer Anda" in page.text
        assert 'name="token"' not in page.text  # no confirmation of an upload that is not kept
    nothing_imported()
    lines = storage_log(caplog)
    assert len(lines) == 1 and lines[0].startswith(f"Storage folder not writable ({blocked})")


def test_the_admin_sees_the_unwritable_folder_until_it_is_fixed(
        client, admin_user, blocked, zip_bytes, caplog):
    caplog.set_level(logging.INFO)
    login(client, admin_user)
    for page in (client.get("/admin/"), client.get("/")):
        assert 'id="storage-problem"' in page.text
        assert "The storage folder cannot be written to" in page.text
        assert str(blocked) in page.text
    assert len(storage_log(caplog)) == 1  # two pages, one outage, one line

    (blocked.parent).unlink()  # the administrator fixes it
    assert 'id="storage-problem"' not in client.get("/admin/").text
    assert storage_log(caplog)[-1] == f"The storage folder is writable again ({blocked})"
    page = upload(client, zip_bytes)
    assert page.status_code == 200
    assert confirm(client, token_of(page.text)).status_code == 302
    assert db.session.scalar(select(Course.slug)) == SLUG


def test_a_disk_that_fills_up_mid_upload_leaves_no_half_written_upload(
        app, client, admin_user, tmp_path, zip_bytes, monkeypatch):
    folder = tmp_path / "uploads"
    app.config["AUTHORING_UPLOAD_DIR"] = str(folder)
    real = storage.tempfile.mkstemp
    calls = []

    def full_after_the_first_file(*args, **kwargs):
        calls.append(kwargs.get("dir"))
        if len(calls) == 2:  # the metadata fitted, the zip itself does not
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(storage.tempfile, "mkstemp", full_after_the_first_file)
    login(client, admin_user)
    page = upload(client, zip_bytes)
    assert page.status_code == 503
    assert "Nothing was imported or changed, and your zip is still on your computer" in page.text
    assert list(folder.iterdir()) == []  # the metadata written first was removed again
    nothing_imported()


def test_a_failed_write_while_importing_keeps_the_upload_to_confirm_again(
        client, admin_user, upload_dir_tmp, zip_bytes, monkeypatch, caplog):
    login(client, admin_user)
    page = upload(client, zip_bytes)
    token = token_of(page.text)
    real = drafts.write_pack

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(drafts, "write_pack", disk_full)
    page = confirm(client, token)
    assert page.status_code == 503
    assert "nothing was imported or changed. Your upload is kept" in page.text
    assert token_of(page.text) == token  # the same upload, ready to confirm again
    nothing_imported()  # one transaction: the workspace and the course rolled back together
    assert any("No space left on device" in r.getMessage() for r in caplog.records)

    monkeypatch.setattr(drafts, "write_pack", real)
    assert confirm(client, token).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 1


@pytest.fixture
def upload_dir_tmp(app, tmp_path) -> Path:
    app.config["AUTHORING_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_evidence_files_and_certificate_pdfs_never_need_the_storage_folder(
        client, auth, make_user, blocked, tmp_path):
    """They are kept in the database: a learner's evidence upload and the worker's certificate
    PDF work while the folder is unwritable."""
    from lms.certificates.models import Certificate
    from lms.jobs.services import run_pending
    from lms.learning.services import enrol as enrol_in
    from lms.learning.services import mark_module_done
    from lms.quizzes.models import QuizAttempt, ResponseFile
    from tests.helpers.packs import import_folder
    from tests.helpers.quizzes import (
        PDF,
        UPLOAD_QUIZ,
        answers_form,
        attempt_id_from,
        enrol,
        import_pack,
        quiz_by_slug,
        write_pack,
    )

    learner = make_user()
    course = import_pack(write_pack(tmp_path / "kuis", quizzes={"tugas": UPLOAD_QUIZ}))
    enrol(learner, course)
    auth.login(learner.email)
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz_by_slug(course, 'tugas').id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    field = f"q{attempt.question_ids.index('p2')}-file"
    saved = client.post(f"/attempts/{attempt_id}/save", data={
        "shown": [f"q{i}" for i in range(len(attempt.question_ids))], "action": "save",
        "page": "1", **answers_form(attempt, {"p2": "Terlampir."}),
        field: [(io.BytesIO(PDF), "rencana.pdf")]}, content_type="multipart/form-data")
    assert saved.status_code == 302
    assert db.session.scalar(select(ResponseFile.filename)) == "rencana.pdf"

    import_folder(make_pack(tmp_path / "packs", "kursus-pdf", modules=1))
    other = db.session.scalar(select(Course).where(Course.slug == "kursus-pdf"))
    enrol_in(learner, other)
    mark_module_done(learner, other, db.session.scalar(
        select(Module).where(Module.course_id == other.id)))
    run_pending()
    db.session.expire_all()
    assert db.session.scalar(select(Certificate.pdf)).startswith(b"%PDF")
    assert not blocked.exists()
