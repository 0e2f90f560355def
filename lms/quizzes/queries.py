"""Reading quizzes, attempts, answers and grades (no writes). The question-type registry is
reached through `registry()`, here only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, undefer

from lms import clock
from lms.auth.models import User
from lms.courses.models import Course, ModuleVersion, Quiz, QuizVersion
from lms.courses.queries import SyllabusItem, outline, outlines
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes import uploads
from lms.quizzes.models import (
    IN_PROGRESS,
    SUBMITTED,
    QuestionResponse,
    QuizAttempt,
    ResponseFile,
    RubricScore,
)
from lms.quizzes.registry import QuestionTypeRegistry
from lms.quizzes.rules import review_moment, rules_of
from lms.quizzes.setup import question_types


def grace() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("QUIZ_GRACE_SECONDS", 60)))


def registry() -> QuestionTypeRegistry:
    """The question types (`lms.quizzes.setup.question_types`)."""
    return question_types()


def current_version(quiz: Quiz) -> QuizVersion | None:
    """The quiz as it is in its course's current version (None if removed from the course)."""
    course = db.session.get(Course, quiz.course_id)
    if course is None or course.current_version_id is None:
        return None
    return db.session.scalar(
        select(QuizVersion).where(
            QuizVersion.quiz_id == quiz.id, QuizVersion.version_id == course.current_version_id
        )
    )


# Built once (the attempt page runs it on every view; building it cost a third of running it).
_ATTEMPT_FOR_PAGE = (
    select(QuizAttempt, Course)
    .options(joinedload(QuizAttempt.quiz), joinedload(QuizAttempt.quiz_version))
    .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
    .join(Course, Course.id == Quiz.course_id)
    .where(QuizAttempt.id == bindparam("attempt_id")))


def attempt_for_page(attempt_id: int) -> tuple[QuizAttempt | None, Course | None]:
    """An attempt with its quiz and quiz version, and the quiz's course, in one query (the
    attempt page)."""
    row = db.session.execute(_ATTEMPT_FOR_PAGE, {"attempt_id": attempt_id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def current_item(attempt: QuizAttempt, course: Course):
    """The attempt's quiz as it is in its course's current version, from the cached outline
    (`lms.courses.queries.QuizItem`: settings, kind, title, module), or None if it was removed.
    No query once the version's outline is cached."""
    if course.current_version_id is None:
        return None
    return next((q for q in outline(course).quizzes if q.quiz_id == attempt.quiz_id), None)


def module_item(version_id: int, module_id: int | None) -> SyllabusItem | None:
    """A module as it is in a course version, from the cached outline (breadcrumbs)."""
    if module_id is None:
        return None
    found = outlines([version_id]).get(version_id)
    return next((i for i in found.items if i.module_id == module_id), None) if found else None


def module_of(version: QuizVersion) -> ModuleVersion | None:
    """The module a quiz belongs to, as it is in the quiz's course version (None for a quiz of
    the whole course, such as the final exam): the breadcrumbs lead back to it."""
    if version.module_id is None:
        return None
    return db.session.scalar(
        select(ModuleVersion).options(joinedload(ModuleVersion.module))
        .where(ModuleVersion.version_id == version.version_id,
               ModuleVersion.module_id == version.module_id))


def attempts_of(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.number)
        )
    )


def in_progress_attempt(user_id: int, quiz_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status == IN_PROGRESS,
        )
    )


def is_enrolled(user: User, course_id: int) -> bool:
    return (
        db.session.scalar(
            select(Enrollment.id).where(
                Enrollment.user_id == user.id,
                Enrollment.course_id == course_id,
                Enrollment.status == "active",
            )
        )
        is not None
    )


def definitions(version: QuizVersion) -> dict[str, dict]:
    """Question definitions of a version by id."""
    return {str(q.get("id")): q for q in version.questions if isinstance(q, dict)}


def attempt_questions(attempt: QuizAttempt) -> list[tuple[int, dict, list[str] | None]]:
    """(position, definition as shown, option order) for each question of the attempt."""
    defs = definitions(attempt.quiz_version)
    out = []
    for pos, item in enumerate(attempt.layout.get("questions", [])):
        q = defs.get(str(item["id"]))
        if q is not None:
            out.append((pos, q, item.get("order")))
    return out


