"""Reading the job table (no writes): plain copies of jobs for pages that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms import clock
from lms.extensions import db
from lms.jobs.models import Job


@dataclass(frozen=True)
class JobView:
    """One job as it stands: queued, running, done or failed."""

    id: int
    kind: str
    payload: dict
    status: str  # queued | running | done | failed
    attempts: int
    max_attempts: int
    created_at: datetime
    run_after: datetime
    finished_at: datetime | None
    last_error: str | None


def jobs_of_kind(kind: str, limit: int = 50) -> list[JobView]:
    """The newest jobs of one kind, whatever their status, newest first (one query)."""
    rows = db.session.execute(
        select(Job.id, Job.kind, Job.payload, Job.status, Job.attempts, Job.max_attempts,
               Job.created_at, Job.run_after, Job.finished_at, Job.last_error)
        .where(Job.kind == kind).order_by(Job.id.desc()).limit(max(0, int(limit))))
    return [JobView(id=r.id, kind=r.kind, payload=dict(r.payload or {}), status=r.status,
                    attempts=r.attempts, max_attempts=r.max_attempts,
                    created_at=clock.aware(r.created_at), run_after=clock.aware(r.run_after),
                    finished_at=clock.aware(r.finished_at), last_error=r.last_error)
            for r in rows]
