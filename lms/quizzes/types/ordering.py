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
    fill,
    is_text,
    ordered,
)
from lms.quizzes.markup import plain_text
from lms.quizzes.types._slots import slot_texts, slot_value, text_key
from lms.quizzes.types.matching import choices_with_images

# Moodle's qtype_ordering grading types (question.php GRADING_*), by Pelita name -> Moodle name.
GRADING_TYPES: dict[str, str] = {
    "absolute_position": "ABSOLUTE_POSITION",
    "all_or_nothing": "ALL_OR_NOTHING",
    "relative_to_correct": "RELATIVE_TO_CORRECT",
    "relative_next_exclude_last": "RELATIVE_NEXT_EXCLUDE_LAST",
    "relative_next_include_last": "RELATIVE_NEXT_INCLUDE_LAST",
    "relative_one_previous_and_next": "RELATIVE_ONE_PREVIOUS_AND_NEXT",
    "relative_all_previous_and_next": "RELATIVE_ALL_PREVIOUS_AND_NEXT",
    "longest_ordered_subset": "LONGEST_ORDERED_SUBSET",
    "longest_contiguous_subset": "LONGEST_CONTIGUOUS_SUBSET",
}
DEFAULT_GRADING = "absolute_position"
# Moodle stores the grading type as a number (question.php) and writes it by name in XML.
MOODLE_GRADING_NUMBERS: dict[int, str] = {
    -1: "all_or_nothing", 0: "absolute_position", 1: "relative_next_exclude_last",
    2: "relative_next_include_last", 3: "relative_one_previous_and_next",
    4: "relative_all_previous_and_next", 5: "longest_ordered_subset",
    6: "longest_contiguous_subset", 7: "relative_to_correct",
}
GRADING_LABELS = {
    "absolute_position": N_("Absolute position: each item in its right place"),
    "all_or_nothing": N_("All or nothing: every item in its right place"),
    "relative_to_correct": N_("Relative to the correct position: nearer earns more"),
    "relative_next_exclude_last": N_("Relative to the next item (excluding the last)"),
    "relative_next_include_last": N_("Relative to the next item (including the last)"),
    "relative_one_previous_and_next": N_("Relative to the previous and next items"),
    "relative_all_previous_and_next": N_("Relative to all the previous and next items"),
    "longest_ordered_subset": N_("Longest ordered subset"),
    "longest_contiguous_subset": N_("Longest contiguous subset"),
}

_END = object()  # "no item" before the first or after the last


def grading_of(q: dict) -> str:
    grading = q.get("grading") if isinstance(q, dict) else None
    return grading if grading in GRADING_TYPES else DEFAULT_GRADING


def _longest_subset(order: list[int], contiguous: bool) -> int:
    """Moodle's ordered subset: the longest run of items in the learner's order whose right
    positions increase (`contiguous`: by exactly one each step); a lone item does not count."""
    best: list[int] = []
    for k, value in enumerate(order):
        length = 1
        for j in range(k):
            if (order[j] == value - 1) if contiguous else (order[j] < value):
                length = max(length, best[j] + 1)
        best.append(length)
    longest = max(best, default=0)
    return longest if longest > 1 else 0


