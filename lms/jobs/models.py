"""The job table: background work that any number of workers drain safely.

Written only by `lms.jobs.services`. A job is `queued` until a worker claims it (`running`,
`locked_by`/`locked_at` say which worker and since when, `heartbeat_at` when that worker last
said it is still at it), then `done`, or back to `queued` with a
later `run_after` after a failure, or `failed` once `max_attempts` is used up. `dedupe_key`
names "the same work": a partial unique index allows one queued or running job per key, so
enqueuing it twice is a no-op while a finished job does not block new ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
JOB_STATUSES = (QUEUED, RUNNING, DONE, FAILED)
ACTIVE_STATUSES = (QUEUED, RUNNING)  # the states in which a dedupe_key is taken

# One SQL text for the index predicate and for ON CONFLICT (PostgreSQL matches them literally).
ACTIVE_WHERE = "status IN ('queued', 'running')"


class Job(db.Model):
    """One unit of background work: a registered handler name and its JSON payload."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        # The claim query: due queued jobs, oldest first; and stuck running ones.
        Index("ix_jobs_status_run_after", "status", "run_after"),
        Index("uq_jobs_active_dedupe_key", "dedupe_key", unique=True,
              sqlite_where=text(ACTIVE_WHERE), postgresql_where=text(ACTIVE_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))  # a name registered with @job_handler
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a worker started it
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Stamped at the claim and every JOB_HEARTBEAT_SECONDS while the job runs; a running job
    # whose stamp is older than JOB_HEARTBEAT_TIMEOUT_SECONDS lost its worker and is taken back.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} attempts={self.attempts}>"
