"""Ordering: put items in the right order; without JavaScript one <select> per position."""

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
    is_text,
    ordered,
)
from lms.quizzes.markup import plain_text
from lms.quizzes.types._slots import slot_texts, slot_value, text_key


class Ordering(QuestionType):
    """`items = [...]` in the right order.

    Response: list of item indexes in the learner's order (None for an empty position);
    fraction = items in their right absolute position / items. Fields are
    `f"{field}-{p}"` per position p, option values "p:<item text>" (never the item's index,
    which is its right position). Items must be distinct. Shuffle keys are item indexes (the
    order the items are listed in each select).
    """

    name = "ordering"
    label = "Ordering"
    editor_fields = (
        EditorField("items", "list", N_("Items in the right order"), required=True, start_rows=4,
                    row_label=N_("Item"),
                    help=N_("Learners see them scrambled and put them back in this order.")),
        EditorField(
            "shuffle", "select", N_("Order of the choices"),
            choices=((None, N_("Shuffled for each learner")),
                     (False, N_("Always in the written order"))),
        ),
    )

    @staticmethod
    def items(q: dict) -> list[str]:
        items = q.get("items")
        return [str(x) for x in items] if isinstance(items, list) else []

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        items = q.get("items")
        if not isinstance(items, list) or len(items) < 2:
            problems.append(
                (
                    "items",
                    'Give at least two items in the right order, e.g. items = ["first", "second"].',
                )
            )
            return problems
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not is_text(item):
                problems.append((f"items[{i}]", "The item is empty; write its text."))
            elif text_key(item) in seen:
                problems.append(
                    (f"items[{i}]", f"The item {item!r} appears twice; items must be distinct.")
                )
            else:
                seen.add(text_key(item))
        return problems

    def field_names(self, q: dict, field: str) -> list[str]:
        return [f"{field}-{p}" for p in range(len(self.items(q)))]

    def shuffle_keys(self, q: dict) -> list[str] | None:
        if q.get("shuffle") is False:
            return None
        return [str(i) for i in range(len(self.items(q)))]

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        items = self.items(q)
        n = len(items)
        found = slot_texts(raw, n, items)
        if not found:
            return None
        return [found.get(p) for p in range(n)]

    def grade(self, q: dict, response: Any) -> Grade:
        n = len(self.items(q))
        if not isinstance(response, list) or n == 0:
            return Grade.unanswered()
        given = [r for r in response if isinstance(r, int) and not isinstance(r, bool)]
        if not given:
            return Grade.unanswered()
        right = sum(
            1
            for p, r in enumerate(response[:n])
            if isinstance(r, int) and not isinstance(r, bool) and r == p
        )
        return Grade.from_fraction(right / n)

    def correct_response(self, q: dict) -> Any | None:
        n = len(self.items(q))
        return list(range(n)) or None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        items = self.items(q)
        keys = ordered([str(i) for i in range(len(items))], order)
        parts = [self._open(q, field, fieldset=True), Markup('<div class="pq-positions">')]
        for p in range(len(items)):
            current = response[p] if isinstance(response, list) and p < len(response) else None
            sid = f"{field}-{p}"
            opts = [Markup('<option value="">{}</option>').format(gettext("Choose…"))]
            for k in keys:
                i = int(k)
                opts.append(
                    Markup('<option value="{v}"{flags}>{t}</option>').format(
                        v=slot_value(p, items[i]),
                        flags=attr_flags(selected=current == i),
                        t=plain_text(items[i]),
                    )
                )
            parts.append(
                Markup(
                    '<div class="pq-position"><label for="{s}">{label}</label> '
                    '<select name="{s}" id="{s}"{flags}>{opts}</select></div>'
                ).format(
                    s=sid,
                    label=gettext("Position %(num)d") % {"num": p + 1},
                    flags=attr_flags(disabled=disabled),
                    opts=Markup("").join(opts),
                )
            )
        parts += [Markup("</div>"), self._close(fieldset=True)]
        return Markup("").join(parts)

    def right_answer_text(self, q: dict, gettext=str) -> str:
        return "; ".join(f"{p + 1}. {plain_text(item)}" for p, item in enumerate(self.items(q)))