def order_fraction(grading: str, current: list[int | None], n: int) -> float:
    """The fraction Moodle's qtype_ordering gives for a learner's order (`current[p]` is the
    right position of the item placed at position p, None for an empty position) out of n
    items, by one of GRADING_TYPES (question.php grade_response)."""
    if n == 0:
        return 0.0
    cur: list[Any] = [c if isinstance(c, int) and not isinstance(c, bool) else object()
                      for c in list(current[:n]) + [None] * (n - len(current[:n]))]
    right = list(range(n))
    if grading in ("absolute_position", "all_or_nothing"):
        count = sum(1 for p in range(n) if cur[p] == p)
        if grading == "all_or_nothing":
            return 1.0 if count == n else 0.0
        return count / n
    if grading in ("relative_next_exclude_last", "relative_next_include_last"):
        last = grading == "relative_next_include_last"

        def nexts(seq: list[Any]) -> dict[Any, Any]:
            out = {seq[p]: seq[p + 1] for p in range(len(seq) - 1)}
            if last:
                out[seq[-1]] = _END
            return out

        want, got = nexts(right), nexts(cur)
        total = len(want)
        hits = sum(1 for item, nxt in want.items() if item in got and got[item] == nxt)
        return hits / total if total else 0.0
    if grading in ("relative_one_previous_and_next", "relative_all_previous_and_next"):
        every = grading == "relative_all_previous_and_next"

        def neighbours(seq: list[Any]) -> dict[Any, tuple[list[Any], list[Any]]]:
            out = {}
            for p, item in enumerate(seq):
                if every:
                    out[item] = (seq[:p], seq[p + 1:])
                else:
                    out[item] = ([seq[p - 1] if p else _END], [seq[p + 1] if p < len(seq) - 1
                                                               else _END])
            return out

        want, got = neighbours(right), neighbours(cur)
        hits = total = 0
        for item, (prev, nxt) in want.items():
            total += len(prev) + len(nxt)
            if item in got:
                hits += sum(1 for x in prev if x in got[item][0])
                hits += sum(1 for x in nxt if x in got[item][1])
        return hits / total if total else 0.0
    if grading in ("longest_ordered_subset", "longest_contiguous_subset"):
        placed = [c for c in cur if isinstance(c, int)]
        return _longest_subset(placed, grading == "longest_contiguous_subset") / n
    if grading == "relative_to_correct":
        if n == 1:
            return 1.0 if cur[0] == 0 else 0.0
        score = 0
        for item in right:
            if item in cur:
                score += max(0, (n - 1) - abs(item - cur.index(item)))
        return score / (n * (n - 1))
    raise ValueError(f"unknown grading type {grading!r}")


class Ordering(QuestionType):
    """`items = [...]` in the right order.

    Response: list of item indexes in the learner's order (None for an empty position);
    the fraction follows `grading` (one of Moodle's grading types, GRADING_TYPES; by default
    items in their right absolute position / items). Fields are
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
        EditorField(
            "grading", "select", N_("Grading"),
            help=N_("How a partly right order is scored (Moodle's grading types)."),
            choices=((None, GRADING_LABELS[DEFAULT_GRADING]),
                     *((name, label) for name, label in GRADING_LABELS.items()
                       if name != DEFAULT_GRADING)),
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
        grading = q.get("grading")
        if grading is not None and grading not in GRADING_TYPES:
            problems.append(("grading", f"grading must be one of {', '.join(GRADING_TYPES)}."))
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
        return Grade.from_fraction(order_fraction(grading_of(q), response, n))

    def correct_response(self, q: dict) -> Any | None:
        n = len(self.items(q))
        return list(range(n)) or None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        items = self.items(q)
        keys = ordered([str(i) for i in range(len(items))], order)
        parts = [self._open(q, field, fieldset=True),
                 choices_with_images([items[int(k)] for k in keys], gettext),
                 Markup('<div class="pq-positions">')]
        for p in range(len(items)):
            current = response[p] if isinstance(response, list) and p < len(response) else None
            sid = f"{field}-{p}"
            opts = [fill('<option value="">{}</option>', gettext("Choose…"))]
            for k in keys:
                i = int(k)
                opts.append(
                    fill('<option value="{v}"{flags}>{t}</option>',
                        v=slot_value(p, items[i]),
                        flags=attr_flags(selected=current == i),
                        t=plain_text(items[i]),
                    )
                )
            parts.append(
                fill('<div class="pq-position"><label for="{s}">{label}</label> '
                    '<select name="{s}" id="{s}"{flags}>{opts}</select></div>',
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
