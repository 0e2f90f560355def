"""Reads for the report pages, aggregated in SQL, each in a constant number of queries however
many participants, attempts or weeks there are.

Progress comes from `lms.learning.progress.progress_matrix` (the one progress rule); a quiz's
grade across attempts from `lms.quizzes.rules.grade_of` and whether it passes from
`lms.quizzes.rules.quiz_passed` (the one grading rule, which progress uses too). Callers have
already checked the access rule (`manage_cohort`) and pass the cohort's joined members only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload, load_only

from lms import clock, regions
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.courses.models import Module, ModuleVersion, Quiz, QuizVersion
from lms.extensions import db
from lms.learning.models import Enrollment, ModuleCompletion
from lms.learning.progress import progress_matrix
from lms.quizzes.models import (
    GRADED,
    SUBMITTED,
    QuestionResponse,
    QuizAttempt,
    ResponseFile,
    RubricScore,
)
from lms.quizzes.rules import QuizRules, grade_of, pass_threshold, quiz_passed
from lms.reports.dashboard import ISSUED, NONE, REVOKED, CourseCell, Row

KIND_ORDER = {"module": 0, "final": 1, "practical": 2}


# --------------------------------------------------------------------------- quizzes and grades


@dataclass(frozen=True)
class QuizColumn:
    """A quiz of one of the cohort's courses (its current version)."""

    quiz_id: int
    course_id: int
    kind: str
    title: dict
    slug: str
    settings: dict
    grading: str  # highest | average | first | last
    pass_mark: float  # the grade it needs: its pass mark raised by the course's completion rule

    def display_title(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("id") or self.slug


@dataclass
class Cell:
    """One participant's grade at one quiz, by the quiz's grading method."""

    grade: float | None = None
    passed: bool = False
    needs_grading: bool = False  # an attempt submitted and waiting for a trainer's grade
    attempts: int = 0  # finished attempts

    @property
    def failed(self) -> bool:
        return self.grade is not None and not self.passed


def _completion_rule(course) -> dict:
    version = course.current_version
    return version.manifest.get("completion", {}) if version else {}


def quiz_columns(courses: list) -> list[QuizColumn]:
    """The quizzes of the courses' current versions: by course, then module quizzes in module
    order, the final test, the practical assignment. One query."""
    by_version = {c.current_version_id: c for c in courses if c.current_version_id}
    if not by_version:
        return []
    position = {c.id: i for i, c in enumerate(courses)}
    rows = db.session.execute(
        select(QuizVersion.version_id, QuizVersion.quiz_id, QuizVersion.kind, QuizVersion.title,
               QuizVersion.settings, Quiz.slug, ModuleVersion.position)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .outerjoin(ModuleVersion, and_(ModuleVersion.version_id == QuizVersion.version_id,
                                       ModuleVersion.module_id == QuizVersion.module_id))
        .where(QuizVersion.version_id.in_(list(by_version)))).all()
    columns = []
    for row in rows:
        course = by_version[row.version_id]
        settings = row.settings or {}
        columns.append((
            (position[course.id], KIND_ORDER.get(row.kind, 3), row.position or 0, row.slug),
            QuizColumn(quiz_id=row.quiz_id, course_id=course.id, kind=row.kind,
                       title=row.title or {}, slug=row.slug, settings=settings,
                       grading=QuizRules.of(settings).grading,
                       pass_mark=pass_threshold(row.kind, settings, _completion_rule(course)))))
    return [c for _key, c in sorted(columns, key=lambda pair: pair[0])]


def grade_cells(user_ids: list[int], columns: list[QuizColumn],
                courses: list) -> dict[tuple[int, int], Cell]:
    """(user id, quiz id) -> Cell for every participant and quiz, from one query of the
    attempts' numbers, states and scores (grades by `rules.grade_of`, passing by
    `rules.quiz_passed`, as the progress rule does)."""
    cells = {(u, c.quiz_id): Cell() for u in user_ids for c in columns}
    if not user_ids or not columns:
        return cells
    attempts: dict[tuple[int, int], list] = defaultdict(list)
    for row in db.session.execute(
            select(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number,
                   QuizAttempt.status, QuizAttempt.score)
            .where(QuizAttempt.user_id.in_(user_ids),
                   QuizAttempt.quiz_id.in_([c.quiz_id for c in columns]))
            .order_by(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number)):
        attempts[(row.user_id, row.quiz_id)].append(row)
    rules = {c.id: _completion_rule(c) for c in courses}
    for column in columns:
        for user_id in user_ids:
            rows = attempts.get((user_id, column.quiz_id), [])
            cell = cells[(user_id, column.quiz_id)]
            cell.attempts = sum(1 for a in rows if a.status in (SUBMITTED, GRADED))
            cell.needs_grading = any(a.status == SUBMITTED for a in rows)
            cell.grade = grade_of(rows, column.grading)
            cell.passed = quiz_passed(column.kind, column.settings,
                                      rules.get(column.course_id, {}), cell.grade)
    return cells


# --------------------------------------------------------------------------- the dashboard


def last_activity(user_ids: list[int], course_ids: list[int],
                  quiz_ids: list[int]) -> dict[int, datetime]:
    """user id -> the latest of their enrolments' `last_activity_at` in the courses and of
    their attempts' starts, saves and submissions at the quizzes. Two grouped queries."""
    latest: dict[int, datetime] = {}

    def keep(user_id: int, *values) -> None:
        for value in values:
            value = clock.aware(value)
            if value is not None and (user_id not in latest or value > latest[user_id]):
                latest[user_id] = value

    if not user_ids or not course_ids:
        return latest
    for user_id, at in db.session.execute(
            select(Enrollment.user_id, func.max(Enrollment.last_activity_at))
            .where(Enrollment.user_id.in_(user_ids), Enrollment.course_id.in_(course_ids))
            .group_by(Enrollment.user_id)):
        keep(user_id, at)
    if quiz_ids:
        for user_id, started, saved, submitted in db.session.execute(
                select(QuizAttempt.user_id, func.max(QuizAttempt.started_at),
                       func.max(QuizAttempt.last_saved_at), func.max(QuizAttempt.submitted_at))
                .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.quiz_id.in_(quiz_ids))
                .group_by(QuizAttempt.user_id)):
            keep(user_id, started, saved, submitted)
    return latest


