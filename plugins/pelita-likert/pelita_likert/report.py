"""Summaries of Likert answers for trainer reports: how many learners chose each point.

`aggregate(q, responses)` is pure (a definition and stored responses in, one summary per
statement out). `quiz_responses(quiz_id, question_id)` reads the stored responses of finished
attempts, one per learner (the latest), in one query (Pelita's `lms.plugins.quiz_responses`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.plugins import quiz_responses as latest_responses
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
    return latest_responses(quiz_id, [str(q) for q in question_ids], viewer=viewer)
