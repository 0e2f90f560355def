"""The authoring workspace of a course.

A `CourseDraft` is the working copy of one course's pack: a set of `DraftFile`s (path -> bytes),
exactly the files a pack folder would hold. Editors change files; publishing runs the pack loader
over the files and imports them as a new `CourseVersion`, so anything authored in the browser is a
pack the loader accepts, and export/import round-trips by construction. After publishing, the
workspace stays (equal to the published version) and is the base for the next edits.

Each `DraftFile` carries a `revision` (SQLAlchemy's version counter): a save states the revision it
was based on and is refused when someone saved the file since (optimistic locking).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.extensions import db


class CourseDraft(db.Model):
    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The slug of the course this draft publishes to (its course.toml `slug`).
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    # The published version the files started from (None for a course never published).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class DraftFile(db.Model):
    __tablename__ = "draft_files"
    __table_args__ = (UniqueConstraint("draft_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("course_drafts.id", ondelete="CASCADE"),
                                          index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": revision}


class CourseEditor(db.Model):
    """A trainer who may edit and publish a course (admins may edit every course)."""

    __tablename__ = "course_editors"
    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("course_drafts.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    user: Mapped[User] = relationship()
