"""Essay: free text marked by a trainer; grade() only says it needs grading."""

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
    is_number,
)

MAX_CHARS = 100_000


def word_count(text: str) -> int:
    """Number of whitespace-separated words in `text`."""
    return len(text.split())


class Essay(QuestionType):
    """`rubric` (for trainers), optional `max_words`, `allow_upload` (the app adds the file input).

    grade(): an empty response is "unanswered", any text "needs_grading" with fraction 0;
    the trainer's score is applied elsewhere.
    """

    name = "essay"
    label = "Essay"
    auto_graded = False
    editor_fields = (
        EditorField("rubric", "markdown", N_("Rubric for trainers"),
                    help=N_("How to mark the answer; learners do not see it.")),
        EditorField("max_words", "integer", N_("Maximum number of words"),
                    help=N_("Empty: no limit.")),
        EditorField("allow_upload", "bool", N_("Learners may attach files (evidence)")),
    )

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        if "rubric" in q and q["rubric"] is not None and not isinstance(q["rubric"], str):
            problems.append(("rubric", "The rubric must be text."))
        mw = q.get("max_words")
        if mw is not None and (not is_number(mw) or int(mw) != mw or mw < 1):
            problems.append(
                (
                    "max_words",
                    "max_words must be a whole number of 1 or more, e.g. max_words = 300.",
                )
            )
        if not isinstance(q.get("allow_upload", False), bool):
            problems.append(("allow_upload", "allow_upload must be true or false."))
        return problems

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple):
            return None
        text = next((v for v in raw if isinstance(v, str)), None)
        if text is None:
            return None
        text = text.replace("\r\n", "\n").strip()[:MAX_CHARS]
        return text or None

    def grade(self, q: dict, response: Any) -> Grade:
        if not isinstance(response, str) or not response.strip():
            return Grade.unanswered()
        return Grade(0.0, [], "needs_grading")

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        value = response if isinstance(response, str) else ""
        hint = Markup("")
        mw = q.get("max_words")
        if is_number(mw):
            hint = fill(' <span class="pq-hint" id="{f}-hint">{t}</span>',
                f=field, t=gettext("At most %(num)d words") % {"num": int(mw)}
            )
        described = fill(' aria-describedby="{f}-hint"', f=field) if is_number(mw) else ""
        return (
            self._open(q, field, fieldset=False)
            + fill('<div class="pq-answer"><label for="{f}-input" id="{f}-label">{label}</label>{hint}'
                '<textarea name="{f}" id="{f}-input" rows="10" aria-labelledby="{f}-label {f}-text"'
                '{d}{flags}>{v}</textarea></div>',
                f=field,
                label=gettext("Answer"),
                hint=hint,
                d=described,
                v=value,
                flags=attr_flags(disabled=disabled),
            )
            + self._close(fieldset=False)
        )
