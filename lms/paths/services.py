"""Import learning paths into the database (the only code that writes them).

All paths are imported in ONE transaction, after every check: a path that lists a course which is
not imported yet is an error naming those courses, and then nothing is imported. Re-importing an
unchanged file (same content hash) writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lms.content import CoursePackError, Problem
from lms.courses.models import Course
from lms.extensions import db
from lms.paths.loader import PathSource, load_paths
from lms.paths.models import LearningPath, LearningPathCourse

__all__ = ["PathImportResult", "import_paths", "load_paths", "missing_courses"]


@dataclass(frozen=True)
class PathImportResult:
    slug: str
    status: str  # created | updated | unchanged
    courses: int


def missing_courses(paths: Iterable[PathSource]) -> list[Problem]:
    """A problem per path whose courses are not imported yet (they must be imported first)."""
    paths = list(paths)
    wanted = {slug for p in paths for slug in p.courses}
    known = set(db.session.scalars(select(Course.slug).where(
        Course.slug.in_(wanted), Course.current_version_id.is_not(None)))) if wanted else set()
    problems = []
    for path in paths:
        absent = [slug for slug in path.courses if slug not in known]
        if absent:
            problems.append(Problem(
                path.source, path.courses_line,
                "course(s) not imported yet: " + ", ".join(absent)
                + " — import them first (`flask lms import`) or fix `courses`"))
    return problems


def import_paths(paths: list[PathSource]) -> list[PathImportResult]:
    """Import several paths in one transaction; raise CoursePackError if a course is missing."""
    problems = missing_courses(paths)
    if problems:
        raise CoursePackError(problems)
    try:
        course_ids = {slug: course_id for slug, course_id in db.session.execute(
            select(Course.slug, Course.id).where(
                Course.slug.in_({slug for p in paths for slug in p.courses})))}
        results = [_import_one(path, course_ids) for path in paths]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


def _import_one(source: PathSource, course_ids: dict[str, int]) -> PathImportResult:
    path = db.session.scalar(select(LearningPath).where(LearningPath.slug == source.slug))
    if path is not None and path.content_hash == source.content_hash:
        return PathImportResult(source.slug, "unchanged", len(source.courses))
    status = "created" if path is None else "updated"
    if path is None:
        path = LearningPath(slug=source.slug)
        db.session.add(path)
    path.version_label = source.version[:60]
    path.title_id, path.title_en = source.title["id"], source.title["en"]
    path.summary_id, path.summary_en = source.summary.get("id", ""), source.summary.get("en", "")
    path.requirements = {"id": list(source.requirements.get("id", [])),
                         "en": list(source.requirements.get("en", []))}
    path.content_hash = source.content_hash
    path.grants_role = source.grants_role
    path.source = source.source[:500]
    # Replace the course list: delete first so the (path, position) unique key never clashes.
    path.entries.clear()
    db.session.flush()
    path.entries.extend(LearningPathCourse(course_id=course_ids[slug], position=position)
                        for position, slug in enumerate(source.courses, start=1))
    db.session.flush()
    return PathImportResult(source.slug, status, len(source.courses))

