"""Question (item) statistics of a quiz, computed as Moodle's quiz statistics report does.

Pure: plain numbers in, plain numbers out (no Flask, no database). The formulas follow Moodle's
`question/classes/statistics/questions/calculator.php` (items) and
`mod/quiz/report/statistics/classes/calculator.php` (the test), described in Moodle's developer
docs "Quiz statistics calculations"; `docs/reports.md` ("Question statistics") restates them.

Input: one `AttemptData` per analysed attempt — its score (percent) and, per question it
showed, the fraction earned and the question's marks. A question an attempt did not draw is
simply absent, so with random draws each item's statistics rest on the attempts that saw it
(Moodle does the same for the questions drawn into a random slot).

Per item, over the `s` attempts that saw it, with x = the item's mark (fraction × marks) and
y = the rest of the test (the attempt's total marks minus x):

- facility index  = mean fraction × 100;
- SD              = sample standard deviation of the fraction × 100 (Moodle shows sd/maxmark);
- discrimination  = 100 · cov(x, y) / √(var x · var y)   (Pearson, item vs. rest of test);
- efficiency      = 100 · cov(x, y) / cov_max, where cov_max pairs the sorted x with the sorted
                    y (the largest covariance those two sets of marks could have);
- variances and covariances divide by s − 1. Anything undefined (s < 2, a zero variance, a
  zero cov_max) is None, never a division error.

The test: mean, median and sample SD of the scores (percent); skewness and kurtosis with
Moodle's k-statistics (s > 2, s > 3); coefficient of internal consistency (Cronbach's alpha,
which is KR-20 for right/wrong items) = 100 · p/(p − 1) · (1 − Σ var(item marks) / var(total
marks)), error ratio = 100 · √(1 − CIC/100), standard error = error ratio × SD / 100. The
internal consistency needs every attempt to have seen the same p > 1 items: with random draws
it is None (items are not positions here, so Moodle's per-slot form has no equivalent).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lms.quizzes.rules import counted_attempts

# Flags (codes; the page and the CSV translate them). Thresholds, see docs/reports.md:
TOO_EASY = "too_easy"  # facility >= 90: Moodle's "very easy" (90-94) and "extremely easy"
TOO_HARD = "too_hard"  # facility < 20: Moodle's "difficult" band and below
NEGATIVE = "negative_discrimination"  # discrimination index < 0
WEAK = "weak_discrimination"  # 0 <= discrimination index < 20 (Moodle's "very weak", 0-19)
LOW_EFFICIENCY = "low_efficiency"  # efficiency < 15: what Moodle's table marks as dubious
FLAGS = (TOO_EASY, TOO_HARD, NEGATIVE, WEAK, LOW_EFFICIENCY)

EASY_AT = 90.0
HARD_BELOW = 20.0
WEAK_BELOW = 20.0
EFFICIENCY_BELOW = 15.0

_EPS = 1e-12  # float noise: a variance this small is zero


@dataclass(frozen=True)
class ItemResult:
    """One question in one attempt: the fraction of its marks earned (0..1) and its marks."""

    fraction: float
    marks: float = 1.0

    @property
    def mark(self) -> float:
        return self.fraction * self.marks


@dataclass(frozen=True)
class AttemptData:
    """One analysed attempt: its score (percent, 0-100) and the questions it showed."""

    score: float
    items: Mapping[str, ItemResult]

    @property
    def total(self) -> float:
        """The attempt's total marks over the questions analysed (Moodle's `summarks`)."""
        return sum(r.mark for r in self.items.values())


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    attempts: int  # how many analysed attempts showed the question (Moodle's `s`)
    facility: float | None  # percent
    sd: float | None  # percent of the question's marks
    discrimination: float | None  # percent (a correlation × 100)
    efficiency: float | None  # percent
    random_guess: float | None = None  # percent, where the question type tells
    mark_variance: float | None = None  # in marks², for the internal consistency
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestStats:
    attempts: int
    mean: float | None = None  # percent
    median: float | None = None
    sd: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    cic: float | None = None  # coefficient of internal consistency, percent
    error_ratio: float | None = None  # percent
    standard_error: float | None = None  # percent of the quiz's marks
    same_questions: bool = True  # every attempt showed the same questions (no random draw)


@dataclass(frozen=True)
class Report:
    test: TestStats
    items: list[ItemStats] = field(default_factory=list)


def _zero(value: float) -> bool:
    return abs(value) < _EPS


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def median(values: Iterable[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def flags_of(facility: float | None, discrimination: float | None,
             efficiency: float | None) -> tuple[str, ...]:
    """The warning flags of an item (undefined figures raise no flag)."""
    out = []
    if facility is not None and facility >= EASY_AT:
        out.append(TOO_EASY)
    if facility is not None and facility < HARD_BELOW:
        out.append(TOO_HARD)
    if discrimination is not None and discrimination < 0:
        out.append(NEGATIVE)
    elif discrimination is not None and discrimination < WEAK_BELOW:
        out.append(WEAK)
    if efficiency is not None and efficiency < EFFICIENCY_BELOW:
        out.append(LOW_EFFICIENCY)
    return tuple(out)


def item_stats(question_id: str, seen: Sequence[tuple[ItemResult, float]],
               random_guess: float | None = None) -> ItemStats:
    """One item's statistics from (its result, the attempt's total marks) per attempt that
    showed it."""
    s = len(seen)
    if not s:
        return ItemStats(question_id, 0, None, None, None, None, random_guess)
    fractions = [r.fraction for r, _t in seen]
    x = [r.mark for r, _t in seen]
    y = [total - r.mark for r, total in seen]  # the rest of the test
    facility = 100 * _mean(fractions)
    sd = discrimination = efficiency = mark_variance = None
    if s > 1:
        mf, mx, my = _mean(fractions), _mean(x), _mean(y)
        sd = 100 * math.sqrt(sum((f - mf) ** 2 for f in fractions) / (s - 1))
        var_x = sum((a - mx) ** 2 for a in x) / (s - 1)
        var_y = sum((b - my) ** 2 for b in y) / (s - 1)
        cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (s - 1)
        cov_max = sum((a - mx) * (b - my)
                      for a, b in zip(sorted(x), sorted(y), strict=True)) / (s - 1)
        mark_variance = var_x
        if not _zero(var_x) and not _zero(var_y):
            discrimination = 100 * cov / math.sqrt(var_x * var_y)
        if not _zero(cov_max):
            efficiency = 100 * cov / cov_max
        if _zero(var_x):
            sd = 0.0
    return ItemStats(question_id, s, facility, sd, discrimination, efficiency, random_guess,
                     mark_variance, flags_of(facility, discrimination, efficiency))


def test_stats(attempts: Sequence[AttemptData], items: Sequence[ItemStats]) -> TestStats:
    """The test's statistics over the attempts (see the module docstring)."""
    s = len(attempts)
    if not s:
        return TestStats(0)
    scores = [float(a.score) for a in attempts]
    same = len({frozenset(a.items) for a in attempts}) == 1
    mean = _mean(scores)
    out: dict[str, Any] = {"attempts": s, "mean": mean, "median": median(scores),
                           "same_questions": same}
    if s > 1:
        d = [v - mean for v in scores]
        power2 = sum(v ** 2 for v in d)
        out["sd"] = math.sqrt(power2 / (s - 1))
        if s > 2:
            m2, m3, m4 = power2 / s, sum(v ** 3 for v in d) / s, sum(v ** 4 for v in d) / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if not _zero(k2):
                out["skewness"] = k3 / k2 ** 1.5
                if s > 3:
                    k4 = (s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2)
                          / ((s - 1) * (s - 2) * (s - 3)))
                    out["kurtosis"] = k4 / (k2 * k2)
            out.update(_consistency(attempts, items, same, out["sd"]))
    return TestStats(**out)


