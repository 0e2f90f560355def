"""Quiz files of a draft: read and write `quizzes/<slug>.toml` (pure: no database, no Flask).

Reading is `tomllib`; writing is `lms.quizzes.formats.toml_out`, the writer `flask lms
import-questions` uses. When only the questions change, the author's text before the first
`[[questions]]` (settings, comments, layout) is kept as it was (`bank.replace_questions`).
Whatever is written reads back as exactly the settings and question dicts given.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms import clock
from lms.cache import LRU
from lms.content import quiz_settings
from lms.content.tomlutil import SLUG
from lms.quizzes.editor import parse_number
from lms.quizzes.formats import toml_out

QUIZ_PREFIX = "quizzes/"
WIB = clock.WIB  # the zone of the authoring form's date-times
# Top-level keys in the order the docs write them; tables and questions come last.
HEAD_ORDER = ("module", "kind", "pass_mark", "attempts", "grading", "time_limit_minutes",
              "shuffle_questions", "shuffle_options", "draw", "per_page", "opens_at", "closes_at")
# Settings with a plain default (the one schema, lms.content.quiz_settings): a form value equal to
# it is left out of the file the editor writes.
SETTING_DEFAULTS: dict[str, Any] = {key: value for key, value in quiz_settings.DEFAULTS.items()
                                    if value is not None}
MAX_SLUG = 60


def quiz_path(slug: str) -> str:
    return f"{QUIZ_PREFIX}{slug}.toml"


def quiz_slug(path: str) -> str | None:
    """The quiz slug of a draft path, None if the path is not a quiz file."""
    if not (path.startswith(QUIZ_PREFIX) and path.endswith(".toml")):
        return None
    slug = path[len(QUIZ_PREFIX):-len(".toml")]
    return slug if SLUG.match(slug) and "/" not in slug else None


def valid_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= MAX_SLUG and bool(SLUG.match(slug))


class QuizFileError(ValueError):
    """The quiz file cannot be read as TOML (the editor shows the message; fix it in the file)."""


# Parsed files by their text: the quiz editor reads the same quiz (and course.toml) on every
# view, and parsing a 20-question file costs more than the rest of the view's Python. A text is
# its own key, so an entry never goes stale; callers get a fresh copy (they may change it).
_PARSED: LRU[dict] = LRU("quiz and course files parsed", 128)


def _fresh(value: Any) -> Any:
    """A copy of a parsed TOML value: new dicts and lists, the same immutable leaves."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def parse(data: bytes | str) -> dict:
    """The quiz document; raises QuizFileError when the bytes are not a TOML table."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        doc = _PARSED.get(text)
        if doc is None:
            doc = _PARSED.put(text, tomllib.loads(text))
        return _fresh(doc)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise QuizFileError(str(err)) from None


def questions_of(doc: Mapping[str, Any]) -> list[dict]:
    raw = doc.get("questions")
    return [dict(q) for q in raw if isinstance(q, Mapping)] if isinstance(raw, list) else []


def settings_of(doc: Mapping[str, Any]) -> dict:
    """Everything but the questions (module, kind, settings, title, tables)."""
    return {k: v for k, v in doc.items() if k != "questions"}


def categories(questions: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Category -> number of questions, in order of appearance."""
    out: dict[str, int] = {}
    for q in questions:
        c = q.get("category")
        if isinstance(c, str) and c:
            out[c] = out.get(c, 0) + 1
    return out


def _ordered_settings(settings: Mapping[str, Any]) -> dict:
    out = {k: settings[k] for k in HEAD_ORDER if k in settings}
    out.update({k: v for k, v in settings.items() if k not in out})
    return out


def _question_table(q: Mapping[str, Any]) -> dict:
    head = {k: q[k] for k in ("id", "type", "title", "category") if k in q}
    return {**head, **{k: v for k, v in q.items() if k not in head and not str(k).startswith("_")}}


