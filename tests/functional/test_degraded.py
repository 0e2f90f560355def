"""Degrade, don't die: when Redis (the rate limits' storage) is down, people still log in, reset
their password and verify certificates; the limits still apply, counted in memory, and the
outage is logged once, not once per request."""

from __future__ import annotations

import logging

import pytest

from lms.auth.services import create_user
from lms.certificates.codes import generate_code
from lms.extensions import db as _db
from tests.fixtures import PARTICIPANT_PASSWORD, CSRFClient

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
WRONG = "bukan-kata-sandinya"


@pytest.fixture
def redis_down_app(database_url):
    """Rate limits on, as in production, with their storage pointing at a Redis that is down."""
    from config import TestConfig
    from lms import create_app, extensions
    from lms.extensions import limiter

    config = TestConfig(database_url)
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_STORAGE_URI = DEAD_REDIS
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
    # The limiter is one object for the whole test run: forget this outage for the next app.
    limiter._storage_dead = False
    extensions._storage_down = False


def _fallback_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and "storage unreachable" in r.getMessage()]


def test_with_redis_down_login_works_and_the_limit_still_applies(redis_down_app, caplog):
    caplog.set_level(logging.INFO)
    create_user(email="ani@perpus.id", full_name="Ani", password=PARTICIPANT_PASSWORD,
                role="participant")
    assert redis_down_app.test_client().post(
        "/login", data={"email": "ani@perpus.id", "password": PARTICIPANT_PASSWORD}
    ).status_code == 302
    guesser = redis_down_app.test_client()
    statuses = [guesser.post("/login", data={"email": "ani@perpus.id", "password": WRONG})
                .status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]  # LOGIN_ACCOUNT_RATE_LIMIT, counted in memory
    assert len(_fallback_warnings(caplog)) == 1
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per request


def test_with_redis_down_password_reset_and_verify_keep_working(redis_down_app, caplog):
    caplog.set_level(logging.INFO)
    client = redis_down_app.test_client()
    assert client.get("/reset").status_code == 200
    assert client.post("/reset", data={"email": "siapa@perpus.id"}).status_code == 302
    assert client.get(f"/verify/{generate_code()}").status_code == 404  # not 500
    assert client.get(f"/verify/{generate_code()}.json").status_code == 404
    assert len(_fallback_warnings(caplog)) == 1


