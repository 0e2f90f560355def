"""Reads for the report pages. Every list is filtered with the access policy in SQL
(`lms.access.oversees_clause`) and loaded in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import literal, or_, select

from lms import access
from lms.courses.models import Course, Quiz, QuizVersion
from lms.extensions import db
from lms.quizzes.models import GRADED, IN_PROGRESS, QuestionResponse, QuizAttempt
from lms.quizzes.queries import QuizView, registry
from lms.quizzes.registry import UnknownQuestionType
from lms.quizzes.rules import QuizRules
from lms.reports import itemstats
from lms.reports.options import OptionTable, option_table

# --------------------------------------------------------------------------- the list of quizzes


@dataclass(frozen=True)
class ReportableQuiz:
    id: int
    course_title: str
    title: str
    kind: str


def reportable_quizzes(viewer, locale: str) -> list[ReportableQuiz]:
    """The quizzes of the courses' current versions whose reports the viewer may open
    (`access.can_view_quiz_reports` in SQL: admins all; editors their courses; trainers the
    courses their cohorts take), in one query."""
    query = (select(Quiz.id, Course.title_id, Course.title_en, QuizVersion.title, QuizVersion.kind)
             .join(Course, Course.id == Quiz.course_id)
             .join(QuizVersion, (QuizVersion.quiz_id == Quiz.id)
                   & (QuizVersion.version_id == Course.current_version_id))
             .order_by(Course.title_id, Course.id, Quiz.id))
    if not viewer.is_admin:
        if not (viewer.is_trainer or viewer.is_facilitator):
            return []
        query = query.where(or_(access.edits_clause(viewer.id, Quiz.course_id),
                                Quiz.course_id.in_(access.trained_course_ids(viewer.id))))
    out = []
    for quiz_id, title_id, title_en, title, kind in db.session.execute(query).all():
        titles = title if isinstance(title, dict) else {}
        out.append(ReportableQuiz(
            quiz_id, (title_en if locale == "en" and title_en else title_id),
            titles.get(locale) or titles.get("id") or "", kind or ""))
    return out


# --------------------------------------------------------------------------- question statistics


@dataclass
class QuestionInfo:
    """A question as the report names it (from the newest version that has it)."""

    id: str
    number: int  # its position in the quiz's current version (later ones after)
    qtype: str
    text: str  # the question's Markdown text
    definition: dict


@dataclass
class QuizStatistics:
    which: str  # graded | first | all
    grading: str  # the quiz's grading method
    report: itemstats.Report
    questions: dict[str, QuestionInfo]
    options: dict[str, OptionTable]
    scores: list[float]  # the analysed attempts' scores, percent
    learners: int  # learners whose attempts are analysed
    waiting: int  # finished attempts still waiting for a grade (not analysed)
    excluded: list[str] = field(default_factory=list)  # questions without marks (not analysed)

    @property
    def bands(self) -> list[int]:
        return itemstats.score_bands(self.scores)


def _marks(q: dict | None) -> float | None:
    """A question's marks when it is a scored question worth something, else None."""
    if q is None:
        return None
    try:
        qtype = registry().get(q.get("type"))
    except UnknownQuestionType:
        return None
    if not qtype.is_question or not qtype.scored:
        return None
    points = qtype.points(q)
    return points if points > 0 else None


def _random_guess(q: dict) -> float | None:
    table = option_table(q, [])
    if table is None or table.qtype == "multiple_choice":
        return None  # Moodle gives a guess score for one-answer questions only
    return itemstats.random_guess([o.weight / 100 for o in table.options])


