"""Background jobs: enqueued with the caller's transaction, run once, retried, reclaimed."""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.auth.models import User
from lms.extensions import db
from lms.jobs import services
from lms.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from lms.jobs.registry import PermanentJobError, UnknownJobKind, registry
from lms.jobs.services import aware, enqueue, run_pending
from tests.helpers.packs import import_folder, make_pack


class Recorder:
    """Temporary handlers for the tests, registered under `test.*` and removed afterwards."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.failures_left = 0
        self.names: list[str] = []

    def register(self, name, fn):
        registry.handler(name)(fn)
        self.names.append(name)

    def record(self, kind, payload):
        with self.lock:
            self.calls.append((kind, payload))

    def payloads(self, kind):
        return [p for k, p in self.calls if k == kind]


@pytest.fixture
def handlers(app):
    rec = Recorder()

    def ok(payload):
        rec.record("test.ok", payload)

    def boom(payload):
        rec.record("test.boom", payload)
        # Work done before the error must be rolled back with it.
        user = db.session.get(User, payload["user_id"]) if "user_id" in payload else None
        if user is not None:
            user.full_name = "changed by a failing job"
            db.session.flush()
        raise RuntimeError(f"boom {payload.get('n', '')}".strip())

    def flaky(payload):
        rec.record("test.flaky", payload)
        if rec.failures_left > 0:
            rec.failures_left -= 1
            raise ConnectionError("remote end not answering")

    def permanent(payload):
        rec.record("test.permanent", payload)
        raise PermanentJobError("payload refers to nothing")

    def slow(payload):
        time.sleep(0.005)
        rec.record("test.slow", payload)

    for name, fn in [("test.ok", ok), ("test.boom", boom), ("test.flaky", flaky),
                     ("test.permanent", permanent), ("test.slow", slow)]:
        rec.register(name, fn)
    yield rec
    for name in rec.names:
        registry.remove(name)


def jobs_by_status() -> dict[str, int]:
    return dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())


def job_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Job))


def reload(job_id: int) -> Job:
    return db.session.get(Job, job_id, populate_existing=True)


def make_due(job_id: int) -> None:
    """Pretend the retry delay has passed."""
    reload(job_id).run_after = clock.now() - timedelta(seconds=1)
    db.session.commit()


# --------------------------------------------------------------------------- enqueue


@pytest.mark.parametrize("dedupe_key", [None, "user-rename"])
def test_enqueue_joins_the_callers_transaction(app, make_user, handlers, dedupe_key):
    user = make_user()
    user.full_name = "Nama Baru"
    job = enqueue("test.ok", {"user_id": user.id}, dedupe_key=dedupe_key)
    assert job is not None
    db.session.rollback()  # the work that caused the job is undone: so is the job
    assert job_count() == 0
    assert db.session.get(User, user.id).full_name != "Nama Baru"

    user.full_name = "Nama Baru"
    job = enqueue("test.ok", {"user_id": user.id}, dedupe_key=dedupe_key)
    db.session.commit()  # one commit: both
    assert job_count() == 1 and reload(job.id).status == QUEUED
    assert db.session.get(User, user.id).full_name == "Nama Baru"


def test_a_certificate_and_its_render_job_commit_together(app, participant, tmp_path):
    from lms.certificates import services as cert_services
    from lms.certificates.models import Certificate
    from lms.courses.models import Course

    import_folder(make_pack(tmp_path, "kursus-pdf", modules=1))
    course = db.session.scalar(select(Course).where(Course.slug == "kursus-pdf"))

    # Issuing queues the render job in the caller's transaction: a rollback drops both.
    cert_services.issue_for_completion(participant, course, clock.now())
    db.session.rollback()
    assert job_count() == 0 and db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    cert = cert_services.issue_for_completion(participant, course, clock.now())
    db.session.commit()
    cert_id = cert.id
    assert cert.pdf is None and job_count() == 1

    assert run_pending() == 1
    assert jobs_by_status() == {DONE: 1}
    cert = db.session.get(Certificate, cert_id, populate_existing=True)
    assert cert.pdf.startswith(b"%PDF") and cert.pdf_design == cert_services.current_design()


def test_enqueue_refuses_unknown_kinds_and_non_json_payloads(app):
    with pytest.raises(UnknownJobKind, match="certificates.rendr"):
        enqueue("certificates.rendr", {})
    with pytest.raises(ValueError, match="not JSON"):
        enqueue("quizzes.close_overdue", {"when": clock.now()})
    with pytest.raises(ValueError, match="JSON object"):
        enqueue("quizzes.close_overdue", [1, 2])
    assert job_count() == 0


def test_the_same_dedupe_key_is_queued_once_until_the_job_finishes(app, handlers):
    first = enqueue("test.ok", {"n": 1}, dedupe_key="report:7")
    assert first is not None
    assert enqueue("test.ok", {"n": 2}, dedupe_key="report:7") is None  # same transaction
    db.session.commit()
    assert enqueue("test.ok", {"n": 3}, dedupe_key="report:7") is None  # already queued
    assert enqueue("test.ok", {"n": 4}, dedupe_key="report:8") is not None  # another key
    assert enqueue("test.ok", {"n": 5}) is not None  # no key: never deduplicated
    db.session.commit()
    assert job_count() == 3

    assert run_pending() == 3
    assert sorted(p["n"] for p in handlers.payloads("test.ok")) == [1, 4, 5]
    # Done jobs do not block the same work later.
    again = enqueue("test.ok", {"n": 6}, dedupe_key="report:7")
    db.session.commit()
    assert again is not None and job_count() == 4


def test_periodic_jobs_are_scheduled_once_on_the_next_minute(app):
    at = (clock.now() - timedelta(days=1)).replace(second=30, microsecond=0)
    first = services.schedule_periodic(at)
    assert [job.kind for job in first] == ["quizzes.close_overdue", "cohorts.deadline_reminders"]
    for _worker in range(3):  # other workers, the same minute or later
        assert services.schedule_periodic(at + timedelta(seconds=20)) == []
    jobs = list(db.session.scalars(select(Job).order_by(Job.id)))
    assert len(jobs) == 2
    assert aware(jobs[0].run_after) == at.replace(second=0) + timedelta(minutes=1)
    assert jobs[0].dedupe_key == services.PERIODIC_CLOSE_OVERDUE_KEY
    assert aware(jobs[1].run_after) == at.replace(minute=0, second=0) + timedelta(hours=1)
    assert jobs[1].dedupe_key == services.PERIODIC_DEADLINE_REMINDERS_KEY

    assert run_pending() == 2  # that minute and hour are in the past
    assert reload(jobs[0].id).status == DONE and reload(jobs[1].id).status == DONE
    assert len(services.schedule_periodic()) == 2  # and the next ones can be queued


# --------------------------------------------------------------------------- running


def test_jobs_run_in_order_of_run_after_and_future_jobs_wait(app, handlers):
    now = clock.now()
    enqueue("test.ok", {"n": "later"}, run_after=now + timedelta(hours=1))
    enqueue("test.ok", {"n": "second"}, run_after=now - timedelta(seconds=10))
    enqueue("test.ok", {"n": "first"}, run_after=now - timedelta(seconds=20))
    db.session.commit()
    assert run_pending(limit=1) == 1
    assert run_pending() == 1
    assert run_pending() == 0
    assert [p["n"] for p in handlers.payloads("test.ok")] == ["first", "second"]
    assert jobs_by_status() == {DONE: 2, QUEUED: 1}
    done = db.session.scalars(select(Job).where(Job.status == DONE)).all()
    assert all(j.attempts == 1 and j.finished_at and j.locked_by is None for j in done)


def test_a_failing_job_is_retried_with_backoff_then_failed_and_others_still_run(
        app, make_user, handlers):
    user = make_user(full_name="Nama Asli")
    bad = enqueue("test.boom", {"user_id": user.id, "n": 1}, max_attempts=3)
    enqueue("test.ok", {"n": "after"})
    db.session.commit()

    started = clock.now()
    assert run_pending() == 2  # the failure did not stop the next job
    assert handlers.payloads("test.ok") == [{"n": "after"}]
    job = reload(bad.id)
    assert job.status == QUEUED and job.attempts == 1 and job.locked_by is None
    assert "RuntimeError: boom 1" in job.last_error and "Traceback" in job.last_error
    delay = aware(job.run_after) - started
    assert timedelta(seconds=59) <= delay <= timedelta(seconds=65)  # 2**1 * 30 s
    assert db.session.get(User, user.id, populate_existing=True).full_name == "Nama Asli"

    assert run_pending() == 0  # not due yet
    make_due(bad.id)
    started = clock.now()
    assert run_pending() == 1
    job = reload(bad.id)
    assert job.status == QUEUED and job.attempts == 2
    assert timedelta(seconds=119) <= aware(job.run_after) - started <= timedelta(seconds=125)

    make_due(bad.id)
    assert run_pending() == 1
    job = reload(bad.id)
    assert job.status == FAILED and job.attempts == 3 and job.finished_at is not None
    assert len(handlers.payloads("test.boom")) == 3
    make_due(bad.id)
    assert run_pending() == 0  # failed jobs stay failed
    assert db.session.get(User, user.id, populate_existing=True).full_name == "Nama Asli"


def test_a_flaky_job_succeeds_on_a_retry(app, handlers):
    handlers.failures_left = 1
    job = enqueue("test.flaky", {})
    db.session.commit()
    run_pending()
    make_due(job.id)
    run_pending()
    job = reload(job.id)
    assert job.status == DONE and job.attempts == 2 and job.last_error is None


def test_a_permanent_error_fails_the_job_without_retrying(app, handlers):
    job = enqueue("test.permanent", {})
    db.session.commit()
    assert run_pending() == 1
    job = reload(job.id)
    assert job.status == FAILED and job.attempts == 1
    assert "PermanentJobError: payload refers to nothing" in job.last_error


def test_an_unknown_kind_fails_with_a_clear_error_and_the_worker_goes_on(app, handlers):
    stray = Job(kind="webhooks.send", payload={"url": "https://contoh.id"})  # e.g. a newer release
    db.session.add(stray)
    db.session.commit()
    enqueue("test.ok", {"n": 1})
    db.session.commit()
    assert run_pending() == 2
    job = reload(stray.id)
    assert job.status == FAILED and job.finished_at is not None
    assert "no job handler is registered under 'webhooks.send'" in job.last_error
    assert handlers.payloads("test.ok") == [{"n": 1}]


def test_a_job_whose_worker_went_silent_is_reclaimed_and_run_again(app, handlers):
    silent = clock.now() - timedelta(seconds=61)
    crashed = Job(kind="test.ok", payload={"n": "crashed"}, status=RUNNING, attempts=1,
                  locked_by="old-host:123:abc", locked_at=silent, heartbeat_at=silent)
    hopeless = Job(kind="test.ok", payload={"n": "hopeless"}, status=RUNNING, attempts=5,
                   max_attempts=5, locked_by="old-host:123:abc", locked_at=silent,
                   heartbeat_at=silent)
    # Running for two hours, but its worker stamped it 20 seconds ago: still alive.
    busy = Job(kind="test.ok", payload={"n": "busy"}, status=RUNNING, attempts=1,
               locked_by="live-host:9:def", locked_at=clock.now() - timedelta(hours=2),
               heartbeat_at=clock.now() - timedelta(seconds=20))
    # Claimed before heartbeats existed (none stamped): its claim time stands in.
    legacy = Job(kind="test.ok", payload={"n": "legacy"}, status=RUNNING, attempts=1,
                 locked_by="old-host:77:aaa", locked_at=clock.now() - timedelta(minutes=11))
    db.session.add_all([crashed, hopeless, busy, legacy])
    db.session.commit()

    assert run_pending(worker_id="new-host:1:fff") == 2
    assert handlers.payloads("test.ok") == [{"n": "crashed"}, {"n": "legacy"}]
    crashed, hopeless, busy = reload(crashed.id), reload(hopeless.id), reload(busy.id)
    assert crashed.status == DONE and crashed.attempts == 2
    assert hopeless.status == FAILED
    assert "old-host:123:abc sent no heartbeat for 0:01:00" in hopeless.last_error
    assert busy.status == RUNNING and busy.locked_by == "live-host:9:def"


def test_a_dead_workers_job_is_taken_back_within_a_minute(app, handlers, clock):
    job = enqueue("test.ok", {})
    db.session.commit()
    assert services._claim_next("killed-worker") == job.id  # then the worker is killed
    clock.advance(seconds=59)
    assert services.reclaim_stuck() == 0 and reload(job.id).status == RUNNING
    clock.advance(seconds=2)
    assert services.reclaim_stuck() == 1
    job = reload(job.id)
    assert job.status == QUEUED and job.locked_by is None and job.heartbeat_at is None
    assert run_pending(worker_id="next-worker") == 1
    assert reload(job.id).status == DONE and reload(job.id).attempts == 2


@pytest.mark.parametrize(("environ", "timeout"), [
    ({"JOB_STUCK_SECONDS": "300"}, 300),  # only the old name: its value is kept
    ({"JOB_STUCK_SECONDS": "300", "JOB_HEARTBEAT_TIMEOUT_SECONDS": "90"}, 90),  # the new one wins
])
def test_a_deployment_still_setting_job_stuck_seconds_is_told_once_at_start(
        database_url, monkeypatch, caplog, clock, environ, timeout):
    """JOB_STUCK_SECONDS was replaced by JOB_HEARTBEAT_TIMEOUT_SECONDS: the administrator reads
    one warning naming the new setting, and a dead worker's job is taken back after the timeout
    the deployment asked for, not silently after the 60 s default."""
    from config import TestConfig
    from lms import create_app

    monkeypatch.delenv("JOB_HEARTBEAT_TIMEOUT_SECONDS", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    caplog.set_level("WARNING")
    app = create_app(TestConfig(database_url))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "JOB_STUCK_SECONDS=300 is set but no longer read" in warnings[0]
    assert "set JOB_HEARTBEAT_TIMEOUT_SECONDS instead" in warnings[0]
    assert f"({timeout} s)" in warnings[0]
    with app.app_context():
        db.create_all()
        try:
            job = enqueue("quizzes.close_overdue", {})
            db.session.commit()
            assert services._claim_next("killed-worker") == job.id
            clock.advance(seconds=timeout - 1)
            assert services.reclaim_stuck() == 0 and reload(job.id).status == RUNNING
            clock.advance(seconds=2)
            assert services.reclaim_stuck() == 1 and reload(job.id).status == QUEUED
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_a_long_job_that_keeps_beating_is_never_taken_back(app, handlers, clock):
    job = enqueue("test.ok", {})
    db.session.commit()
    assert services._claim_next("slow-worker") == job.id
    for _beat in range(4 * 60):  # an hour, one beat every 15 seconds
        clock.advance(seconds=15)
        assert services.heartbeat(job.id, "slow-worker")
        assert services.reclaim_stuck() == 0
    assert reload(job.id).status == RUNNING and reload(job.id).locked_by == "slow-worker"
    clock.advance(seconds=61)  # then it stops beating
    assert services.reclaim_stuck() == 1
    assert not services.heartbeat(job.id, "slow-worker")  # it knows it lost the job


def test_the_worker_beats_while_a_handler_runs(app, clock):
    """The heartbeat thread of `run_pending`: a handler running 3 minutes of (frozen) time
    keeps its job, because the thread stamps it on a connection of its own."""
    if not services._own_connections(db.engine):
        pytest.skip("SQLite in memory shares one connection between threads: no heartbeat "
                    "thread there (PostgreSQL, or a SQLite file)")
    app.config["JOB_HEARTBEAT_SECONDS"] = 0.01
    engine = db.engine
    seen: list[int] = []

    def stamped() -> object:
        with engine.connect() as connection:
            return connection.execute(select(Job.heartbeat_at)).scalar()

    def long_job(_payload):
        for _minute in range(3):
            clock.advance(seconds=60)
            deadline = time.monotonic() + 5
            while aware(stamped()) != clock() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert aware(stamped()) == clock()

            def other_worker():
                with app.app_context():
                    seen.append(services.reclaim_stuck())
                    db.session.remove()

            thread = threading.Thread(target=other_worker)
            thread.start()
            thread.join(10)

    registry.handler("test.long")(long_job)
    try:
        job = enqueue("test.long", {})
        db.session.commit()
        assert run_pending(worker_id="busy-worker") == 1
    finally:
        registry.remove("test.long")
    assert seen == [0, 0, 0]
    job = reload(job.id)
    assert job.status == DONE and job.attempts == 1 and job.heartbeat_at is None


def test_a_reclaimed_job_is_not_marked_by_the_worker_that_lost_it(app, handlers):
    job = enqueue("test.ok", {})
    db.session.commit()
    job_id = services._claim_next("slow-worker")
    assert job_id == job.id
    # Meanwhile another worker reclaimed it and holds it now.
    reload(job_id).locked_by = "other-worker"
    db.session.commit()
    services._run_claimed(job_id, "slow-worker")
    job = reload(job_id)
    assert job.status == RUNNING and job.locked_by == "other-worker"


def test_built_in_close_overdue_job_runs(app):
    enqueue("quizzes.close_overdue", {})
    enqueue("certificates.render_stale", {"limit": 5})
    enqueue("certificates.render", {"certificate_id": 999})
    db.session.commit()
    assert run_pending() == 3
    failed = db.session.scalar(select(Job).where(Job.status == FAILED))
    assert failed.kind == "certificates.render" and "certificate 999 does not exist" in failed.last_error
    assert jobs_by_status() == {DONE: 2, FAILED: 1}


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks (FOR UPDATE SKIP LOCKED); SQLite runs one writer "
                    "at a time. Run with DATABASE_URL=postgresql+psycopg://...")


def test_concurrent_workers_never_run_a_job_twice(app, handlers):
    _postgres_only(app)
    total, workers = 60, 4
    for n in range(total):
        enqueue("test.slow", {"n": n})
    db.session.commit()
    start = threading.Barrier(workers)
    ran: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(index):
        try:
            with app.app_context():
                start.wait()
                ran[f"w{index}"] = run_pending(worker_id=f"w{index}")
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    seen = sorted(p["n"] for p in handlers.payloads("test.slow"))
    assert seen == list(range(total))  # every job exactly once
    assert sum(ran.values()) == total
    assert jobs_by_status() == {DONE: total}
    assert all(job.attempts == 1 for job in db.session.scalars(select(Job)))


def test_concurrent_enqueues_of_one_dedupe_key_make_one_job(app, handlers):
    _postgres_only(app)
    mine = enqueue("test.ok", {"by": "main"}, dedupe_key="once")  # not committed yet
    assert mine is not None
    result: list = []

    def other():
        with app.app_context():
            job = enqueue("test.ok", {"by": "thread"}, dedupe_key="once")  # waits for our commit
            result.append(job)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive()  # blocked on our uncommitted row
    db.session.commit()
    thread.join(timeout=10)
    assert result == [None] and job_count() == 1


# --------------------------------------------------------------------------- CLI


def test_worker_once_drains_the_queue(app, runner, handlers):
    for n in range(3):
        enqueue("test.ok", {"n": n})
    enqueue("test.boom", {"n": 9})
    db.session.commit()
    result = runner.invoke(args=["lms", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "processed 4 job(s)" in result.output
    assert sorted(p["n"] for p in handlers.payloads("test.ok")) == [0, 1, 2]
    kinds = {job.kind: job.status for job in db.session.scalars(
        select(Job).execution_options(populate_existing=True))}
    assert kinds == {"test.ok": DONE, "test.boom": QUEUED,  # to be retried later
                     "quizzes.close_overdue": QUEUED,  # the periodic jobs, for the next minute
                     "cohorts.deadline_reminders": QUEUED}  # and hour


def test_worker_max_jobs_stops_early(app, runner, handlers):
    for n in range(3):
        enqueue("test.ok", {"n": n})
    db.session.commit()
    result = runner.invoke(args=["lms", "worker", "--max-jobs", "2", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert "processed 2 job(s)" in result.output
    assert len(handlers.payloads("test.ok")) == 2


def test_worker_stops_after_the_current_job_on_sigterm(app, runner, handlers):
    before = signal.getsignal(signal.SIGTERM)

    def terminate(payload):
        handlers.record("test.term", payload)
        installed = signal.getsignal(signal.SIGTERM)
        # Only send the signal if the worker's handler is installed (never kill the test run).
        if type(getattr(installed, "__self__", None)).__name__ == "Worker":
            signal.raise_signal(signal.SIGTERM)  # this job still finishes after the signal
        else:
            raise AssertionError(f"worker did not install a SIGTERM handler: {installed!r}")

    handlers.register("test.term", terminate)
    first = enqueue("test.term", {})
    db.session.commit()
    second = enqueue("test.ok", {"n": "never"})
    db.session.commit()

    result = runner.invoke(args=["lms", "worker", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert "processed 1 job(s)" in result.output
    assert reload(first.id).status == DONE  # the job in hand finished
    assert reload(second.id).status == QUEUED and handlers.payloads("test.ok") == []
    assert signal.getsignal(signal.SIGTERM) == before  # handlers restored


def test_worker_survives_a_database_error_while_polling(app, handlers, monkeypatch):
    from lms.jobs.worker import Worker

    real = services.run_pending
    calls = {"n": 0}

    def flaky_poll(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "run_pending", flaky_poll)
    enqueue("test.ok", {"n": 1})
    db.session.commit()
    worker = Worker(interval=0.01, max_jobs=1, sleep=lambda s: None)
    assert worker.run() == 1 and calls["n"] == 2


def test_a_database_outage_is_one_log_line_for_the_worker_not_a_traceback_per_poll(
        app, handlers, monkeypatch, caplog):
    """The database down for five polls: one ERROR naming the cause, no traceback, then one
    line when it is back, and the queued job still runs."""
    from sqlalchemy.exc import OperationalError

    from lms.jobs.worker import Worker

    real = services.run_pending
    calls = {"n": 0}

    def down_then_up(**kwargs):
        calls["n"] += 1
        if calls["n"] <= 5:
            raise OperationalError("SELECT 1", {}, Exception("connection refused\nis it running?"))
        return real(**kwargs)

    monkeypatch.setattr(services, "run_pending", down_then_up)
    enqueue("test.ok", {"n": 1})
    db.session.commit()
    caplog.set_level("INFO", logger="pelita.jobs")
    worker = Worker(interval=0.01, max_jobs=1, sleep=lambda s: None)
    assert worker.run() == 1 and calls["n"] == 6
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert "database unavailable (connection refused)" in errors[0].getMessage()
    assert sum("reachable again" in r.getMessage() for r in caplog.records) == 1


def test_jobs_command_prints_counts_and_recent_failures(app, runner, handlers):
    enqueue("test.ok", {})
    enqueue("test.permanent", {})
    enqueue("test.ok", {}, run_after=clock.now() + timedelta(hours=1))
    db.session.commit()
    run_pending()
    result = runner.invoke(args=["lms", "jobs"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["queued", "1", "(0", "due", "now)"]
    assert lines[1].split() == ["running", "0"]
    assert lines[2].split() == ["done", "1"]
    assert lines[3].split() == ["failed", "1"]
    assert lines[4] == "last failures:"
    assert "test.permanent" in lines[5] and "attempts 1/5" in lines[5]
    assert lines[5].endswith("PermanentJobError: payload refers to nothing")


def test_jobs_command_with_an_empty_table(app, runner):
    result = runner.invoke(args=["lms", "jobs"])
    assert result.exit_code == 0
    assert "queued        0 (0 due now)" in result.output and "no failed jobs" in result.output
