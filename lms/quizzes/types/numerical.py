"""Numerical: a typed number within a tolerance or a min..max range of an author answer.

Reading the learner's number (`parse_number`), after removing spaces:

* a single comma and no dot is a decimal comma: "3,5" = 3.5, "1,000" = 1.0;
* dots followed by groups of exactly three digits, first group 1-9 led, no comma, are
  thousands separators: "1.000" = 1000, "12.345.678" = 12345678; otherwise a dot is a
  decimal point: "3.5", "3.14159", "0.001", "1.5000";
* with both, the last one is the decimal mark and the others must group by three:
  "1.000,5" = 1000.5 (Indonesian), "1,000.5" = 1000.5 (English);
* several commas and no dot, grouping by three, are thousands: "1,000,000";
* a leading + or - (also U+2212), and an exponent ("1e3"), are accepted;
  anything else (units, words, "1..2") is not a number and counts as unanswered.
"""

from __future__ import annotations

import math
import re
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
    first_text,
    is_number,
)

_PLAIN = re.compile(r"^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$|^\.\d+(?:[eE][+-]?\d+)?$", re.ASCII)
_DOT_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$", re.ASCII)
_COMMA_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:,\d{3}){2,}$", re.ASCII)
_ID_FULL = re.compile(r"^([1-9]\d{0,2}(?:\.\d{3})+|\d+),(\d+)$", re.ASCII)
_EN_FULL = re.compile(r"^([1-9]\d{0,2}(?:,\d{3})+|\d+)\.(\d+)$", re.ASCII)


def parse_number(text: Any) -> float | None:
    """Parse a learner's number by the rules in the module docstring; None if not a number."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    s = "".join(text.split()).replace("\u2212", "-")
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if not s:
        return None
    if "," in s and "." in s:
        m = _ID_FULL.match(s) if s.rfind(",") > s.rfind(".") else _EN_FULL.match(s)
        if not m:
            return None
        s = m.group(1).replace(".", "").replace(",", "") + "." + m.group(2)
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif "," in s:
        if not _COMMA_THOUSANDS.match(s):
            return None
        s = s.replace(",", "")
    elif _DOT_THOUSANDS.match(s):
        s = s.replace(".", "")
    if not _PLAIN.match(s):
        return None
    try:
        value = float(s)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    return sign * value


def format_number(value: float) -> str:
    """A short plain form of `value` for display and GIFT ("3.14", "2", "1e-07")."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Numerical(QuestionType):
    """`answers = [{value, tolerance | tolerance_pct, credit, feedback} | {min, max, ...}]`."""

    name = "numerical"
    label = "Numerical"
    editor_fields = (
        EditorField(
            "answers", "rows", N_("Accepted answers"), required=True, start_rows=2,
            row_label=N_("Answer"),
            help=N_("Give a value (with a tolerance) or a range from Minimum to Maximum. "
                 "Use a dot or a comma for decimals, no thousands separators."),
            columns=(
                EditorColumn("value", "number", N_("Value")),
                EditorColumn("tolerance", "number", N_("Tolerance (±)")),
                EditorColumn("tolerance_pct", "number", N_("Tolerance (%)")),
                EditorColumn("min", "number", N_("Minimum")),
                EditorColumn("max", "number", N_("Maximum")),
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
    def bounds(answer: dict) -> tuple[float, float] | None:
        """The accepted closed interval of an answer, None if malformed."""
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
            if is_range:
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
        if answers and not any(isinstance(a, dict) and self.credit(a) == 100 for a in answers):
            problems.append(
                ("answers", "At least one answer must have credit = 100 (the default).")
            )
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        text = first_text(raw)
        return None if text is None else parse_number(text)

    def grade(self, q: dict, response: Any) -> Grade:
        if isinstance(response, str):
            response = parse_number(response)
        if not is_number(response):
            return Grade.unanswered()
        best = None
        for a in self.answers(q):
            b = self.bounds(a)
            if b is None:
                continue
            eps = 1e-9 * max(1.0, abs(b[0]), abs(b[1]))
            if b[0] - eps <= response <= b[1] + eps and (
                best is None or self.credit(a) > self.credit(best)
            ):
                best = a
        if best is None:
            return Grade.from_fraction(0.0)
        fb = best.get("feedback")
        return Grade.from_fraction(self.credit(best) / 100, [fb] if isinstance(fb, str) else [])

    def correct_response(self, q: dict) -> Any | None:
        for a in self.answers(q):
            b = self.bounds(a)
            if b is not None and self.credit(a) == 100:
                return a["value"] if is_number(a.get("value")) else (b[0] + b[1]) / 2
        return None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        value = format_number(response) if is_number(response) else ""
        return (
            self._open(q, field, fieldset=False)
            + Markup(
                '<div class="pq-answer"><label for="{f}-input">{label}</label> '
                '<input type="text" inputmode="decimal" name="{f}" id="{f}-input" value="{v}"'
                ' autocomplete="off" aria-describedby="{f}-text"{flags}></div>'
            ).format(f=field, label=gettext("Answer"), v=value, flags=attr_flags(disabled=disabled))
            + self._close(fieldset=False)
        )

    def right_answer_text(self, q: dict, gettext=str) -> str:
        out = []
        for a in self.answers(q):
            if self.credit(a) != 100 or self.bounds(a) is None:
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
