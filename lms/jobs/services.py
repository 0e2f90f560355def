"""Enqueue and run background jobs: the only code that writes the job table.

`enqueue` adds a job to the caller's transaction without committing, so the job exists exactly
when the work that caused it does (a certificate and its render job commit together).

`run_pending` claims due jobs one at a time. On PostgreSQL the claim is
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers never wait for or take the same row;
the claim then moves the row to `running` with a conditional UPDATE (also the guard on SQLite,
which has no row locks but serialises writers) and commits before the handler runs. The handler
runs in its own transaction, committed together with the `done` mark; if it raises, its work is
rolled back and the job is retried after 2**attempts * 30 s, or marked `failed` after
`max_attempts`.

While a handler runs, a heartbeat thread stamps the job's `heartbeat_at` every
`JOB_HEARTBEAT_SECONDS` (15) on a connection of its own. A running job whose stamp is older than
`JOB_HEARTBEAT_TIMEOUT_SECONDS` (60: its worker was killed, or its machine lost) is put back in
the queue, or failed if it has used up its attempts; a job that keeps beating is never taken
back, however long it runs.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, text, update

from lms import clock
from lms.extensions import db
from lms.jobs.models import ACTIVE_WHERE, DONE, FAILED, JOB_STATUSES, QUEUED, RUNNING, Job
from lms.jobs.registry import PermanentJobError, UnknownJobKind, registry

log = logging.getLogger("pelita.jobs")

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX = timedelta(hours=6)
DEFAULT_HEARTBEAT_SECONDS = 15.0
DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 60
ERROR_MAX_CHARS = 8000

PERIODIC_CLOSE_OVERDUE_KEY = "periodic:quizzes.close_overdue"
PERIODIC_DEADLINE_REMINDERS_KEY = "periodic:cohorts.deadline_reminders"


aware = clock.aware  # kept here for callers that read job times


def new_worker_id() -> str:
    """host:pid:random — unique per worker process, readable in `flask lms jobs`."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 60 s, 2 min, 4 min, 8 min..."""
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts, 0)), BACKOFF_MAX)


def stuck_after() -> timedelta:
    """How old a running job's last heartbeat may be before its worker is taken for dead."""
    return timedelta(seconds=int(current_app.config.get(
        "JOB_HEARTBEAT_TIMEOUT_SECONDS", DEFAULT_HEARTBEAT_TIMEOUT_SECONDS)))


