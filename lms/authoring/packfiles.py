"""Pack files <-> plain dicts for the browser editors (pure: no Flask, no database).

* `parse_course(text)` / `dump_course(doc)` — course.toml. The writer puts the keys in the order
  of docs/course-packs.md (top-level keys, then `[title]`, `[summary]`, `[completion]`,
  `[certificate]`), one per line, so a human reading the exported pack finds it familiar.
* `set_top_level(text, key, value)` — change one top-level key (the `modules` order) in place,
  keeping the rest of the file (comments included) byte for byte.
* `parse_module(text)` / `dump_module(meta, body)` — a module file: `+++` TOML front matter,
  then Markdown.
* `module_files(paths)`, `module_path(position, slug)`, `media_snippet(path)` — naming helpers.

Everything written here is read back by `tomllib` (and the pack loader) as exactly the values
given; tests/unit/test_packfiles.py checks the round trip.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.content.frontmatter import FrontMatterError, read_markdown_front_matter
from lms.content.tomlutil import SLUG, toml_error_location
from lms.quizzes.formats.toml_out import key as toml_key
from lms.quizzes.formats.toml_out import value as toml_value

MODULE_FILE = re.compile(r"^modules/(\d{2,})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")

COURSE_KEYS = ("slug", "version", "area", "hours", "enrolment", "sequential", "replication",
               "authors", "prerequisites", "modules")
COURSE_TABLES = {
    "title": ("id", "en"),
    "summary": ("id", "en"),
    "completion": ("modules", "min_module_quiz_score", "final_min_score", "practical"),
    "certificate": ("enabled", "hours", "valid_months", "show_score", "template"),
}
MODULE_KEYS = ("title", "title_en", "minutes", "objectives")


class PackFileError(ValueError):
    """A file that cannot be read as TOML; `line` is 1-based (None when unknown)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message, self.line = message, line


# ----------------------------------------------------------------------------- TOML values


def _array(items: list, indent: str = "  ") -> str:
    """A list on one line when short, else one item per line (easier to read and to diff)."""
    one_line = toml_value(items)
    if len(one_line) <= 80 or len(items) < 2:
        return one_line
    return "[\n" + "".join(f"{indent}{toml_value(item)},\n" for item in items) + "]"


def _line(name: str, value: Any) -> str:
    if isinstance(value, list):
        return f"{toml_key(name)} = {_array(value)}"
    return f"{toml_key(name)} = {toml_value(value)}"


# ----------------------------------------------------------------------------- course.toml