def test_with_redis_down_unknown_verify_codes_are_still_limited(redis_down_app):
    redis_down_app.config["VERIFY_MISS_LIMIT"] = "3/minute"
    client = redis_down_app.test_client()
    statuses = [client.get(f"/verify/{generate_code()}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- the database is unavailable --------------------------------------------------------

class Outage:
    """Makes every statement fail as when the database server is stopped, until `end()`."""

    def __init__(self, engine):
        self.engine, self.on = engine, False

    @staticmethod
    def _refuse(conn, cursor, statement, parameters, context, executemany):
        from sqlalchemy.exc import OperationalError

        raise OperationalError(statement, parameters,
                               Exception("connection to server at 127.0.0.1 failed: refused"))

    def start(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._refuse)
        self.on = True

    def end(self):
        from sqlalchemy import event

        if self.on:
            event.remove(self.engine, "before_cursor_execute", self._refuse)
            self.on = False


@pytest.fixture(autouse=True)
def _forget_outages():
    """The outage flag is per process: each test starts with the database "up"."""
    from lms import errors

    yield
    errors._outage["on"] = False


@pytest.fixture
def outage(app):
    cut = Outage(_db.engine)
    yield cut
    cut.end()


@pytest.fixture
def database_down(outage):
    outage.start()
    return outage


def _outage_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pelita"
            and ("Database unavailable" in r.getMessage() or "database is back" in r.getMessage())]


def test_database_down_gives_a_503_page_in_indonesian_saying_answers_are_safe(
        app, participant, caplog, outage):
    from tests.helpers.pages import login

    browser = login(app.test_client(), participant, in_english=False)
    outage.start()
    caplog.set_level(logging.INFO)
    first, second = browser.get("/"), browser.get("/courses/")
    for page in (first, second):
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert page.mimetype == "text/html"
        assert "Jawaban yang sudah tersimpan aman" in page.text
        assert "Coba lagi" in page.text
    assert len([line for line in _outage_lines(caplog) if "unavailable" in line]) == 1
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per request
    outage.end()
    assert browser.get("/").status_code == 200
    assert browser.get("/").status_code == 200
    assert _outage_lines(caplog)[1:] == ["The database is back"]


def test_database_down_page_follows_the_language_switch(app, database_down):
    client = app.test_client()
    client.set_cookie("pelita_lang", "en")
    page = client.get("/courses/")
    assert page.status_code == 503 and "Answers you have already saved are safe" in page.text


def test_database_down_gives_json_to_json_clients(app, database_down):
    client = app.test_client()
    for response in (client.get("/courses/", headers={"Accept": "application/json"}),
                     client.get(f"/verify/{generate_code()}.json")):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert response.json["retry_after"] == 30
        assert "tersimpan aman" in response.json["error"]


def test_the_quiz_pages_background_save_gets_json_it_retries_after(app, participant, outage):
    """quiz.js keeps the answers on the device and sends them again after Retry-After."""
    from tests.helpers.pages import login

    browser = login(app.test_client(), participant, in_english=False)
    outage.start()
    response = browser.post("/attempts/1/save", data={"shown": "q1"},
                            headers={"X-Requested-With": "fetch", "Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json == {"error": response.json["error"], "retry_after": 30}


def test_a_wrong_query_is_not_taken_for_an_outage_but_a_locked_database_is():
    from sqlalchemy.exc import OperationalError

    from lms.errors import is_outage

    assert not is_outage(OperationalError("SELECT x", {}, Exception("no such column: x")))
    assert is_outage(OperationalError("UPDATE", {}, Exception("database is locked")))


# --- SQLite: WAL and a busy timeout; a lock held too long is the same 503 ----------------

@pytest.fixture
def file_app(tmp_path):
    from config import TestConfig
    from lms import create_app

    config = TestConfig(f"sqlite:///{tmp_path / 'pelita.sqlite3'}")
    config.SQLITE_BUSY_TIMEOUT_MS = 200
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _pragma(name: str):
    from sqlalchemy import text

    with _db.engine.connect() as connection:
        return connection.execute(text(f"PRAGMA {name}")).scalar()


def test_a_sqlite_file_database_uses_wal_and_waits_when_busy(file_app):
    assert _pragma("journal_mode") == "wal"
    assert _pragma("busy_timeout") == 200


def test_an_in_memory_database_is_left_alone(app):
    if app.config["SQLALCHEMY_DATABASE_URI"] != "sqlite://":
        pytest.skip("the in-memory SQLite database only")
    assert _pragma("journal_mode") == "memory"


def test_a_sqlite_database_locked_too_long_gives_the_503_page(file_app, caplog):
    import sqlite3

    create_user(email="ani@perpus.id", full_name="Ani", password=PARTICIPANT_PASSWORD,
                role="participant")
    _db.session.remove()
    holder = sqlite3.connect(file_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        page = file_app.test_client().post(
            "/login", data={"email": "ani@perpus.id", "password": PARTICIPANT_PASSWORD})
    finally:
        holder.rollback()
        holder.close()
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Jawaban yang sudah tersimpan aman" in page.text
    assert any("database is locked" in line for line in _outage_lines(caplog))


def test_a_sqlite_write_waits_for_a_short_lock_instead_of_failing(file_app, caplog):
    """Within SQLITE_BUSY_TIMEOUT_MS the busy timeout hides a lock: the login waits for the
    other writer (here, a transaction held for 50 ms of the 200) and then succeeds."""
    import sqlite3
    import threading

    create_user(email="budi@perpus.id", full_name="Budi", password=PARTICIPANT_PASSWORD,
                role="participant")
    _db.session.remove()
    holder = sqlite3.connect(file_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.05, holder.rollback)
    release.start()
    try:
        page = file_app.test_client().post(
            "/login", data={"email": "budi@perpus.id", "password": PARTICIPANT_PASSWORD})
    finally:
        release.join()
        holder.close()
    assert page.status_code == 302  # logged in, after waiting
    assert not _outage_lines(caplog)


def test_a_quiz_save_during_a_long_sqlite_lock_gets_the_retry_answer_not_a_500(
        file_app, caplog, tmp_path):
    """The quiz page's background save while another process holds the lock past the busy
    timeout: JSON with Retry-After, which quiz.js waits for before sending the answers again."""
    import sqlite3

    from lms.quizzes.services.attempts import start_or_resume
    from tests.helpers.pages import login
    from tests.helpers.quizzes import answers_form, setup_quiz

    user = create_user(email="citra@perpus.id", full_name="Citra", password=PARTICIPANT_PASSWORD,
                       role="participant")
    _course, quiz = setup_quiz(tmp_path, user)
    attempt = start_or_resume(user, quiz)
    save = f"/attempts/{attempt.id}/save"
    form = {"shown": "q1", **answers_form(attempt, {"q1": "a"})}
    browser = login(file_app.test_client(), user, in_english=False)
    _db.session.remove()
    holder = sqlite3.connect(file_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = browser.post(save, data=form, headers={"X-Requested-With": "fetch",
                                                          "Accept": "application/json"})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["retry_after"] == 30 and "tersimpan aman" in response.json["error"]
    assert any("database is locked" in line for line in _outage_lines(caplog))
    # The lock is gone: the same save, sent again, is stored.
    again = browser.post(save, data=form, headers={"X-Requested-With": "fetch",
                                                   "Accept": "application/json"})
    assert again.status_code == 200
