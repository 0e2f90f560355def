"""Question editor forms described by the question types themselves (pure: no Flask).

A question type describes the form for its own keys in `editor_fields`, a tuple of
`lms.quizzes.base.EditorField`; the browser editor renders that form, and the two functions here
convert between a question dict (as in a quiz TOML file) and the flat form values:

* `question_to_form(qtype, question) -> dict` — the values to show ({input name: str or bool});
* `form_to_question(qtype, form, base=None, gettext=str) -> (question, problems)` — the question
  dict and every problem as (input name, message). The type's own `validate()` runs on the result
  and its (field, message) problems are mapped to the input at fault.

A plugin question type gets an editor for free by setting `editor_fields`; with `editor_fields =
None` the editor shows the type's own keys in one TOML text box (field name `_other`), the
only place an author meets TOML.

Input names (what the form posts):

| field                                   | input names                                  |
|-----------------------------------------|----------------------------------------------|
| common: id, text, points, category,     | the key itself: `id`, `text`, `points`, ...  |
| feedback (hide some: `editor_omit`)     |                                              |
| `text`, `textarea`, `markdown`          | `name` (a string; blank leaves the key out)  |
| `number` / `integer`                    | `name` (dot or comma decimals; blank = out)  |
| `bool`                                  | `name` checkbox (checked = true, else out)   |
| `select` with `choices=((value, label))`| `name` holding the index of the choice;      |
|                                         | value None leaves the key out                |
| `rows` with `columns`                   | `name-rows` (the number of rows) and         |
|                                         | `name-<i>-<column>` per row i; a row whose   |
|                                         | cells are all blank is dropped               |
| `list` (a list of strings)              | `name-rows` and `name-<i>`                   |
| `mapping` (word -> list of spellings)   | `name`: one "word: a, b" per line            |

The help of the common `points` field says what an empty field means for the type
(`points_help`: `QuestionType.default_points`, and for a non-scored type that it stays out of the
score).

Every field has `label` and `help` (English; the page translates them with gettext, so add
their Indonesian to the catalogue) and `required`; `rows`/`list` have `start_rows` (empty rows of
a new question) and `row_label` ("Option" -> rows named "Option 1", "Option 2", ...).

Column kinds of `rows`: `id` (a hidden stable id; a new row gets the next free letter a, b, ...),
`text`, `textarea`, `number`, `integer`, `bool` (checkbox; false leaves the key out unless the
field's `scoring` says otherwise). A blank cell leaves the key out; `required=True` makes a blank
cell an error. `scoring="correct_or_weight"` (choice options): when any row has a `weight`, every
row gets a weight (blank = 0) and no `correct`; otherwise every row gets `correct` true/false.

Problem mapping: the type's field `"options"` -> input `options`, `"options[2]"` -> `options-2`
(the form row that produced question row 2: blank rows are skipped), `"options[2].text"` ->
`options-2-text`, `"items[1]"` -> `items-1`. A field the form does not show is reported under
`""` (shown above the form).

Row buttons (no JavaScript): a submit button named `row_action` with value `add:<field>`,
`remove:<field>:<i>`, `up:<field>:<i>` or `down:<field>:<i>` (for choice options also `action`
= `add_option`, `remove_option-<i>`, `move_up-<i>`, `move_down-<i>`: `row_action_of`);
`apply_row_action(qtype, form, action)` returns the changed form values for the page to show
again, nothing saved. `row_action=preview` shows the question as the learner will see it. With
JavaScript (`static/js/question-editor.js`) the same buttons act in the page and the preview
follows the typing.

The question editor's layout (issue 21): the question text, the type's own fields, then points,
category and feedback; fields and columns with `advanced=True` are folded under "Advanced
settings" (the common `id`: left empty it is made from the question's first words,
`question_id_from_text`, unique in the quiz; an edited question keeps its id). A `bool` column
with `one_row=True` is one radio group `<field>-<column>` posting the row index (single choice's
"Correct"). `textarea` cells grow with their text. Choice options score by one rule,
`correct_or_weight`: weights given (under the advanced settings) -> weights, else "Correct".
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from lms.quizzes.base import (
    COLUMN_KINDS,
    EDITOR_KINDS,
    N_,
    EditorColumn,
    EditorField,
    QuestionType,
)
from lms.quizzes.formats import toml_out

__all__ = ["COLUMN_KINDS", "EDITOR_KINDS", "EditorColumn", "EditorField", "apply_row_action",
           "form_to_question", "question_to_form"]

Gettext = Callable[[str], str]
FormValues = dict[str, Any]
Problem = tuple[str, str]

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_PROBLEM_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?(?:\.([A-Za-z_][A-Za-z0-9_]*))?$")
MAX_ROWS = 100
OTHER = "_other"  # the TOML text box of a type without editor_fields

# The built-in types' labels, for pybabel (the types keep plain strings; the editor translates
# `qtype.label` when it shows it).
TYPE_LABELS = (N_("Single choice"), N_("Multiple choice"), N_("True/false"), N_("Short answer"),
               N_("Numerical"), N_("Matching"), N_("Ordering"), N_("Essay"), N_("Description"))

COMMON_FIELDS: tuple[EditorField, ...] = (
    EditorField("id", "text", N_("Question id"), advanced=True,
                help=N_("Leave it empty to make one from the first words of the question. "
                        "Letters, digits, - _ . only, unique in this quiz.")),
    EditorField("text", "markdown", N_("Question text"), required=True,
                help=N_("Markdown: **bold**, *italic*, lists, links and images from media/.")),
    EditorField("points", "number", N_("Points"), help=N_("Empty means 1.")),
    EditorField("category", "text", N_("Category"),
                help=N_("Optional: the topic, used to draw a number of questions per category.")),
    EditorField("feedback", "markdown", N_("General feedback"),
                help=N_("Shown after answering, whatever the answer.")),
)


def points_help(qtype: QuestionType) -> str:
    """The help of the points field: what an empty field means for this type
    (`qtype.default_points`; a non-scored type says it stays out of the score)."""
    default = float(qtype.default_points)
    if default == 1:
        return N_("Empty means 1.")
    if default == 0:
        if not qtype.scored:
            return N_("Empty means 0: this question has no right answer and does not count "
                      "towards the score. Points given here are earned for answering.")
        return N_("Empty means 0.")
    # Any other default: the number is shown as it is (the sentence stays in English).
    return f"Empty means {format_number(qtype.default_points)}."


def common_fields(qtype: QuestionType) -> tuple[EditorField, ...]:
    """The common fields this type shows (the points help says the type's default)."""
    fields = tuple(f for f in COMMON_FIELDS if f.name not in qtype.editor_omit)
    help_text = points_help(qtype)
    return tuple(replace(f, help=help_text) if f.name == "points" and f.help != help_text else f
                 for f in fields)


OTHER_FIELD = EditorField(
    OTHER, "toml", N_("Other settings of this question type"),
    help=N_("This question type does not describe a form, so its own settings are written here "
         "as in the quiz file, one per line, e.g. scale = 5. See the type's documentation."))


def type_fields(qtype: QuestionType) -> tuple[EditorField, ...]:
    """The type's own fields; a type without `editor_fields` gets one TOML text box."""
    if qtype.editor_fields is None:
        return (OTHER_FIELD,)
    return tuple(qtype.editor_fields)


def all_fields(qtype: QuestionType) -> tuple[EditorField, ...]:
    return common_fields(qtype) + type_fields(qtype)


def managed_keys(qtype: QuestionType, question: Mapping[str, Any] | None = None) -> set[str]:
    """The question keys the editor writes (others are kept from the question edited)."""
    if qtype.editor_fields is None:  # the TOML box holds every key but the common ones
        return {"type", *(f.name for f in COMMON_FIELDS), *(question or {})}
    return {"type", *(f.name for f in all_fields(qtype))}


def _other_keys(qtype: QuestionType, question: Mapping[str, Any]) -> dict:
    common = {"id", "type", *(f.name for f in COMMON_FIELDS)}
    return {k: v for k, v in question.items()
            if k not in common and not str(k).startswith("_") and not str(k).endswith("_html")}


# ----------------------------------------------------------------------------- values


def format_number(value: Any) -> str:
    """A number as the form shows it, read back by `parse_number` as the same value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    return repr(value)


def parse_number(text: str, *, integer: bool = False) -> int | float | None:
    """An author's number: dot or comma decimals, no thousands separators; None if not one.

    A number without a decimal mark or exponent is an int (written as such in TOML)."""
    s = "".join(text.split()).replace("\u2212", "-")
    if not _NUMBER_RE.match(s):
        return None
    if integer:
        return int(s) if re.fullmatch(r"[+-]?\d+", s) else None
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    try:
        value = float(s.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    if value is None or isinstance(value, bool):
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _checked(form: Mapping[str, Any], name: str) -> bool:
    value = form.get(name)
    if isinstance(value, bool):
        return value
    return value not in (None, "", "0", "false", "n")


def row_count(form: Mapping[str, Any], name: str) -> int:
    try:
        n = int(str(form.get(f"{name}-rows", "0")))
    except ValueError:
        n = 0
    return max(0, min(n, MAX_ROWS))


def _choice_index(field: EditorField, value: Any) -> int | None:
    for i, (v, _label) in enumerate(field.choices):
        if v is value or (type(v) is type(value) and v == value):
            return i
    return None


# ----------------------------------------------------------------------------- to the form


def question_to_form(qtype: QuestionType, question: Mapping[str, Any]) -> FormValues:
    """The form values showing `question` (a new question: pass {} to get the empty form)."""
    form: FormValues = {}
    for field in all_fields(qtype):
        value = question.get(field.name)
        name = field.name
        if field.kind in ("text", "textarea", "markdown"):
            form[name] = "" if value is None else str(value)
        elif field.kind in ("number", "integer"):
            form[name] = format_number(value)
        elif field.kind == "bool":
            form[name] = value is True
        elif field.kind == "select":
            index = _choice_index(field, value if field.name in question else None)
            form[name] = "" if index is None else str(index)
        elif field.kind == "rows":
            rows = value if isinstance(value, list) else []
            rows = [r for r in rows if isinstance(r, Mapping)] or [{}] * field.start_rows
            if field.scoring == "correct_or_weight":
                rows = _marks_from_weights(field, rows)
            form[f"{name}-rows"] = str(len(rows))
            for i, row in enumerate(rows):
                for col in field.columns:
                    cell = row.get(col.name)
                    key = f"{name}-{i}-{col.name}"
                    if col.kind == "bool":
                        form[key] = cell is True
                    elif col.kind in ("number", "integer"):
                        form[key] = format_number(cell)
                    else:
                        form[key] = "" if cell is None else str(cell)
        elif field.kind == "list":
            items = value if isinstance(value, list) else []
            items = [str(x) for x in items] or [""] * field.start_rows
            form[f"{name}-rows"] = str(len(items))
            for i, item in enumerate(items):
                form[f"{name}-{i}"] = item
        elif field.kind == "toml":
            try:
                form[name] = toml_out.dump(_other_keys(qtype, question)).strip()
            except TypeError:
                form[name] = ""
        elif field.kind == "mapping":
            lines = []
            if isinstance(value, Mapping):
                for word, spellings in value.items():
                    if isinstance(spellings, list):
                        lines.append(f"{word}: {', '.join(str(s) for s in spellings)}")
            form[name] = "\n".join(lines)
    return form


def _marks_from_weights(field: EditorField, rows: list) -> list:
    """Options scored by weights, shown with "Correct" ticked where the weight earns marks
    (full marks when only one row may be ticked), so the form reads like the question; the
    weights still score (`correct_or_weight`)."""
    if not any("weight" in r for r in rows):
        return rows
    one = any(c.one_row for c in field.columns if c.name == "correct")

    def right(w: Any) -> bool:
        number = w if isinstance(w, int | float) and not isinstance(w, bool) else 0
        return number >= 100 if one else number > 0

    marked, out = False, []
    for r in rows:
        tick = right(r.get("weight")) and not (one and marked)
        marked = marked or tick
        out.append({**r, "correct": tick})
    return out


# ----------------------------------------------------------------------------- from the form


def _next_id(used: set[str]) -> str:
    for c in "abcdefghijklmnopqrstuvwxyz":
        if c not in used:
            return c
    n = 27
    while f"o{n}" in used:
        n += 1
    return f"o{n}"


def _cell(col: EditorColumn, form: Mapping[str, Any], key: str, problems: list[Problem],
          gettext: Gettext) -> tuple[bool, Any]:
    """(given, value) of one cell; a bad number adds a problem and counts as given."""
    if col.kind == "bool":
        return _checked(form, key), _checked(form, key)
    raw = _text(form, key)
    if not raw.strip():
        return False, None
    if col.kind in ("number", "integer"):
        value = parse_number(raw, integer=col.kind == "integer")
        if value is None:
            problems.append((key, gettext("Enter a number, e.g. 2 or 2.5.") if col.kind == "number"
                             else gettext("Enter a whole number, e.g. 3.")))
        return True, value
    return True, raw.strip()


def _rows(field: EditorField, form: Mapping[str, Any], problems: list[Problem],
          gettext: Gettext) -> tuple[list[dict], list[int]]:
    """The rows of a `rows` field and, for each, the form row it came from."""
    rows: list[dict] = []
    origin: list[int] = []
    for i in range(row_count(form, field.name)):
        cells: dict[str, Any] = {}
        given_any = False
        for col in field.columns:
            key = f"{field.name}-{i}-{col.name}"
            given, value = _cell(col, form, key, problems, gettext)
            if col.kind == "id":
                if given:
                    cells[col.name] = value
                continue
            if col.kind == "bool":
                given_any = given_any or value
                cells[col.name] = value
                continue
            if given:
                given_any = True
                if value is not None:
                    cells[col.name] = value
        if not given_any:
            continue  # an empty row: left out
        for col in field.columns:
            key = f"{field.name}-{i}-{col.name}"
            if col.required and col.kind not in ("bool", "id") and not _text(form, key).strip():
                problems.append((key, gettext("This field is required.")))
        rows.append(cells)
        origin.append(i)
    id_cols = [c.name for c in field.columns if c.kind == "id"]
    for name in id_cols:
        used = {str(r[name]) for r in rows if name in r}
        for r in rows:
            if name not in r:
                r[name] = _next_id(used)
                used.add(r[name])
    ordered_rows = []
    for r in rows:
        ordered_rows.append({c.name: r[c.name] for c in field.columns if c.name in r})
    rows = ordered_rows
    bools = [c.name for c in field.columns if c.kind == "bool"]
    if field.scoring == "correct_or_weight":
        rows = correct_or_weight(rows)
    else:
        for r in rows:
            for name in bools:
                if r.get(name) is not True:
                    r.pop(name, None)
    # Keep the column order in every row (the file reads like the docs' examples).
    rows = [{c.name: r[c.name] for c in field.columns if c.name in r} for r in rows]
    return rows, origin


def correct_or_weight(rows: list[dict]) -> list[dict]:
    """The one scoring rule of choice options in the editor: when the author gave any weight
    (under the advanced settings), the weights score and every option gets one (blank = 0, no
    `correct`); otherwise the "Correct" marks score (`correct` true/false on every option)."""
    out = [dict(r) for r in rows]
    if any("weight" in r for r in out):
        for r in out:
            r.pop("correct", None)
            r.setdefault("weight", 0)
    else:
        for r in out:
            r.pop("weight", None)
            r["correct"] = bool(r.get("correct"))
    return out


_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|[*_`#>\[\]~|]")
ID_WORDS = 5
ID_MAX = 40


def question_id_from_text(text: str, taken: Iterable[Any] = ()) -> str:
    """A question id made from the first words of `text` (Markdown and accents removed, lower
    case, hyphens), unique among `taken`: "Apa itu literasi informasi?" -> "apa-itu-literasi-
    informasi", then "...-2", "...-3". A text without letters or digits gives "soal"."""
    plain = _MARKDOWN_NOISE.sub(" ", str(text or ""))
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    words = [w for w in _SLUG_DROP.split(ascii_text.lower()) if w][:ID_WORDS]
    base = ""
    for w in words:
        candidate = f"{base}-{w}" if base else w
        if len(candidate) > ID_MAX:
            break
        base = candidate
    base = base or (words[0][:ID_MAX] if words else "soal")
    used = {str(t) for t in taken}
    qid, n = base, 2
    while qid in used:
        qid = f"{base}-{n}"
        n += 1
    return qid


def form_to_question(qtype: QuestionType, form: Mapping[str, Any], *,
                     base: Mapping[str, Any] | None = None,
                     gettext: Gettext = str,
                     taken_ids: Iterable[Any] = ()) -> tuple[dict, list[Problem]]:
    """The question the form describes, and every problem as (input name, message).

    Keys of `base` (the question being edited) that the editor does not manage are kept, so a
    type's settings without an editor field survive an edit. An empty id keeps the id of
    `base`, or is made from the question text (`question_id_from_text`, unique among
    `taken_ids`, the quiz's other questions' ids).
    """
    problems: list[Problem] = []
    question: dict[str, Any] = {}
    origins: dict[str, list[int]] = {}
    for field in all_fields(qtype):
        name = field.name
        if field.kind in ("text", "textarea", "markdown"):
            raw = _text(form, name)
            # Markdown keeps its exact text (a browser posts what the textarea held).
            value = raw.strip() if field.kind == "text" else raw
            if value.strip():
                question[name] = value
            elif field.required:
                problems.append((name, gettext("This field is required.")))
        elif field.kind in ("number", "integer"):
            raw = _text(form, name).strip()
            if raw:
                value = parse_number(raw, integer=field.kind == "integer")
                if value is None:
                    problems.append((name, gettext("Enter a number, e.g. 2 or 2.5.")
                                     if field.kind == "number"
                                     else gettext("Enter a whole number, e.g. 3.")))
                else:
                    question[name] = value
            elif field.required:
                problems.append((name, gettext("This field is required.")))
        elif field.kind == "bool":
            if _checked(form, name):
                question[name] = True
        elif field.kind == "select":
            raw = _text(form, name).strip()
            index = int(raw) if raw.isdigit() and int(raw) < len(field.choices) else None
            if index is None:
                if field.required:
                    problems.append((name, gettext("Choose one of the options.")))
                continue
            value = field.choices[index][0]
            if value is not None:
                question[name] = value
            elif field.required:
                problems.append((name, gettext("Choose one of the options.")))
        elif field.kind == "rows":
            rows, origin = _rows(field, form, problems, gettext)
            origins[name] = origin
            if rows:
                question[name] = rows
        elif field.kind == "list":
            items, origin = [], []
            for i in range(row_count(form, name)):
                text = _text(form, f"{name}-{i}").strip()
                if text:
                    items.append(text)
                    origin.append(i)
            origins[name] = origin
            if items:
                question[name] = items
        elif field.kind == "toml":
            try:
                other = tomllib.loads(_text(form, name))
            except tomllib.TOMLDecodeError as err:
                problems.append((name, gettext("This is not valid TOML: %(error)s")
                                 % {"error": str(err)}))
                other = {}
            common = {"id", "type", *(f.name for f in COMMON_FIELDS)}
            for key in other:
                if key in common:
                    problems.append((name, gettext(
                        "%(key)s has its own field above; remove it here.") % {"key": key}))
            question.update({k: v for k, v in other.items() if k not in common})
        elif field.kind == "mapping":
            mapping: dict[str, list[str]] = {}
            for line in _text(form, name).split("\n"):
                if not line.strip():
                    continue
                word, sep, rest = line.partition(":")
                spellings = [s.strip() for s in rest.split(",") if s.strip()]
                if not sep or not word.strip() or not spellings:
                    problems.append((name, gettext(
                        'Write each line as a word, a colon and its spellings, e.g. '
                        '"perpustakaan: perpus, pustaka".')))
                    break
                mapping[word.strip()] = spellings
            if mapping:
                question[name] = mapping
    if "id" not in question and any(f.name == "id" for f in all_fields(qtype)):
        if base is not None and str(base.get("id") or "").strip():
            question["id"] = base["id"]
        elif "text" in question:
            question["id"] = question_id_from_text(question["text"], taken_ids)
    if "id" in question and not ID_RE.match(str(question["id"])):
        problems.append(("id", gettext(
            "Use letters, digits, hyphens, underscores and dots only, e.g. q1 or dewey-basics.")))
    elif "id" in question and len(str(question["id"])) > 60:
        problems.append(("id", gettext("Use at most %(max)d characters.") % {"max": 60}))
    kept = {k: v for k, v in (base or {}).items()
            if k not in managed_keys(qtype, base) and not str(k).startswith("_")
            and not str(k).endswith("_html")}
    out: dict[str, Any] = {}
    for key in ("id", "type", "category"):
        if key == "type":
            out["type"] = qtype.name
        elif key in question:
            out[key] = question.pop(key)
    out.update(question)
    out.update(kept)
    given = {p[0] for p in problems}
    try:
        found = qtype.validate(dict(out))
    except Exception as exc:  # noqa: BLE001 - a broken plug-in must not break the editor
        found = [("", f"{type(exc).__name__}: {exc}")]
    for field_name, message in found:
        target = problem_input(qtype, str(field_name), origins)
        if target in given:
            continue  # the form already says what is wrong with this input
        problems.append((target, message))
    return out, _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def problem_input(qtype: QuestionType, field_name: str,
                  origins: Mapping[str, list[int]] | None = None) -> str:
    """The input name a type's problem field refers to ("" when the form has no such input)."""
    m = _PROBLEM_RE.match(field_name)
    fields = {f.name: f for f in all_fields(qtype)}
    if not m or m.group(1) not in fields:
        return OTHER if qtype.editor_fields is None and field_name else ""
    name, index, sub = m.group(1), m.group(2), m.group(3)
    field = fields[name]
    if index is None:
        return name
    i = int(index)
    origin = (origins or {}).get(name)
    if origin is not None and i < len(origin):
        i = origin[i]
    if field.kind == "rows" and sub and any(c.name == sub for c in field.columns):
        return f"{name}-{i}-{sub}"
    return f"{name}-{i}"


def errors_by_input(problems: list[Problem]) -> dict[str, list[str]]:
    """{input name: [messages]} for the template."""
    out: dict[str, list[str]] = {}
    for name, message in problems:
        out.setdefault(name, []).append(message)
    return out


# ----------------------------------------------------------------------------- row buttons


def _row_keys(field: EditorField, i: int) -> list[str]:
    if field.kind == "list":
        return [f"{field.name}-{i}"]
    return [f"{field.name}-{i}-{c.name}" for c in field.columns]


def _blank(key: str, form: Mapping[str, Any]) -> Any:
    return False if isinstance(form.get(key), bool) else ""


_ACTION_ALIAS = re.compile(r"^(add_option|remove_option|move_up|move_down)(?:-(\d+))?$")


def row_action_of(data: Mapping[str, Any]) -> str:
    """The row button pressed, as `apply_row_action` reads it: `row_action` ("add:options",
    "up:items:2", "preview"), or the choice options' short names posted as `action`
    ("add_option", "remove_option-N", "move_up-N", "move_down-N"); "" for none."""
    action = str(data.get("row_action") or "")
    if action:
        return action
    m = _ACTION_ALIAS.match(str(data.get("action") or ""))
    if not m:
        return "preview" if str(data.get("action") or "") == "preview" else ""
    verb = {"add_option": "add", "remove_option": "remove", "move_up": "up",
            "move_down": "down"}[m.group(1)]
    if verb == "add":
        return "add:options"
    return f"{verb}:options:{m.group(2)}" if m.group(2) is not None else ""


def apply_row_action(qtype: QuestionType, form: Mapping[str, Any], action: str) -> FormValues:
    """The form values after a row button: add a row, remove row i, move row i up or down."""
    out = dict(form)
    parts = action.split(":")
    fields = {f.name: f for f in type_fields(qtype) if f.kind in ("rows", "list")}
    if len(parts) < 2 or parts[1] not in fields:
        return out
    field = fields[parts[1]]
    n = row_count(out, field.name)
    if parts[0] == "add":
        if n < MAX_ROWS:
            for key in _row_keys(field, n):
                out[key] = False if key.endswith(tuple(f"-{c.name}" for c in field.columns
                                                       if c.kind == "bool")) else ""
            out[f"{field.name}-rows"] = str(n + 1)
        return out
    if len(parts) != 3 or not parts[2].isdigit() or int(parts[2]) >= n:
        return out
    i = int(parts[2])
    rows = [[out.get(k, _blank(k, out)) for k in _row_keys(field, r)] for r in range(n)]
    if parts[0] == "remove":
        rows.pop(i)
    elif parts[0] == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif parts[0] == "down" and i + 1 < n:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    for r in range(n):
        for k in _row_keys(field, r):
            out.pop(k, None)
    for r, values in enumerate(rows):
        for k, v in zip(_row_keys(field, r), values, strict=True):
            out[k] = v
    out[f"{field.name}-rows"] = str(len(rows))
    return out


def form_from_request(qtype: QuestionType, data: Any) -> FormValues:
    """Flat form values from a posted MultiDict (checkboxes become booleans)."""
    out: FormValues = {}
    for field in all_fields(qtype):
        name = field.name
        if field.kind == "bool":
            out[name] = _checked(data, name)
        elif field.kind == "rows":
            n = row_count(data, name)
            out[f"{name}-rows"] = str(n)
            for i in range(n):
                for col in field.columns:
                    key = f"{name}-{i}-{col.name}"
                    if col.kind == "bool" and col.one_row:  # a radio group posting the index
                        out[key] = (_checked(data, key)
                                    or str(data.get(f"{name}-{col.name}", "")) == str(i))
                    elif col.kind == "bool":
                        out[key] = _checked(data, key)
                    else:
                        out[key] = data.get(key) or ""
        elif field.kind == "list":
            n = row_count(data, name)
            out[f"{name}-rows"] = str(n)
            for i in range(n):
                out[f"{name}-{i}"] = data.get(f"{name}-{i}") or ""
        else:
            out[name] = data.get(name) or ""
    return out
