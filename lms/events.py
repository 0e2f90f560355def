"""Learning events: blinker signals that fire only after the transaction that caused them commits.

Services call `emit_after_commit(signal, **data)` inside their transaction. The event waits in
`session.info` until the session's outermost transaction commits; a rollback (or a session closed
without commit) drops it, so a handler never hears of work that did not happen. The queued events
are sent once that transaction has ended, so a handler may use `db.session` (and commit its own
work, e.g. `enqueue()` a job) as in any request.

Every event is sent with the Flask app as sender and plain keyword data (ints, strings, floats,
booleans, None; times as ISO 8601 strings) — never ORM objects. The data of each event is listed
in `EVENT_DATA` and in docs/plugins.md. Each handler runs on its own: one that raises is logged
with its traceback and neither the request nor the other handlers notice.

Connect with the app as sender and a strong reference, e.g. in a plugin's `init_app(app)`::

    course_completed.connect(on_completed, sender=app, weak=False)
"""

from __future__ import annotations

import logging
from typing import Any

from blinker import Namespace, Signal
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("pelita.events")

learning_events = Namespace()

user_registered = learning_events.signal("user-registered", doc="A participant account was created.")
enrolled = learning_events.signal("enrolled", doc="A learner enrolled (or re-enrolled) in a course.")
module_completed = learning_events.signal("module-completed", doc="A learner marked a module done.")
quiz_attempt_submitted = learning_events.signal(
    "quiz-attempt-submitted", doc="A quiz attempt was submitted (by the learner or the deadline).")
quiz_attempt_graded = learning_events.signal(
    "quiz-attempt-graded", doc="A quiz attempt received its final grade (or a new one on re-grade).")
course_completed = learning_events.signal("course-completed", doc="A learner completed a course.")
certificate_issued = learning_events.signal(
    "certificate-issued", doc="A certificate was issued (on completion or by a trainer).")
certificate_revoked = learning_events.signal("certificate-revoked", doc="An admin revoked a certificate.")
certificate_reissued = learning_events.signal(
    "certificate-reissued", doc="An admin replaced a certificate with a new one.")
cohort_created = learning_events.signal(
    "cohort-created", doc="A trainer or admin created a cohort (angkatan).")
cohort_member_joined = learning_events.signal(
    "cohort-member-joined", doc="A person accepted an invitation and joined a cohort.")

# In-transaction hooks: sent INSIDE a writer's transaction, so a receiver's work commits or rolls
# back with it. They let a lower area ask a higher one to react without importing it (the courses
# importer does not know the learning area; the learning area listens). Not for plugins: a
# receiver that raises aborts the writer's transaction.
writer_hooks = Namespace()
course_version_imported = writer_hooks.signal(
    "course-version-imported",
    doc="A pack import added a new current version of a course (data: course_id).")

course_credential_gained = writer_hooks.signal(
    "course-credential-gained",
    doc="A learner completed a course or received its certificate (data: user_id, course_id): "
        "the cascade checks whether a learning path now grants them a role.")

# Event name -> the keys its data always carries (documented in docs/plugins.md).
EVENT_DATA: dict[str, tuple[str, ...]] = {
    "user-registered": ("user_id", "role", "locale", "library_level", "province_code",
                        "regency_code"),
    "enrolled": ("user_id", "course_id", "course_slug", "reenrolled"),
    "module-completed": ("user_id", "course_id", "course_slug", "module_id", "module_slug"),
    "quiz-attempt-submitted": ("user_id", "attempt_id", "attempt_number", "quiz_id", "quiz_slug",
                               "course_id", "closed_by"),
    "quiz-attempt-graded": ("user_id", "attempt_id", "attempt_number", "quiz_id", "quiz_slug",
                            "course_id", "score", "points", "max_points", "graded_by_id"),
    "course-completed": ("user_id", "course_id", "course_slug", "course_version_id",
                         "completed_at", "score"),
    "certificate-issued": ("certificate_id", "code", "user_id", "course_id", "course_slug",
                           "issued_by_id", "reason"),
    "certificate-revoked": ("certificate_id", "code", "user_id", "course_id", "course_slug",
                            "revoked_by_id", "reason"),
    "certificate-reissued": ("certificate_id", "code", "previous_certificate_id", "previous_code",
                             "user_id", "course_id", "course_slug", "reissued_by_id", "reason"),
    "cohort-created": ("cohort_id", "name", "created_by_id", "starts_on", "ends_on",
                       "course_ids", "course_slugs", "trainer_ids"),
    "cohort-member-joined": ("cohort_id", "user_id"),
}

ALL_SIGNALS: tuple[Signal, ...] = (
    user_registered, enrolled, module_completed, quiz_attempt_submitted, quiz_attempt_graded,
    course_completed, certificate_issued, certificate_revoked, certificate_reissued,
    cohort_created, cohort_member_joined,
)

_PENDING = "pelita_events_pending"  # queued in the open transaction
_READY = "pelita_events_ready"  # committed, waiting for the transaction to end
_SENDING = "pelita_events_sending"


def emit_after_commit(signal: Signal, **data: Any) -> None:
    """Queue `signal` with `data` on the current session; sent after its transaction commits."""
    from lms.extensions import db

    session = db.session()
    if not session.in_transaction():  # the event belongs to a transaction: start it now
        session.begin()
    session.info.setdefault(_PENDING, []).append((signal, dict(data), _sender()))


def _sender() -> Any:
    return current_app._get_current_object() if has_app_context() else None


def send(signal: Signal, sender: Any, data: dict, session: Session | None = None) -> None:
    """Call every receiver of `signal` for `sender`; one that raises is logged and skipped.

    With `session`, the uncommitted work of a failed handler is rolled back so the next handler
    (and the rest of the request) starts clean.
    """
    for receiver in list(signal.receivers_for(sender)):
        try:
            receiver(sender, **data)
        except Exception:
            log.exception("handler %r of event %r failed", receiver, signal.name)
            if session is not None:
                session.rollback()


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: its outer transaction decides
        return
    session.info.pop(_PENDING, None)  # the root ended without committing these
    if session.info.get(_SENDING):  # a handler committed: the outer loop sends what it queued
        return
    session.info[_SENDING] = True
    try:
        while session.info.get(_READY):
            ready = session.info.pop(_READY)
            for signal, data, sender in ready:
                send(signal, sender, data, session)
    finally:
        session.info.pop(_SENDING, None)


def _install() -> None:
    for name, fn in (("after_commit", _after_commit), ("after_rollback", _after_rollback),
                     ("after_transaction_end", _after_transaction_end)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


_install()
