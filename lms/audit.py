"""The audit log: who changed what, when. Services call `record()` inside their transaction, so an
audit row exists exactly when the change it describes was committed.

`action` is a dotted verb ("module.saved", "course.published", "cohort.created",
"cohort.member_added", "plugin.disabled" ...); `target` names the object in a way that stays
readable after the object is gone ("course:literasi-tik", "modules/01-pengenalan.md",
"cohort:12"); `detail` is a small JSON dict (change note, revision, counts), never a password or a
file's contents.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.extensions import db
from lms.i18n import lazy_gettext as _l

# Human labels of every action code in use (grep `audit.record(` and `action=` in lms/ and
# plugins/); pages show `action_label(code)`, which falls back to the code itself.
ACTION_LABELS = {
    "course.created": _l("Created the course"),
    "course.published": _l("Published a version"),
    "course.zip_imported": _l("Imported a zip file"),
    "course.editor_added": _l("Added an editor"),
    "course.editor_removed": _l("Removed an editor"),
    "course.settings_saved": _l("Saved the course settings"),
    "course.archived": _l("Archived the course"),
    "course.unarchived": _l("Brought the course back to the catalogue"),
    "draft.discarded": _l("Discarded the draft changes"),
    "draft.replaced": _l("Replaced the draft files"),
    "file.saved": _l("Saved a file"),
    "file.deleted": _l("Deleted a file"),
    "module.added": _l("Added a module"),
    "module.saved": _l("Saved a module"),
    "module.moved": _l("Moved a module"),
    "module.deleted": _l("Deleted a module"),
    "media.uploaded": _l("Uploaded a media file"),
    "media.deleted": _l("Deleted a media file"),
    "quiz.created": _l("Created a quiz"),
    "quiz.deleted": _l("Deleted a quiz"),
    "quiz.settings_saved": _l("Saved the quiz settings"),
    "quiz.question_saved": _l("Saved a question"),
    "quiz.question_moved": _l("Moved a question"),
    "quiz.question_deleted": _l("Deleted a question"),
    "quiz.questions_imported": _l("Imported questions"),
    "submission.graded": _l("Graded a practical assignment"),
    "quiz.regraded": _l("Re-graded a quiz's attempts"),
    "certificate.issued_manually": _l("Issued a certificate by hand"),
    "certificate.requested": _l("Asked for a certificate to be issued by hand"),
    "certificate.request_rejected": _l("Did not approve a certificate request"),
    "certificate.revoked": _l("Revoked a certificate"),
    "certificate.reissued": _l("Re-issued a certificate"),
    "certificate.settings_changed": _l("Changed the certificate set-up (signatories, stamp, logos)"),
    "certificate.course_settings_changed": _l("Changed the course's certificate set-up "
                                              "(signatories, stamp, logos)"),
    "cohort.created": _l("Created the cohort"),
    "cohort.updated": _l("Changed the cohort"),
    "cohort.deadlines_changed": _l("Changed the cohort deadlines"),
    "cohort.member_added": _l("Added a member to the cohort"),
    "cohort.member_invited": _l("Invited a person to the cohort"),
    "cohort.member_joined": _l("Accepted the invitation and joined the cohort"),
    "cohort.invitation_declined": _l("Declined the invitation to the cohort"),
    "cohort.members_imported": _l("Imported cohort members"),
    "cohort.member_removed": _l("Removed a member from the cohort"),
    "cohort.invitation_renewed": _l("Renewed the cohort invitation"),
    "account.logged_out_everywhere": _l("Logged out of every device"),
    "account.role_changed": _l("Changed a role"),
    "account.role_granted": _l("Gave a role on completing a learning path"),
    "activity.recorded": _l("Recorded a field activity"),
    "activity.updated": _l("Changed a field activity"),
    "activity.confirmed": _l("Confirmed a field activity"),
    "account.deactivated": _l("Deactivated an account"),
    "account.reactivated": _l("Reactivated an account"),
    "account.created": _l("Created an account"),
    "account.token_created": _l("Created an API access token"),
    "account.token_revoked": _l("Revoked an API access token"),
    "plugin.enabled": _l("Enabled a plugin"),
    "plugin.disabled": _l("Disabled a plugin"),
    "report.target_set": _l("Set a programme target"),
    "webhooks.endpoint_added": _l("Added a webhook"),
    "webhooks.endpoint_removed": _l("Removed a webhook"),
    "webhooks.secret_regenerated": _l("Made a new webhook secret"),
    "webhooks.test_queued": _l("Sent a test webhook"),
}


# Labels of the values an event's detail records as "from" and "to" (account roles and states);
# pages show `value_label(value)`, which falls back to the value itself.
VALUE_LABELS = {
    "participant": _l("Participant (peserta)"),
    "trainer": _l("Master trainer"),
    "admin": _l("Administrator"),
    "active": _l("Active"),
    "inactive": _l("Deactivated"),
}


def value_label(value) -> str:
    """The translated label of a recorded value (a role, an account state), or the value."""
    label = VALUE_LABELS.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else str(value)


def action_label(action: str) -> str:
    """The translated label of an action code, or the code itself when it has none."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_scope_at", "scope", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    # What the event belongs to, for per-course / per-cohort history pages:
    # "course:<slug>", "cohort:<id>", "plugin:<name>", "site".
    scope: Mapped[str] = mapped_column(String(120), default="site")
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(action: str, *, actor: User | int | None, scope: str = "site", target: str = "",
           detail: dict | None = None) -> AuditEvent:
    """Add an audit row to the current transaction (the caller commits)."""
    actor_id = actor if isinstance(actor, int) or actor is None else actor.id
    event = AuditEvent(action=action, actor_id=actor_id, scope=scope[:120], target=target[:500],
                       detail=dict(detail or {}))
    db.session.add(event)
    return event


def history(scope: str | None, limit: int = 100) -> list[AuditEvent]:
    """The newest events of one scope (None: of every scope), with their actors loaded (one
    query)."""
    from sqlalchemy.orm import joinedload

    query = select(AuditEvent)
    if scope is not None:
        query = query.where(AuditEvent.scope == scope)
    return list(db.session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
