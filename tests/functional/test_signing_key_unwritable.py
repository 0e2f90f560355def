"""The credential signing key is missing and its folder cannot be written (read-only, not the
app's user's, not there): whoever needs the key is told in their language that certificates
cannot be signed or checked right now and that nothing was lost (a 503, never a 500), the admin
sees why on their page, the log says it once, and all works again once the folder is fixed.

Two ways to block the folder: chmod (skipped as root, for whom it changes nothing; checked with
os.access) and a path under a regular file, which stops root too.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import Enrollment
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login

KEY_MESSAGE_ID = "Sertifikat belum dapat ditandatangani atau diperiksa saat ini"
ADMIN_LINE = "The credential signing key cannot be created"


@pytest.fixture(params=["read-only folder", "path under a file"])
def blocked_key(request, app, tmp_path) -> Path:
    """CREDENTIAL_KEY_PATH where the key does not exist and cannot be created."""
    if request.param == "read-only folder":
        folder = tmp_path / "instance"
        folder.mkdir()
        folder.chmod(0o555)
        request.addfinalizer(lambda: folder.chmod(0o755))
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder can still be written")
    else:
        (tmp_path / "not-a-folder").write_text("a file where the instance folder should be")
        folder = tmp_path / "not-a-folder" / "instance"
    path = folder / "credential_ed25519.pem"
    app.config["CREDENTIAL_KEY_PATH"] = str(path)
    return path


def unblock(path: Path) -> None:
    """The administrator fixes the folder."""
    if path.parent.parent.is_file():
        path.parent.parent.unlink()
    else:
        path.parent.chmod(0o755)


def key_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "pelita" and "torage folder" in r.getMessage()]


def a_credential_file() -> bytes:
    """A well-formed credential signed by some other key (what a visitor might upload)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.certificates import signing

    claims = {"id": "http://localhost/verify/PLT-7K3M-Q9XA-4", "code": "PLT-7K3M-Q9XA-4",
              "holder_name": "Maria Goreti Lewar", "holder_email": "maria@contoh.id",
              "achievement_id": "http://localhost/courses/kursus", "achievement_name": "Kursus",
              "achievement_description": "Course", "criteria": "Modul 1", "hours": 2,
              "valid_from": clock.now(), "valid_until": None, "name": "Sertifikat: Kursus"}
    issuer = {"id": "http://localhost", "name": "Pelita", "url": "http://localhost"}
    document = signing.build_credential(claims, issuer, Ed25519PrivateKey.generate(),
                                        created=clock.now())
    return json.dumps(document).encode()


def test_a_learner_completing_a_course_is_told_and_nothing_is_half_done(
        app, client, participant, blocked_key, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    login(client, participant, in_english=False)
    import_folder(make_pack(tmp_path, "kursus-kunci", modules=1))
    client.post("/courses/kursus-kunci/enrol")
    for _try in range(2):
        page = client.post("/courses/kursus-kunci/modules/modul-1/done")
        assert page.status_code == 503
        assert KEY_MESSAGE_ID in page.text and "Tidak ada yang hilang" in page.text
        assert "Traceback" not in page.text
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert db.session.scalar(select(Enrollment.completed_at)) is None
    assert len(key_log(caplog)) == 1  # one line for the episode, not one per request
    assert str(blocked_key.parent) in key_log(caplog)[0]

    unblock(blocked_key)  # the same press now completes the course, with its certificate
    page = client.post("/courses/kursus-kunci/modules/modul-1/done", follow_redirects=True)
    assert page.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert blocked_key.exists()
    assert key_log(caplog)[-1] == f"The storage folder is writable again ({blocked_key.parent})"


def test_a_visitor_checking_a_credential_file_is_told_in_their_language(
        app, client, blocked_key):
    page = client.post("/verify/credential", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(a_credential_file()), "kredensial.json")})
    assert page.status_code == 503
    assert KEY_MESSAGE_ID in page.text
    assert page.headers["Retry-After"]
    keys = client.get("/.well-known/pelita-credential-keys.json")
    assert keys.status_code == 503 and KEY_MESSAGE_ID in keys.get_json()["error"]
    api = app.test_client().get("/api/v1/credential-keys", headers={"Accept-Language": "en"})
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "storage_unavailable"
    assert api.get_json()["error"]["message"].startswith("Certificates cannot be signed")


