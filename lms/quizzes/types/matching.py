"""Matching: one <select> per left-hand item choosing its right-hand partner."""

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
    is_text,
    ordered,
)
from lms.quizzes.markup import has_image, inline_html, plain_text
from lms.quizzes.types._slots import slot_texts, slot_value, text_key


def choices_with_images(texts: list[str], gettext) -> Markup:
    """The choices shown whole, images included, above the selects when any choice holds an
    image (an <option> shows only its words: the image's alt text or file name)."""
    if not any(has_image(t) for t in texts):
        return Markup("")
    items = Markup("").join(
        Markup("<li>{}</li>").format(Markup(inline_html(t)))  # noqa: S704 - nh3
        for t in texts)
    return fill('<div class="pq-choice-images"><p>{}</p><ul>{}</ul></div>',
        gettext("The choices:"), items)


class Matching(QuestionType):
    """`pairs = [{left, right}]` plus optional `distractors` (extra right-hand texts).

    Response: {"<left index>": "<right text>"}; fraction = right pairs / pairs. Fields are
    `f"{field}-{i}"` per left item, option values "i:<right text>" (never an index that
    tells which option belongs to which left item). Several pairs may share a right-hand text;
    distractors must differ from each other and from every right-hand text. Shuffle keys are
    indexes into `choices(q)` (the order of the options in every select).
    """

    name = "matching"
    label = "Matching"
    editor_fields = (
        EditorField(
            "pairs", "rows", N_("Pairs"), required=True, start_rows=4, row_label=N_("Pair"),
            help=N_("Each left-hand text with its right partner. Leave a row empty to remove it."),
            columns=(
                EditorColumn("left", "text", N_("Left"), required=True),
                EditorColumn("right", "text", N_("Right"), required=True),
            ),
        ),
        EditorField("distractors", "list", N_("Extra wrong right-hand texts"), start_rows=1,
                    row_label=N_("Wrong right-hand text"),
                    help=N_("Optional: right-hand texts that belong to no left-hand text.")),
        EditorField(
            "shuffle", "select", N_("Order of the choices"),
            choices=((None, N_("Shuffled for each learner")),
                     (False, N_("Always in the written order"))),
        ),
    )

    @staticmethod
    def pairs(q: dict) -> list[dict]:
        p = q.get("pairs")
        return [x for x in p if isinstance(x, dict)] if isinstance(p, list) else []

    def choices(self, q: dict) -> list[str]:
        """The distinct right-hand texts: the pairs' in order, then the distractors."""
        out: list[str] = []
        rights = [p.get("right") for p in self.pairs(q)]
        extra = q.get("distractors") if isinstance(q.get("distractors"), list) else []
        for r in [*rights, *extra]:
            if isinstance(r, str) and r not in out:
                out.append(r)
        return out

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        pairs = q.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            problems.append(
                (
                    "pairs",
                    'Give at least two pairs, e.g. pairs = [{left = "DDC", right = "Dewey"}, ...].',
                )
            )
            pairs = pairs if isinstance(pairs, list) else []
        lefts: set[str] = set()
        for i, p in enumerate(pairs):
            where = f"pairs[{i}]"
            if not isinstance(p, dict):
                problems.append((where, "Each pair must be a table with left and right."))
                continue
            for side in ("left", "right"):
                if not is_text(p.get(side)):
                    problems.append(
                        (f"{where}.{side}", f"The {side}-hand text is empty; write it.")
                    )
            left = p.get("left")
            if is_text(left):
                if left in lefts:
                    problems.append(
                        (
                            f"{where}.left",
                            f"The left-hand text {left!r} appears twice; each must be unique.",
                        )
                    )
                lefts.add(left)
        # Right-hand texts travel as option values: they must be told apart after a form
        # round trip. Pairs may share a right-hand text; a distractor must be new.
        rights: dict[str, str] = {}
        for i, p in enumerate(pairs):
            right = p.get("right") if isinstance(p, dict) else None
            if not is_text(right):
                continue
            known = rights.setdefault(text_key(right), right)
            if known != right:
                problems.append(
                    (
                        f"pairs[{i}].right",
                        f"The right-hand text {right!r} differs from {known!r} only in its line "
                        "breaks; write both the same way or make them clearly different.",
                    )
                )
        distractors = q.get("distractors", [])
        if not isinstance(distractors, list) or not all(is_text(d) for d in distractors):
            problems.append(
                (
                    "distractors",
                    'distractors must be a list of right-hand texts, e.g. distractors = ["UDC"].',
                )
            )
            return problems
        seen = set(rights)
        for i, d in enumerate(distractors):
            if text_key(d) in seen:
                problems.append(
                    (
                        f"distractors[{i}]",
                        f"The distractor {d!r} is already a right-hand text or another "
                        "distractor; each must be unique.",
                    )
                )
            seen.add(text_key(d))
        return problems

    def field_names(self, q: dict, field: str) -> list[str]:
        return [f"{field}-{i}" for i in range(len(self.pairs(q)))]

    def shuffle_keys(self, q: dict) -> list[str] | None:
        if q.get("shuffle") is False:
            return None
        return [str(j) for j in range(len(self.choices(q)))]

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        choices = self.choices(q)
        found = slot_texts(raw, len(self.pairs(q)), choices)
        return {str(i): choices[j] for i, j in sorted(found.items())} or None

    @staticmethod
    def _answer(response: Any, i: int) -> Any:
        if not isinstance(response, dict):
            return None
        return response.get(str(i), response.get(i))

    def grade(self, q: dict, response: Any) -> Grade:
        pairs = self.pairs(q)
        if not isinstance(response, dict) or not response or not pairs:
            return Grade.unanswered()
        right = sum(1 for i, p in enumerate(pairs) if self._answer(response, i) == p.get("right"))
        return Grade.from_fraction(right / len(pairs))

    def correct_response(self, q: dict) -> Any | None:
        pairs = self.pairs(q)
        return {str(i): p.get("right") for i, p in enumerate(pairs)} or None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        choices = self.choices(q)
        keys = ordered([str(j) for j in range(len(choices))], order)
        parts = [self._open(q, field, fieldset=True),
                 choices_with_images([choices[int(k)] for k in keys], gettext),
                 Markup('<div class="pq-pairs">')]
        for i, pair in enumerate(self.pairs(q)):
            current = self._answer(response, i)
            sid = f"{field}-{i}"
            opts = [fill('<option value="">{}</option>', gettext("Choose…"))]
            for k in keys:
                j = int(k)
                opts.append(
                    fill('<option value="{v}"{flags}>{t}</option>',
                        v=slot_value(i, choices[j]),
                        flags=attr_flags(selected=current == choices[j]),
                        t=plain_text(choices[j]),
                    )
                )
            parts.append(
                fill('<div class="pq-pair"><label for="{s}">{left}</label> '
                    '<select name="{s}" id="{s}"{flags}>{opts}</select></div>',
                    s=sid,
                    left=Markup(inline_html(str(pair.get("left", "")))),  # noqa: S704 - nh3
                    flags=attr_flags(disabled=disabled),
                    opts=Markup("").join(opts),
                )
            )
        parts += [Markup("</div>"), self._close(fieldset=True)]
        return Markup("").join(parts)

    def right_answer_text(self, q: dict, gettext=str) -> str:
        return "; ".join(f"{plain_text(str(p.get('left')))} → {plain_text(str(p.get('right')))}"
                         for p in self.pairs(q))