def quiz_statistics(viewer, quiz: QuizView, which: str) -> QuizStatistics:
    """The item statistics of `quiz` over the attempts the viewer oversees (three queries:
    the attempts, the responses of the analysed ones (`_responses`: one more per 900 learners
    beyond the first), the content versions they were graded with).

    Analysed are *graded* attempts (every answer has its grade; attempts waiting for a trainer
    are counted in `waiting`), chosen per learner by `which` (`itemstats.analysed_attempts`).
    A question's marks come from the version that graded the attempt; its fraction from the
    stored response (`QuestionResponse.fraction`, manual grades included: points / marks)."""
    grading = QuizRules.of(quiz.settings).grading
    overseen = access.oversees_clause(viewer, QuizAttempt.user_id, literal(quiz.course_id))
    finished = (QuizAttempt.quiz_id == quiz.id, QuizAttempt.status != IN_PROGRESS, overseen)
    rows = db.session.execute(
        select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number, QuizAttempt.status,
               QuizAttempt.score, QuizAttempt.quiz_version_id, QuizAttempt.graded_version_id)
        .where(*finished)).all()
    waiting = sum(1 for r in rows if r.status != GRADED)
    by_learner: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_learner[r.user_id].append(r)
    chosen = [a for attempts in by_learner.values()
              for a in itemstats.analysed_attempts(attempts, which, grading)]
    chosen.sort(key=lambda a: (a.user_id, a.number))

    responses: dict[int, dict[str, tuple[float | None, Any]]] = defaultdict(dict)
    for attempt_id, qid, fraction, response in _responses(finished, chosen, which, grading):
        responses[attempt_id][str(qid)] = (fraction, response)
    version_ids = {a.graded_version_id or a.quiz_version_id for a in chosen}
    versions: dict[int, dict[str, dict]] = {}
    if version_ids:
        for vid, questions in db.session.execute(
                select(QuizVersion.id, QuizVersion.questions)
                .where(QuizVersion.id.in_(version_ids)).order_by(QuizVersion.id)).all():
            versions[vid] = {str(q.get("id")): q for q in (questions or []) if isinstance(q, dict)}

    questions = _question_infos(quiz, versions)
    data: list[itemstats.AttemptData] = []
    answers: dict[str, list[tuple[Any, float]]] = defaultdict(list)
    excluded: set[str] = set()
    # A question's marks per version, worked out once (not once per answer: tens of thousands).
    marks_of = {vid: {qid: _marks(q) for qid, q in defs.items()} for vid, defs in versions.items()}
    for a in chosen:
        marks_in = marks_of.get(a.graded_version_id or a.quiz_version_id, {})
        items = {}
        for qid, (fraction, response) in responses.get(a.id, {}).items():
            marks = marks_in.get(qid)
            if marks is None or fraction is None:
                excluded.add(qid)
                continue
            items[qid] = itemstats.ItemResult(float(fraction), marks)
            answers[qid].append((response, float(a.score or 0)))
        data.append(itemstats.AttemptData(float(a.score or 0), items))
    order = sorted(questions, key=lambda q: questions[q].number)
    guesses = {qid: _random_guess(info.definition) for qid, info in questions.items()}
    report = itemstats.analyse(data, order, guesses)
    options = {}
    for item in report.items:
        info = questions.get(item.question_id)
        table = option_table(info.definition, answers[item.question_id]) if info else None
        if table is not None:
            options[item.question_id] = table
    excluded -= {i.question_id for i in report.items}
    return QuizStatistics(which, grading, report, questions, options,
                          [d.score for d in data], len({a.user_id for a in chosen}), waiting,
                          sorted(excluded))


# SQLite allows 32,766 bound variables since 3.32 (999 before): stay well under both.
ID_CHUNK = 900


def _responses(finished, chosen, which: str, grading: str):
    """(attempt id, question id, fraction, response) of the analysed attempts only. When every
    graded attempt is analysed ("all", or "graded" with the average grading method) the
    attempts are a subquery; otherwise their ids go in chunks of at most ID_CHUNK (one query
    per chunk: one per 900 learners)."""
    if not chosen:
        return
    columns = (QuestionResponse.attempt_id, QuestionResponse.question_id,
               QuestionResponse.fraction, QuestionResponse.response)
    if which == "all" or (which == "graded" and grading == "average"):
        analysed = select(QuizAttempt.id).where(*finished, QuizAttempt.status == GRADED,
                                                QuizAttempt.score.is_not(None))
        yield from db.session.execute(
            select(*columns).where(QuestionResponse.attempt_id.in_(analysed))).all()
        return
    ids = sorted(a.id for a in chosen)
    for start in range(0, len(ids), ID_CHUNK):
        yield from db.session.execute(select(*columns).where(
            QuestionResponse.attempt_id.in_(ids[start:start + ID_CHUNK]))).all()


def _question_infos(quiz: QuizView, versions: dict[int, dict[str, dict]]) -> dict[str, QuestionInfo]:
    """The questions of the current version in their order, then those only older versions
    had (each from the newest version holding it)."""
    out: dict[str, QuestionInfo] = {}
    for q in quiz.questions:
        qid = str(q.get("id"))
        out.setdefault(qid, QuestionInfo(qid, len(out) + 1, str(q.get("type")),
                                         str(q.get("text") or ""), q))
    for vid in sorted(versions, reverse=True):
        for qid, q in versions[vid].items():
            out.setdefault(qid, QuestionInfo(qid, len(out) + 1, str(q.get("type")),
                                             str(q.get("text") or ""), q))
    return out