def deadline_passed(attempt: QuizAttempt, at: datetime | None = None) -> bool:
    """True once the deadline plus the grace period is over (saves are refused)."""
    deadline = clock.aware(attempt.deadline_at)
    return deadline is not None and (at or clock.now()) > deadline + grace()


# Built once: the attempt page and every save read them (`attempt_id` bound per call).
_SAVED_RESPONSES = select(QuestionResponse).where(
    QuestionResponse.attempt_id == bindparam("attempt_id"))
_RESPONSE_FILES = (select(ResponseFile).where(ResponseFile.attempt_id == bindparam("attempt_id"))
                   .order_by(ResponseFile.uploaded_at, ResponseFile.id))


def saved_responses(attempt: QuizAttempt) -> dict[str, QuestionResponse]:
    return {r.question_id: r
            for r in db.session.scalars(_SAVED_RESPONSES, {"attempt_id": attempt.id})}


def upload_max_bytes() -> int:
    """The largest file a learner may upload (config `QUIZ_UPLOAD_MAX_BYTES`, default 5 MB)."""
    return int(current_app.config.get("QUIZ_UPLOAD_MAX_BYTES", uploads.DEFAULT_MAX_BYTES))


def size_text(size: int) -> str:
    """A file size for people: "5 MB", "1.2 MB", "340 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def accepts_uploads(q: Any) -> bool:
    """True for an essay question with `allow_upload = true`."""
    return isinstance(q, dict) and q.get("type") == "essay" and q.get("allow_upload") is True


def response_files(attempt: QuizAttempt) -> dict[str, list[ResponseFile]]:
    """The attempt's uploaded files by question id, oldest first (their bytes not loaded)."""
    out: dict[str, list[ResponseFile]] = {}
    for row in db.session.scalars(_RESPONSE_FILES, {"attempt_id": attempt.id}):
        out.setdefault(row.question_id, []).append(row)
    return out


def file_counts(attempt: QuizAttempt) -> dict[str, int]:
    """How many files each question of the attempt has."""
    rows = db.session.execute(
        select(ResponseFile.question_id, func.count(ResponseFile.id))
        .where(ResponseFile.attempt_id == attempt.id)
        .group_by(ResponseFile.question_id)
    ).all()
    return {qid: n for qid, n in rows}


def response_file(attempt: QuizAttempt, file_id: int, *, with_data: bool = False) -> ResponseFile | None:
    """One file of the attempt (None if it belongs to another attempt or does not exist)."""
    query = select(ResponseFile).where(
        ResponseFile.id == file_id, ResponseFile.attempt_id == attempt.id
    )
    if with_data:
        query = query.options(undefer(ResponseFile.data))
    return db.session.scalar(query)


def _waiting_for_grade(viewer: User):
    """The WHERE of the grading queue: answers waiting that `viewer` may grade."""
    from lms import access

    return (QuizAttempt.status == SUBMITTED,
            QuestionResponse.state == "needs_grading",
            QuestionResponse.manual_points.is_(None),
            QuizAttempt.user_id != viewer.id,
            access.oversees_clause(viewer, QuizAttempt.user_id, Quiz.course_id))


