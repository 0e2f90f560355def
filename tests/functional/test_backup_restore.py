"""tools/backup.sh and tools/restore.sh: a backup restored into a new database and an empty
instance folder gives back a site where the learner can still log in and their certificate
still verifies, its signed credential included (the signing key is in the instance folder).
PostgreSQL only (pg_dump/pg_restore): skipped without DATABASE_URL pointing at one.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

import config
from lms import create_app
from lms.auth.services import create_user
from lms.certificates.models import Certificate
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning.services import enrol, mark_module_done
from tests.fixtures import PARTICIPANT_PASSWORD, CSRFClient
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login

ROOT = Path(__file__).resolve().parents[2]
BACKUP, RESTORE = ROOT / "tools" / "backup.sh", ROOT / "tools" / "restore.sh"
EMAIL = "pulih@perpus.id"


@pytest.fixture
def postgres():
    """A function making fresh databases on the test server (all dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs the PostgreSQL client tools: {', '.join(missing)} not found")
    base = make_url(url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new_database() -> str:
        name = f"pelita_restore_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop(url: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))

    new_database.drop = drop
    yield new_database
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def site(database_url: str, instance: Path):
    settings = config.TestConfig(database_url)
    settings.CREDENTIAL_KEY_PATH = str(instance / "credential_ed25519.pem")
    settings.AUTHORING_UPLOAD_DIR = str(instance / "uploads")
    app = create_app(settings)
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ["PATH"], **env})


def test_a_restored_backup_lets_the_learner_log_in_and_their_certificate_verify(
        postgres, tmp_path):
    source, instance = postgres(), tmp_path / "instance"
    with site(source, instance) as app:
        db.create_all()
        learner = create_user(email=EMAIL, full_name="Sri Pulihwati", password=PARTICIPANT_PASSWORD,
                              role="participant")
        import_folder(make_pack(tmp_path / "packs", "kursus-cadangan", modules=2))
        course = db.session.scalar(select(Course))
        enrol(learner, course)
        for module in db.session.scalars(select(Module).order_by(Module.id)):
            mark_module_done(learner, course, module)
        code = db.session.scalar(select(Certificate.code))
        credential = login(app.test_client(), learner).get(
            f"/certificates/{code}.credential.json").data
    assert (instance / "credential_ed25519.pem").is_file()

    backups = tmp_path / "backups"
    env = {"DATABASE_URL": source, "PELITA_INSTANCE_DIR": str(instance),
           "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"}
    for stamp in ("20261204-023000", "20261205-023000", "20261206-023000"):
        made = run(BACKUP, **env, BACKUP_STAMP=stamp)
        assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"{backups}/pelita-20261206-023000"
    assert sorted(p.name for p in backups.iterdir()) == [  # the newest two kept
        "pelita-20261205-023000.dump", "pelita-20261205-023000.tar.gz",
        "pelita-20261206-023000.dump", "pelita-20261206-023000.tar.gz"]

    # The server is lost: its database and its instance folder.
    postgres.drop(source)
    shutil.rmtree(instance)

    target, new_instance = postgres(), tmp_path / "new-instance"
    restored = run(RESTORE, made.stdout.strip(), DATABASE_URL=target,
                   PELITA_INSTANCE_DIR=str(new_instance))
    assert restored.returncode == 0, restored.stderr
    with site(target, new_instance) as app:
        client = login(app.test_client(), EMAIL, in_english=False)
        assert "Sri Pulihwati" in client.get("/").text
        page = app.test_client().get(f"/verify/{code}")
        assert "Sah" in page.text and "Sri Pulihwati" in page.text
        checked = app.test_client().post(
            "/verify/credential", data={"file": (io.BytesIO(credential), "kredensial.json")},
            content_type="multipart/form-data")
        assert "Tanda tangan sah" in checked.text  # the same signing key came back

    # Restoring over live data is refused, and changes nothing.
    again = run(RESTORE, made.stdout.strip(), DATABASE_URL=target,
                PELITA_INSTANCE_DIR=str(tmp_path / "elsewhere"))
    assert again.returncode == 3 and "restore into an empty one" in again.stderr


def test_backup_refuses_a_database_it_cannot_dump(tmp_path):
    done = run(BACKUP, DATABASE_URL="sqlite:///pelita.sqlite3", BACKUP_DIR=str(tmp_path))
    assert done.returncode == 2 and "sqlite3 FILE" in done.stderr
    assert list(tmp_path.iterdir()) == []
