"""Learning paths: an ordered list of courses that together lead to a certification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.courses.models import Course
from lms.extensions import db


class LearningPath(db.Model):
    """A path identified by its slug, as imported from `paths/<slug>.toml`."""

    __tablename__ = "learning_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    version_label: Mapped[str] = mapped_column(String(60))
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    # What the certification needs beyond the courses: {"id": [...], "en": [...]}.
    requirements: Mapped[dict] = mapped_column(JSON, default=dict)
    # sha256 of the path file: re-importing the same file changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500), default="")
    # The role given to a learner who completes every course of the path (`grants_role` in the
    # path file, e.g. "facilitator"); None: the path grants no role.
    grants_role: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)

    entries: Mapped[list[LearningPathCourse]] = relationship(
        back_populates="path", order_by="LearningPathCourse.position",
        cascade="all, delete-orphan")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_id

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" and self.summary_en else self.summary_id

    def requirement_list(self, locale: str) -> list[str]:
        reqs = self.requirements or {}
        if locale == "en" and reqs.get("en"):
            return list(reqs["en"])
        return list(reqs.get("id") or [])


class LearningPathCourse(db.Model):
    """A course in a path, at its place in the recommended order (1-based)."""

    __tablename__ = "learning_path_courses"
    __table_args__ = (UniqueConstraint("path_id", "course_id"),
                      UniqueConstraint("path_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    path: Mapped[LearningPath] = relationship(back_populates="entries")
    course: Mapped[Course] = relationship()
