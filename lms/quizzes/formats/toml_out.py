"""A small TOML writer for quiz files (pure; the standard library only reads TOML).

`dump(doc)` returns TOML text that `tomllib.loads` reads back as exactly `doc`. It writes:

* strings as basic strings with every character TOML requires escaped; a string with line
  breaks in a table (not inside an inline table) as a multi-line basic string;
* integers, floats (also `inf`, `-inf`, `nan`), booleans, dates, times and date-times;
* arrays on one line, except arrays of tables inside a table, which get one inline table per
  line (`options = [ { ... }, ... ]`, the style of the course-pack docs);
* nested tables of the document as `[name]` / `[name.sub]` sections and lists of tables at
  the top level as arrays of tables (`[[questions]]`); tables inside those are inline.

Keys are bare when they can be (A-Z a-z 0-9 _ -), quoted otherwise. `None` has no TOML form
and raises `TypeError`, as does any other type.
"""

from __future__ import annotations

import datetime
import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from lms.content.tomlutil import TomlLines

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SHORT_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(_is_table(v) for v in value)


def _escape_char(c: str, *, multiline: bool) -> str:
    if multiline and c == "\n":
        return c
    if c in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[c]
    code = ord(c)
    if code < 0x20 or code == 0x7F:
        return f"\\u{code:04X}"
    return c


# The characters a basic string must escape (one regex pass instead of one call per character).
_ESCAPE_ONE_LINE = re.compile('[\\\\"\x00-\x1f\x7f]')
_ESCAPE_MULTILINE = re.compile('[\\\\"\x00-\x09\x0b-\x1f\x7f]')


def basic_string(text: str) -> str:
    """`text` as a one-line TOML basic string."""
    return '"' + _ESCAPE_ONE_LINE.sub(lambda m: _escape_char(m.group(0), multiline=False),
                                      text) + '"'


def multiline_string(text: str) -> str:
    """`text` as a multi-line TOML basic string (the newline after the opening quotes is
    trimmed by TOML readers, so the text starts on the next line)."""
    # Every quote is escaped, so no run of three can end the string early.
    body = _ESCAPE_MULTILINE.sub(lambda m: _escape_char(m.group(0), multiline=True), text)
    return '"""\n' + body + '"""'


def key(name: Any) -> str:
    """A TOML key: bare when possible, else quoted."""
    if not isinstance(name, str):
        raise TypeError(f"TOML keys must be strings, not {type(name).__name__}")
    # fullmatch: `$` in match() would also accept a key ending in a line break.
    return name if _BARE_KEY.fullmatch(name) else basic_string(name)


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    if "." not in text and "e" not in text and "E" not in text:
        text += ".0"
    return text


def value(v: Any, *, inline: bool = True) -> str:
    """One TOML value. `inline=False` allows multi-line strings and one table per line in
    arrays of tables (only valid directly in a table, not inside an inline table)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, str):
        return multiline_string(v) if (not inline and "\n" in v) else basic_string(v)
    if isinstance(v, datetime.datetime | datetime.date | datetime.time):
        return v.isoformat()
    if _is_table(v):
        return inline_table(v)
    if isinstance(v, list | tuple):
        if not inline and _is_table_array(v):
            return "[\n" + "".join(f"  {inline_table(t)},\n" for t in v) + "]"
        return "[" + ", ".join(value(item) for item in v) + "]"
    if v is None:
        raise TypeError("None cannot be written in TOML; leave the key out")
    raise TypeError(f"cannot write a {type(v).__name__} in TOML")


def inline_table(table: Mapping[str, Any]) -> str:
    """`{ a = 1, b = "x" }` (`{}` when empty)."""
    if not table:
        return "{}"
    return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in table.items()) + " }"


def _section(table: Mapping[str, Any], path: list[str], out: list[str], *, top: bool) -> None:
    """Key/value lines of `table`, then its sub-tables, then (top level only) its arrays of
    tables."""
    for k, v in table.items():
        if _is_table(v) or (top and _is_table_array(v)):
            continue
        out.append(f"{key(k)} = {value(v, inline=False)}")
    for k, v in table.items():
        if _is_table(v):
            name = [*path, key(k)]
            if out:
                out.append("")
            out.append(f"[{'.'.join(name)}]")
            _section(v, name, out, top=False)
    if not top:
        return
    for k, v in table.items():
        if _is_table_array(v):
            for item in v:
                if out:
                    out.append("")
                out.append(f"[[{key(k)}]]")
                for ik, iv in item.items():
                    out.append(f"{key(ik)} = {value(iv, inline=False)}")


def dump(doc: Mapping[str, Any]) -> str:
    """TOML text for the document `doc` (ends with a newline)."""
    if not _is_table(doc):
        raise TypeError("a TOML document is a table (dict)")
    out: list[str] = []
    _section(doc, [], out, top=True)
    return "\n".join(out) + "\n"


def text_before_questions(text: str, settings: dict) -> str | None:
    """The file's text before its first `[[questions]]` header, if that text holds exactly
    every setting (questions last, as the docs write them); else None."""
    lines = TomlLines(text)
    header = lines.header_line("questions", 0)
    if header is None:
        return None
    before = "\n".join(text.split("\n")[: header - 1])
    try:
        if tomllib.loads(before) != settings:
            return None
    except tomllib.TOMLDecodeError:
        return None
    return before
