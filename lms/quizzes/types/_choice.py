"""Shared code of the choice-based types (single and multiple choice)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from lms.quizzes.base import (
    N_,
    EditorColumn,
    EditorField,
    Problem,
    QuestionType,
    attr_flags,
    author_html,
    fill,
    is_number,
    is_text,
    option_feedback_html,
    ordered,
)

SHUFFLE_FIELD = EditorField(
    "shuffle", "select", N_("Order of the options"),
    help=N_("Options are shuffled for each learner when the quiz setting says so."),
    choices=((None, N_("As the quiz setting says")), (False, N_("Always in the written order"))),
)


def option_rows(weight_help: str, *, one_correct: bool = False) -> EditorField:
    """The options editor of a choice type: the text and "Correct" for the common case, the
    weights folded under the option's advanced settings (`lms.quizzes.editor.correct_or_weight`
    is the one rule: weights given -> weights, else the Correct marks)."""
    return EditorField(
        "options", "rows", N_("Options"), required=True, start_rows=4, scoring="correct_or_weight",
        row_label=N_("Option"),
        help=N_("Leave a row empty to remove it."),
        columns=(
            EditorColumn("id", "id", N_("Id")),
            EditorColumn("text", "textarea", N_("Option text"), required=True),
            EditorColumn("correct", "bool", N_("Correct"), one_row=one_correct),
            EditorColumn("weight", "number", N_("Weight (%)"), help=weight_help, advanced=True),
            EditorColumn("feedback", "text", N_("Feedback for this option")),
        ),
    )


class ChoiceType(QuestionType):
    """Options with ids and texts rendered as radios or checkboxes."""

    input_type = "radio"

    @staticmethod
    def options(q: dict) -> list[dict]:
        opts = q.get("options")
        if not isinstance(opts, list):
            return []
        return [o for o in opts if isinstance(o, dict)]

    def option_ids(self, q: dict) -> list[str]:
        return [str(o.get("id")) for o in self.options(q)]

    def option_by_id(self, q: dict) -> dict[str, dict]:
        return {str(o.get("id")): o for o in self.options(q)}

    def validate_options(self, q: dict) -> list[Problem]:
        problems: list[Problem] = []
        opts = q.get("options")
        if not isinstance(opts, list) or len(opts) < 2:
            return [
                (
                    "options",
                    'Give at least two options, e.g. options = [{id = "a", text = "..."}, ...].',
                )
            ]
        seen: set[str] = set()
        for i, o in enumerate(opts):
            where = f"options[{i}]"
            if not isinstance(o, dict):
                problems.append((where, "Each option must be a table with id and text."))
                continue
            oid = o.get("id")
            if not (is_text(oid) or (isinstance(oid, int) and not isinstance(oid, bool))):
                problems.append(
                    (f"{where}.id", 'Give the option a short unique id, e.g. id = "a".')
                )
            elif str(oid) in seen:
                problems.append(
                    (f"{where}.id", f"The option id {oid!r} is used twice; ids must be unique.")
                )
            else:
                seen.add(str(oid))
            if not is_text(o.get("text")) and not is_text(o.get("text_html")):
                problems.append(
                    (f"{where}.text", "The option text is empty; write the answer text.")
                )
            if "feedback" in o and o["feedback"] is not None and not isinstance(o["feedback"], str):
                problems.append((f"{where}.feedback", "Option feedback must be text."))
            if "weight" in o and not is_number(o["weight"]):
                problems.append(
                    (f"{where}.weight", "The weight must be a number of percent, e.g. weight = 50.")
                )
            elif "weight" in o and not -100 <= o["weight"] <= 100:
                problems.append(
                    (f"{where}.weight", "The weight must be between -100 and 100 percent.")
                )
            if "correct" in o and not isinstance(o["correct"], bool):
                problems.append((f"{where}.correct", "'correct' must be true or false."))
        return problems

    def shuffle_keys(self, q: dict) -> list[str] | None:
        if q.get("shuffle") is False:
            return None
        return self.option_ids(q)

    inline_feedback = True

    def _render_options(
        self, q: dict, *, field: str, chosen: set[str], order: list[str] | None, disabled: bool,
        feedback: bool = False,
    ) -> Markup:
        by_id = self.option_by_id(q)
        index = {oid: k for k, oid in enumerate(self.option_ids(q))}
        parts = [Markup('<div class="pq-options">')]
        for oid in ordered(list(by_id), order):
            opt = by_id[oid]
            input_id = f"{field}-opt{index[oid]}"
            note = (option_feedback_html(field, f"opt{index[oid]}", opt.get("feedback"))
                    if feedback and oid in chosen else Markup(""))
            described = fill(' aria-describedby="{}-fb"', input_id) if note else ""
            parts.append(
                fill('<div class="pq-option"><input type="{t}" name="{n}" id="{i}" value="{v}"'
                    '{flags}{d}> <label for="{i}">{text}</label>{note}</div>',
                    t=self.input_type,
                    n=field,
                    i=input_id,
                    v=oid,
                    d=described,
                    flags=attr_flags(checked=oid in chosen, disabled=disabled),
                    text=author_html(opt, "text"),
                    note=note,
                )
            )
        parts.append(Markup("</div>"))
        return Markup("").join(parts)

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        chosen = self._chosen(q, response)
        return (
            self._open(q, field, fieldset=True)
            + self._render_options(q, field=field, chosen=chosen, order=order, disabled=disabled)
            + self._close(fieldset=True)
        )

    def render_review(self, q, *, field, response=None, order=None, gettext=str,
                      feedback=False) -> Markup:
        chosen = self._chosen(q, response)
        return (
            self._open(q, field, fieldset=True)
            + self._render_options(q, field=field, chosen=chosen, order=order, disabled=True,
                                   feedback=feedback)
            + self._close(fieldset=True)
        )

    def _chosen(self, q: dict, response: Any) -> set[str]:
        raise NotImplementedError
