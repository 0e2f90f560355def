"""Events become signed deliveries; the worker sends them, retries and gives up as documented."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from pelita_webhooks import delivery, store
from sqlalchemy import select, update

from lms import clock, events
from lms.extensions import db
from lms.jobs import services as jobs
from lms.jobs.models import Job
from lms.learning.models import Enrollment
from tests.helpers.packs import import_folder, make_pack


def add(admin, url, events=()):
    endpoint, secret = store.add_endpoint(admin, url, list(events))
    return endpoint, secret


def deliveries() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.kind == "webhooks.deliver")
                                   .order_by(Job.id)))


def make_due() -> None:
    """Skip the backoff wait: every queued job is due now."""
    db.session.execute(update(Job).where(Job.status == "queued")
                       .values(run_after=clock.now() - timedelta(seconds=1)))
    db.session.commit()


def verify(secret: str, received) -> bool:
    """What a receiver does (see the README): recompute and compare in constant time."""
    timestamp = received.headers["X-Pelita-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.headers["X-Pelita-Signature"], f"sha256={expected}")


@pytest.fixture
def course(app, tmp_path):
    import_folder(make_pack(tmp_path, slug="kursus-hook", modules=1))
    from lms.courses.models import Course

    return db.session.scalar(select(Course).where(Course.slug == "kursus-hook"))


def test_the_plugin_loads_and_registers_everything(app):
    record = next(r for r in app.extensions["pelita_plugins"] if r.name == "webhooks")
    assert record.status == "loaded", record.error
    assert "webhooks" in record.blueprints
    assert len(record.event_handlers) == len(events.ALL_SIGNALS)
    assert "webhooks.deliver" in record.job_handlers


def test_enrolling_through_the_web_is_delivered_signed(logged_in, participant, admin_user,
                                                        course, receiver):
    endpoint, secret = add(admin_user, receiver.url)
    other, _ = add(admin_user, receiver.url + "/certificates-only", ["certificate-issued"])
    response = logged_in.post("/courses/kursus-hook/enrol")
    assert response.status_code == 302
    queued = deliveries()
    assert [j.payload["endpoint_id"] for j in queued] == [endpoint.id]  # the filter holds

    assert jobs.run_pending() == 1
    assert [j.status for j in deliveries()] == ["done"]
    (got,) = receiver.requests
    assert got.path == "/hook"
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.headers["X-Pelita-Event"] == "enrolled"
    assert got.headers["X-Pelita-Delivery"] == got.json["id"] == queued[0].payload["delivery_id"]
    assert int(got.headers["X-Pelita-Timestamp"]) == clock.timestamp()
    assert verify(secret, got)
    assert not verify(other.secret, got)
    body = got.json
    assert body["event"] == "enrolled"
    assert body["data"] == {"user_id": participant.id, "course_id": course.id,
                            "course_slug": "kursus-hook", "reenrolled": False}
    assert body["occurred_at"].endswith("+00:00")


def test_a_500_is_retried_with_backoff_then_delivered(app, admin_user, receiver):
    endpoint, secret = add(admin_user, receiver.url)
    receiver.statuses = [500]
    assert delivery.forward("module-completed", {"user_id": 1}) == 1
    jobs.run_pending()
    (job,) = deliveries()
    assert job.status == "queued" and job.attempts == 1
    assert "HTTP 500" in job.last_error
    assert jobs.aware(job.run_after) > clock.now() + timedelta(seconds=30)  # backoff
    assert jobs.run_pending() == 0  # not due yet
    make_due()
    assert jobs.run_pending() == 1
    db.session.expire_all()
    (job,) = deliveries()
    assert job.status == "done" and job.attempts == 2
    first, second = receiver.requests
    assert first.json["id"] == second.json["id"]  # the same delivery, sent again
    assert verify(secret, second)


@pytest.mark.parametrize("status", [410, 400, 404])
def test_gone_and_client_errors_fail_for_good(app, admin_user, receiver, status):
    add(admin_user, receiver.url)
    receiver.default = status
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    (job,) = deliveries()
    assert job.status == "failed" and job.attempts == 1
    assert f"HTTP {status}" in job.last_error and "PermanentJobError" in job.last_error
    make_due()
    assert jobs.run_pending() == 0
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 503])
def test_timeouts_and_rate_limits_are_retried(app, admin_user, receiver, status):
    add(admin_user, receiver.url)
    receiver.default = status
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    (job,) = deliveries()
    assert job.status == "queued" and f"HTTP {status}" in job.last_error


def test_it_gives_up_after_the_configured_attempts(app, admin_user, receiver):
    app.config["WEBHOOKS_MAX_ATTEMPTS"] = 2
    add(admin_user, receiver.url)
    receiver.crash = True
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    make_due()
    jobs.run_pending()
    db.session.expire_all()
    (job,) = deliveries()
    assert (job.status, job.attempts, job.max_attempts) == ("failed", 2, 2)
    assert "could not reach" in job.last_error
    assert len(receiver.requests) == 2


def test_a_removed_endpoint_gets_nothing(app, admin_user, receiver):
    endpoint, _ = add(admin_user, receiver.url)
    delivery.forward("enrolled", {"user_id": 1})
    store.remove_endpoint(admin_user, endpoint.id)
    jobs.run_pending()
    (job,) = deliveries()
    assert job.status == "failed" and "was removed" in job.last_error
    assert receiver.requests == []


def test_a_failing_receiver_never_touches_the_learners_request(logged_in, admin_user, course,
                                                                receiver):
    add(admin_user, receiver.url)
    receiver.crash = True
    response = logged_in.post("/courses/kursus-hook/enrol")
    assert response.status_code == 302
    assert receiver.requests == []  # nothing is sent during the request
    assert db.session.scalar(select(Enrollment.id)) is not None
    jobs.run_pending()
    assert deliveries()[0].status == "queued"  # retried later by the worker


def test_a_broken_enqueue_never_breaks_the_learners_request(logged_in, admin_user, course,
                                                             receiver, monkeypatch, caplog):
    add(admin_user, receiver.url)

    def broken():
        raise RuntimeError("settings table is locked")

    monkeypatch.setattr(store, "endpoints", broken)
    response = logged_in.post("/courses/kursus-hook/enrol")
    assert response.status_code == 302
    assert db.session.scalar(select(Enrollment.id)) is not None
    assert deliveries() == []
    assert "could not queue the webhooks" in caplog.text


def test_no_endpoint_no_job(app):
    assert delivery.forward("enrolled", {"user_id": 1}) == 0
    assert deliveries() == []


def test_the_cli_sends_a_signed_test(app, runner, admin_user, receiver):
    endpoint, secret = add(admin_user, receiver.url)
    result = runner.invoke(args=["lms", "webhooks", "send-test", endpoint.id])
    assert result.exit_code == 0, result.output
    assert "HTTP 200" in result.output
    (got,) = receiver.requests
    assert got.headers["X-Pelita-Event"] == "ping" and verify(secret, got)
    listed = runner.invoke(args=["lms", "webhooks", "list"])
    assert endpoint.id in listed.output and receiver.url in listed.output


def test_the_cli_reports_failures(app, runner, admin_user, receiver):
    endpoint, _ = add(admin_user, receiver.url)
    receiver.default = 410
    result = runner.invoke(args=["lms", "webhooks", "send-test", endpoint.id])
    assert result.exit_code != 0 and "HTTP 410" in result.output
    missing = runner.invoke(args=["lms", "webhooks", "send-test", "nope"])
    assert missing.exit_code != 0 and "no endpoint" in missing.output
