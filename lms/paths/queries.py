"""Read-only queries for learning-path pages, each a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms import clock
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.learning.progress import Progress, progress_for, progress_matrix
from lms.paths.models import LearningPath, LearningPathCourse


@dataclass
class PathView:
    """A path with its courses in order and one learner's progress in each (empty for guests)."""

    path: LearningPath
    courses: list[Course]
    progress: dict[int, Progress]

    @property
    def total(self) -> int:
        return len(self.courses)

    @property
    def completed(self) -> list[Course]:
        return [c for c in self.courses if self.progress[c.id].completed]

    @property
    def remaining(self) -> list[Course]:
        return [c for c in self.courses if not self.progress[c.id].completed]

    @property
    def completed_count(self) -> int:
        return len(self.completed)

    @property
    def hours(self) -> int:
        return sum(c.hours for c in self.courses)

    @property
    def started(self) -> bool:
        return any(self.progress[c.id].enrolled or self.progress[c.id].completed
                   for c in self.courses)

    @property
    def percent(self) -> int:
        return (self.completed_count * 100) // self.total if self.total else 0


@dataclass
class NextStep:
    """What comes after a completed course in one path that holds it: the next course the
    learner has not completed (after it in the path's order, else the first one left), or None
    when the whole path is completed."""

    path: LearningPath
    course: Course | None


def next_step(view: PathView, course_id: int) -> NextStep | None:
    """The next step of `view`'s learner after `course_id` (None if the path lacks the course)."""
    ids = [c.id for c in view.courses]
    if course_id not in ids:
        return None
    at = ids.index(course_id)
    ahead = view.courses[at + 1:] + view.courses[:at]
    left = [c for c in ahead if not view.progress[c.id].completed]
    return NextStep(view.path, left[0] if left else None)


def _with_courses():
    return (selectinload(LearningPath.entries).joinedload(LearningPathCourse.course)
            .joinedload(Course.current_version))


def path_by_slug(slug: str) -> LearningPath | None:
    return db.session.scalar(select(LearningPath).options(_with_courses())
                             .where(LearningPath.slug == slug))


def all_paths() -> list[LearningPath]:
    return list(db.session.scalars(select(LearningPath).options(_with_courses())
                                   .order_by(LearningPath.title_id)))


_PATHS_FOR_COURSE = (  # built once: the course page runs it on every view
    select(LearningPath).join(LearningPathCourse, LearningPathCourse.path_id == LearningPath.id)
    .where(LearningPathCourse.course_id == bindparam("course_id"))
    .order_by(LearningPath.title_id))


def paths_for_course(course_id: int) -> list[LearningPath]:
    """The paths a course belongs to (for the "Part of the path" line on the course page)."""
    return list(db.session.scalars(_PATHS_FOR_COURSE, {"course_id": course_id}))


def path_view(path: LearningPath, user_id: int | None) -> PathView:
    """The path's courses and the learner's progress in all of them, in one progress_for call."""
    courses = [entry.course for entry in path.entries]
    return PathView(path, courses, progress_for(user_id, courses))


def started_paths(user_id: int) -> list[PathView]:
    """Paths in which the learner is enrolled in (or has completed) at least one course."""
    started = (select(LearningPathCourse.path_id)
               .join(Enrollment, Enrollment.course_id == LearningPathCourse.course_id)
               .where(Enrollment.user_id == user_id,
                      or_(Enrollment.status == "active", Enrollment.completed_at.is_not(None))))
    paths = list(db.session.scalars(select(LearningPath).options(_with_courses())
                                    .where(LearningPath.id.in_(started))
                                    .order_by(LearningPath.title_id)))
    if not paths:
        return []
    courses = {entry.course.id: entry.course for path in paths for entry in path.entries}
    progress = progress_for(user_id, list(courses.values()))
    return [PathView(path, [entry.course for entry in path.entries], progress) for path in paths]


