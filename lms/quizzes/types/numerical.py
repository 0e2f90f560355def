"""Numerical: a typed number within a tolerance or a min..max range of an author answer.

The learner's text is read by the one rule in `lms.quizzes.numbers` (a comma is always the
decimal mark; a dot is one unless the number only makes sense with dots as thousands separators;
a lone d.ddd such as "1.822" reads both ways and is right when either reading is). A response that
reads one way is stored as that number; a lone d.ddd is stored as the text typed, and graded by
the reading that earns more (the decimal one on a tie). The input says what the question expects
("Use a comma for decimals, e.g. 3,14").

An answer `{any = true, credit = 0, feedback = "..."}` matches every number no other answer
matches: Moodle's `*` ("any other answer") in GIFT and Moodle XML.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from lms.quizzes.base import (
    N_,
    EditorColumn,
    EditorField,
    Grade,
    Problem,
    QuestionType,
    attr_flags,
    fill,
    first_text,
    is_number,
)
from lms.quizzes.numbers import format_number, parse_number, readings

__all__ = ["Numerical", "format_number", "parse_number", "readings"]

MAX_TYPED = 60


class Numerical(QuestionType):
    """`answers = [{value, tolerance | tolerance_pct, credit, feedback} | {min, max, ...} |
    {any = true, credit, feedback}]`."""

    name = "numerical"
    label = "Numerical"
    editor_fields = (
        EditorField(
            "answers", "rows", N_("Accepted answers"), required=True, start_rows=2,
            row_label=N_("Answer"),
            help=N_("Give a value (with a tolerance) or a range from Minimum to Maximum. "
                 "Use a dot or a comma for decimals, no thousands separators. "
                 "\"Any other number\" gives its credit and feedback to every number no other "
                 "answer matches."),
            columns=(
                EditorColumn("value", "number", N_("Value")),
                EditorColumn("tolerance", "number", N_("Tolerance (±)")),
                EditorColumn("tolerance_pct", "number", N_("Tolerance (%)")),
                EditorColumn("min", "number", N_("Minimum")),
                EditorColumn("max", "number", N_("Maximum")),
                EditorColumn("any", "bool", N_("Any other number")),
                EditorColumn("credit", "number", N_("Credit (%)"), help=N_("Empty means 100.")),
                EditorColumn("feedback", "text", N_("Feedback for this answer")),
            ),
        ),
    )

    @staticmethod
    def answers(q: dict) -> list[dict]:
        a = q.get("answers")
        return [x for x in a if isinstance(x, dict)] if isinstance(a, list) else []

    @staticmethod
    def credit(answer: dict) -> float:
        c = answer.get("credit", 100)
        return float(c) if is_number(c) else 0.0

    @staticmethod
    def is_any(answer: dict) -> bool:
        """True for the catch-all answer (Moodle's `*`): it matches every other number."""
        return answer.get("any") is True

    @staticmethod
    def bounds(answer: dict) -> tuple[float, float] | None:
        """The accepted closed interval of an answer, None if malformed (or a catch-all)."""
        if is_number(answer.get("min")) and is_number(answer.get("max")):
            return float(answer["min"]), float(answer["max"])
        value = answer.get("value")
        if not is_number(value):
            return None
        tol = answer.get("tolerance")
        pct = answer.get("tolerance_pct")
        if is_number(pct):
            spread = abs(value) * abs(pct) / 100
        elif is_number(tol):
            spread = abs(tol)
        else:
            spread = 0.0
        return value - spread, value + spread

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            problems.append(
                (
                    "answers",
                    "Give at least one answer, e.g. answers = [{value = 3.5, tolerance = 0.1}].",
                )
            )
            answers = []
        for i, a in enumerate(answers):
            where = f"answers[{i}]"
            if not isinstance(a, dict):
                problems.append(
                    (where, "Each answer must be a table with value (or min and max) and credit.")
                )
                continue
            is_range = "min" in a or "max" in a
            if "any" in a:
                if a["any"] is not True:
                    problems.append((f"{where}.any", "Write any = true or leave it out."))
                elif any(k in a for k in ("value", "min", "max", "tolerance", "tolerance_pct")):
                    problems.append(
                        (where, "An answer with any = true matches every other number; give it "
                                "no value, range or tolerance.")
                    )
            elif is_range:
                if not (is_number(a.get("min")) and is_number(a.get("max"))):
                    problems.append(
                        (
                            where,
                            "A range answer needs both min and max as numbers, e.g. min = 1, max = 5.",
                        )
                    )
                elif a["min"] > a["max"]:
                    problems.append(
                        (
                            where,
                            f"min ({a['min']:g}) is greater than max ({a['max']:g}); swap them.",
                        )
                    )
                if "value" in a:
                    problems.append(
                        (where, "Give either value (with a tolerance) or min and max, not both.")
                    )
            else:
                if not is_number(a.get("value")):
                    problems.append(
                        (
                            f"{where}.value",
                            "The value must be a number, e.g. value = 3.5 (use a dot in the file).",
                        )
                    )
                if "tolerance" in a and "tolerance_pct" in a:
                    problems.append(
                        (
                            where,
                            "Give either tolerance (absolute) or tolerance_pct (percent), not both.",
                        )
                    )
                for key in ("tolerance", "tolerance_pct"):
                    if key in a and (not is_number(a[key]) or a[key] < 0):
                        problems.append((f"{where}.{key}", f"{key} must be a number of 0 or more."))
            c = a.get("credit", 100)
            if not is_number(c) or not 0 <= c <= 100:
                problems.append(
                    (f"{where}.credit", "Credit is a percent between 0 and 100, e.g. credit = 50.")
                )
            if "feedback" in a and a["feedback"] is not None and not isinstance(a["feedback"], str):
                problems.append((f"{where}.feedback", "Answer feedback must be text."))
        if answers and not any(
            isinstance(a, dict) and self.credit(a) == 100 and not self.is_any(a) for a in answers
        ):
            problems.append(
                ("answers", "At least one answer must have credit = 100 (the default).")
            )
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        """A number; a lone d.ddd (two readings) is kept as the text typed; None if not a number."""
        text = first_text(raw)
        if text is None:
            return None
        found = readings(text)
        if len(found) == 2:
            return " ".join(text.split())[:MAX_TYPED]
        return found[0] if found else None

    def _grade_value(self, q: dict, value: float) -> tuple[float, dict | None]:
        """(credit percent, the answer matched) for one reading of the response."""
        best = None
        for a in self.answers(q):
            b = self.bounds(a)
            if b is None:
                continue
            eps = 1e-9 * max(1.0, abs(b[0]), abs(b[1]))
            if b[0] - eps <= value <= b[1] + eps and (
                best is None or self.credit(a) > self.credit(best)
            ):
                best = a
        if best is None:
            best = next((a for a in self.answers(q) if self.is_any(a)), None)
        return (self.credit(best) if best is not None else 0.0), best

    def grade(self, q: dict, response: Any) -> Grade:
        values = readings(response) if isinstance(response, str) else (
            (float(response),) if is_number(response) else ())
        if not values:
            return Grade.unanswered()
        # A lone d.ddd: the reading earning more counts (the decimal reading on a tie).
        credit, best = max((self._grade_value(q, v) for v in values), key=lambda cb: cb[0])
        fb = best.get("feedback") if best is not None else None
        return Grade.from_fraction(credit / 100, [fb] if isinstance(fb, str) else [])

    def correct_response(self, q: dict) -> Any | None:
        for a in self.answers(q):
            b = self.bounds(a)
            if b is not None and self.credit(a) == 100:
                return a["value"] if is_number(a.get("value")) else (b[0] + b[1]) / 2
        return None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        if is_number(response):
            value = format_number(response)
        else:
            value = response if isinstance(response, str) and readings(response) else ""
        return (
            self._open(q, field, fieldset=False)
            + fill('<div class="pq-answer"><label for="{f}-input" id="{f}-label">{label}</label> '
                '<input type="text" inputmode="decimal" name="{f}" id="{f}-input" value="{v}"'
                ' autocomplete="off" aria-labelledby="{f}-label {f}-text"'
                ' aria-describedby="{f}-hint"{flags}>'
                ' <span class="pq-hint" id="{f}-hint">{hint}</span></div>', f=field, label=gettext("Answer"), v=value, flags=attr_flags(disabled=disabled),
                     hint=gettext("Use a comma for decimals, e.g. 3,14."))
            + self._close(fieldset=False)
        )

    def right_answer_text(self, q: dict, gettext=str) -> str:
        out = []
        for a in self.answers(q):
            if self.credit(a) != 100 or self.bounds(a) is None:  # catch-alls have no bounds
                continue
            if "min" in a:
                out.append(f"{format_number(a['min'])} – {format_number(a['max'])}")
            elif is_number(a.get("tolerance_pct")) and a["tolerance_pct"]:
                out.append(f"{format_number(a['value'])} ± {format_number(a['tolerance_pct'])}%")
            elif is_number(a.get("tolerance")) and a["tolerance"]:
                out.append(f"{format_number(a['value'])} ± {format_number(a['tolerance'])}")
            else:
                out.append(format_number(a["value"]))
        return "; ".join(out)
