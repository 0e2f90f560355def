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