def certificate_status(user_ids: list[int], course_ids: list[int]) -> dict[tuple[int, int], str]:
    """(user id, course id) -> issued (a standing certificate), revoked (only revoked ones) or
    none (absent from the dict). One grouped query."""
    if not user_ids or not course_ids:
        return {}
    standing = and_(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
    rows = db.session.execute(
        select(Certificate.user_id, Certificate.course_id,
               func.sum(case((standing, 1), else_=0)),
               func.sum(case((Certificate.revoked_at.is_not(None), 1), else_=0)))
        .where(Certificate.user_id.in_(user_ids), Certificate.course_id.in_(course_ids))
        .group_by(Certificate.user_id, Certificate.course_id))
    result = {}
    for user_id, course_id, standing_n, revoked_n in rows:
        if standing_n:
            result[(user_id, course_id)] = ISSUED
        elif revoked_n:
            result[(user_id, course_id)] = REVOKED
    return result


def dashboard_rows(members: list, cohort_courses: list, today,
                   progress: dict | None = None) -> tuple[list[Row], list[QuizColumn]]:
    """One `Row` per joined member (`members`: CohortMember rows with their user loaded;
    `cohort_courses`: CohortCourse rows with course and current version loaded), and the quiz
    columns read on the way. A constant number of queries. `progress`: the members'
    `progress_matrix` when the caller has already read it (the API shows it in full)."""
    courses = [cc.course for cc in cohort_courses]
    course_ids = [c.id for c in courses]
    user_ids = [m.user_id for m in members]
    if progress is None:
        progress = progress_matrix(user_ids, courses)
    columns = quiz_columns(courses)
    cells = grade_cells(user_ids, columns, courses)
    activity = last_activity(user_ids, course_ids, [c.quiz_id for c in columns])
    certificates = certificate_status(user_ids, course_ids)
    rows = build_rows(members, cohort_courses, today, progress, columns, cells,
                      activity, certificates)
    return rows, columns


def build_rows(members: list, cohort_courses: list, today, progress: dict, columns: list,
               cells: dict, activity: dict, certificates: dict) -> list[Row]:
    """The rows of one cohort from figures already read (no query): `progress` and `cells` by
    (user id, course/quiz id), `activity` by user id, `certificates` by (user id, course id)."""
    rows = []
    for m in members:
        user = m.user
        row = Row(user_id=user.id, name=user.full_name, email=user.email,
                  library=user.library_name or "", regency_code=user.regency_code or "",
                  regency=regions.name(user.regency_code) if user.regency_code else "",
                  joined_at=clock.aware(m.accepted_at), last_activity=activity.get(user.id))
        for cc in cohort_courses:
            p = progress[(user.id, cc.course_id)]
            row.courses.append(CourseCell(
                course_id=cc.course_id, percent=p.percent, completed=p.completed,
                overdue=bool(cc.deadline and cc.deadline < today and not p.completed),
                certificate=certificates.get((user.id, cc.course_id), NONE)))
            row.quizzes_passed += p.quizzes_passed
            passed = p.passed_quiz_ids
            row.quizzes_failed += sum(
                1 for c in columns if c.course_id == cc.course_id
                and cells[(user.id, c.quiz_id)].failed and c.quiz_id not in passed)
        rows.append(row)
    return rows


def activity_by_course(user_ids: list[int], course_ids: list[int],
                       columns: list[QuizColumn]) -> dict[tuple[int, int], datetime]:
    """(user id, course id) -> the latest activity there (as `last_activity`, kept apart per
    course so several cohorts with different courses can be read at once). Two grouped
    queries."""
    latest: dict[tuple[int, int], datetime] = {}

    def keep(key, *values) -> None:
        for value in values:
            value = clock.aware(value)
            if value is not None and (key not in latest or value > latest[key]):
                latest[key] = value

    if not user_ids or not course_ids:
        return latest
    for user_id, course_id, at in db.session.execute(
            select(Enrollment.user_id, Enrollment.course_id, func.max(Enrollment.last_activity_at))
            .where(Enrollment.user_id.in_(user_ids), Enrollment.course_id.in_(course_ids))
            .group_by(Enrollment.user_id, Enrollment.course_id)):
        keep((user_id, course_id), at)
    course_of = {c.quiz_id: c.course_id for c in columns}
    if course_of:
        for user_id, quiz_id, started, saved, submitted in db.session.execute(
                select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.started_at),
                       func.max(QuizAttempt.last_saved_at), func.max(QuizAttempt.submitted_at))
                .where(QuizAttempt.user_id.in_(user_ids),
                       QuizAttempt.quiz_id.in_(list(course_of)))
                .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)):
            keep((user_id, course_of[quiz_id]), started, saved, submitted)
    return latest


