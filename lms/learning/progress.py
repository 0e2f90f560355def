"""The one rule for course progress, used by every page, report and the completion check.

Progress items are the modules and the quizzes of the course's *current* version:
- a module counts when the learner marked it done (in any version: module identity is stable);
- a quiz counts when the learner's grade for it (the quiz's grading method across attempts)
  reaches its pass mark (module quizzes also need the pack's `min_module_quiz_score`, the final
  assessment `final_min_score`); a practical assignment counts once a trainer's grade passes it.
Modules removed from the course no longer count but keep their history. A completed course stays
completed: `completed_at` is recorded on the enrolment with the version it was completed against,
and modules added afterwards are shown as "new since you completed" without taking it away.
A completed course always shows 100 %, so the bar and the status never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Float, bindparam, cast, literal_column, null, select, union_all

from lms.courses.models import Course, Quiz, QuizVersion
from lms.courses.queries import outlines
from lms.extensions import db
from lms.learning.models import Enrollment, ModuleCompletion
from lms.quizzes.models import GRADED, QuizAttempt
from lms.quizzes.rules import QuizRules, combine, quiz_passed


@dataclass
class Progress:
    """A learner's progress in one course (the current version)."""

    modules_total: int = 0
    modules_done: int = 0
    quizzes_total: int = 0
    quizzes_passed: int = 0
    enrolled: bool = False
    completed: bool = False
    new_since_completion: int = 0
    visited: bool = False  # opened a module of the course (the enrolment's last module)
    done_module_ids: set[int] = field(default_factory=set)
    passed_quiz_ids: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.modules_total + self.quizzes_total

    @property
    def done(self) -> int:
        return self.modules_done + self.quizzes_passed

    @property
    def started(self) -> bool:
        """Whether the learner has begun: a module opened or done, a quiz passed. The pages
        say "Start" before and "Continue" after."""
        return self.completed or self.visited or self.done > 0

    @property
    def percent(self) -> int:
        if self.completed:
            return 100
        if not self.total:
            return 0
        # 100 % means "completed" and nothing else: all items done but the completion not yet
        # recorded (e.g. a practical still waiting for its grade) shows 99 %.
        return min(99, (self.done * 100) // self.total)


def quiz_scores(user_id: int, quiz_ids: Iterable[int]) -> dict[int, float]:
    """The learner's grade (percent) per quiz: each quiz's grading method over graded attempts
    (`lms.quizzes.rules.combine`)."""
    ids = list(dict.fromkeys(quiz_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(QuizAttempt.quiz_id, QuizAttempt.score)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id.in_(ids),
            QuizAttempt.status == GRADED,
            QuizAttempt.score.is_not(None),
        )
        .order_by(QuizAttempt.quiz_id, QuizAttempt.number)
    ).all()
    if not rows:
        return {}
    by_quiz: dict[int, list[float]] = {}
    for quiz_id, score in rows:
        by_quiz.setdefault(quiz_id, []).append(float(score))
    methods = _grading_methods(list(by_quiz))
    return {
        qid: combine(methods.get(qid, "highest"), scores) for qid, scores in by_quiz.items()
    }


def _grading_methods(quiz_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(QuizVersion.quiz_id, QuizVersion.settings)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizVersion.quiz_id.in_(quiz_ids), QuizVersion.version_id == Course.current_version_id)
    ).all()
    return {qid: QuizRules.of(settings).grading for qid, settings in rows}


@dataclass
class Loaded:
    """What a page already read about ONE course, so `progress_for` need not read it again:
    the module ids and quiz versions of its current version (`queries.syllabus` / `quizzes_of`)
    and, when known, the learner's enrolment (None = not enrolled)."""

    module_ids: list[int]
    quizzes: list  # rows with quiz_id, kind, settings (QuizVersion)
    enrollment: Enrollment | None = None
    enrollment_known: bool = False


def progress_for(user_id: int | None, courses: list[Course],
                 loaded: Loaded | None = None) -> dict[int, Progress]:
    """Progress per course id for one learner (None: a visitor, totals only), in a constant
    number of queries (fewer for a single course whose page passes what it `loaded`)."""
    matrix = progress_matrix([user_id], courses, loaded)
    return {c.id: matrix[(user_id, c.id)] for c in courses}


