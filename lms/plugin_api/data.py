"""What a plugin may read and write beyond its hooks: plain copies of quizzes, attempts,
responses and jobs; background jobs; audit records; the transaction around its own work.

Plugins never get ORM objects or the database session: reads return frozen dataclasses with
fresh JSON values, and writes go through the functions here (or `plugin_settings`), committed
with `transaction()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from lms.jobs.queries import JobView, jobs_of_kind
from lms.quizzes.queries import AttemptView, QuizView, current_quiz, quiz_attempt, quiz_responses

__all__ = ["AttemptView", "JobView", "QuizView", "audit_record", "current_quiz", "enqueue",
           "jobs_of_kind", "quiz_attempt", "quiz_responses", "transaction"]


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the work of the block (settings `set`, `enqueue`, `audit_record`, ...) as one
    transaction when it ends; roll everything back and re-raise if it raises.

    Use it in event handlers (which run after the learner's work was committed) and in a
    plugin's own pages and commands.
    """
    from lms.extensions import db

    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def enqueue(kind: str, payload: dict | None = None, *, run_after: datetime | None = None,
            dedupe_key: str | None = None, max_attempts: int | None = None) -> bool:
    """Queue the job `kind` (a registered handler) with a JSON `payload` in the caller's
    transaction; it runs once that commits. False when `dedupe_key` names a job already queued
    or running (nothing is added), else True. `max_attempts` defaults to 5."""
    from lms.jobs.services import enqueue as _enqueue

    job = _enqueue(kind, payload, run_after=run_after, dedupe_key=dedupe_key,
                   max_attempts=max_attempts)
    return job is not None


def audit_record(action: str, *, actor: Any, scope: str, target: str = "",
                 detail: dict | None = None) -> None:
    """Add an audit-log row to the caller's transaction: `action` is `<plugin>.<what>`,
    `actor` the user (or user id, or None for the system), `scope` `plugin:<name>` for the
    plugin's own settings (or `course:<slug>` / `cohort:<id>` for work on those), `target`
    the object, `detail` small JSON values (never secrets)."""
    from lms import audit

    audit.record(action, actor=actor, scope=scope, target=target, detail=detail)
