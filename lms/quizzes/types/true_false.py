"""True/false: two radio buttons labelled via gettext("True") / gettext("False")."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from lms.quizzes.base import (
    N_,
    EditorField,
    Grade,
    Problem,
    QuestionType,
    attr_flags,
    fill,
    option_feedback_html,
)

_VALUES = {"true": True, "false": False}


class TrueFalse(QuestionType):
    """`answer` is true or false; `feedback_true`/`feedback_false` follow the learner's choice."""

    name = "true_false"
    label = "True/false"
    editor_fields = (
        EditorField("answer", "select", N_("The right answer"), required=True,
                    choices=((True, N_("True")), (False, N_("False")))),
        EditorField("feedback_true", "text", N_("Feedback when the learner answers True")),
        EditorField("feedback_false", "text", N_("Feedback when the learner answers False")),
    )

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        if not isinstance(q.get("answer"), bool):
            problems.append(("answer", "Set answer = true or answer = false."))
        for key in ("feedback_true", "feedback_false"):
            if key in q and q[key] is not None and not isinstance(q[key], str):
                problems.append((key, f"'{key}' must be text."))
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        if not isinstance(raw, list | tuple):
            return None
        for v in raw:
            if isinstance(v, str) and v.strip().lower() in _VALUES:
                return _VALUES[v.strip().lower()]
        return None

    def grade(self, q: dict, response: Any) -> Grade:
        if not isinstance(response, bool):
            return Grade.unanswered()
        fb = q.get("feedback_true" if response else "feedback_false")
        return Grade.from_fraction(
            1.0 if response == q.get("answer") else 0.0, [fb] if isinstance(fb, str) else []
        )

    def correct_response(self, q: dict) -> Any | None:
        answer = q.get("answer")
        return answer if isinstance(answer, bool) else None

    inline_feedback = True

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str,
               feedback=False) -> Markup:
        parts = [self._open(q, field, fieldset=True), Markup('<div class="pq-options">')]
        for value, label in (("true", gettext("True")), ("false", gettext("False"))):
            input_id = f"{field}-{value}"
            checked = response is _VALUES[value]
            note = (option_feedback_html(field, value, q.get(f"feedback_{value}"))
                    if feedback and checked else Markup(""))
            described = fill(' aria-describedby="{}-fb"', input_id) if note else ""
            parts.append(
                fill('<div class="pq-option"><input type="radio" name="{n}" id="{i}" value="{v}"'
                    '{flags}{d}> <label for="{i}">{label}</label>{note}</div>',
                    n=field,
                    i=input_id,
                    v=value,
                    d=described,
                    flags=attr_flags(checked=checked, disabled=disabled),
                    label=label,
                    note=note,
                )
            )
        parts += [Markup("</div>"), self._close(fieldset=True)]
        return Markup("").join(parts)

    def render_review(self, q, *, field, response=None, order=None, gettext=str,
                      feedback=False) -> Markup:
        return self.render(q, field=field, response=response, order=order, disabled=True,
                           gettext=gettext, feedback=feedback)

    def right_answer_text(self, q: dict, gettext=str) -> str:
        answer = q.get("answer")
        if not isinstance(answer, bool):
            return ""
        return gettext("True") if answer else gettext("False")