def test_the_admin_sees_why_and_the_line_goes_once_fixed(
        client, admin_user, blocked_key):
    login(client, admin_user)
    page = client.get("/admin/").text
    assert ADMIN_LINE in page and str(blocked_key) in page
    assert ADMIN_LINE in client.get("/").text  # the admin's Beranda too
    unblock(blocked_key)
    assert ADMIN_LINE not in client.get("/admin/").text


def test_ensure_keys_creates_the_key_at_deploy_time_and_keeps_it(app, runner, tmp_path):
    path = tmp_path / "instance" / "credential_ed25519.pem"
    app.config["CREDENTIAL_KEY_PATH"] = str(path)
    first = runner.invoke(args=["lms", "ensure-keys"])
    assert first.exit_code == 0 and str(path) in first.output
    assert path.stat().st_mode & 0o777 == 0o600
    pem = path.read_bytes()
    app.extensions.pop("pelita_signing", None)  # as a new process would
    again = runner.invoke(args=["lms", "ensure-keys"])
    assert again.exit_code == 0 and path.read_bytes() == pem  # never replaced
    assert first.output == again.output  # the same public key id


def test_ensure_keys_fails_with_the_reason_when_the_folder_cannot_be_written(
        runner, blocked_key):
    result = runner.invoke(args=["lms", "ensure-keys"])
    assert result.exit_code == 1
    assert "cannot be read or created" in result.output and str(blocked_key) in result.output
    assert "Traceback" not in result.output


def test_a_key_that_cannot_be_written_whole_leaves_nothing_behind(
        app, client, tmp_path, monkeypatch):
    """The disk fills while the key is written: the visitor gets the 503, no empty or half key
    is left to break every later request, and the next try creates a whole key."""
    from lms.certificates import signing

    path = tmp_path / "instance" / "credential_ed25519.pem"
    app.config["CREDENTIAL_KEY_PATH"] = str(path)

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(signing.os, "fsync", disk_full)
    keys = client.get("/.well-known/pelita-credential-keys.json")
    assert keys.status_code == 503 and KEY_MESSAGE_ID in keys.get_json()["error"]
    assert list(path.parent.iterdir()) == []  # neither the key nor its temporary file
    monkeypatch.undo()
    assert client.get("/.well-known/pelita-credential-keys.json").status_code == 200
    assert path.stat().st_mode & 0o777 == 0o600 and [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_damaged_key_file_is_named_not_a_server_error(app, client, runner, admin_user, tmp_path):
    """A key file that is not a key (emptied by an older version on a full disk, damaged,
    another format): a clear 503 to visitors, the reason on the admin's page and from
    `ensure-keys` — never a 500 — and the file is never replaced behind the admin's back."""
    path = tmp_path / "credential_ed25519.pem"
    path.write_bytes(b"")
    app.config["CREDENTIAL_KEY_PATH"] = str(path)
    keys = client.get("/.well-known/pelita-credential-keys.json")
    assert keys.status_code == 503
    assert "kunci penandatanganan server tidak dapat dibaca" in keys.get_json()["error"]
    result = runner.invoke(args=["lms", "ensure-keys"])
    assert result.exit_code == 1 and "not a readable Ed25519 private key" in result.output
    assert "Traceback" not in result.output
    login(client, admin_user)
    page = client.get("/admin/").text
    assert ADMIN_LINE in page and "not a readable Ed25519 private key" in page
    assert path.read_bytes() == b""
