"""Criteria of an essay rubric, read from its Markdown (pure: no Flask).

A rubric with criteria lists each as a bold numbered heading followed by its score levels::

    **1. Relevansi** — does the plan answer real needs?
    - 4: ...
    - 3: ...
    - 1: ...

The practical assignment of `pelibatan-masyarakat` is written this way (four criteria, 1–4). A
rubric without at least two such criteria is plain guidance: the trainer gives one score.

A rubric may also state a minimum every criterion needs to pass, in one of these forms (Markdown
emphasis is ignored, case too)::

    tidak ada kriteria bernilai 1        no criterion scored 1     -> minimum 2
    setiap kriteria minimal 2            every criterion at least 2 -> minimum 2

An answer with a criterion below that minimum does not pass whatever its average: its points are
capped just below the quiz's pass mark (`capped_points`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CRITERION = re.compile(r"^\s*\*\*\s*(\d+)\s*[.)]\s*(.+?)\s*\*\*")
_LEVEL = re.compile(r"^\s*[-*+]\s*(\d+)\s*[:.)]")
# "no criterion scored N" (the minimum is N + 1) and "every criterion at least N".
_NONE_AT = re.compile(
    r"\b(?:tidak\s+ada|tanpa)\s+kriteria\s+(?:yang\s+)?(?:bernilai|berskor|mendapat\s+skor|"
    r"dengan\s+skor|diberi\s+skor)\s+(\d+)\b"
    r"|\bno\s+criterion\s+(?:may\s+|can\s+)?(?:is\s+)?(?:scored|scores?|score\s+of|rated)\s+(\d+)\b",
    re.IGNORECASE)
_AT_LEAST = re.compile(
    r"\b(?:setiap|semua|tiap)\s+kriteria\s+(?:bernilai\s+|berskor\s+)?(?:minimal|paling\s+sedikit|"
    r"sekurang-kurangnya)\s+(\d+)\b"
    r"|\b(?:every|each)\s+criterion\s+(?:must\s+)?(?:score\s+|scores\s+|be\s+scored\s+)?"
    r"(?:at\s+least|no\s+less\s+than)\s+(\d+)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Criterion:
    number: int
    name: str
    low: int
    high: int
    minimum: int | None = None  # the lowest score that passes, if the rubric states one

    def below_minimum(self, score: int) -> bool:
        return self.minimum is not None and score < self.minimum


def pass_minimum(rubric: str | None) -> int | None:
    """The minimum score every criterion needs to pass, if the rubric states one."""
    text = (rubric or "").replace("*", "").replace("_", " ")
    text = re.sub(r"\s+", " ", text)
    none_at = _NONE_AT.search(text)
    if none_at:
        return int(none_at.group(1) or none_at.group(2)) + 1
    at_least = _AT_LEAST.search(text)
    if at_least:
        return int(at_least.group(1) or at_least.group(2))
    return None


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
    if len([1 for _n, _name, levels in found if levels and max(levels) > 0]) < 2:
        return []
    minimum = pass_minimum(rubric)
    return [Criterion(n, name, min(levels), max(levels),
                      minimum if minimum is not None and min(levels) < minimum <= max(levels)
                      else None)
            for n, name, levels in found if levels and max(levels) > 0]


def failing(scores: list[int], crits: list[Criterion]) -> list[Criterion]:
    """The criteria whose score is below the rubric's pass minimum."""
    return [c for c, s in zip(crits, scores, strict=True) if c.below_minimum(s)]


def capped_points(points: float, maximum: float, pass_mark: float) -> float:
    """Points that keep the answer below `pass_mark` (percent): the largest whole percentage
    under it. With a pass mark of 63 and 4 points this is 62 % = 2.48 points."""
    if pass_mark <= 0:
        return points
    cap = max(0, math.ceil(pass_mark) - 1)
    return min(points, round(maximum * cap / 100, 7))


def points_from(scores: list[int], crits: list[Criterion], maximum: float) -> float:
    """The question's points from criterion scores: their share of the highest levels × maximum.

    With four criteria scored 1–4 on a 4-point question this is the rubric's average ÷ 4 × 4.
    """
    top = sum(c.high for c in crits)
    return round(maximum * sum(scores) / top, 7) if top else 0.0
