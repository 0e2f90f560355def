"""The question-type contract shared by every built-in and third-party question type.

Pure: no Flask imports. Question definitions are plain dicts (loaded from TOML, GIFT, the
editor, ...); a `QuestionType` validates, normalises a learner's form values, grades, and
renders one definition. See `docs` in each method for the exact shapes.

Form field naming (the app reads `qtype.field_names(q, field)` and collects
``[v for name in names for v in form.getlist(name)]`` into `raw`):

* single_choice, true_false, short_answer, numerical, essay: one name, ``field``.
* multiple_choice: one name, ``field``, repeated once per ticked checkbox.
* matching: ``f"{field}-{i}"`` per left-hand item ``i``; ordering: ``f"{field}-{p}"`` per
  position ``p``. Their option values carry the slot and the option's text
  (``"i:<text>"``), so the flat list can be collected in any order and a value never tells
  which option is the right one.
* description: no fields.

Scored and non-scored types (self-assessment, survey). Two class attributes of `QuestionType`:

* `scored` (default True): the type has right and wrong answers. A type with ``scored = False``
  has no right answer (a Likert self-assessment, a survey): the engine stores the state
  ``"answered"`` instead of correct/partial/incorrect (its `grade()` may return
  `Grade.answered(share)` itself; any other graded state is turned into ``"answered"``), learners
  see "Answered" / "Partly answered" instead of "Correct", never a right answer, and no marks
  line when the question is worth 0 points. The fraction stays the answered share, so points an
  author gives on purpose are earned for answering, never for *what* was answered.
* `default_points` (default 1): the marks a question is worth without a `points` key; the
  browser editor's points help and `points()` use it. A non-scored type normally sets 0, so it
  adds nothing to the attempt's maximum marks nor its percentage: an attempt made only of such
  questions has 0 maximum marks, scores 100 % and so counts as passed once submitted (every quiz
  of a course counts towards progress).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from markupsafe import Markup, escape

Problem = tuple[str, str]
Gettext = Callable[[str], str]

# "answered": a question of a non-scored type (no right answer) was answered, fully or in part.
STATES = ("correct", "partial", "incorrect", "needs_grading", "unanswered", "answered")


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response: fraction of the marks, feedback and a state."""

    fraction: float
    feedback: list[str] = field(default_factory=list)
    state: str = "incorrect"

    def __post_init__(self) -> None:
        if not (0.0 <= self.fraction <= 1.0) or math.isnan(self.fraction):
            raise ValueError(f"Grade.fraction must be within [0, 1], got {self.fraction!r}")
        if self.state not in STATES:
            raise ValueError(f"Grade.state must be one of {', '.join(STATES)}, got {self.state!r}")

    @classmethod
    def from_fraction(cls, fraction: float, feedback: Iterable[str] = ()) -> Grade:
        """Clamp to [0, 1], snap rounding noise and derive the state from the fraction."""
        if fraction is None or math.isnan(fraction):
            fraction = 0.0
        fraction = min(1.0, max(0.0, float(fraction)))
        if fraction > 1 - 1e-6:
            fraction = 1.0
        elif fraction < 1e-9:
            fraction = 0.0
        else:
            fraction = round(fraction, 7)
        state = "correct" if fraction == 1.0 else "partial" if fraction > 0 else "incorrect"
        return cls(fraction, [f for f in feedback if f], state)

    @classmethod
    def unanswered(cls) -> Grade:
        """The grade of a question that was not answered."""
        return cls(0.0, [], "unanswered")

    @classmethod
    def answered(cls, share: float = 1.0, feedback: Iterable[str] = ()) -> Grade:
        """The grade of a non-scored question (no right answer) that was answered; `share` is
        the part answered (0..1), which earns the points an author gives on purpose."""
        graded = cls.from_fraction(share, feedback)
        return cls(graded.fraction, graded.feedback, "answered")

    def as_answered(self) -> Grade:
        """This grade for a non-scored type: correct/partial/incorrect become "answered"."""
        if self.state in ("correct", "partial", "incorrect"):
            return Grade(self.fraction, list(self.feedback), "answered")
        return self


def review_state(scored: bool, state: str, fraction: float) -> str:
    """The state a review shows: a non-scored question's "answered" (or a correct/partial/
    incorrect stored before its type said it is not scored) is "partly_answered" when only a
    part was answered (0 < fraction < 1), else "answered"; anything else is shown as it is."""
    if scored or state not in ("answered", "correct", "partial", "incorrect"):
        return state
    return "partly_answered" if 0.0 < fraction < 1.0 else "answered"


class QuestionDefinitionError(Exception):
    """A question definition is invalid; `problems` lists (field, message) pairs."""

    def __init__(self, problems: list[Problem], question_id: Any = None) -> None:
        self.problems = list(problems)
        self.question_id = question_id
        where = f"question {question_id!r}: " if question_id is not None else ""
        super().__init__(where + "; ".join(f"{f}: {m}" for f, m in self.problems))


# ---------------------------------------------------------------------------- helpers


