"""Grading: every question of an attempt automatically, an answer by hand (one score, or one
per rubric criterion), and re-grading a quiz after its key changed. The only code that writes
grades; manual grading is one audited entry point (`grade_answer`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms import access, audit, clock, events, notifications
from lms.auth.models import User
from lms.courses.models import Course, Quiz, QuizVersion
from lms.errors_domain import PermissionDenied
from lms.events import emit_after_commit
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.quizzes import rubric
from lms.quizzes.base import Grade
from lms.quizzes.errors import GradingError
from lms.quizzes.models import (
    GRADED,
    IN_PROGRESS,
    SUBMITTED,
    QuestionResponse,
    QuizAttempt,
    RubricScore,
)
from lms.quizzes.queries import (
    definitions,
    file_counts,
    question_definition,
    registry,
    rubric_scores,
    saved_responses,
)
from lms.quizzes.registry import QuestionTypeRegistry, UnknownQuestionType
from lms.quizzes.rules import pass_threshold


@dataclass
class QuestionResult:
    """One question's grade within an attempt."""

    question_id: str
    points: float
    earned: float
    fraction: float
    state: str
    feedback: list[str]


def _grade_question(
    reg: QuestionTypeRegistry, q: dict, row: QuestionResponse | None, has_files: bool = False
) -> tuple[Grade, float, bool]:
    """(grade, max points, counts) for one question and its saved response.

    Uploaded files answer a manually graded question even without text (`has_files`).
    """
    try:
        qtype = reg.get(q.get("type"))
    except UnknownQuestionType:
        return Grade.unanswered(), 0.0, False
    if not qtype.is_question:
        return Grade.unanswered(), 0.0, False
    points = qtype.points(q)
    response = row.response if row is not None else None
    try:
        grade = qtype.grade(q, response) if response is not None else Grade.unanswered()
    except Exception:  # noqa: BLE001 - a broken plug-in grades 0, never a 500
        current_app.logger.exception("grading failed for question %s", q.get("id"))
        grade = Grade.unanswered()
    if has_files and grade.state == "unanswered" and not qtype.auto_graded:
        grade = Grade(0.0, [], "needs_grading")
    if grade.state == "needs_grading" and row is not None and row.manual_points is not None:
        fraction = min(1.0, max(0.0, row.manual_points / points)) if points else 1.0
        grade = Grade.from_fraction(fraction)
    if not qtype.scored:  # no right answer: "answered", earning only the points given on purpose
        grade = grade.as_answered()
    return grade, points, True


def grade_response(q: dict, response: Any) -> Grade:
    """Grade one response now without storing anything (feedback during an attempt)."""
    row = QuestionResponse(response=response)
    return _grade_question(registry(), q, row)[0]


def grade_attempt(attempt: QuizAttempt, version: QuizVersion, t: datetime,
                   graded_by_id: int | None = None) -> None:
    """Grade every question of the attempt against `version`'s definitions (in the session).

    Questions the version no longer has are graded with the definitions the attempt showed.
    """
    reg = registry()
    defs = definitions(version)
    shown = definitions(attempt.quiz_version)
    rows = saved_responses(attempt)
    with_files = file_counts(attempt)
    total = earned = 0.0
    waiting = False
    for qid in attempt.question_ids:
        q = defs.get(qid) or shown.get(qid)
        if q is None:
            continue
        row = rows.get(qid)
        grade, points, counts = _grade_question(reg, q, row, with_files.get(qid, 0) > 0)
        if not counts:
            continue
        total += points
        earned += grade.fraction * points
        if grade.state == "needs_grading":
            waiting = True
        if row is None:
            row = QuestionResponse(attempt_id=attempt.id, question_id=qid, response=None, saved_at=t)
            db.session.add(row)
        row.fraction = grade.fraction
        row.state = grade.state
        row.feedback = list(grade.feedback)
    attempt.graded_version_id = version.id
    attempt.points = round(earned, 7)
    attempt.max_points = total
    attempt.score = round(100.0 * earned / total, 5) if total else 100.0
    attempt.needs_manual_grading = waiting
    if waiting:
        attempt.status = SUBMITTED
        attempt.graded_at = None
    else:
        attempt.status = GRADED
        attempt.graded_at = attempt.graded_at or t
        emit_attempt(events.quiz_attempt_graded, attempt, score=attempt.score,
                      points=attempt.points, max_points=attempt.max_points,
                      graded_by_id=graded_by_id)
        # A passing grade may complete the course: same transaction, certificate included.
        from lms.learning.services import complete_if_due

        db.session.flush()
        complete_if_due(attempt.user_id, db.session.get(Quiz, attempt.quiz_id).course_id)


