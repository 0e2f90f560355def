"""Criteria of an essay rubric, read from its Markdown (pure: no Flask).

A rubric with criteria lists each as a bold numbered heading followed by its score levels::

    **1. Relevansi** — does the plan answer real needs?
    - 4: ...
    - 3: ...
    - 1: ...

The practical assignment of `pelibatan-masyarakat` is written this way (four criteria, 1–4). A
rubric without at least two such criteria is plain guidance: the trainer gives one score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CRITERION = re.compile(r"^\s*\*\*\s*(\d+)\s*[.)]\s*(.+?)\s*\*\*")
_LEVEL = re.compile(r"^\s*[-*+]\s*(\d+)\s*[:.)]")


@dataclass(frozen=True)
class Criterion:
    number: int
    name: str
    low: int
    high: int


def criteria(rubric: str | None) -> list[Criterion]:
    """The scored criteria of a rubric, in order; [] if it defines fewer than two."""
    found: list[list] = []
    for line in (rubric or "").splitlines():
        head = _CRITERION.match(line)
        if head:
            found.append([int(head.group(1)), head.group(2).strip(" —-:"), []])
            continue
        level = _LEVEL.match(line)
        if level and found:
            found[-1][2].append(int(level.group(1)))
    result = [Criterion(n, name, min(levels), max(levels)) for n, name, levels in found if levels
              and max(levels) > 0]
    return result if len(result) >= 2 else []


def points_from(scores: list[int], crits: list[Criterion], maximum: float) -> float:
    """The question's points from criterion scores: their share of the highest levels × maximum.

    With four criteria scored 1–4 on a 4-point question this is the rubric's average ÷ 4 × 4.
    """
    top = sum(c.high for c in crits)
    return round(maximum * sum(scores) / top, 7) if top else 0.0
