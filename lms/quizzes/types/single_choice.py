"""Single choice: radio buttons, exactly one option earns full marks (or percent weights)."""

from __future__ import annotations

from typing import Any

from lms.quizzes.base import N_, Grade, Problem
from lms.quizzes.markup import plain_text
from lms.quizzes.types._choice import SHUFFLE_FIELD, ChoiceType, option_rows


class SingleChoice(ChoiceType):
    """One answer is chosen from several; `correct = true` on one option, or `weight` percents."""

    name = "single_choice"
    label = "Single choice"
    input_type = "radio"
    editor_fields = (
        option_rows(N_("Percent of the marks for choosing this option, e.g. 100 for the right "
                       "option and 50 for a partly right one."), one_correct=True),
        SHUFFLE_FIELD,
    )

    @staticmethod
    def weight(opt: dict) -> float:
        """Percent earned by choosing `opt`: its `weight`, else 100 if `correct`, else 0."""
        w = opt.get("weight")
        if isinstance(w, int | float) and not isinstance(w, bool):
            return float(w)
        return 100.0 if opt.get("correct") is True else 0.0

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        option_problems = self.validate_options(q)
        problems += option_problems
        if option_problems:
            return problems
        opts = self.options(q)
        uses_weight = [o for o in opts if "weight" in o]
        uses_correct = [o for o in opts if "correct" in o]
        both = [i for i, o in enumerate(opts) if "weight" in o and "correct" in o]
        for i in both:
            problems.append(
                (f"options[{i}]", "Use either 'correct' or 'weight' on an option, not both.")
            )
        if uses_weight and uses_correct:
            problems.append(
                (
                    "options",
                    "Mark the right option with correct = true on every option, or give every option a weight; do not mix them.",
                )
            )
        elif uses_weight:
            top = max(self.weight(o) for o in opts)
            if top != 100:
                problems.append(
                    ("options", "One option must have weight = 100 (the fully right answer).")
                )
        else:
            n = sum(1 for o in opts if o.get("correct") is True)
            if n != 1:
                problems.append(
                    (
                        "options",
                        f"Exactly one option must have correct = true (found {n}); use multiple_choice for several right answers.",
                    )
                )
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        if not isinstance(raw, list | tuple):
            return None
        ids = set(self.option_ids(q))
        for v in raw:
            if isinstance(v, str) and v in ids:
                return v
        return None

    def _chosen(self, q: dict, response: Any) -> set[str]:
        return {response} if isinstance(response, str) else set()

    def grade(self, q: dict, response: Any) -> Grade:
        if not isinstance(response, str):
            return Grade.unanswered()
        opt = self.option_by_id(q).get(response)
        if opt is None:
            return Grade.unanswered()
        fb = opt.get("feedback")
        return Grade.from_fraction(self.weight(opt) / 100, [fb] if isinstance(fb, str) else [])

    def correct_response(self, q: dict) -> Any | None:
        best = None
        for o in self.options(q):
            if best is None or self.weight(o) > self.weight(best):
                best = o
        return None if best is None else str(best.get("id"))

    def right_answer_text(self, q: dict, gettext=str) -> str:
        texts = [plain_text(str(o.get("text", ""))) for o in self.options(q)
                 if self.weight(o) >= 100]
        return "; ".join(texts)