def emit_attempt(signal, attempt: QuizAttempt, **extra: Any) -> None:
    quiz = db.session.get(Quiz, attempt.quiz_id)
    emit_after_commit(signal, user_id=attempt.user_id, attempt_id=attempt.id,
                      attempt_number=attempt.number, quiz_id=attempt.quiz_id, quiz_slug=quiz.slug,
                      course_id=quiz.course_id, **extra)


def pass_mark_of(attempt: QuizAttempt) -> float:
    """The percentage the attempt's quiz needs (its pass mark raised by the course's rule)."""
    version = attempt.quiz_version
    course = db.session.get(Course, db.session.get(Quiz, attempt.quiz_id).course_id)
    rule = (course.current_version.manifest.get("completion", {})
            if course is not None and course.current_version else {})
    return pass_threshold(version.kind, version.settings or {}, rule)


def _rubric_points(attempt: QuizAttempt, response: QuestionResponse, q: dict, maximum: float,
                   crits: list, criterion_scores: list, grader: User, detail: dict) -> float:
    """The points of a rubric-graded answer (its criteria scores stored); capped below the pass
    mark when a criterion is under the rubric's stated minimum."""
    if len(criterion_scores) != len(crits):
        raise GradingError(_l("Score every criterion of the rubric."))
    for c, s in zip(crits, criterion_scores, strict=True):
        if s is None or not c.low <= s <= c.high:
            raise GradingError(_l("Give each criterion a score between %(low)d and %(high)d.",
                                  low=c.low, high=c.high))
    points = rubric.points_from(criterion_scores, crits, maximum)
    below = rubric.failing(criterion_scores, crits)
    if below:  # the rubric's pass rule: not passed, whatever the average
        points = rubric.capped_points(points, maximum, pass_mark_of(attempt))
        detail["below_minimum"] = [c.name for c in below]
    scores = [{"criterion": c.name, "score": s, "max": c.high}
              for c, s in zip(crits, criterion_scores, strict=True)]
    row = rubric_scores(response.id)
    if row is None:
        row = RubricScore(response_id=response.id, scores=scores)
        db.session.add(row)
    row.scores, row.graded_by_id, row.graded_at = scores, grader.id, clock.now()
    detail["criteria"] = [s["score"] for s in scores]
    return points


