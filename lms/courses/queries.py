"""Read-only queries for course pages, each a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lms.courses.models import Course, Module, ModuleVersion, PackFile, QuizVersion
from lms.extensions import db


@dataclass(frozen=True)
class SyllabusItem:
    """A module in the current version, without its body (for lists and navigation)."""

    module_id: int
    slug: str
    position: int
    title: str
    title_en: str | None
    minutes: int
    objectives: list

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


def published_courses(area: str | None = None, q: str | None = None) -> list[Course]:
    stmt = (select(Course).options(joinedload(Course.current_version))
            .where(Course.status == "published", Course.current_version_id.is_not(None))
            .order_by(Course.title_id))
    if area:
        stmt = stmt.where(Course.area == area)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Course.title_id).like(like),
                              func.lower(Course.title_en).like(like)))
    return list(db.session.scalars(stmt).unique())


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).options(joinedload(Course.current_version))
                             .where(Course.slug == slug, Course.current_version_id.is_not(None)))


def syllabus(course: Course) -> list[SyllabusItem]:
    """The modules of the current version in order, without their bodies."""
    rows = db.session.execute(
        select(ModuleVersion.module_id, Module.slug, ModuleVersion.position, ModuleVersion.title,
               ModuleVersion.title_en, ModuleVersion.minutes, ModuleVersion.objectives)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.version_id == course.current_version_id)
        .order_by(ModuleVersion.position))
    return [SyllabusItem(*row) for row in rows]


def module_page(course: Course, module_slug: str) -> ModuleVersion | None:
    return db.session.scalar(
        select(ModuleVersion).options(joinedload(ModuleVersion.module))
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.version_id == course.current_version_id, Module.slug == module_slug))


def quizzes_of(course: Course) -> list[QuizVersion]:
    """Every quiz of the current version (module quizzes, final, practical)."""
    return list(db.session.scalars(
        select(QuizVersion).options(joinedload(QuizVersion.quiz))
        .where(QuizVersion.version_id == course.current_version_id)
        .order_by(QuizVersion.id)))


def locked_modules(items: list[SyllabusItem], done: set[int], sequential: bool) -> set[int]:
    """Module ids a learner cannot open yet: with sequential unlock, those after the first
    module not yet done. Modules already done always stay open."""
    if not sequential:
        return set()
    locked: set[int] = set()
    blocked = False
    for item in items:
        if blocked and item.module_id not in done:
            locked.add(item.module_id)
        if item.module_id not in done:
            blocked = True
    return locked


def media_paths(course: Course) -> list[str]:
    """The pack paths of the current version's media files (`media/...`), in path order."""
    return list(db.session.scalars(
        select(PackFile.path)
        .where(PackFile.version_id == course.current_version_id, PackFile.path.like("media/%"))
        .order_by(PackFile.path)))
