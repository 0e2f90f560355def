"""TOML front matter between `+++` lines at the top of a Markdown file."""

from __future__ import annotations

import tomllib

from .tomlutil import toml_error_location

FENCE = "+++"


class FrontMatterError(ValueError):
    """The front matter is missing, unterminated or not valid TOML; `.line` is 1-based."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def read_markdown_front_matter(text: str) -> tuple[dict, str, int]:
    """Split `text` into (front matter dict, Markdown body, body_line_offset).

    `body_line_offset` is the number of file lines before the body, so body line
    N (1-based) is file line N + body_line_offset.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise FrontMatterError(
            "file does not start with TOML front matter — put a line containing only `+++` "
            'at the very top, then `title = "..."`, then another `+++` line',
            1,
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            closing = index
            break
    else:
        raise FrontMatterError(
            "front matter opened with `+++` on line 1 is never closed — "
            "add a line containing only `+++` after the last front matter key",
            1,
        )
    meta_text = "".join(lines[1:closing])
    try:
        meta = tomllib.loads(meta_text)
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_error_location(exc, meta_text)
        raise FrontMatterError(
            f"front matter is not valid TOML ({message}) — fix the syntax between the `+++` lines",
            None if line is None else line + 1,
        ) from exc
    body = "".join(lines[closing + 1 :])
    return meta, body, closing + 1
