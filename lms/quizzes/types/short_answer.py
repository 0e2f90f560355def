"""Short answer: typed text matched against author answers with `*` wildcards.

Matching normalises both sides the same way: Unicode NFKC, case-folded unless
`case_sensitive`, hyphens and apostrophes removed ("e-book" = "ebook"), the other
punctuation `. , ; : ! ? " ( )` turned into spaces, whitespace collapsed; then the
author's spelling `variants` are replaced by their canonical word and, with
`indonesian = true`, Indonesian number words become digits ("dua puluh" = "20").
`*` in an answer matches any characters (write `\\*` for a literal star).
"""

from __future__ import annotations

import re
import unicodedata
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
    is_number,
    is_text,
)
from lms.quizzes.types._indonesian import numbers_to_digits

_JOINERS = re.compile(r"['\u2019\u2018`\-\u2010\u2011\u2013]")
_PUNCT = re.compile(r"[.,;:!?\"\u201c\u201d()]")
_STAR = "\ue000"  # placeholder for an author's literal \*
MAX_RESPONSE = 2000


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Case/space/punctuation-insensitive form of `text` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        text = text.casefold()
    text = _JOINERS.sub("", text)
    text = _PUNCT.sub(" ", text)
    return " ".join(text.split())


class ShortAnswer(QuestionType):
    """`answers = [{text, credit (percent, default 100), feedback}]`; the best match counts."""

    name = "short_answer"
    label = "Short answer"
    editor_fields = (
        EditorField(
            "answers", "rows", N_("Accepted answers"), required=True, start_rows=3,
            row_label=N_("Answer"),
            help=N_("Capital letters, spaces and punctuation do not matter. * matches any text."),
            columns=(
                EditorColumn("text", "text", N_("Answer"), required=True),
                EditorColumn("credit", "number", N_("Credit (%)"), help=N_("Empty means 100.")),
                EditorColumn("feedback", "text", N_("Feedback for this answer")),
            ),
        ),
        EditorField("case_sensitive", "bool", N_("Capital letters must match")),
        EditorField("indonesian", "bool", N_("Accept Indonesian number words as digits"),
                    help=N_('"dua puluh" counts as 20.')),
        EditorField("variants", "mapping", N_("Other spellings"),
                    help=N_("One word per line: the word, a colon, then its other spellings "
                         "separated by commas, e.g. perpustakaan: perpus, pustaka")),
    )

    @staticmethod
    def answers(q: dict) -> list[dict]:
        a = q.get("answers")
        return [x for x in a if isinstance(x, dict)] if isinstance(a, list) else []

    @staticmethod
    def credit(answer: dict) -> float:
        c = answer.get("credit", 100)
        return float(c) if is_number(c) else 0.0

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            problems.append(
                (
                    "answers",
                    'Give at least one accepted answer, e.g. answers = [{text = "katalog"}].',
                )
            )
            answers = []
        for i, a in enumerate(answers):
            where = f"answers[{i}]"
            if not isinstance(a, dict):
                problems.append(
                    (where, "Each answer must be a table with text, credit and feedback.")
                )
                continue
            if not is_text(a.get("text")):
                problems.append(
                    (
                        f"{where}.text",
                        "The answer text is empty; write the accepted answer (use * as a wildcard).",
                    )
                )
            elif not normalise_text(a["text"].replace("*", "")) and a["text"].strip() != "*":
                problems.append(
                    (
                        f"{where}.text",
                        "The answer has only punctuation, which matching ignores; write words or digits.",
                    )
                )
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
        if not isinstance(q.get("case_sensitive", False), bool):
            problems.append(("case_sensitive", "case_sensitive must be true or false."))
        if not isinstance(q.get("indonesian", False), bool):
            problems.append(("indonesian", "indonesian must be true or false."))
        variants = q.get("variants", {})
        if not isinstance(variants, dict) or not all(
            is_text(k) and isinstance(v, list) and all(is_text(x) for x in v)
            for k, v in variants.items()
        ):
            problems.append(
                (
                    "variants",
                    'variants maps a word to a list of spellings, e.g. variants = {perpustakaan = ["perpus", "pustaka"]}.',
                )
            )
        return problems

    # -- matching ---------------------------------------------------------------------
    def _canonical(self, q: dict, text: str) -> str:
        case_sensitive = q.get("case_sensitive") is True
        text = normalise_text(text, case_sensitive=case_sensitive)
        variants = q.get("variants")
        if isinstance(variants, dict) and variants:
            pairs = []
            for word, spellings in variants.items():
                if not isinstance(word, str) or not isinstance(spellings, list):
                    continue
                canon = normalise_text(word, case_sensitive=case_sensitive)
                for s in spellings:
                    if isinstance(s, str) and normalise_text(s, case_sensitive=case_sensitive):
                        pairs.append((normalise_text(s, case_sensitive=case_sensitive), canon))
            pairs.sort(key=lambda p: -len(p[0]))
            if pairs:
                table = dict(pairs)
                pattern = re.compile(
                    r"(?<!\S)(" + "|".join(re.escape(s) for s, _ in pairs) + r")(?!\S)"
                )
                text = pattern.sub(lambda m: table[m.group(1)], text)
        if q.get("indonesian") is True:
            text = numbers_to_digits(text)
        return text

    def _pattern(self, q: dict, answer_text: str) -> re.Pattern[str]:
        raw = answer_text.replace("\\*", _STAR).split("*")
        pieces = [
            self._canonical(q, p).replace(_STAR.casefold(), "*").replace(_STAR, "*") for p in raw
        ]
        body = re.escape(pieces[0])
        for k in range(1, len(pieces)):
            # A space next to the star is kept: "buku *" does not match "bukubesar".
            left = raw[k - 1][-1:].isspace() and pieces[k - 1] != ""
            right = raw[k][:1].isspace() and pieces[k] != ""
            if left and right:
                joint = r"\s(?:.*\s)?"
            elif left:
                joint = r"(?:\s.*)?"
            elif right:
                joint = r"(?:.*\s)?"
            else:
                joint = ".*"
            body += joint + re.escape(pieces[k])
        return re.compile(body, re.DOTALL)

    def matching_answer(self, q: dict, response: str) -> dict | None:
        """The highest-credit answer matching `response`, or None."""
        resp = self._canonical(q, response[:MAX_RESPONSE])
        if not resp:
            return None
        best = None
        for a in self.answers(q):
            if not isinstance(a.get("text"), str):
                continue
            if self._pattern(q, a["text"]).fullmatch(resp) and (
                best is None or self.credit(a) > self.credit(best)
            ):
                best = a
        return best

    # -- contract ------------------------------------------------------------------------
    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        text = raw if isinstance(raw, str) else None
        if isinstance(raw, list | tuple):
            text = next((v for v in raw if isinstance(v, str)), None)
        if text is None:
            return None
        text = " ".join(text.split())[:MAX_RESPONSE]
        return text or None

    def grade(self, q: dict, response: Any) -> Grade:
        if not isinstance(response, str) or not response.strip():
            return Grade.unanswered()
        best = self.matching_answer(q, response)
        if best is None:
            return Grade.from_fraction(0.0)
        fb = best.get("feedback")
        return Grade.from_fraction(self.credit(best) / 100, [fb] if isinstance(fb, str) else [])

    def correct_response(self, q: dict) -> Any | None:
        for a in self.answers(q):
            if self.credit(a) == 100 and isinstance(a.get("text"), str):
                text = a["text"].replace("\\*", _STAR).replace("*", "").replace(_STAR, "*")
                return " ".join(text.split()) or "x"
        return None

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        value = response if isinstance(response, str) else ""
        return (
            self._open(q, field, fieldset=False)
            + fill('<div class="pq-answer"><label for="{f}-input" id="{f}-label">{label}</label> '
                '<input type="text" name="{f}" id="{f}-input" value="{v}" autocomplete="off"'
                ' spellcheck="false" aria-labelledby="{f}-label {f}-text"{flags}></div>', f=field, label=gettext("Answer"), v=value, flags=attr_flags(disabled=disabled))
            + self._close(fieldset=False)
        )

    def right_answer_text(self, q: dict, gettext=str) -> str:
        return "; ".join(str(a.get("text")) for a in self.answers(q) if self.credit(a) == 100)
