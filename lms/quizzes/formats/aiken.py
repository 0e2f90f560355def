"""Moodle Aiken import (pure): single-choice questions in plain text, read as Moodle reads them.

    Apa kepanjangan TPBIS?
    A. Transformasi Perpustakaan Berbasis Inklusi Sosial
    B) Taman Pustaka Baca Indonesia Sehat
    ANSWER: A

Question text is every line before the first option (joined with newlines); options are an
upper-case letter, `.` or `)`, then the text — with a space (`A. text`, `B) text`, any letter,
as in Moodle) or without one (`A)text`, `B.text`) when the letter is the next one expected
(A for the first option, then B, ...), so a question line such as "J.K. Rowling menulis ..." stays
text. `ANSWER: X` (any case, the letter may be followed by punctuation) ends the question; blank
lines between questions are optional. Aiken is **plain text**, as in Moodle: `<html class="cool">`
or `*kata*` in a question or an option shows literally (converted with
`markup.plain_to_markdown`).

The bytes are read by `textfile.decode_text` (size limit, not text, UTF-16, encoding:
`BankFileError`); control characters are problems on their lines. Returns
`AikenResult(questions, problems)`: single_choice dicts (ids "q<n>", option ids the lower-case
letters, "_line") and (line, message) problems naming every line at fault; a question with a
problem is left out.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lms.quizzes.formats.textfile import control_problems, decode_text
from lms.quizzes.markup import plain_to_markdown

_OPTION_SPACED = re.compile(r"^([A-Z])[.)][ \t]+(.*\S)\s*$")
_OPTION_TIGHT = re.compile(r"^([A-Z])[.)](\S.*?)\s*$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)
_ANSWER_LETTER = re.compile(r"^([A-Za-z])[.)]?$")


class AikenResult(NamedTuple):
    """Parsed questions and (line, message) problems."""

    questions: list[dict]
    problems: list[tuple[int, str]]


def looks_like_aiken(text: str) -> bool:
    """True when `text` reads as Aiken rather than GIFT: it has `ANSWER:` lines, at least as
    many as GIFT answer blocks `{`."""
    answers = len(re.findall(r"^\s*ANSWER\s*:\s*[A-Za-z]", text, re.MULTILINE | re.IGNORECASE))
    return answers > 0 and answers >= text.count("{")


def _option(line: str, letters: list[str]) -> tuple[str, str] | None:
    m = _OPTION_SPACED.match(line)
    if m:
        return m.group(1), m.group(2)
    m = _OPTION_TIGHT.match(line)
    expected = chr(ord(letters[-1]) + 1) if letters else "A"
    if m and m.group(1) == expected:
        return m.group(1), m.group(2)
    return None


def parse_aiken(data: str | bytes) -> AikenResult:
    """Parse Aiken text (or bytes, UTF-8 else Windows-1252)."""
    text = decode_text(data)
    questions: list[dict] = []
    problems: list[tuple[int, str]] = control_problems(text)
    text_lines: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    broken = False

    def reset() -> None:
        nonlocal start, broken
        text_lines.clear()
        options.clear()
        start = 0
        broken = False

    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if not start:
            start = n
        answer = _ANSWER.match(line)
        option = _option(line, [x for x, _ in options]) if text_lines and not answer else None
        if answer:
            m = _ANSWER_LETTER.match(answer.group(1))
            letter = m.group(1).upper() if m else answer.group(1)
            if not broken:
                letters = [x for x, _ in options]
                if not text_lines:
                    problems.append((start, "the question text is missing before the options"))
                elif len(options) < 2:
                    problems.append(
                        (n, "a question needs at least two options like 'A. text' before ANSWER:")
                    )
                elif letter not in letters:
                    problems.append(
                        (
                            n,
                            f"ANSWER: {answer.group(1)!r} is not one of the options {', '.join(letters)}; write e.g. ANSWER: B",
                        )
                    )
                else:
                    questions.append(
                        {
                            "id": f"q{len(questions) + 1}",
                            "type": "single_choice",
                            "text": plain_to_markdown("\n".join(text_lines)),
                            "options": [
                                {"id": x.lower(), "text": plain_to_markdown(t),
                                 "correct": x == letter}
                                for x, t in options
                            ],
                            "_line": start,
                        }
                    )
            reset()
        elif option:
            letter = option[0]
            if any(x == letter for x, _ in options):
                problems.append((n, f"option {letter} appears twice in the question"))
                broken = True
            options.append(option)
        elif options:
            problems.append(
                (n, f"{line[:40]!r} follows the options; options are 'A. text', then 'ANSWER: X'")
            )
            broken = True
        else:
            text_lines.append(line)
    if start:
        problems.append((start, "the question has no 'ANSWER: X' line"))
    return AikenResult(questions, sorted(problems, key=lambda p: p[0]))