def is_number(value: Any) -> bool:
    """True for finite ints and floats (bools are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_text(value: Any) -> bool:
    """True for a string with non-blank content."""
    return isinstance(value, str) and value.strip() != ""


def option_feedback_html(field: str, key: str, text: Any) -> Markup:
    """The feedback of one chosen option, shown under it in a review (id `{field}-{key}-fb`, which
    the option's input names in `aria-describedby`); empty for no feedback."""
    if not is_text(text):
        return Markup("")
    from lms.quizzes.markup import inline_html

    return fill('<p class="pq-option__feedback quiz-feedback" id="{f}-{k}-fb">{t}</p>',
        f=field, k=key, t=Markup(inline_html(text)))  # noqa: S704 - sanitised by nh3


def author_html(d: dict, key: str) -> Markup:
    """Author text as Markup: the trusted `key_html` if present, else `key` as sanitised inline
    Markdown (`lms.quizzes.markup.inline_html`: emphasis and code show as such, never raw)."""
    from lms.quizzes.markup import inline_html

    html = d.get(f"{key}_html")
    if isinstance(html, str):
        return Markup(html)  # noqa: S704 - *_html keys are sanitised by the caller
    value = d.get(key)
    if isinstance(value, str):
        return Markup(inline_html(value))  # noqa: S704 - sanitised by nh3
    return escape("" if value is None else str(value))


def fill(template: str, *args: Any, **values: Any) -> Markup:
    """`Markup(template).format(...)` at a third of the cost (a quiz page builds ~50 such
    pieces): every value escaped (Markup kept as it is), then plain `str.format`. The template
    is our own constant HTML; no format specs."""
    return Markup(template.format(*map(escape, args),  # noqa: S704 - values escaped here
                                  **{k: escape(v) for k, v in values.items()}))


def attr_flags(*, checked: bool = False, disabled: bool = False, selected: bool = False) -> Markup:
    """Boolean HTML attributes as a Markup fragment (with a leading space)."""
    out = ""
    if checked:
        out += " checked"
    if selected:
        out += " selected"
    if disabled:
        out += " disabled"
    return Markup(out)  # noqa: S704 - constant strings only


def ordered(keys: list[str], order: list[str] | None) -> list[str]:
    """`keys` in the display `order`; unknown keys in `order` dropped, missing ones appended."""
    if not order:
        return list(keys)
    known = set(keys)
    seen: set[str] = set()
    out: list[str] = []
    for k in order:
        k = str(k)
        if k in known and k not in seen:
            out.append(k)
            seen.add(k)
    out.extend(k for k in keys if k not in seen)
    return out


def first_text(raw: Any) -> str | None:
    """The first non-blank string in a raw form list, or None."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return None
    for v in raw:
        if isinstance(v, str) and v.strip():
            return v
    return None


# ---------------------------------------------------------------------------- editor description


def N_(message: str) -> str:
    """Mark an English string for translation: pybabel extracts it (N_ is one of its default
    keywords) and the page translates it when shown; the value is the string itself."""
    return message


EDITOR_KINDS = ("text", "textarea", "markdown", "number", "integer", "bool", "select", "rows",
                "list", "mapping")
COLUMN_KINDS = ("id", "text", "textarea", "number", "integer", "bool")


@dataclass(frozen=True)
class EditorColumn:
    """One cell of a repeatable row (an option, an answer, a pair). See `lms.quizzes.editor`."""

    name: str
    kind: str = "text"  # one of COLUMN_KINDS
    label: str = ""
    help: str = ""
    required: bool = False  # a blank cell is an error (else a blank cell leaves the key out)
    # Shown folded under the row's "Advanced settings" (opened when it holds a value or error).
    advanced: bool = False
    # A `bool` column true on at most one row: one radio group `<field>-<column>` posting the
    # row's index (single choice's "Correct").
    one_row: bool = False


@dataclass(frozen=True)
class EditorField:
    """One field of a question type's editor form (English label/help, translated on display).

    `kind` is one of EDITOR_KINDS; `choices` are (value, label) pairs of a `select` (value None
    leaves the key out); `columns` describe the cells of `rows`; `start_rows` is the number of
    empty rows a new question starts with; `row_label` names one row ("Option" -> "Option 1");
    `scoring="correct_or_weight"` on choice rows writes
    `weight` on every row when any row has a weight, else `correct` on every row; `advanced`
    folds the field (or a column, `EditorColumn.advanced`) under "Advanced settings". The full
    contract is in the docstring of `lms.quizzes.editor`.
    """

    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[tuple[Any, str], ...] = ()
    columns: tuple[EditorColumn, ...] = ()
    start_rows: int = 0
    scoring: str = ""
    row_label: str = ""
    advanced: bool = False  # shown folded under the form's "Advanced settings"


# ---------------------------------------------------------------------------- contract


class QuestionType:
    """Base class of a question type; subclasses set `name`, `label` and override methods."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    auto_graded: ClassVar[bool] = True
    is_question: ClassVar[bool] = True
    # The browser editor's form for the type's own keys (None: the editor keeps them as they
    # are and edits only the common fields); `editor_omit` hides common fields (e.g. points).
    editor_fields: ClassVar[tuple[EditorField, ...] | None] = None
    editor_omit: ClassVar[tuple[str, ...]] = ()
    # False: no right answer (self-assessment, survey); see the module docstring.
    scored: ClassVar[bool] = True
    # True when the type has feedback per option and its `render_review` shows each chosen
    # option's feedback under that option (the review then leaves it out of the list below).
    inline_feedback: ClassVar[bool] = False
    # The marks a question is worth when it has no `points` key.
    default_points: ClassVar[float] = 1

    # -- definition -------------------------------------------------------------------
    def validate(self, q: dict) -> list[Problem]:
        """Every problem with the definition as (field, English message with a fix hint)."""
        return self.validate_common(q)

    def validate_common(self, q: dict) -> list[Problem]:
        """Checks shared by all types: id, type, text, points, feedback."""
        problems: list[Problem] = []
        if not isinstance(q, dict):
            return [("", "The question must be a table/dict of fields.")]
        qid = q.get("id")
        if qid is not None and not (
            is_text(qid) or (isinstance(qid, int) and not isinstance(qid, bool))
        ):
            problems.append(("id", "The id must be a non-empty string or an integer."))
        if q.get("type") not in (None, self.name):
            problems.append(
                ("type", f"The type is {q.get('type')!r} but this is the {self.name!r} type.")
            )
        if not is_text(q.get("text")) and not is_text(q.get("text_html")):
            problems.append(
                ("text", "The question text is missing; add a 'text' with the question.")
            )
        points = q.get("points", self.default_points)
        if not is_number(points) or points < 0:
            problems.append(("points", "Points must be a number of 0 or more, e.g. points = 1."))
        for key in ("feedback", "title", "text_format", "category"):
            if key in q and q[key] is not None and not isinstance(q[key], str):
                problems.append((key, f"'{key}' must be text."))
        return problems

    def check(self, q: dict) -> None:
        """Raise `QuestionDefinitionError` if `validate` finds problems."""
        problems = self.validate(q)
        if problems:
            raise QuestionDefinitionError(problems, q.get("id") if isinstance(q, dict) else None)

    def points(self, q: dict) -> float:
        """The marks the question is worth (default `default_points`, 1 unless the type says)."""
        p = q.get("points", self.default_points) if isinstance(q, dict) else self.default_points
        return float(p) if is_number(p) and p >= 0 else float(self.default_points)

    def shuffle_keys(self, q: dict) -> list[str] | None:
        """Ids of the parts that may be shuffled (options), None if not shuffleable."""
        return None

    # -- responses ----------------------------------------------------------------------
    def field_names(self, q: dict, field: str) -> list[str]:
        """The form field names this question renders, in order."""
        return [field]

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        """Form values -> JSON-serialisable response; garbage -> None (unanswered)."""
        return None

    def grade(self, q: dict, response: Any) -> Grade:
        """Grade a normalised response; never raises on a malformed response."""
        return Grade.unanswered()

    def correct_response(self, q: dict) -> Any | None:
        """A response earning full marks (None if there is none, e.g. essay)."""
        return None

    # -- display ------------------------------------------------------------------------
    def render(
        self,
        q: dict,
        *,
        field: str,
        response: Any = None,
        order: list[str] | None = None,
        disabled: bool = False,
        gettext: Gettext = str,
    ) -> Markup:
        """Accessible HTML for the question, usable without JavaScript."""
        raise NotImplementedError

    def render_review(
        self,
        q: dict,
        *,
        field: str,
        response: Any = None,
        order: list[str] | None = None,
        gettext: Gettext = str,
        feedback: bool = False,
    ) -> Markup:
        """The question as the review shows it (inputs disabled). With `feedback`, a type with
        `inline_feedback` puts each chosen option's feedback under that option."""
        return self.render(q, field=field, response=response, order=order, disabled=True,
                           gettext=gettext)

    def right_answer_text(self, q: dict, gettext: Gettext = str) -> str:
        """Plain text for review: the right answer is ..."""
        return ""

    # -- shared rendering helpers --------------------------------------------------------
    def _open(self, q: dict, field: str, *, fieldset: bool) -> Markup:
        """The question's wrapper and its text in a `<div id="{field}-text">`.

        A fieldset is named by that div (`aria-labelledby`) rather than a `<legend>`: the text
        is Markdown HTML (paragraphs, tables, images), which a legend may not hold.
        """
        text = author_html(q, "text")
        if fieldset:
            return fill('<fieldset class="pq pq-{t}" id="{f}-q" aria-labelledby="{f}-text">'
                '<div class="pq-text" id="{f}-text">{text}</div>', t=self.name, f=field, text=text)
        return fill('<div class="pq pq-{t}" id="{f}-q"><div class="pq-text" id="{f}-text">{text}</div>', t=self.name, f=field, text=text)

    @staticmethod
    def _close(*, fieldset: bool) -> Markup:
        return Markup("</fieldset>") if fieldset else Markup("</div>")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