def grading_queue_count(viewer: User) -> int:
    """How many answers wait in `viewer`'s grading queue (as `grading_queue`). One query."""
    return db.session.scalar(
        select(func.count(QuestionResponse.id))
        .join(QuizAttempt, QuestionResponse.attempt_id == QuizAttempt.id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(*_waiting_for_grade(viewer))) or 0


def cohort_grading_count_column(viewer: User, cohort_id: int):
    """How many answers wait in `viewer`'s grading queue for one cohort (as `len(grading_queue(
    viewer, cohort=...))`), as a scalar subquery to read along with the cohort (its overview)."""
    from lms.cohorts.models import CohortCourse, CohortMember

    return (select(func.count(QuestionResponse.id))
            .join(QuizAttempt, QuestionResponse.attempt_id == QuizAttempt.id)
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(*_waiting_for_grade(viewer),
                   QuizAttempt.user_id.in_(select(CohortMember.user_id).where(
                       CohortMember.cohort_id == cohort_id, CohortMember.accepted_at.is_not(None))),
                   Quiz.course_id.in_(select(CohortCourse.course_id).where(
                       CohortCourse.cohort_id == cohort_id)))
            .correlate(None).scalar_subquery())


def grading_queue(viewer: User, *, cohort=None) -> list[tuple[QuizAttempt, QuestionResponse]]:
    """Answers waiting for a grade that `viewer` may grade (lms/access.py: the trainers of the
    learner's cohort, the course's editors for learners outside cohorts, admins), oldest
    submission first; with `cohort`, only its joined members' work in its courses. One query,
    learners and quiz versions loaded with it."""
    from sqlalchemy.orm import joinedload

    query = (
        select(QuizAttempt, QuestionResponse)
        .join(QuestionResponse, QuestionResponse.attempt_id == QuizAttempt.id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(*_waiting_for_grade(viewer))
        .options(joinedload(QuizAttempt.user), joinedload(QuizAttempt.quiz_version))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id, QuestionResponse.id)
    )
    if cohort is not None:
        from lms.cohorts.models import CohortCourse, CohortMember

        query = query.where(
            QuizAttempt.user_id.in_(select(CohortMember.user_id).where(
                CohortMember.cohort_id == cohort.id, CohortMember.accepted_at.is_not(None))),
            Quiz.course_id.in_(select(CohortCourse.course_id).where(
                CohortCourse.cohort_id == cohort.id)))
    return [(a, r) for a, r in db.session.execute(query).unique().all()]


def question_definition(attempt: QuizAttempt, question_id: str) -> dict | None:
    """The definition that grades `question_id` for this attempt."""
    version = attempt.graded_version or attempt.quiz_version
    return definitions(version).get(question_id) or definitions(attempt.quiz_version).get(
        question_id
    )


def review_options(
    attempt: QuizAttempt, at: datetime | None = None, *, version: QuizVersion | None = None,
    attempts_used: int | None = None,
) -> frozenset[str]:
    """What the learner may see of this attempt now (quiz setting `review`).

    The settings come from the quiz's current version; pass it as `version` when it is already
    loaded, and `attempts_used` when the learner's attempts are (a page listing many attempts),
    to save queries per attempt.
    """
    version = version or current_version(attempt.quiz) or attempt.quiz_version
    r = rules_of(version)
    if attempts_used is None and r.attempts:
        attempts_used = db.session.scalar(select(func.max(QuizAttempt.number)).where(
            QuizAttempt.user_id == attempt.user_id, QuizAttempt.quiz_id == attempt.quiz_id))
    return r.review[review_moment(attempt, r, at, attempts_used=attempts_used or 0)]


def rubric_scores(response_id: int) -> RubricScore | None:
    """The per-criterion scores an answer was graded with (None if graded with one score)."""
    return db.session.scalar(select(RubricScore).where(RubricScore.response_id == response_id))


# --------------------------------------------------------------------------- plain reads
# Frozen copies for code that must not hold ORM objects (plugins, through `lms.plugins`): the
# question definitions and responses are fresh JSON values, never the session's own.


@dataclass(frozen=True)
class QuizView:
    """A quiz as its course's current version has it. `version_id` is None (and `questions`
    empty) when the quiz is no longer in the course's current version."""

    id: int
    slug: str
    course_id: int
    version_id: int | None
    kind: str
    titles: dict[str, str]
    settings: dict[str, Any]
    questions: tuple[dict, ...]

    def title(self, locale: str) -> str:
        """The title in `locale`, else in Indonesian, else the slug."""
        return self.titles.get(locale) or self.titles.get("id") or self.slug


@dataclass(frozen=True)
class AttemptView:
    """One attempt at a quiz with its saved responses ({question id: response})."""

    id: int
    user_id: int
    quiz_id: int
    number: int
    status: str  # in_progress | submitted | graded
    started_at: datetime
    submitted_at: datetime | None
    graded_at: datetime | None
    closed_by: str | None  # "learner" | "deadline" | None while in progress
    score: float | None  # percent, 0-100
    points: float | None
    max_points: float | None
    question_ids: tuple[str, ...]
    responses: dict[str, Any]


def current_quiz(quiz_id: int) -> QuizView | None:
    """The quiz in its course's current version, or None if no such quiz (one query)."""
    row = db.session.execute(
        select(Quiz.id, Quiz.slug, Quiz.course_id, QuizVersion.version_id, QuizVersion.kind,
               QuizVersion.title, QuizVersion.settings, QuizVersion.questions)
        .select_from(Quiz)
        .outerjoin(Course, Course.id == Quiz.course_id)
        .outerjoin(QuizVersion, (QuizVersion.quiz_id == Quiz.id)
                   & (QuizVersion.version_id == Course.current_version_id))
        .where(Quiz.id == quiz_id)).first()
    if row is None:
        return None
    return QuizView(
        id=row.id, slug=row.slug, course_id=row.course_id, version_id=row.version_id,
        kind=row.kind or "", titles=dict(row.title or {}), settings=dict(row.settings or {}),
        questions=tuple(q for q in (row.questions or []) if isinstance(q, dict)))


def quiz_attempt(attempt_id: int) -> AttemptView | None:
    """An attempt and its saved responses, or None (two queries)."""
    row = db.session.execute(select(
        QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number,
        QuizAttempt.status, QuizAttempt.started_at, QuizAttempt.submitted_at,
        QuizAttempt.graded_at, QuizAttempt.closed_by, QuizAttempt.score, QuizAttempt.points,
        QuizAttempt.max_points, QuizAttempt.layout,
    ).where(QuizAttempt.id == attempt_id)).first()
    if row is None:
        return None
    responses = dict(db.session.execute(
        select(QuestionResponse.question_id, QuestionResponse.response)
        .where(QuestionResponse.attempt_id == attempt_id)).all())
    return AttemptView(
        id=row.id, user_id=row.user_id, quiz_id=row.quiz_id, number=row.number,
        status=row.status, started_at=clock.aware(row.started_at),
        submitted_at=clock.aware(row.submitted_at), graded_at=clock.aware(row.graded_at),
        closed_by=row.closed_by, score=row.score, points=row.points, max_points=row.max_points,
        question_ids=tuple(str(item["id"]) for item in (row.layout or {}).get("questions", [])),
        responses=responses)


def quiz_responses(quiz_id: int, question_ids: list[str], *,
                   viewer: User | None = None) -> dict[str, list[Any]]:
    """Per question id: the response of each learner's latest finished attempt (one query).

    Only attempts that were submitted count (not ones in progress); an attempt that left the
    question blank counts as no answer. With `viewer`, only the learners whose work the viewer
    oversees (lms/access.py: a cohort trainer sees their own members, editors the learners
    outside cohorts, admins everyone).
    """
    from lms import access

    wanted = [str(q) for q in question_ids]
    if not wanted:
        return {}
    query = (
        select(QuestionResponse.question_id, QuizAttempt.user_id, QuestionResponse.response)
        .join(QuestionResponse, QuestionResponse.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.status != IN_PROGRESS,
               QuestionResponse.question_id.in_(wanted))
        .order_by(QuizAttempt.user_id, QuizAttempt.number.desc()))
    if viewer is not None:
        course_id = select(Quiz.course_id).where(Quiz.id == quiz_id).scalar_subquery()
        query = query.where(access.oversees_clause(viewer, QuizAttempt.user_id, course_id))
    latest: dict[tuple[str, int], Any] = {}
    for question_id, user_id, response in db.session.execute(query).all():
        latest.setdefault((question_id, user_id), response)
    out: dict[str, list[Any]] = {q: [] for q in wanted}
    for (question_id, _user_id), response in latest.items():
        if response is not None:
            out[question_id].append(response)
    return out


def overseen_learners(viewer: User, course_id: int, learner_ids: set[int]) -> set[int]:
    """Which of `learner_ids` the viewer oversees in the course (lms/access.py), in one query."""
    from sqlalchemy import literal

    from lms import access

    if not learner_ids:
        return set()
    return set(db.session.scalars(select(User.id).where(
        User.id.in_(learner_ids),
        access.oversees_clause(viewer, User.id, literal(course_id)))))


def media_base(attempt: QuizAttempt, course: Course | None = None) -> str | None:
    """Where the media of the attempt's course version are served ("/courses/<slug>/v<id>/");
    `course`: the attempt's course when the caller has it."""
    version = attempt.quiz_version
    slug = course.slug if course is not None else db.session.scalar(
        select(Course.slug).where(Course.id == attempt.quiz.course_id))
    if version is None or not slug:
        return None
    return f"/courses/{slug}/v{version.version_id}/"