def dump(settings: Mapping[str, Any], questions: list[Mapping[str, Any]],
         old_text: str | None = None) -> str:
    """The quiz file for `settings` and `questions`.

    With `old_text` whose settings equal `settings`, the text before its first `[[questions]]`
    is kept byte for byte (comments included) and only the questions are rewritten.
    """
    tables = [_question_table(q) for q in questions]
    if old_text is not None:
        try:
            old_settings = settings_of(tomllib.loads(old_text))
        except tomllib.TOMLDecodeError:
            old_settings = None
        if old_settings == dict(settings):
            kept = toml_out.text_before_questions(old_text, old_settings)
            if kept is not None and tables:
                body = toml_out.dump({"questions": tables})
                return kept.rstrip("\n") + "\n\n" + body
    doc = _ordered_settings(settings)
    doc["questions"] = tables
    if not tables:
        doc["questions"] = []
    return toml_out.dump(doc)


def unique_id(wanted: str, used: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, ... when taken."""
    qid, n = wanted, 2
    while qid in used:
        qid, n = f"{wanted}-{n}", n + 1
    return qid


def next_question_id(questions: Iterable[Mapping[str, Any]]) -> str:
    """The first free id of the form q<n>."""
    used = {str(q.get("id")) for q in questions}
    n = 1
    while f"q{n}" in used:
        n += 1
    return f"q{n}"


def append_questions(existing: list[dict], new: list[dict], category: str | None = None
                     ) -> list[dict]:
    """`existing` followed by `new`, ids made unique (an imported q1 next to a q1 becomes q1-2);
    `category` (when given) replaces the category of every new question."""
    used = {str(q.get("id")) for q in existing}
    out = list(existing)
    for q in new:
        q = {k: v for k, v in q.items() if not str(k).startswith("_")}
        q["id"] = unique_id(str(q.get("id") or "q1"), used)
        used.add(q["id"])
        if category:
            q["category"] = category
        out.append(q)
    return out


# ----------------------------------------------------------------------------- settings <-> form


def to_local(value: Any) -> str:
    """A TOML date/date-time as the value of an `<input type="datetime-local">` (WIB)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(WIB)
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%dT00:00")
    return ""


def from_local(text: str) -> datetime.datetime | None:
    """A `datetime-local` value as a WIB date-time; None when blank; ValueError when invalid."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=WIB)
        except ValueError:
            continue
    raise ValueError(text)


def parse_draw_categories(text: str) -> tuple[dict[str, int], str | None]:
    """Lines "category: N" -> {category: N}; (partial result, bad line) on an error."""
    out: dict[str, int] = {}
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        name, sep, number = line.rpartition(":")
        if not sep or not name.strip() or not re.fullmatch(r"\s*\d+\s*", number) \
                or int(number) < 1:
            return out, line.strip()
        out[name.strip()] = int(number)
    return out, None


def format_draw_categories(value: Any) -> str:
    if not isinstance(value, Mapping):
        return ""
    return "\n".join(f"{k}: {v}" for k, v in value.items())


@dataclass
class QuizSummary:
    """One row of the quiz list."""

    slug: str
    path: str
    revision: int
    kind: str = ""
    module: str = ""
    title: str = ""
    questions: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    error: str = ""


def summary(path: str, data: bytes, revision: int, lang: str = "id") -> QuizSummary:
    slug = quiz_slug(path) or path
    out = QuizSummary(slug=slug, path=path, revision=revision)
    try:
        doc = parse(data)
    except QuizFileError as err:
        out.error = str(err)
        return out
    title = doc.get("title") if isinstance(doc.get("title"), Mapping) else {}
    out.kind = str(doc.get("kind", ""))
    out.module = str(doc.get("module", "") or "")
    out.title = str(title.get(lang) or title.get("id") or slug)
    qs = questions_of(doc)
    out.questions = sum(1 for q in qs if q.get("type") != "description")
    out.categories = categories(qs)
    return out


# ----------------------------------------------------------------------------- settings form rules

# The settings editor's fields (the view copies their values into `settings_from_values`).
SETTINGS_FORM_FIELDS = (
    "module", "kind", "title_id", "title_en", "pass_mark", "attempts", "grading",
    "time_limit_minutes", "shuffle_questions", "shuffle_options", "draw", "per_page", "opens_at",
    "closes_at", "draw_categories", "review_during", "review_immediately_after",
    "review_later_while_open", "review_after_last_attempt", "review_after_close",
)
Problems = dict  # field name -> (code, params): the view words them in the author's language


def _number(raw: Any, field: str, problems: Problems, *, low: float = 0,
            high: float | None = None, integer: bool = True) -> Any:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_number(raw, integer=integer)
    if value is None or value < low or (high is not None and value > high):
        problems[field] = (("number_range", {"low": int(low), "high": int(high)})
                           if high is not None else ("number_min", {"low": int(low)}))
        return None
    return value


def _comparable(value: Any) -> datetime.datetime:
    """A TOML date or date-time as an aware date-time (no zone = WIB), for comparing."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=WIB)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=WIB)


def settings_from_values(values: Mapping[str, Any], original: Mapping[str, Any], *,
                         module_choices: Iterable[str]) -> tuple[dict, Problems]:
    """The quiz file's settings (everything but questions) from the editor's field values, and
    the problems per field. Keys the editor does not change are kept; a default value (the one
    schema, `lms.content.quiz_settings`) is written only when the file had the key already; a
    value equal to the original keeps the original's spelling."""
    problems: Problems = {}
    out: dict[str, Any] = {}
    module = (values.get("module") or "").strip()
    kind = values.get("kind")
    if kind == "module" and not module:
        problems["module"] = ("module_required", {})
    if kind == "final" and module:
        problems["module"] = ("final_has_module", {})
    if module and module not in set(module_choices):
        problems["module"] = ("module_unknown", {})
    if module:
        out["module"] = module
    out["kind"] = kind

    def keep(key: str, value: Any) -> None:
        if value is None:
            return
        if key in original or value != SETTING_DEFAULTS.get(key):
            out[key] = original[key] if key in original and original[key] == value else value

    grading = values.get("grading")
    numbers = {
        "pass_mark": _number(values.get("pass_mark"), "pass_mark", problems, high=100,
                             integer=False),
        "attempts": _number(values.get("attempts"), "attempts", problems),
        "grading": grading if grading in quiz_settings.GRADING_METHODS
        else quiz_settings.DEFAULTS["grading"],
        "time_limit_minutes": _number(values.get("time_limit_minutes"), "time_limit_minutes",
                                      problems),
        "shuffle_questions": values.get("shuffle_questions") == "1",
        "shuffle_options": values.get("shuffle_options") != "0",
        "draw": _number(values.get("draw"), "draw", problems),
        "per_page": _number(values.get("per_page"), "per_page", problems),
    }
    for key, value in numbers.items():
        keep(key, value)
    for key in ("opens_at", "closes_at"):
        raw = values.get(key) or ""
        if raw.strip() == to_local(original.get(key)) and key in original:
            out[key] = original[key]
            continue
        try:
            when = from_local(raw)
        except ValueError:
            problems[key] = ("datetime", {})
            continue
        if when is not None:
            out[key] = when
    if "opens_at" in out and "closes_at" in out and _comparable(out["closes_at"]) <= _comparable(
            out["opens_at"]):
        problems["closes_at"] = ("close_before_open", {})
    draw_categories, bad = parse_draw_categories(values.get("draw_categories") or "")
    if bad is not None:
        problems["draw_categories"] = ("draw_category", {"line": bad})
    title = {"id": (values.get("title_id") or "").strip()}
    if (values.get("title_en") or "").strip():
        title["en"] = values["title_en"].strip()
    original_title = original.get("title") if isinstance(original.get("title"), dict) else {}
    title.update({k: v for k, v in original_title.items() if k not in ("id", "en")})
    out["title"] = title
    if draw_categories:
        out["draw_categories"] = draw_categories
    items = quiz_settings.REVIEW_ITEMS
    default_review = {m: list(v) for m, v in quiz_settings.DEFAULT_REVIEW.items()}
    review = {m: [i for i in items if i in (values.get(f"review_{m}") or [])]
              for m in quiz_settings.REVIEW_MOMENTS}
    original_review = original.get("review")
    if isinstance(original_review, dict) and {
            m: [i for i in items if i in original_review.get(m, default_review[m])]
            for m in quiz_settings.REVIEW_MOMENTS} == review:
        out["review"] = original_review
    elif review != default_review:
        out["review"] = review
    for key, value in original.items():  # settings this editor does not know are kept
        if key not in out and key not in SETTING_DEFAULTS and key not in (
                "module", "kind", "title", "opens_at", "closes_at", "draw_categories", "review"):
            out[key] = value
    return out, problems
