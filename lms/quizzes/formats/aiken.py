"""Moodle Aiken import (pure): single-choice questions in plain text.

    Apa kepanjangan TPBIS?
    A. Transformasi Perpustakaan Berbasis Inklusi Sosial
    B) Taman Pustaka Baca Indonesia Sehat
    ANSWER: A

Question text is every line before the first option (joined with newlines); options are
`X. text` or `X) text` with an upper-case letter; `ANSWER: X` ends the question. Blank
lines between questions are optional. Returns `AikenResult(questions, problems)`:
single_choice dicts (ids "q<n>", option ids the lower-case letters, "_line") and
(line, message) problems; a question with a problem is left out.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lms.quizzes.formats.gift import decode

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


class AikenResult(NamedTuple):
    """Parsed questions and (line, message) problems."""

    questions: list[dict]
    problems: list[tuple[int, str]]


def parse_aiken(data: str | bytes) -> AikenResult:
    """Parse Aiken text (or bytes, UTF-8 else Windows-1252)."""
    questions: list[dict] = []
    problems: list[tuple[int, str]] = []
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

    for n, raw in enumerate(decode(data).split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if not start:
            start = n
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            letter = answer.group(1).upper()
            if not broken:
                letters = [x for x, _ in options]
                if not text_lines:
                    problems.append((start, "the question text is missing before the options"))
                elif len(options) < 2:
                    problems.append(
                        (n, "a question needs at least two options like 'A. text' before ANSWER:")
                    )
                elif len(letter) != 1 or letter not in letters:
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
                            "text": "\n".join(text_lines),
                            "options": [
                                {"id": x.lower(), "text": t, "correct": x == letter}
                                for x, t in options
                            ],
                            "_line": start,
                        }
                    )
            reset()
        elif option and text_lines:
            letter = option.group(1)
            if any(x == letter for x, _ in options):
                problems.append((n, f"option {letter} appears twice in the question"))
                broken = True
            options.append((letter, option.group(2)))
        elif options:
            problems.append(
                (n, f"{line[:40]!r} follows the options; options are 'A. text', then 'ANSWER: X'")
            )
            broken = True
        else:
            text_lines.append(line)
    if start:
        problems.append((start, "the question has no 'ANSWER: X' line"))
    return AikenResult(questions, problems)
