"""Notifications shown on a learner's dashboard (graded work, added to a cohort).

`notify()` adds a row to the caller's transaction, so a notification exists exactly when the
change it announces was committed. The text is stored as a `kind` plus plain `params` and
translated when shown, so each person reads it in their own language; a param that is itself
language-dependent (a quiz title) is stored as {"id": ..., "en": ...}.

Kinds: "graded" (params quiz, score — None until every answer of the attempt is graded),
"cohort_added" (params cohort) and "deadline_soon" (params cohort, course, deadline and
cohort_course: sent once per member, cohort course and deadline by the periodic
`cohorts.deadline_reminders` job, which reads these params to never send it twice). The dashboard
also lists upcoming deadlines, read from the learner's cohorts each time.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.auth.models import User
from lms.extensions import db

GRADED = "graded"
COHORT_ADDED = "cohort_added"
DEADLINE_SOON = "deadline_soon"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def text(self) -> str:
        return message(self.kind, self.params or {})


def _in_language(value) -> str:
    """A plain string, or {"id": ..., "en": ...} shown in the current language."""
    if isinstance(value, dict):
        from flask_babel import get_locale

        return str(value.get(str(get_locale())) or value.get("id") or "")
    return str(value or "")


def message(kind: str, params: dict) -> str:
    """The translated sentence of a notification."""
    params = {k: _in_language(v) for k, v in params.items()}
    if kind == GRADED and not params.get("score"):
        return _("Your answer in “%(quiz)s” has been graded.", quiz=params.get("quiz", ""))
    if kind == GRADED:
        return _("Your answer in “%(quiz)s” has been graded: %(score)s.",
                 quiz=params.get("quiz", ""), score=params.get("score", ""))
    if kind == COHORT_ADDED:
        return _("You were added to the cohort “%(cohort)s”.", cohort=params.get("cohort", ""))
    if kind == DEADLINE_SOON:
        return _("Reminder: the deadline of “%(course)s” (cohort %(cohort)s) is %(date)s.",
                 course=params.get("course", ""), cohort=params.get("cohort", ""),
                 date=params.get("deadline", ""))
    return str(params.get("text") or kind)


def notify(user_id: int, kind: str, params: dict | None = None, url: str | None = None) -> Notification:
    """Add a notification to the current transaction (the caller commits)."""
    row = Notification(user_id=user_id, kind=kind, params=dict(params or {}), url=url)
    db.session.add(row)
    return row


def unread(user: User | int, limit: int = 20) -> list[Notification]:
    """The user's unread notifications, newest first (one query)."""
    user_id = user if isinstance(user, int) else user.id
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(user: User | int) -> int:
    user_id = user if isinstance(user, int) else user.id
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user: User | int, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of the user as read; returns how many."""
    user_id = user if isinstance(user, int) else user.id
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    count = db.session.execute(query.values(read_at=clock.now())
                               .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count
