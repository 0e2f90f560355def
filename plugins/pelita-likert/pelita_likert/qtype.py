"""The Likert-scale self-assessment question type. Uses no Flask or database itself: the
question-type contract comes from `lms.plugins`, like everything this plugin uses of Pelita.

Definition (TOML in a course pack)::

    [[questions]]
    id = "sa1"
    type = "likert"
    text = "Seberapa setuju Anda dengan pernyataan berikut?"
    scale = 5                      # 2 to 7 points, default 5
    statements = [                 # optional; without it the question text is the statement
      "Saya percaya diri mengajarkan literasi digital.",
      "Saya dapat memandu pencarian informasi.",
    ]
    statements_en = [              # optional: the same statements for English-speaking learners
      "I am confident teaching digital literacy.",
      "I can guide an information search.",
    ]
    labels = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]
    labels_en = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    # without labels: the default 2- to 7-point labels, translated (Indonesian catalogue inside)
    points = 0                     # default 0: self-assessment stays out of the score

Form fields: one radio group per statement, named ``f"{field}-{i}"``; every value is
``"i:v"`` (statement index, scale point 1..scale), so the flat list the quiz engine collects can
be read in any order.

Response: ``{"<statement index>": <scale point>}`` with only the answered statements; None when
nothing is answered.

Grading: a self-assessment has no right answer, so the type says `scored = False` (the quiz
engine's contract for self-assessment and survey types) and `default_points = 0`. The grade has
the state "answered" and the answered share as its fraction (every statement = 1, some = the
share); none = "unanswered". Learners see "Answered" / "Partly answered", never "Correct" nor a
right answer. Worth 0 points by default, a Likert question does not move the quiz score unless
the author gives it points on purpose (e.g. to reward filling in a reflection).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from lms.plugins import (
    N_,
    EditorField,
    Grade,
    Problem,
    QuestionType,
    attr_flags,
    is_number,
    is_text,
)

MIN_SCALE, MAX_SCALE, DEFAULT_SCALE = 2, 7, 5
MAX_STATEMENTS = 40


# English msgids, translated by the plugin's own catalogue (translations/id/...).
DEFAULT_LABELS: dict[int, tuple[str, ...]] = {
    2: (N_("Disagree"), N_("Agree")),
    3: (N_("Disagree"), N_("Neutral"), N_("Agree")),
    4: (N_("Strongly disagree"), N_("Disagree"), N_("Agree"), N_("Strongly agree")),
    5: (N_("Strongly disagree"), N_("Disagree"), N_("Neutral"), N_("Agree"),
        N_("Strongly agree")),
    6: (N_("Strongly disagree"), N_("Disagree"), N_("Somewhat disagree"), N_("Somewhat agree"),
        N_("Agree"), N_("Strongly agree")),
    7: (N_("Strongly disagree"), N_("Disagree"), N_("Somewhat disagree"), N_("Neutral"),
        N_("Somewhat agree"), N_("Agree"), N_("Strongly agree")),
}


def _default_locale() -> str:
    """The request's language when Flask-Babel is running, else Indonesian."""
    try:
        from flask import has_request_context
        from flask_babel import get_locale

        if has_request_context():
            locale = get_locale()
            if locale is not None:
                return str(locale.language)
    except Exception:  # noqa: BLE001, S110 - outside an app: the default language
        pass
    return "id"


