"""Multiple choice: checkboxes with percent weights; negative weights penalise, floor 0."""

from __future__ import annotations

from typing import Any

from lms.quizzes.base import N_, Grade, Problem
from lms.quizzes.markup import plain_text
from lms.quizzes.types._choice import SHUFFLE_FIELD, ChoiceType, option_rows


class MultipleChoice(ChoiceType):
    """Several options may be ticked; fraction = sum of ticked weights / 100, within [0, 1].

    Options carry `weight` (percent, -100..100; the positive weights sum to 100). As a
    shorthand every option may instead carry `correct`: the k right options then weigh
    100/k each and every wrong one -100/k.
    """

    name = "multiple_choice"
    label = "Multiple choice"
    input_type = "checkbox"
    editor_fields = (
        option_rows(N_("Percent from -100 to 100 for ticking this option; the positive "
                       "weights add up to 100.")),
        SHUFFLE_FIELD,
    )

    def weights(self, q: dict) -> dict[str, float]:
        """Option id -> percent weight, resolving the `correct` shorthand."""
        opts = self.options(q)
        if opts and all("weight" not in o for o in opts):
            k = sum(1 for o in opts if o.get("correct") is True) or 1
            return {
                str(o.get("id")): (100 / k if o.get("correct") is True else -100 / k) for o in opts
            }
        out = {}
        for o in opts:
            w = o.get("weight", 0)
            out[str(o.get("id"))] = (
                float(w) if isinstance(w, int | float) and not isinstance(w, bool) else 0.0
            )
        return out

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        option_problems = self.validate_options(q)
        problems += option_problems
        if option_problems:
            return problems
        opts = self.options(q)
        with_weight = sum(1 for o in opts if "weight" in o)
        if 0 < with_weight < len(opts) or any("weight" in o and "correct" in o for o in opts):
            problems.append(
                (
                    "options",
                    "Give every option a weight (percent, -100..100), or mark options with correct = true/false; do not mix them.",
                )
            )
            return problems
        if with_weight == 0:
            if not any(o.get("correct") is True for o in opts):
                problems.append(("options", "At least one option must have correct = true."))
            return problems
        positive = sum(w for w in self.weights(q).values() if w > 0)
        if abs(positive - 100) > 0.5:
            problems.append(
                (
                    "options",
                    f"The positive weights must add up to 100 percent (they add up to {positive:g}); e.g. two right options of weight 50.",
                )
            )
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        if not isinstance(raw, list | tuple):
            return None
        ids = self.option_ids(q)
        given = {v for v in raw if isinstance(v, str)}
        chosen = [i for i in ids if i in given]
        return chosen or None

    def _chosen(self, q: dict, response: Any) -> set[str]:
        if not isinstance(response, list):
            return set()
        return {r for r in response if isinstance(r, str)}

    def grade(self, q: dict, response: Any) -> Grade:
        chosen = self._chosen(q, response)
        weights = self.weights(q)
        chosen &= set(weights)
        if not chosen:
            return Grade.unanswered()
        by_id = self.option_by_id(q)
        total = sum(weights[c] for c in chosen) / 100
        feedback = []
        for oid in self.option_ids(q):
            fb = by_id[oid].get("feedback")
            if oid in chosen and isinstance(fb, str):
                feedback.append(fb)
        return Grade.from_fraction(total, feedback)

    def correct_response(self, q: dict) -> Any | None:
        chosen = [oid for oid, w in self.weights(q).items() if w > 0]
        return chosen or None

    def right_answer_text(self, q: dict, gettext=str) -> str:
        weights = self.weights(q)
        return "; ".join(
            plain_text(str(o.get("text", ""))) for o in self.options(q)
            if weights.get(str(o.get("id")), 0) > 0
        )
