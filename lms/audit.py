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

from lms.auth.models import User, utcnow
from lms.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_scope_at", "scope", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
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


def history(scope: str, limit: int = 100) -> list[AuditEvent]:
    """The newest events of one scope, with their actors loaded (one query)."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.scope == scope)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
