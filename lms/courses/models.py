"""Courses and their content versions.

Identity and history are split: a `Course`, `Module` or `Quiz` row is the stable identity (slug)
that learners' progress and attempts point to; every import of changed sources creates a
`CourseVersion` with its own `ModuleVersion` and `QuizVersion` rows. Nothing a learner did is ever
attached to a version row that could disappear, so re-importing never loses progress.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.extensions import db


class Course(db.Model):
    """A course identified by its slug; display fields mirror the current version."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, name="fk_courses_current_version_id")
    )
    status: Mapped[str] = mapped_column(String(20), default="published")  # published | archived
    # Denormalised from the current version so the catalogue is a single query.
    area: Mapped[str] = mapped_column(String(40))
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[int] = mapped_column(Integer, default=0)
    module_count: Mapped[int] = mapped_column(Integer, default=0)
    enrolment: Mapped[str] = mapped_column(String(20), default="open")
    sequential: Mapped[bool] = mapped_column(Boolean, default=False)
    # Marked for replication (course.toml `replication = true`): facilitators may put it in the
    # cohorts they run for village library staff.
    replication: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_id

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" and self.summary_en else self.summary_id


class CourseVersion(db.Model):
    """One imported state of a course's sources, identified by the hash of all its files."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    version_label: Mapped[str] = mapped_column(String(60))
    # Everything course.toml says (completion rule, certificate settings, prerequisites, ...).
    manifest: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class PackBlob(db.Model):
    """File contents, stored once however many versions share them."""

    __tablename__ = "pack_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PackFile(db.Model):
    """A file of a course version, by its path inside the pack (for media and export)."""

    __tablename__ = "pack_files"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(ForeignKey("pack_blobs.sha256"))


class Module(db.Model):
    """The stable identity of a module within its course; progress points here."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))


class ModuleVersion(db.Model):
    """A module as it is in one course version: its place, front matter and rendered HTML."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("version_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    body_html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list] = mapped_column(JSON, default=list)
    word_count: Mapped[int] = mapped_column(Integer, default=0)

    module: Mapped[Module] = relationship()

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


class Quiz(db.Model):
    """The stable identity of a quiz within its course; attempts point here."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))


class QuizVersion(db.Model):
    """A quiz as it is in one course version: settings and question definitions."""

    __tablename__ = "quiz_versions"
    __table_args__ = (UniqueConstraint("version_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    kind: Mapped[str] = mapped_column(String(20))  # module | final | practical
    title: Mapped[dict] = mapped_column(JSON)
    settings: Mapped[dict] = mapped_column(JSON)
    questions: Mapped[list] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship()

    def display_title(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("id") or self.quiz.slug
