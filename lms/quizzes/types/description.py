"""Description: text shown among the questions (GIFT descriptions); not a question."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from lms.quizzes.base import Grade, Problem, QuestionType, is_number


class Description(QuestionType):
    """Only text, worth 0 points, no fields.

    `is_question = False`: the app shows it but neither numbers it, counts it nor shows a
    mark or state. grade() returns fraction 0 with state "unanswered" and
    correct_response() is None (there is nothing to answer).
    """

    name = "description"
    label = "Description"
    is_question = False
    editor_fields = ()
    editor_omit = ("points",)

    def validate(self, q: dict) -> list[Problem]:
        problems = [p for p in self.validate_common(q) if p[0] != "points"]
        if (
            isinstance(q, dict)
            and "points" in q
            and not (is_number(q["points"]) and q["points"] == 0)
        ):
            problems.append(
                ("points", "A description is not a question; remove points or set points = 0.")
            )
        return problems

    def points(self, q: dict) -> float:
        return 0.0

    def field_names(self, q: dict, field: str) -> list[str]:
        return []

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        return None

    def grade(self, q: dict, response: Any) -> Grade:
        return Grade.unanswered()

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        return self._open(q, field, fieldset=False) + self._close(fieldset=False)
