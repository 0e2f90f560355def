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

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, bindparam, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock, l10n
from lms.auth.models import User
from lms.extensions import db
from lms.i18n import gettext as _

GRADED = "graded"
COHORT_ADDED = "cohort_added"
COHORT_INVITED = "cohort_invited"
DEADLINE_SOON = "deadline_soon"
# Certificates handled by hand (to the admins, and to the holder): params actor, holder,
# course, code, reason.
CERT_ISSUED = "certificate_issued_by_hand"
CERT_REVOKED = "certificate_revoked"
CERT_REISSUED = "certificate_reissued"
CERT_REQUESTED = "certificate_requested"
CERT_REQUEST_DECIDED = "certificate_request_decided"  # + params approved (bool)
MY_CERT_ISSUED = "my_certificate_issued"
MY_CERT_REVOKED = "my_certificate_revoked"
# A learner completed a course and its certificate was issued (params course, code; url: the
# course page). While unread, Beranda shows it as the completion moment (certificate links and
# what comes next in the learning path); marking it read dismisses it.
COURSE_COMPLETED = "course_completed"


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
    raw = params
    params = {k: _in_language(v) for k, v in params.items()}
    if kind == GRADED and raw.get("score") is not None:
        params["score"] = l10n.percent(raw["score"])  # "9,5%" / "9.5%" in the reader's language
    if kind == DEADLINE_SOON and raw.get("deadline"):
        params["deadline"] = l10n.date_text(raw["deadline"])
    if kind == GRADED and not params.get("score"):
        return _("Your answer in “%(quiz)s” has been graded.", quiz=params.get("quiz", ""))
    if kind == GRADED:
        return _("Your answer in “%(quiz)s” has been graded: %(score)s.",
                 quiz=params.get("quiz", ""), score=params.get("score", ""))
    if kind == COHORT_INVITED:
        return _("You are invited to join the cohort “%(cohort)s”: accept or decline it on your "
                 "home page.", cohort=params.get("cohort", ""))
    if kind == COHORT_ADDED:
        return _("You were added to the cohort “%(cohort)s”.", cohort=params.get("cohort", ""))
    if kind == DEADLINE_SOON:
        return _("Reminder: the deadline of “%(course)s” (cohort %(cohort)s) is %(date)s.",
                 course=params.get("course", ""), cohort=params.get("cohort", ""),
                 date=params.get("deadline", ""))
    if kind == CERT_ISSUED:
        return _("%(actor)s issued certificate %(code)s by hand to %(holder)s for “%(course)s”. "
                 "Reason: %(reason)s", **_cert(params))
    if kind == CERT_REVOKED:
        return _("%(actor)s revoked certificate %(code)s of %(holder)s (“%(course)s”). "
                 "Reason: %(reason)s", **_cert(params))
    if kind == CERT_REISSUED:
        return _("%(actor)s re-issued certificate %(code)s of %(holder)s (“%(course)s”). "
                 "Reason: %(reason)s", **_cert(params))
    if kind == CERT_REQUESTED:
        return _("%(actor)s asks to issue a certificate to %(holder)s for “%(course)s”; it needs "
                 "an administrator's approval. Reason: %(reason)s", **_cert(params))
    if kind == CERT_REQUEST_DECIDED and params.get("approved"):
        return _("%(actor)s approved your request: certificate %(code)s was issued to "
                 "%(holder)s for “%(course)s”.", **_cert(params))
    if kind == CERT_REQUEST_DECIDED:
        return _("%(actor)s did not approve your request for a certificate for %(holder)s "
                 "(“%(course)s”): %(reason)s", **_cert(params))
    if kind == MY_CERT_ISSUED:
        return _("You received the certificate for “%(course)s” (%(code)s).", **_cert(params))
    if kind == COURSE_COMPLETED:
        return _("Congratulations! You completed “%(course)s” and your certificate %(code)s has "
                 "been issued.", course=params.get("course", ""), code=params.get("code", ""))
    if kind == MY_CERT_REVOKED:
        return _("Your certificate %(code)s for “%(course)s” was revoked: %(reason)s",
                 **_cert(params))
    return str(params.get("text") or kind)


def _cert(params: dict) -> dict:
    return {key: params.get(key, "") for key in ("actor", "holder", "course", "code", "reason")}


def notify(user_id: int, kind: str, params: dict | None = None, url: str | None = None,
           *, email: bool = False) -> Notification:
    """Add a notification to the current transaction (the caller commits). With `email`, the
    background worker also mails it to the person, in their language (`notifications.email`)."""
    row = Notification(user_id=user_id, kind=kind, params=dict(params or {}), url=url)
    db.session.add(row)
    if email:
        from lms.jobs.services import enqueue

        db.session.flush()
        enqueue(EMAIL_JOB, {"notification_id": row.id}, dedupe_key=f"{EMAIL_JOB}:{row.id}")
    return row


def notify_admins(kind: str, params: dict, url: str | None = None, *,
                  except_user_id: int | None = None, email: bool = True) -> int:
    """Notify every active administrator (but the one who acted), by dashboard and email."""
    from lms.auth.models import Role

    admin_ids = db.session.scalars(select(User.id).where(
        User.role == Role.ADMIN.value, User.active.is_(True))).all()
    sent = 0
    for admin_id in admin_ids:
        if admin_id != except_user_id:
            notify(admin_id, kind, params, url, email=email)
            sent += 1
    return sent


EMAIL_JOB = "notifications.email"


def send_email(notification_id: int) -> bool:
    """The `notifications.email` job: mail one notification in its reader's language."""
    from flask import current_app
    from flask_babel import force_locale

    from lms.mail import send_mail

    row = db.session.get(Notification, notification_id)
    user = db.session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        return False
    with force_locale(user.locale or "id"):
        text = row.text
        subject = _("Pelita: %(text)s", text=text if len(text) <= 70 else text[:69] + "…")
        link = current_app.config["BASE_URL"] + (row.url or "/")
        send_mail(user.email, subject, f"{text}\n\n{link}\n")
    return True


_UNREAD = (  # built once: Beranda runs it on every view
    select(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(bindparam("limit")))


def unread(user: User | int, limit: int = 20) -> list[Notification]:
    """The user's unread notifications, newest first (one query)."""
    user_id = user if isinstance(user, int) else user.id
    return list(db.session.scalars(_UNREAD, {"user_id": user_id, "limit": limit}))


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