def parse_course(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_error_location(exc, text)
        raise PackFileError(message, line) from None


def dump_course(doc: Mapping[str, Any]) -> str:
    """course.toml text for `doc`. Keys with the value None are left out (= the default);
    keys this module does not know are kept after the known ones, so nothing is lost."""
    out: list[str] = []
    known_top = [k for k in COURSE_KEYS if doc.get(k) is not None]
    other_top = [k for k, v in doc.items() if k not in COURSE_KEYS and k not in COURSE_TABLES
                 and v is not None and not isinstance(v, Mapping)]
    for name in [*known_top, *other_top]:
        out.append(_line(name, doc[name]))
    tables = [t for t in COURSE_TABLES if isinstance(doc.get(t), Mapping)]
    tables += [k for k, v in doc.items() if k not in COURSE_TABLES and isinstance(v, Mapping)]
    for table in tables:
        values = doc[table]
        order = [k for k in COURSE_TABLES.get(table, ()) if values.get(k) is not None]
        order += [k for k, v in values.items() if k not in order and v is not None]
        if not order and table not in ("title",):
            continue
        out.append("")
        out.append(f"[{toml_key(table)}]")
        out.extend(_line(k, values[k]) for k in order)
    return "\n".join(out) + "\n"


_TOP_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_HEADER = re.compile(r"^\s*\[")


def set_top_level(text: str, name: str, value: Any) -> str:
    """`text` with the top-level key `name` set to `value`, everything else unchanged.

    The key's lines (a multi-line array too) are replaced; a missing key is added before the
    first `[table]`. If the text cannot be edited in place (or is not valid TOML), the whole
    document is written again with `dump_course`.
    """
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise PackFileError("course.toml is not valid TOML", None) from None
    lines = text.splitlines(keepends=True)
    first_table = next((i for i, ln in enumerate(lines) if _HEADER.match(ln)), len(lines))
    new_line = _line(name, value) + "\n"
    start = None
    for i in range(first_table):
        match = _TOP_KEY.match(lines[i])
        if match and next(g for g in match.groups() if g is not None) == name:
            start = i
            break
    if start is None:
        insert_at = first_table
        while insert_at > 0 and not lines[insert_at - 1].strip():
            insert_at -= 1
        prefix = lines[:insert_at]
        if prefix and not prefix[-1].endswith("\n"):
            prefix[-1] += "\n"
        result = "".join([*prefix, new_line, *lines[insert_at:]])
    else:
        end = None
        for j in range(start, first_table):
            try:
                parsed = tomllib.loads("".join(lines[start:j + 1]))
            except tomllib.TOMLDecodeError:
                continue
            if name in parsed:
                end = j
                break
        result = "" if end is None else "".join([*lines[:start], new_line, *lines[end + 1:]])
    try:
        if result and tomllib.loads(result).get(name) == value:
            return result
    except tomllib.TOMLDecodeError:
        pass
    doc = tomllib.loads(text)
    doc[name] = value
    return dump_course(doc)


# ----------------------------------------------------------------------------- modules


@dataclass
class ModuleDoc:
    meta: dict = field(default_factory=dict)
    body: str = ""
    body_line_offset: int = 0


def parse_module(text: str) -> ModuleDoc:
    """Front matter and body of a module file; raises `PackFileError` (with the file line)."""
    try:
        meta, body, offset = read_markdown_front_matter(text)
    except FrontMatterError as exc:
        raise PackFileError(exc.message, exc.line) from None
    return ModuleDoc(meta, body, offset)


def split_module_loosely(text: str) -> str:
    """The Markdown body of a module whose front matter cannot be read (for the editor, so
    nothing is lost): the text after the second `+++` line, else the whole text."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if lines and lines[0].strip() == "+++":
        for i in range(1, len(lines)):
            if lines[i].strip() == "+++":
                return "".join(lines[i + 1:])
    return text


def dump_module(meta: Mapping[str, Any], body: str) -> str:
    """A module file: front matter (known keys in documented order; None/empty = left out)
    between `+++` lines, then the Markdown body (line endings normalised to \\n)."""
    out = ["+++"]
    order = [k for k in MODULE_KEYS if k in meta] + [k for k in meta if k not in MODULE_KEYS]
    for name in order:
        v = meta[name]
        if v is None or (name in ("title_en",) and v == "") or (name == "objectives" and not v):
            continue
        if name == "objectives" and isinstance(v, list) and len(v) > 1:
            out.append("objectives = [\n" + "".join(f"  {toml_value(o)},\n" for o in v) + "]")
        else:
            out.append(_line(name, v))
    out.append("+++")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return "\n".join(out) + "\n" + body


def module_files(paths: Iterable[str]) -> dict[str, str]:
    """Module slug -> file path, for the module files among `paths` (first file wins)."""
    found: dict[str, str] = {}
    for path in sorted(paths):
        match = MODULE_FILE.match(path)
        if match and match.group(2) not in found:
            found[match.group(2)] = path
    return found


def module_path(position: int, slug: str) -> str:
    return f"modules/{position:02d}-{slug}.md"


def next_module_path(paths: Iterable[str], slug: str) -> str:
    """A file name for a new module: one number past the highest `NN` in use."""
    numbers = [int(m.group(1)) for m in (MODULE_FILE.match(p) for p in paths) if m]
    return module_path(max(numbers, default=0) + 1, slug)


def is_slug(text: str, minimum: int = 1, maximum: int = 60) -> bool:
    return bool(SLUG.match(text or "")) and minimum <= len(text) <= maximum


def media_snippet(path: str, alt: str = "") -> str:
    """Markdown that shows (images) or links (other files) a media file from a module file;
    module files live in modules/, so the path is relative: ../media/x.png."""
    rel = "../" + path
    name = path.rsplit("/", 1)[-1]
    if path.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
        return f"![{alt or name.rsplit('.', 1)[0]}]({rel})"
    return f"[{name}]({rel})"
