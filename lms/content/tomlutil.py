"""Helpers to locate keys and errors in TOML source text by line number."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

_LOCATION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_END = re.compile(r"\s*\(at end of document\)\s*$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(?:#.*)?$")


# Slugs of courses, modules, quizzes and paths: a-z, 0-9 and single hyphens between words.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def show_value(value: Any) -> str:
    """A value as it would be written in TOML, for messages."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def toml_error_location(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """Return (1-based line or None, message without the location suffix) for a TOML error."""
    message = str(exc)
    lineno = getattr(exc, "lineno", None)
    match = _LOCATION.search(message)
    if match:
        message = message[: match.start()]
        lineno = lineno or int(match.group(1))
    elif _END.search(message):
        message = message[: _END.search(message).start()]
        lineno = lineno or max(1, len(text.splitlines()))
    return lineno, message.strip()


def _key_pattern(key: str) -> re.Pattern[str]:
    quoted = re.escape(key)
    return re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""")


class TomlLines:
    """Finds the line of a key, a `[table]` header or the n-th `[[array]]` header."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        # (name, is_array, 0-based line index)
        self.headers: list[tuple[str, bool, int]] = []
        for index, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match:
                self.headers.append((match.group(2).strip(), match.group(1) == "[[", index))

    def _range(self, section: str | None, occurrence: int) -> tuple[int, int] | None:
        if section is None:
            end = self.headers[0][2] if self.headers else len(self.lines)
            return 0, end
        seen = 0
        for position, (name, _array, index) in enumerate(self.headers):
            if name == section:
                if seen == occurrence:
                    end = len(self.lines)
                    if position + 1 < len(self.headers):
                        end = self.headers[position + 1][2]
                    return index, end
                seen += 1
        return None

    def header_line(self, section: str, occurrence: int = 0) -> int | None:
        """1-based line of the `[section]` header (or its n-th `[[section]]`)."""
        found = self._range(section, occurrence)
        return None if found is None else found[0] + 1

    def key_line(self, key: str, section: str | None = None, occurrence: int = 0) -> int | None:
        """1-based line of `key = ...` inside `section` (None = top level), else a fallback.

        Falls back to the section header, then to `section = {...}` inline at top level.
        """
        found = self._range(section, occurrence)
        if found is not None:
            start, end = found
            pattern = _key_pattern(key)
            for index in range(start, end):
                if pattern.match(self.lines[index]):
                    return index + 1
            if section is not None:
                return start + 1
        if section is not None and "." not in section:
            return self.key_line(section)
        if section is None:
            return self.header_line(key)
        return None


MISSING = object()

# (key, required, default, check): `check(value)` returns None when the value is fine, else what
# the value must be ("a whole number ≥ 1").
Spec = list[tuple[str, bool, Any, Callable[[Any], str | None]]]


def check_table(
    table: Any,
    spec: Spec,
    lines: TomlLines,
    add: Callable[[int | None, str], None],
    *,
    top_label: str,
    section: str | None = None,
    occurrence: int = 0,
    extra_allowed: tuple[str, ...] = (),
    line_fallback: int | None = None,
    line_shift: int = 0,
) -> dict:
    """Validate one TOML table against `spec`, reporting through `add(line, message)`.

    Returns the table's values with defaults filled in for missing or wrong keys. Lines found in
    `lines` are shifted by `line_shift` (for front matter); when no line is found, `line_fallback`
    is used. `top_label` names the top level in messages (a file name, or "the top level").
    """
    where = f"[{section}]" if section else top_label

    def at(line: int | None) -> int | None:
        return line_fallback if line is None else line + line_shift

    if not isinstance(table, dict):
        add(at(lines.key_line(section)) if section else line_fallback,
            f"`{section}` must be a table — write it as a `[{section}]` section")
        return {key: default for key, _req, default, _c in spec}
    known = {key for key, *_ in spec} | set(extra_allowed)
    for key in table:
        if key not in known:
            add(at(lines.key_line(key, section, occurrence)),
                f"unknown key `{key}` in {where} — remove it or fix its spelling "
                f"(allowed: {', '.join(sorted(known))})")
    result: dict = {}
    for key, required, default, check in spec:
        value = table.get(key, MISSING)
        if value is MISSING:
            if required:
                line = lines.header_line(section, occurrence) if section else None
                add(at(line), f"required key `{key}` is missing in {where} — add `{key} = ...`")
            result[key] = default
            continue
        problem = check(value)
        if problem:
            add(at(lines.key_line(key, section, occurrence)),
                f"`{key}` must be {problem}, not {show_value(value)} — fix the value")
            result[key] = default
        else:
            result[key] = value
    return result