def progress_matrix(user_ids: list[int | None], courses: list[Course],
                    loaded: Loaded | None = None, *,
                    enrollments: dict[tuple[int, int], Enrollment] | None = None
                    ) -> dict[tuple[int | None, int], Progress]:
    """Progress per (user id, course id) for many learners at once (the cohort overview), in a
    constant number of queries however many learners and courses. A None user id gets the
    totals only. `enrollments`: every enrolment of these learners in these courses, by
    (user id, course id), when the caller has read them already (Beranda)."""
    result = {(u, c.id): Progress() for u in user_ids for c in courses}
    version_ids = {c.current_version_id: c.id for c in courses if c.current_version_id}
    if not version_ids:
        return result
    modules_by_course: dict[int, list[int]] = defaultdict(list)
    quizzes_by_course: dict[int, list] = defaultdict(list)
    if loaded is not None and len(courses) == 1:
        modules_by_course[courses[0].id] = list(loaded.module_ids)
        quizzes_by_course[courses[0].id] = list(loaded.quizzes)
    else:
        loaded = None
        # The versions' outlines are cached per version (lms/courses/queries.py): no query
        # once a version has been read.
        found = outlines(list(version_ids))
        for version_id, course_id in version_ids.items():
            if version_id in found:
                modules_by_course[course_id] = found[version_id].module_ids
                quizzes_by_course[course_id] = list(found[version_id].quizzes)
    for (_user_id, course_id), p in result.items():
        p.modules_total = len(modules_by_course[course_id])
        p.quizzes_total = len(quizzes_by_course[course_id])
    learners = [u for u in dict.fromkeys(user_ids) if u is not None]
    if not learners:
        return result

    all_modules = [m for ms in modules_by_course.values() for m in ms]
    all_quizzes = {q.quiz_id: q for qs in quizzes_by_course.values() for q in qs}
    done, scores = learner_rows(learners, all_modules, list(all_quizzes))
    methods = {qid: getattr(q, "grading", None) or QuizRules.of(q.settings).grading
               for qid, q in all_quizzes.items()}
    if enrollments is not None:
        pass
    elif loaded is not None and loaded.enrollment_known and len(learners) == 1:
        enrollments = ({(learners[0], courses[0].id): loaded.enrollment}
                       if loaded.enrollment else {})
    elif len(learners) == 1:  # one learner (catalogue, Beranda): all their enrolments, few
        course_ids = {c.id for c in courses}
        enrollments = {(e.user_id, e.course_id): e for e in db.session.scalars(
            _OWN_ENROLLMENTS, {"user_id": learners[0]}) if e.course_id in course_ids}
    else:
        enrollments = {(e.user_id, e.course_id): e for e in db.session.scalars(
            select(Enrollment).where(Enrollment.user_id.in_(learners),
                                     Enrollment.course_id.in_([c.id for c in courses])))}
    # The completion rules from the (cached) outlines: no version row is loaded per course.
    manifests = {o.version_id: o.manifest for o in outlines(list(version_ids)).values()}
    rules = {c.id: manifests.get(c.current_version_id, {}).get("completion", {}) for c in courses}
    for (user_id, course_id), p in result.items():
        if user_id is None:
            continue
        ids = modules_by_course[course_id]
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
        p.visited = bool(enrollment and enrollment.last_module_id)
        if p.completed:
            p.new_since_completion = len(set(ids) - p.done_module_ids)
    return result


def _learner_rows_statement():
    """Built once: constructing a SELECT costs about as much as running it on SQLite."""
    learners = bindparam("learners", expanding=True)
    return union_all(
        select(literal_column("'m'").label("kind"), ModuleCompletion.user_id.label("user_id"),
               ModuleCompletion.module_id.label("item_id"), cast(null(), Float).label("score"),
               literal_column("0").label("number"))
        .where(ModuleCompletion.user_id.in_(learners),
               ModuleCompletion.module_id.in_(bindparam("modules", expanding=True))),
        select(literal_column("'q'"), QuizAttempt.user_id, QuizAttempt.quiz_id,
               cast(QuizAttempt.score, Float), QuizAttempt.number)
        .where(QuizAttempt.user_id.in_(learners),
               QuizAttempt.quiz_id.in_(bindparam("quizzes", expanding=True)),
               QuizAttempt.status == GRADED, QuizAttempt.score.is_not(None)))


_LEARNER_ROWS = _learner_rows_statement()

# One learner's rows: all of them (a learner has done tens of modules and attempts, not
# thousands), filtered in Python — no IN list of every module of every course shown, which
# SQLAlchemy expands and the database parses on each request.
_OWN_ROWS = union_all(  # the same columns as _LEARNER_ROWS
    select(literal_column("'m'").label("kind"), ModuleCompletion.user_id.label("user_id"),
           ModuleCompletion.module_id.label("item_id"), cast(null(), Float).label("score"),
           literal_column("0").label("number"))
    .where(ModuleCompletion.user_id == bindparam("user_id")),
    select(literal_column("'q'"), QuizAttempt.user_id, QuizAttempt.quiz_id,
           cast(QuizAttempt.score, Float), QuizAttempt.number)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.status == GRADED,
           QuizAttempt.score.is_not(None)))

_OWN_ENROLLMENTS = select(Enrollment).where(Enrollment.user_id == bindparam("user_id"))


def learner_rows(learners: list[int], module_ids: list[int], quiz_ids: list[int]
                 ) -> tuple[dict[int, set[int]], dict[tuple[int, int], list[float]]]:
    """The learners' own rows the rule needs, in ONE query: the modules they marked done
    (of `module_ids`) and the scores of their graded attempts (of `quiz_ids`), in attempt order
    per learner and quiz."""
    done: dict[int, set[int]] = defaultdict(set)
    scores: dict[tuple[int, int], list[float]] = defaultdict(list)
    if not module_ids and not quiz_ids:
        return done, scores
    connection = db.session.connection()
    if len(learners) == 1:  # all of the learner's rows; the loop keeps the ones asked for
        rows = connection.execute(_OWN_ROWS, {"user_id": learners[0]}).all()
    else:
        rows = connection.execute(_LEARNER_ROWS, {
            "learners": list(learners), "modules": list(module_ids),
            "quizzes": list(quiz_ids)}).all()
    modules, quizzes = set(module_ids), set(quiz_ids)
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[4]))  # attempt order per learner and quiz
    for kind, user_id, item_id, score, _number in rows:
        if kind == "m":
            if item_id in modules:
                done[user_id].add(item_id)
        elif item_id in quizzes:
            scores[(user_id, item_id)].append(float(score))
    return done, scores


def requirements_met(progress: Progress, rule: dict) -> bool:
    """The pack's completion rule, applied to a learner's progress."""
    required_modules = rule.get("modules", "all")
    needed = progress.modules_total if required_modules == "all" else int(required_modules)
    if progress.modules_done < min(needed, progress.modules_total):
        return False
    # Every quiz of the version counts, the trainer-graded practical assignment included.
    return progress.quizzes_passed >= progress.quizzes_total