class Likert(QuestionType):
    """A Likert-scale self-assessment: one row of radio buttons per statement."""

    name = "likert"
    label = N_("Likert scale (self-assessment)")
    auto_graded = True
    scored = False  # no right answer: "Answered", not "Correct"
    default_points = 0  # stays out of the quiz score unless given points on purpose
    editor_fields = (
        EditorField("scale", "select", N_("Points on the scale"),
                    choices=((None, N_("5 (default)")), (2, "2"), (3, "3"), (4, "4"), (6, "6"),
                             (7, "7")),
                    help=N_("How many answers each statement offers, from the lowest to the "
                            "highest.")),
        EditorField("statements", "list", N_("Statements"), start_rows=3,
                    help=N_("One row per statement the learner rates. Leave all empty to let "
                            "the learner rate the question text itself.")),
        EditorField("statements_en", "list", N_("Statements in English"),
                    help=N_("Optional: the same statements, in the same order, for learners "
                            "who use Pelita in English.")),
        EditorField("labels", "list", N_("Labels of the scale"),
                    help=N_("Optional: one label per point, from the lowest up, e.g. Sangat "
                            "tidak setuju … Sangat setuju. Empty: the standard labels.")),
        EditorField("labels_en", "list", N_("Labels in English"),
                    help=N_("Optional: the same labels for learners who use Pelita in "
                            "English.")),
    )

    # Which language's authored labels/statements to show; replaced in tests if needed.
    locale: Callable[[], str] = staticmethod(_default_locale)

    # -- definition -----------------------------------------------------------------------
    @staticmethod
    def scale(q: dict) -> int:
        s = q.get("scale", DEFAULT_SCALE) if isinstance(q, dict) else DEFAULT_SCALE
        if is_number(s) and int(s) == s and MIN_SCALE <= s <= MAX_SCALE:
            return int(s)
        return DEFAULT_SCALE

    @staticmethod
    def statements(q: dict) -> list[Any]:
        """The authored statements; the question itself is the one statement when absent."""
        s = q.get("statements") if isinstance(q, dict) else None
        return list(s) if isinstance(s, list) and s else [None]

    def validate(self, q: dict) -> list[Problem]:
        problems = self.validate_common(q)
        if not isinstance(q, dict):
            return problems
        scale = q.get("scale", DEFAULT_SCALE)
        if not (is_number(scale) and int(scale) == scale and MIN_SCALE <= scale <= MAX_SCALE):
            problems.append(("scale", f"The scale must be a whole number from {MIN_SCALE} to "
                                      f"{MAX_SCALE}, e.g. scale = 5."))
            return problems
        problems += self._validate_labels(q, int(scale))
        problems += self._validate_statements(q)
        return problems

    @staticmethod
    def _validate_texts(key: str, texts: Any, *, what: str, example: str) -> list[Problem]:
        """A list of distinct non-blank texts."""
        if not isinstance(texts, list) or not texts:
            return [(key, f"{key} must be a list of texts, e.g. {key} = {example}.")]
        problems: list[Problem] = []
        seen: set[str] = set()
        for i, text in enumerate(texts):
            if not is_text(text):
                problems.append((f"{key}[{i}]", f"The {what} is empty; write it as text."))
            elif text.strip() in seen:
                problems.append((f"{key}[{i}]", f"The {what} {text!r} appears twice; each "
                                                "must be different."))
            else:
                seen.add(text.strip())
        return problems

    def _validate_labels(self, q: dict, scale: int) -> list[Problem]:
        problems: list[Problem] = []
        for key in ("labels", "labels_en"):
            if key not in q:
                continue
            labels = q[key]
            found = self._validate_texts(key, labels, what="label",
                                         example='["Sangat tidak setuju", ..., "Sangat setuju"]')
            if not found and len(labels) != scale:
                found.append((key, f"The scale has {scale} points but {len(labels)} labels are "
                                   f"given; give exactly {scale}, from the lowest point up."))
            problems += found
        return problems

    def _validate_statements(self, q: dict) -> list[Problem]:
        problems: list[Problem] = []
        if "statements" in q:
            problems += self._validate_texts(
                "statements", q["statements"], what="statement",
                example='["Saya percaya diri mengajarkan literasi digital."]')
            if isinstance(q["statements"], list) and len(q["statements"]) > MAX_STATEMENTS:
                problems.append(("statements", f"At most {MAX_STATEMENTS} statements per "
                                               "question; split them into several questions."))
        if "statements_en" in q:
            if "statements" not in q:
                problems.append(("statements_en", "statements_en translates statements; add "
                                                  "statements (in Indonesian) too."))
            found = self._validate_texts("statements_en", q["statements_en"], what="statement",
                                         example='["I am confident teaching digital literacy."]')
            given = q.get("statements")
            if (not found and isinstance(given, list)
                    and len(q["statements_en"]) != len(given)):
                found.append(("statements_en", f"There are {len(given)} statements but "
                                               f"{len(q['statements_en'])} translations; give "
                                               "one for each, in the same order."))
            problems += found
        return problems

    # -- responses --------------------------------------------------------------------------
    def field_names(self, q: dict, field: str) -> list[str]:
        return [f"{field}-{i}" for i in range(len(self.statements(q)))]

    def normalise_response(self, q: dict, raw: list[str]) -> Any:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple):
            return None
        count, scale = len(self.statements(q)), self.scale(q)
        out: dict[str, int] = {}
        for value in raw:
            if not isinstance(value, str) or value.count(":") != 1:
                continue
            index, point = (part.strip() for part in value.split(":"))
            if not (index.isascii() and index.isdigit() and point.isascii() and point.isdigit()):
                continue
            i, v = int(index), int(point)
            if 0 <= i < count and 1 <= v <= scale and str(i) not in out:
                out[str(i)] = v
        return dict(sorted(out.items(), key=lambda kv: int(kv[0]))) or None

    def answers(self, q: dict, response: Any) -> dict[int, int]:
        """Statement index -> scale point for the valid parts of a stored response."""
        if not isinstance(response, dict):
            return {}
        count, scale = len(self.statements(q)), self.scale(q)
        out: dict[int, int] = {}
        for key, value in response.items():
            try:
                i = int(key)
            except (TypeError, ValueError):
                continue
            if (0 <= i < count and is_number(value) and int(value) == value
                    and 1 <= value <= scale):
                out[i] = int(value)
        return out

    def grade(self, q: dict, response: Any) -> Grade:
        answered = len(self.answers(q, response))
        if not answered:
            return Grade.unanswered()
        return Grade.answered(answered / len(self.statements(q)))

    def correct_response(self, q: dict) -> Any | None:
        """Any complete response earns the (participation) marks: here, every statement at the top."""
        return {str(i): self.scale(q) for i in range(len(self.statements(q)))}

    def right_answer_text(self, q: dict, gettext=str) -> str:
        return ""  # a self-assessment has no right answer

    # -- display ----------------------------------------------------------------------------
    def labels(self, q: dict, gettext=str, locale: str | None = None) -> list[str]:
        """The scale's labels in `locale`: authored ones, else the translated defaults."""
        scale = self.scale(q)
        locale = locale or self.locale()
        for key in (("labels_en", "labels") if locale == "en" else ("labels",)):
            labels = q.get(key) if isinstance(q, dict) else None
            if isinstance(labels, list) and len(labels) == scale and all(map(is_text, labels)):
                return [str(x) for x in labels]
        return [gettext(text) for text in DEFAULT_LABELS[scale]]

    def statement_texts(self, q: dict, locale: str | None = None) -> list[str | None]:
        """Each statement in `locale` (None: the question text is the only statement)."""
        statements = self.statements(q)
        locale = locale or self.locale()
        english = q.get("statements_en") if isinstance(q, dict) else None
        if (locale == "en" and isinstance(english, list) and len(english) == len(statements)
                and all(map(is_text, english))):
            return [str(x) for x in english]
        return [s if is_text(s) else None for s in statements]

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str) -> Markup:
        locale = self.locale()
        labels = self.labels(q, gettext, locale)
        chosen = self.answers(q, response)
        statements = self.statement_texts(q, locale)
        parts = [self._open(q, field, fieldset=True), Markup('<div class="pq-likert">')]
        for i, statement in enumerate(statements):
            name = f"{field}-{i}"
            if statement is None:  # the question text is the statement: the outer fieldset
                parts.append(Markup('<div class="pq-likert-row">'))
            else:
                parts.append(Markup('<fieldset class="pq-likert-row">'
                                    '<legend class="pq-likert-statement">{s}</legend>'
                                    ).format(s=statement))
            parts.append(Markup('<div class="pq-options">'))
            for v, label in enumerate(labels, start=1):
                input_id = f"{name}-{v}"
                parts.append(Markup(
                    '<div class="pq-option"><input type="radio" name="{n}" id="{i}" value="{k}:{v}"'
                    '{flags}> <label for="{i}">{label}</label></div>'
                ).format(n=name, i=input_id, k=i, v=v, label=escape(label),
                         flags=attr_flags(checked=chosen.get(i) == v, disabled=disabled)))
            parts.append(Markup("</div>"))
            parts.append(Markup("</div>") if statement is None else Markup("</fieldset>"))
        parts += [Markup("</div>"), self._close(fieldset=True)]
        return Markup("").join(parts)