def grade_answer(grader: User, response: QuestionResponse, *, points: float | None = None,
                 criterion_scores: list[int] | None = None, comment: str = "") -> QuizAttempt:
    """Grade an essay or practical answer by hand — one score, or one per rubric criterion — in
    ONE transaction with its audit entry (`submission.graded`) and the learner's notification;
    the attempt is graded when nothing else waits. Only those who oversee the learner's work
    (lms/access.py `grade`) may grade, never their own work.

    When the rubric states a minimum per criterion and a score is below it, the answer's points
    are capped below the quiz's pass mark, so it does not pass however high the average is
    (for a quiz of this one question, such as the practical assignment)."""
    attempt = response.attempt
    if not access.can_grade(grader, attempt):
        raise PermissionDenied(_l("Only the trainers of the learner's cohort, or the course's "
                                  "editors for learners outside a cohort, can grade this answer."))
    if attempt.status == IN_PROGRESS:
        raise GradingError(_l("This attempt has not been submitted yet."))
    q = question_definition(attempt, response.question_id)
    if q is None:
        raise GradingError(_l("This question is no longer part of the quiz."))
    try:
        qtype = registry().get(q.get("type"))
    except UnknownQuestionType:
        raise GradingError(_l("This question is no longer part of the quiz.")) from None
    if qtype.auto_graded:
        raise GradingError(_l("This question is graded automatically."))
    maximum = qtype.points(q)
    crits = rubric.criteria(q.get("rubric"))
    detail: dict = {"question": response.question_id, "attempt": attempt.id}
    try:
        if crits and criterion_scores is not None:
            points = _rubric_points(attempt, response, q, maximum, crits, criterion_scores,
                                    grader, detail)
        try:
            value = float(points) if points is not None else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if points is None:
            raise GradingError(_l("Give a score."), field="points")
        if math.isnan(value) or not 0 <= value <= maximum:
            raise GradingError(
                _l("Give a score between 0 and %(max)s.", max=f"{maximum:g}"), field="points")
        detail["points"] = value
        t = clock.now()
        response.manual_points = value
        response.manual_comment = (comment or "").strip() or None
        response.graded_by_id = grader.id
        response.manually_graded_at = t
        quiz = db.session.get(Quiz, attempt.quiz_id)
        course = db.session.get(Course, quiz.course_id)
        audit.record("submission.graded", actor=grader, scope=f"course:{course.slug}",
                     target=f"attempt:{attempt.id}", detail=detail)
        db.session.flush()
        grade_attempt(attempt, attempt.graded_version or attempt.quiz_version, t,
                      graded_by_id=grader.id)
        # Both languages: the notification is shown in the learner's language of the moment.
        title = {"id": attempt.quiz_version.display_title("id"),
                 "en": attempt.quiz_version.display_title("en")}
        score = None
        if attempt.score is not None and attempt.status == GRADED:  # every answer graded
            score = round(float(attempt.score), 1)  # a number: formatted when shown (l10n)
        notifications.notify(attempt.user_id, notifications.GRADED,
                             {"quiz": title, "score": score},
                             url=f"/attempts/{attempt.id}/review")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return attempt


@dataclass
class RegradeResult:
    """An attempt's score before and after re-grading."""

    attempt_id: int
    user_id: int
    user_name: str
    number: int
    before: float | None
    after: float | None
    status: str

    @property
    def changed(self) -> bool:
        return (self.before is None) != (self.after is None) or (
            self.before is not None and abs(self.before - (self.after or 0)) > 1e-6
        )


def regrade(quiz_version: QuizVersion, *, actor: User) -> list[RegradeResult]:
    """Grade the quiz's finished attempts again against `quiz_version`'s definitions, in one
    transaction with its audit entry (`quiz.regraded`). Only an editor of the course or an admin.

    Manual essay scores are kept. Returns the score before and after for every attempt.
    """
    from lms import access, audit

    quiz = db.session.get(Quiz, quiz_version.quiz_id)
    if not access.can_regrade(actor, quiz):
        raise PermissionDenied(_l("Only the course's editors can re-grade its quizzes."))
    t = clock.now()
    results = []
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_version.quiz_id, QuizAttempt.status != IN_PROGRESS)
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    ).all()
    try:
        for attempt in attempts:
            before = attempt.score
            grade_attempt(attempt, quiz_version, t)
            results.append(
                RegradeResult(
                    attempt.id, attempt.user_id, attempt.user.full_name, attempt.number,
                    before, attempt.score, attempt.status,
                )
            )
        course = db.session.get(Course, quiz.course_id)
        audit.record("quiz.regraded", actor=actor, scope=f"course:{course.slug}",
                     target=f"quiz:{quiz.slug}",
                     detail={"quiz_version": quiz_version.id, "attempts": len(results),
                             "changed": sum(1 for r in results if r.changed)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results
