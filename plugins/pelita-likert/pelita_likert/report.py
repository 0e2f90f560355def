"""Summaries of Likert answers for trainer reports: how many learners chose each point.

`aggregate(q, responses)` is pure (a definition and stored responses in, one summary per
statement out). `quiz_responses(quiz_id, question_id)` reads the stored responses of finished
attempts, one per learner (the latest), in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pelita_likert.qtype import Likert

_TYPE = Likert()


@dataclass
class StatementSummary:
    """The distribution of answers to one statement."""

    index: int
    statement: str | None  # None: the question text is the statement
    labels: list[str]
    counts: list[int] = field(default_factory=list)  # counts[v - 1] learners chose point v

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        """The average point (1 = lowest), None when nobody answered."""
        if not self.answered:
            return None
        return sum(v * c for v, c in enumerate(self.counts, start=1)) / self.answered

    @property
    def shares(self) -> list[float]:
        """Each point's share of the answers, 0..1."""
        total = self.answered
        return [c / total if total else 0.0 for c in self.counts]


def aggregate(q: dict, responses: list[Any], *, gettext=str,
              locale: str | None = None) -> list[StatementSummary]:
    """One summary per statement of `q` over `responses` (malformed ones are ignored)."""
    scale = _TYPE.scale(q)
    labels = _TYPE.labels(q, gettext, locale or "id")
    texts = _TYPE.statement_texts(q, locale or "id")
    out = [StatementSummary(i, text, labels, [0] * scale) for i, text in enumerate(texts)]
    for response in responses:
        for i, v in _TYPE.answers(q, response).items():
            out[i].counts[v - 1] += 1
    return out


def quiz_responses(quiz_id: int, question_id: str) -> list[Any]:
    """The saved response of each learner's latest finished attempt at the quiz (one query)."""
    return responses_by_question(quiz_id, [str(question_id)]).get(str(question_id), [])


def responses_by_question(quiz_id: int, question_ids: list[str], *,
                          viewer=None) -> dict[str, list[Any]]:
    """Per question id: the response of each learner's latest finished attempt (one query).

    Only attempts that were submitted count (not ones in progress); an attempt that left the
    question blank counts as no answer. With `viewer`, only the learners whose work the viewer
    oversees (Pelita's access rule: a cohort trainer sees their own members).
    """
    from sqlalchemy import select

    from lms.courses.models import Quiz
    from lms.extensions import db
    from lms.plugins import access
    from lms.quizzes.models import IN_PROGRESS, QuestionResponse, QuizAttempt

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
    rows = db.session.execute(query).all()
    latest: dict[tuple[str, int], Any] = {}
    for question_id, user_id, response in rows:
        latest.setdefault((question_id, user_id), response)
    out: dict[str, list[Any]] = {q: [] for q in wanted}
    for (question_id, _user_id), response in latest.items():
        if response is not None:
            out[question_id].append(response)
    return out
