"""Fixtures in the style of Flask's tutorial: app, client, runner, auth, logged_in, db.

Loaded for every test of the repository, plugins/*/tests included, by the root conftest.py
(`pytest_plugins = ["tests.fixtures"]`), so a shipped plugin's tests use the same fixtures.
Define no fixture of this module again in another conftest: the session-wide `database_url`
must exist once, so a PostgreSQL run creates exactly one database.

The suite runs on SQLite by default. With DATABASE_URL pointing at PostgreSQL (or `make test-pg`)
the same tests run there, each session in a fresh database that is dropped afterwards; if the
server does not answer, every database test is skipped with the reason.

Layout of the suite (docs/architecture.md, "Tests"):

    tests/fixtures.py      this module: the fixtures
    tests/helpers/         what tests import by name, one module per subject:
                           pages (login, english, hidden, field_error, emailed_link),
                           packs, quizzes, cohorts, people, db
    tests/unit/            pure libraries, without an app or a database
    tests/functional/      the app through its HTTP interface, one file per feature
    tests/e2e/             real browser (its conftest.py: browser, live_server, page, axe)
    plugins/<name>/tests/  each shipped plugin's tests

A test module imports helpers from tests.helpers, never from another test module. There is one
`login` (tests.helpers.pages: through the form, then pages in English) and one `english`; the
`auth` fixture posts the login form and returns the response, for tests of logging in. There is
one clock, `clock` below: a module that needs another start time overrides `clock` with a
fixture that calls `clock.set(...)` on this one (as test_quiz_pages.py does).
"""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig
from lms import clock as app_clock
from lms import create_app
from lms.extensions import db as _db
from lms.mail import outbox

PARTICIPANT_PASSWORD = "kata-sandi-kuat-42"

# CI explores the same examples every run (a red CI must be reproducible); locally Hypothesis
# keeps searching new ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


# Every test runs with Pelita's clock (lms.clock) frozen here unless it asks for the wall clock
# (`@pytest.mark.wall_clock`), so the suite gives the same result at any hour: 03:00 UTC is
# 10:00 WIB. Tests about a time of day freeze the clock where they need it (`clock.set(...)`).
FROZEN_AT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


class TestClock:
    """The app's one clock as a test holds it: `clock.value`, `clock.set(at)`,
    `clock.advance(minutes=5)`; calling it returns the current (frozen) time."""

    __test__ = False  # not a test class

    @property
    def value(self) -> datetime:
        return app_clock.now()

    def __call__(self) -> datetime:
        return app_clock.now()

    def set(self, at: datetime) -> datetime:
        return app_clock.freeze(at)

    def advance(self, **kwargs) -> datetime:
        return app_clock.advance(**kwargs)


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    if request.node.get_closest_marker("wall_clock"):
        yield None
        return
    app_clock.freeze(FROZEN_AT)
    try:
        yield TestClock()
    finally:
        app_clock.thaw()


@pytest.fixture
def clock(_frozen_clock):
    """The frozen clock, to set or advance (see TestClock)."""
    if _frozen_clock is None:
        pytest.fail("a test marked wall_clock cannot use the clock fixture")
    return _frozen_clock


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_url():
    """A fresh database for this test session: in-memory SQLite, or a new PostgreSQL database."""
    pg = _postgres_url()
    if pg is None:
        yield "sqlite://"
        return
    base = make_url(pg)
    name = f"pelita_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server here"
        admin.dispose()
        if os.environ.get("PELITA_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL required but not reachable at {base!r}: {exc}")
        pytest.skip(f"PostgreSQL at {base.render_as_string(hide_password=True)} did not answer: {exc}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class CSRFClient(FlaskClient):
    """A test client that behaves like a browser talking to a real server.

    Each request runs in its own application context (its own ``g`` and database session), as
    it would in production, even though the test itself holds one open. CSRF protection stays on,
    so templates and views run exactly as in production: every POST carries a valid token unless
    the test passes ``csrf=False``.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "csrf_token" not in (data or {}):
            kwargs["data"] = {**(data or {}), "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


@pytest.fixture
def app(database_url):
    """An app bound to an empty database with every table created."""
    app = create_app(TestConfig(database_url))
    app.test_client_class = CSRFClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def limited_app(database_url):
    """An app with rate limits on, as in production (the suite's default app has them off)."""
    from lms.extensions import limiter

    config = TestConfig(database_url)
    config.RATELIMIT_ENABLED = True
    app = create_app(config)
    app.test_client_class = CSRFClient
    limiter.reset()
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def english_messages(app):
    """Service messages in English for the test (the app's default language is Indonesian)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mail(app):
    """The list of messages sent during the test."""
    box = outbox()
    box.clear()
    return box


@pytest.fixture
def make_user(app):
    """Create users through the real service, with sensible defaults."""
    from lms.auth import services

    counter = iter(range(1, 10_000))

    def factory(role="participant", email=None, password=PARTICIPANT_PASSWORD, **extra):
        n = next(counter)
        fields = {
            "full_name": f"Peserta Uji {n}",
            "email": email or f"user{n}@contoh.id",
            "password": password,
            "library_name": "Perpustakaan Desa Sukamaju",
            "library_level": "desa",
            "province_code": "32",
            "regency_code": "32.04",
            "role": role,
        }
        fields.update(extra)
        return services.register_participant(**fields)

    return factory


class AuthActions:
    """Log in and out through the real forms, as a user would."""

    def __init__(self, client):
        self._client = client

    def login(self, email, password=PARTICIPANT_PASSWORD, remember=False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def participant(make_user):
    return make_user("participant", email="peserta@contoh.id")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", email="admin@contoh.id")


@pytest.fixture
def trainer_user(make_user):
    return make_user("trainer", email="pelatih@contoh.id")


@pytest.fixture
def logged_in(client, auth, participant):
    """A client logged in as a participant."""
    auth.login(participant.email)
    return client


class QueryCounter:
    """Counts the SQL statements an app runs while the counter is active."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Use as `with count_queries() as q: ...; len(q)`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return counting