@dataclass
class LearnerOverview:
    """What Beranda shows of a learner's own courses and paths (`learner_overview`)."""

    enrollments: dict[int, Enrollment]  # by course id, every status
    courses: dict[int, Course]  # the enrolled courses and the courses of the started paths
    progress: dict[int, Progress]
    paths: list[PathView]

    def active_courses(self) -> list[Course]:
        """Courses (with a current version) with an active enrolment, most recently active
        first."""
        active = [e for e in self.enrollments.values() if e.status == "active"
                  and self.courses[e.course_id].current_version_id is not None]
        active.sort(key=lambda e: clock.aware(e.enrolled_at) or _EPOCH, reverse=True)
        active.sort(key=lambda e: (e.last_activity_at is None,
                                   -(clock.aware(e.last_activity_at) or _EPOCH).timestamp()))
        return [self.courses[e.course_id] for e in active]

    @property
    def completed_course_ids(self) -> set[int]:
        return {cid for cid, e in self.enrollments.items() if e.completed_at is not None}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def learner_overview(user_id: int) -> LearnerOverview:
    """The learner's enrolments, the paths they started (with every course of them) and their
    progress in all those courses, in TWO queries (the outlines come from the per-version
    cache): one for the courses, enrolments and path entries, one for the learner's rows."""
    rows = db.session.execute(_LEARNER_OVERVIEW, {"user_id": user_id}).all()
    courses: dict[int, Course] = {}
    enrollments: dict[int, Enrollment] = {}
    entries: dict[int, list[LearningPathCourse]] = {}
    for course, enrollment, entry in rows:
        courses[course.id] = course
        if enrollment is not None:
            enrollments[course.id] = enrollment
        if entry is not None:
            entries.setdefault(entry.path_id, []).append(entry)
    progress = progress_for_known(user_id, list(courses.values()), enrollments)
    paths = []
    for path_entries in entries.values():
        path_entries.sort(key=lambda e: e.position)
        paths.append(PathView(path_entries[0].path, [courses[e.course_id] for e in path_entries],
                              progress))
    paths.sort(key=lambda v: v.path.title_id)
    return LearnerOverview(enrollments, courses, progress, paths)


def _learner_overview_statement():
    """Built once (building it cost as much as running it); `user_id` is bound per call."""
    user_id = bindparam("user_id")
    started = (select(LearningPathCourse.path_id)
               .join(Enrollment, Enrollment.course_id == LearningPathCourse.course_id)
               .where(Enrollment.user_id == user_id,
                      or_(Enrollment.status == "active", Enrollment.completed_at.is_not(None))))
    return (select(Course, Enrollment, LearningPathCourse)
            .options(joinedload(LearningPathCourse.path))
            .outerjoin(Enrollment, (Enrollment.course_id == Course.id)
                       & (Enrollment.user_id == user_id))
            .outerjoin(LearningPathCourse, (LearningPathCourse.course_id == Course.id)
                       & LearningPathCourse.path_id.in_(started))
            .where(or_(Enrollment.id.is_not(None), LearningPathCourse.id.is_not(None))))


_LEARNER_OVERVIEW = _learner_overview_statement()


def progress_for_known(user_id: int, courses: list[Course],
                       enrollments: dict[int, Enrollment]) -> dict[int, Progress]:
    """`progress_for` with the learner's enrolments already read (by course id)."""
    matrix = progress_matrix([user_id], courses, enrollments={
        (user_id, cid): e for cid, e in enrollments.items()})
    return {c.id: matrix[(user_id, c.id)] for c in courses}


def next_steps(user_id: int, course_id: int) -> list[NextStep]:
    """What comes next in every path holding the course, for the completion moment on the
    course and review pages (a fixed number of queries, whatever the paths hold)."""
    holding = select(LearningPathCourse.path_id).where(LearningPathCourse.course_id == course_id)
    paths = list(db.session.scalars(select(LearningPath).options(_with_courses())
                                    .where(LearningPath.id.in_(holding))
                                    .order_by(LearningPath.title_id)))
    if not paths:
        return []
    courses = {entry.course.id: entry.course for path in paths for entry in path.entries}
    progress = progress_for(user_id, list(courses.values()))
    views = [PathView(path, [entry.course for entry in path.entries], progress) for path in paths]
    return [step for view in views if (step := next_step(view, course_id)) is not None]
