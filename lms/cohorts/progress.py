"""Progress of many learners in many courses at once, for the cohort overview.

The same rule as `lms.learning.progress.progress_for` (which it reuses: `quiz_passed`,
`Progress`, each quiz's grading method via `combine`), but in a constant number of queries
however many members and courses a cohort has.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from lms.courses.models import Course, ModuleVersion, QuizVersion
from lms.extensions import db
from lms.learning.models import Enrollment, ModuleCompletion
from lms.learning.progress import Progress, quiz_passed
from lms.quizzes.models import GRADED, QuizAttempt
from lms.quizzes.services import QuizRules, combine


def progress_matrix(user_ids: list[int], courses: list[Course]) -> dict[tuple[int, int], Progress]:
    """Progress per (user id, course id), in six queries whatever the numbers."""
    result = {(u, c.id): Progress() for u in user_ids for c in courses}
    version_ids = {c.current_version_id: c.id for c in courses if c.current_version_id}
    if not version_ids or not user_ids:
        return result
    modules_by_course: dict[int, list[int]] = defaultdict(list)
    for version_id, module_id in db.session.execute(
            select(ModuleVersion.version_id, ModuleVersion.module_id)
            .where(ModuleVersion.version_id.in_(version_ids))):
        modules_by_course[version_ids[version_id]].append(module_id)
    quizzes_by_course: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
            select(QuizVersion.version_id, QuizVersion.quiz_id, QuizVersion.kind,
                   QuizVersion.settings).where(QuizVersion.version_id.in_(version_ids))):
        quizzes_by_course[version_ids[row.version_id]].append(row)
    all_modules = [m for ms in modules_by_course.values() for m in ms]
    all_quizzes = {q.quiz_id: q for qs in quizzes_by_course.values() for q in qs}
    done: dict[int, set[int]] = defaultdict(set)
    if all_modules:
        for user_id, module_id in db.session.execute(
                select(ModuleCompletion.user_id, ModuleCompletion.module_id).where(
                    ModuleCompletion.user_id.in_(user_ids),
                    ModuleCompletion.module_id.in_(all_modules))):
            done[user_id].add(module_id)
    scores: dict[tuple[int, int], list[float]] = defaultdict(list)
    if all_quizzes:
        for user_id, quiz_id, score in db.session.execute(
                select(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.score).where(
                    QuizAttempt.user_id.in_(user_ids), QuizAttempt.quiz_id.in_(list(all_quizzes)),
                    QuizAttempt.status == GRADED, QuizAttempt.score.is_not(None))
                .order_by(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number)):
            scores[(user_id, quiz_id)].append(float(score))
    enrollments = {(e.user_id, e.course_id): e for e in db.session.scalars(
        select(Enrollment).where(Enrollment.user_id.in_(user_ids),
                                 Enrollment.course_id.in_([c.id for c in courses])))}
    rules = {c.id: (c.current_version.manifest.get("completion", {}) if c.current_version else {})
             for c in courses}
    methods = {qid: QuizRules.of(q.settings).grading for qid, q in all_quizzes.items()}
    for (user_id, course_id), p in result.items():
        ids = modules_by_course[course_id]
        p.modules_total = len(ids)
        p.quizzes_total = len(quizzes_by_course[course_id])
        p.done_module_ids = done[user_id].intersection(ids)
        p.modules_done = len(p.done_module_ids)
        for q in quizzes_by_course[course_id]:
            grade = combine(methods[q.quiz_id], scores.get((user_id, q.quiz_id), []))
            if quiz_passed(q.kind, q.settings or {}, rules[course_id], grade):
                p.passed_quiz_ids.add(q.quiz_id)
        p.quizzes_passed = len(p.passed_quiz_ids)
        enrollment = enrollments.get((user_id, course_id))
        p.enrolled = bool(enrollment and enrollment.active)
        p.completed = bool(enrollment and enrollment.completed_at)
        if p.completed:
            p.new_since_completion = len(set(ids) - p.done_module_ids)
    return result