def heartbeat_every() -> float:
    return float(current_app.config.get("JOB_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS))


# --------------------------------------------------------------------------- enqueue


def enqueue(kind: str, payload: dict | None = None, *, run_after: datetime | None = None,
            dedupe_key: str | None = None, max_attempts: int | None = None) -> Job | None:
    """Add a job to the caller's session (no commit); None if `dedupe_key` is already queued.

    Commit (or roll back) with the work that caused the job. Without a `dedupe_key` the job
    is only added to the session: its id is set at the next flush.

    The kind must be registered (a typo fails here, not in the worker); the payload must be
    JSON. With a `dedupe_key`, the insert is `ON CONFLICT DO NOTHING` against the partial
    unique index, so two transactions enqueuing the same key at once still make one job.
    """
    if kind not in registry:
        registry.get(kind)  # raises UnknownJobKind with the list of known names
    try:
        data = json.loads(json.dumps(payload or {}))
    except (TypeError, ValueError) as err:
        raise ValueError(f"job payload for {kind!r} is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise ValueError(f"job payload for {kind!r} must be a JSON object, not {type(data).__name__}")
    values: dict[str, Any] = {
        "kind": kind, "payload": data, "status": QUEUED, "attempts": 0,
        "max_attempts": max_attempts if max_attempts is not None else 5,
        "run_after": aware(run_after) or clock.now(), "created_at": clock.now(), "dedupe_key": dedupe_key,
    }
    if values["max_attempts"] < 1:
        raise ValueError("max_attempts must be at least 1")
    if dedupe_key is None:
        job = Job(**values)
        db.session.add(job)
        return job
    job_id = db.session.execute(_insert_unless_active(values)).scalar_one_or_none()
    return db.session.get(Job, job_id) if job_id is not None else None


def _insert_unless_active(values: dict):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    return (insert(Job).values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"], index_where=text(ACTIVE_WHERE))
            .returning(Job.id))


def schedule_periodic(at: datetime | None = None) -> list[Job]:
    """Queue the periodic jobs (once, however many workers): `quizzes.close_overdue` for the
    next minute boundary, `cohorts.deadline_reminders` for the next hour boundary.

    The dedupe key keeps one queued or running copy; the run time on the boundary means each
    runs at most once a minute (an hour) even when many workers call this. Commits.
    """
    moment = aware(at) or clock.now()
    next_minute = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    next_hour = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    queued = [enqueue("quizzes.close_overdue", {}, run_after=next_minute,
                      dedupe_key=PERIODIC_CLOSE_OVERDUE_KEY, max_attempts=3),
              enqueue("cohorts.deadline_reminders", {}, run_after=next_hour,
                      dedupe_key=PERIODIC_DEADLINE_REMINDERS_KEY, max_attempts=3)]
    db.session.commit()
    return [job for job in queued if job is not None]


def purge_finished(older_than: timedelta = timedelta(days=7)) -> int:
    """Delete `done` jobs finished before `older_than` ago (failed ones stay to be read). Commits."""
    result = db.session.execute(delete(Job).where(
        Job.status == DONE, Job.finished_at < clock.now() - older_than))
    db.session.commit()
    return result.rowcount or 0


# --------------------------------------------------------------------------- run


def run_pending(limit: int | None = None, worker_id: str | None = None, *,
                should_stop: Callable[[], bool] | None = None) -> int:
    """Run due jobs one at a time until none is due, `limit` ran or `should_stop()`; returns how many.

    Never raises because of a job (its error is recorded); raises only if the database itself
    fails, leaving any claimed job `running` to be reclaimed later.
    """
    worker_id = worker_id or new_worker_id()
    reclaim_stuck()
    ran = 0
    while (limit is None or ran < limit) and not (should_stop and should_stop()):
        job_id = _claim_next(worker_id)
        if job_id is None:
            break
        _run_claimed(job_id, worker_id)
        ran += 1
    return ran


def reclaim_stuck() -> int:
    """Requeue (or fail, if out of attempts) jobs whose worker stopped answering. Commits."""
    now = clock.now()
    stale = now - stuck_after()
    # A row claimed before heartbeats existed has none: its claim time stands in.
    last_sign = func.coalesce(Job.heartbeat_at, Job.locked_at)
    rows = db.session.execute(
        select(Job.id, Job.attempts, Job.max_attempts, Job.locked_by)
        .where(Job.status == RUNNING, last_sign < stale)
        .order_by(Job.id).with_for_update(skip_locked=True)).all()
    reclaimed = 0
    for job_id, attempts, max_attempts, locked_by in rows:
        message = (f"reclaimed at {now:%Y-%m-%d %H:%M:%S} UTC: worker {locked_by} sent no "
                   f"heartbeat for {stuck_after()} (killed, or its machine lost)")
        values: dict[str, Any] = {"locked_by": None, "locked_at": None, "heartbeat_at": None,
                                  "last_error": message}
        if attempts >= max_attempts:
            values.update(status=FAILED, finished_at=now)
        else:
            values.update(status=QUEUED, run_after=now)
        result = db.session.execute(update(Job).where(
            Job.id == job_id, Job.status == RUNNING, last_sign < stale).values(**values))
        if result.rowcount:
            reclaimed += 1
            log.warning("job %s: %s", job_id, message)
    db.session.commit()
    return reclaimed


def _claim_next(worker_id: str) -> int | None:
    """Move the oldest due job to `running` for this worker and commit; its id, or None."""
    for _try in range(5):  # SQLite only: another worker may win the same row between read and write
        now = clock.now()
        # FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's compiler leaves the clause out.
        job_id = db.session.scalar(
            select(Job.id).where(Job.status == QUEUED, Job.run_after <= now)
            .order_by(Job.run_after, Job.id).limit(1).with_for_update(skip_locked=True))
        if job_id is None:
            db.session.commit()
            return None
        result = db.session.execute(
            update(Job).where(Job.id == job_id, Job.status == QUEUED)
            .values(status=RUNNING, locked_by=worker_id, locked_at=now, heartbeat_at=now,
                    attempts=Job.attempts + 1))
        db.session.commit()
        if result.rowcount:
            return job_id
    return None


def _owned(job_id: int, worker_id: str):
    """WHERE clause: the job is still ours (not reclaimed by another worker meanwhile)."""
    return (Job.id == job_id) & (Job.status == RUNNING) & (Job.locked_by == worker_id)


def _run_claimed(job_id: int, worker_id: str) -> None:
    job = db.session.get(Job, job_id)
    kind, payload, attempts = job.kind, dict(job.payload or {}), job.attempts
    try:
        handler = registry.get(kind)
    except UnknownJobKind as err:
        _record_failure(job_id, worker_id, f"UnknownJobKind: {err}", permanent=True)
        return
    log.info("job %s %s: attempt %s started by %s", job_id, kind, attempts, worker_id)
    try:
        with Heartbeat(job_id, worker_id):
            handler(payload)
        # The handler's uncommitted work and the done mark commit together.
        result = db.session.execute(update(Job).where(_owned(job_id, worker_id))
                                    .values(status=DONE, finished_at=clock.now(), locked_by=None,
                                            locked_at=None, heartbeat_at=None, last_error=None))
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - a job's failure must never stop the worker
        db.session.rollback()
        text_ = "".join(traceback.format_exception(exc)).strip()
        _record_failure(job_id, worker_id, text_, permanent=isinstance(exc, PermanentJobError))
        return
    if not result.rowcount:
        log.warning("job %s %s finished, but another worker had reclaimed it meanwhile", job_id, kind)
    else:
        log.info("job %s %s: done", job_id, kind)


def heartbeat(job_id: int, worker_id: str, connection=None) -> bool:
    """Stamp `heartbeat_at` on a job this worker still holds; False once it holds it no more
    (reclaimed by another worker). On `connection` (committed there), else in the session."""
    statement = update(Job).where(_owned(job_id, worker_id)).values(heartbeat_at=clock.now())
    if connection is not None:
        result = connection.execute(statement)
        connection.commit()
    else:
        result = db.session.execute(statement)
        db.session.commit()
    return bool(result.rowcount)


def _own_connections(engine) -> bool:
    """False for SQLite in memory, where every session shares one connection: a beat from
    another thread would commit the handler's unfinished work."""
    return not (engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"))


class Heartbeat:
    """While a handler runs: a daemon thread stamps the job every `JOB_HEARTBEAT_SECONDS` on a
    connection of its own (never the handler's transaction), and stops at the end of the block,
    before the job is marked done. A failed beat (the database restarting, a SQLite file locked
    by the handler's own writes) is logged at debug level and retried at the next tick; the job
    is taken back only after `JOB_HEARTBEAT_TIMEOUT_SECONDS` without any."""

    def __init__(self, job_id: int, worker_id: str) -> None:
        self.job_id, self.worker_id = job_id, worker_id
        self.every = heartbeat_every()
        self.engine = db.engine
        self.beats = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.every > 0 and _own_connections(self.engine):
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"heartbeat-job-{self.job_id}")
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.engine.connect() as connection:
                    if not heartbeat(self.job_id, self.worker_id, connection):
                        log.warning("job %s: taken back from worker %s while it ran",
                                    self.job_id, self.worker_id)
                        return
                self.beats += 1
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next tick
                log.debug("job %s: heartbeat failed: %s", self.job_id, exc)


def _record_failure(job_id: int, worker_id: str, error: str, *, permanent: bool) -> None:
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None:  # deleted meanwhile (by hand): nothing to record
        db.session.rollback()
        return
    now = clock.now()
    if len(error) > ERROR_MAX_CHARS:
        error = error[: ERROR_MAX_CHARS // 4] + "\n...\n" + error[-ERROR_MAX_CHARS * 3 // 4:]
    values: dict[str, Any] = {"last_error": error, "locked_by": None, "locked_at": None,
                              "heartbeat_at": None}
    if permanent or job.attempts >= job.max_attempts:
        values.update(status=FAILED, finished_at=now)
        log.error("job %s %s failed for good after %s attempt(s): %s", job_id, job.kind,
                  job.attempts, error.splitlines()[-1] if error else "")
    else:
        retry_at = now + backoff(job.attempts)
        values.update(status=QUEUED, run_after=retry_at)
        log.warning("job %s %s failed (attempt %s of %s), retry at %s: %s", job_id, job.kind,
                    job.attempts, job.max_attempts, f"{retry_at:%H:%M:%S}",
                    error.splitlines()[-1] if error else "")
    db.session.execute(update(Job).where(_owned(job_id, worker_id)).values(**values))
    db.session.commit()


# --------------------------------------------------------------------------- reading


@dataclass
class JobStats:
    counts: dict[str, int]  # every status, zero included
    due: int  # queued and due now (a growing number means the workers fall behind)
    recent_failures: list[Job] = field(default_factory=list)


def stats(failures: int = 10) -> JobStats:
    counts = dict.fromkeys(JOB_STATUSES, 0)
    counts.update(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    due = db.session.scalar(select(func.count()).select_from(Job).where(
        Job.status == QUEUED, Job.run_after <= clock.now())) or 0
    recent = list(db.session.scalars(select(Job).where(Job.status == FAILED)
                                     .order_by(Job.finished_at.desc(), Job.id.desc()).limit(failures)))
    return JobStats(counts=counts, due=due, recent_failures=recent)