def weekly_module_completions(user_ids: list[int], course_ids: list[int],
                              bounds: list[datetime]) -> list[int]:
    """How many modules of the courses the participants completed in each interval
    [bounds[i], bounds[i+1]) — one query, one SUM(CASE ...) per interval (portable SQL)."""
    if len(bounds) < 2:
        return []
    if not user_ids or not course_ids:
        return [0] * (len(bounds) - 1)
    at = ModuleCompletion.completed_at
    sums = [func.coalesce(func.sum(case((and_(at >= lo, at < hi), 1), else_=0)), 0)
            for lo, hi in zip(bounds, bounds[1:], strict=False)]
    row = db.session.execute(
        select(*sums).select_from(ModuleCompletion)
        .join(Module, Module.id == ModuleCompletion.module_id)
        .where(ModuleCompletion.user_id.in_(user_ids), Module.course_id.in_(course_ids))).one()
    return [int(v or 0) for v in row]


# --------------------------------------------------------------------------- one participant


@dataclass
class ModuleDone:
    course_id: int
    title: str
    title_en: str | None
    completed_at: datetime | None

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


@dataclass
class Record:
    """One participant's work in the cohort's courses."""

    modules: list[ModuleDone] = field(default_factory=list)
    attempts: list = field(default_factory=list)  # QuizAttempt, by quiz column then number
    files: dict[int, list] = field(default_factory=dict)  # attempt id -> ResponseFile (no data)
    feedback: list = field(default_factory=list)  # QuestionResponse graded by hand
    rubric: dict[int, list] = field(default_factory=dict)  # response id -> criterion scores
    certificates: list = field(default_factory=list)  # Certificate, newest first


def participant_record(user_id: int, courses: list, columns: list[QuizColumn]) -> Record:
    """Modules (done or not, with dates), every attempt, evidence files, hand-given grades and
    comments with rubric scores, certificates. A constant number of queries."""
    record = Record()
    by_version = {c.current_version_id: c.id for c in courses if c.current_version_id}
    if by_version:
        for row in db.session.execute(
                select(ModuleVersion.version_id, ModuleVersion.title, ModuleVersion.title_en,
                       ModuleCompletion.completed_at)
                .outerjoin(ModuleCompletion, and_(
                    ModuleCompletion.module_id == ModuleVersion.module_id,
                    ModuleCompletion.user_id == user_id))
                .where(ModuleVersion.version_id.in_(list(by_version)))
                .order_by(ModuleVersion.version_id, ModuleVersion.position)):
            record.modules.append(ModuleDone(by_version[row.version_id], row.title, row.title_en,
                                             clock.aware(row.completed_at)))
        order = {c.id: i for i, c in enumerate(courses)}
        record.modules.sort(key=lambda m: order[m.course_id])  # stable: module order kept
    quiz_order = {c.quiz_id: i for i, c in enumerate(columns)}
    if quiz_order:
        attempts = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user_id,
                                      QuizAttempt.quiz_id.in_(list(quiz_order)))).all()
        record.attempts = sorted(attempts, key=lambda a: (quiz_order[a.quiz_id], a.number))
    attempt_ids = [a.id for a in record.attempts]
    if attempt_ids:
        for f in db.session.scalars(
                select(ResponseFile).options(load_only(
                    ResponseFile.id, ResponseFile.attempt_id, ResponseFile.question_id,
                    ResponseFile.filename, ResponseFile.size))
                .where(ResponseFile.attempt_id.in_(attempt_ids))
                .order_by(ResponseFile.id)):
            record.files.setdefault(f.attempt_id, []).append(f)
        record.feedback = list(db.session.scalars(
            select(QuestionResponse).options(joinedload(QuestionResponse.graded_by))
            .where(QuestionResponse.attempt_id.in_(attempt_ids),
                   QuestionResponse.manually_graded_at.is_not(None))
            .order_by(QuestionResponse.manually_graded_at, QuestionResponse.id)))
        if record.feedback:
            for score in db.session.scalars(select(RubricScore).where(
                    RubricScore.response_id.in_([r.id for r in record.feedback]))):
                record.rubric[score.response_id] = score.scores
    if courses:
        record.certificates = list(db.session.scalars(
            select(Certificate).where(Certificate.user_id == user_id,
                                      Certificate.course_id.in_([c.id for c in courses]))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))
    return record


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)