def _consistency(attempts: Sequence[AttemptData], items: Sequence[ItemStats], same: bool,
                 sd: float) -> dict[str, float]:
    """Cronbach's alpha (KR-20), the error ratio and the standard error, when defined."""
    p = len(items)
    if not same or p < 2 or any(i.mark_variance is None for i in items):
        return {}
    totals = [a.total for a in attempts]
    mt = _mean(totals)
    k2 = sum((t - mt) ** 2 for t in totals) / (len(totals) - 1)  # variance of total marks
    if _zero(k2):
        return {}
    sum_var = sum(i.mark_variance or 0.0 for i in items)
    cic = 100 * p / (p - 1) * (1 - sum_var / k2)
    error_ratio = 100 * math.sqrt(max(0.0, 1 - cic / 100))
    return {"cic": cic, "error_ratio": error_ratio, "standard_error": error_ratio * sd / 100}


def analyse(attempts: Sequence[AttemptData], order: Sequence[str] = (),
            random_guess: Mapping[str, float | None] | None = None) -> Report:
    """Item and test statistics; items in `order` first, then any other seen, by id."""
    seen: dict[str, list[tuple[ItemResult, float]]] = {}
    for a in attempts:
        total = a.total
        for qid, result in a.items.items():
            seen.setdefault(str(qid), []).append((result, total))
    ordered = set(order)
    ids = [q for q in order if q in seen] + sorted(q for q in seen if q not in ordered)
    guesses = random_guess or {}
    items = [item_stats(q, seen[q], guesses.get(q)) for q in ids]
    return Report(test_stats(attempts, items), items)


# --------------------------------------------------------------------------- around the figures

WHICH_ATTEMPTS = ("graded", "first", "all")


def analysed_attempts(attempts: Iterable[Any], which: str, grading: str) -> list[Any]:
    """Which of one learner's graded attempts to analyse (Moodle's "attempts to analyse"):

    - "graded": those that make the grade by the quiz's grading method — the highest-scoring
      one ("highest"; the earliest of equal ones), the first, the last, or all ("average");
    - "first": the first graded attempt; "all": every graded attempt.
    Attempts need `status`, `number` and `score` (`lms.quizzes.rules.counted_attempts`)."""
    if which == "all":
        return counted_attempts(attempts, "average")
    if which == "first":
        return counted_attempts(attempts, "first")
    counted = counted_attempts(attempts, grading)
    if grading == "highest" and counted:
        best = max(float(a.score) for a in counted)
        return [next(a for a in counted if float(a.score) == best)]
    return counted


BANDS = 10


def score_bands(scores: Iterable[float]) -> list[int]:
    """How many scores fall in each tenth: 0-10, 10-20, ... 90-100 % (a band holds its lower
    bound; 100 % is in the last band)."""
    counts = [0] * BANDS
    for score in scores:
        band = int(max(0.0, min(float(score), 100.0)) // (100 / BANDS))
        counts[min(band, BANDS - 1)] += 1
    return counts


def random_guess(option_fractions: Sequence[float]) -> float | None:
    """Moodle's random-guess score of a one-answer choice question: the mean fraction of its
    options (percent); None without options."""
    if not option_fractions:
        return None
    return 100 * _mean([min(1.0, max(0.0, f)) for f in option_fractions])
