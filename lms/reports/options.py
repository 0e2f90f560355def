"""Per-option response counts of choice questions: which option (right answer or distractor)
drew how many learners, and how well those learners did on the whole quiz.

Pure (no Flask, no database). Reads the responses as the question types store them:
`single_choice` the chosen option id, `multiple_choice` a list of ticked ids, `true_false` a
boolean. Other types get no table (their answers are free text, pairs or orders). The
Likert plugin has its own distribution report; this one is for questions with right answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lms.quizzes.markup import plain_text
from lms.quizzes.types.multiple_choice import MultipleChoice
from lms.quizzes.types.single_choice import SingleChoice

COUNTED_TYPES = ("single_choice", "multiple_choice", "true_false")


@dataclass
class OptionCount:
    key: str  # the option id ("true"/"false" for true/false)
    text: str  # plain text, or "" for true/false (the page names them)
    weight: float  # percent of the marks it earns (negative: a penalty)
    count: int = 0
    score_sum: float = 0.0

    @property
    def correct(self) -> bool:
        """Part of the right answer (earns marks)."""
        return self.weight > 0

    @property
    def mean_score(self) -> float | None:
        """The mean quiz score (percent) of the attempts that chose the option."""
        return self.score_sum / self.count if self.count else None


@dataclass
class OptionTable:
    question_id: str
    qtype: str
    options: list[OptionCount]
    shown: int = 0  # analysed attempts that showed the question
    blank: int = 0  # of those, left without an answer

    @property
    def answered(self) -> int:
        return self.shown - self.blank

    def share(self, option: OptionCount) -> float | None:
        """The option's share of the attempts that showed the question, percent."""
        return 100 * option.count / self.shown if self.shown else None


def _options(q: dict) -> list[OptionCount] | None:
    qtype = q.get("type")
    if qtype == "single_choice":
        return [OptionCount(str(o.get("id")), plain_text(o.get("text")), SingleChoice.weight(o))
                for o in SingleChoice.options(q)]
    if qtype == "multiple_choice":
        weights = MultipleChoice().weights(q)
        return [OptionCount(str(o.get("id")), plain_text(o.get("text")),
                            weights.get(str(o.get("id")), 0.0))
                for o in MultipleChoice.options(q)]
    if qtype == "true_false":
        answer = q.get("answer")
        return [OptionCount("true", "", 100.0 if answer is True else 0.0),
                OptionCount("false", "", 100.0 if answer is False else 0.0)]
    return None


def _chosen(qtype: str, response: Any) -> set[str]:
    if qtype == "single_choice":
        return {response} if isinstance(response, str) else set()
    if qtype == "multiple_choice":
        return {r for r in response if isinstance(r, str)} if isinstance(response, list) else set()
    if isinstance(response, bool):  # true_false
        return {"true" if response else "false"}
    return set()


def option_table(q: dict, answers: Sequence[tuple[Any, float]]) -> OptionTable | None:
    """Counts for question `q` over (stored response, attempt score) of each analysed attempt
    that showed it; None for a type whose answers are not options."""
    options = _options(q)
    if options is None:
        return None
    qtype = str(q.get("type"))
    by_key = {o.key: o for o in options}
    table = OptionTable(str(q.get("id")), qtype, options)
    for response, score in answers:
        table.shown += 1
        chosen = [by_key[k] for k in _chosen(qtype, response) if k in by_key]
        if not chosen:
            table.blank += 1
        for option in chosen:
            option.count += 1
            option.score_sum += float(score)
    return table
