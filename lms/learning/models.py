"""What learners did: enrolments and completed modules. Never deleted by a content import."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class Enrollment(db.Model):
    """A learner's place in a course. Un-enrolling keeps the row (and all progress)."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | withdrawn
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The content version the learner completed (a later version never un-completes them).
    completed_version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"))
    last_module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def active(self) -> bool:
        return self.status == "active"


class ModuleCompletion(db.Model):
    """A learner marked a module as done. One row per learner and module, whatever the version."""

    __tablename__ = "module_completions"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
