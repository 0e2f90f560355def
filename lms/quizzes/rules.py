"""The quiz rules (pure: no Flask, no database): settings with their defaults, which questions an
attempt draws, how attempt scores combine into a grade, and which review moment applies.

Settings and their defaults come from the one schema, `lms.content.quiz_settings`. Everything
here works on plain values and on objects with the attributes it reads (a quiz version's
`settings`, an attempt's `status`, `number`, `score`, `submitted_at`), so the learning area can
apply the same rules without depending on the quiz services.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lms import clock
from lms.content.quiz_settings import (
    DEFAULT_REVIEW,
    DEFAULTS,
    GRADING_METHODS,
    REVIEW_ITEMS,
    REVIEW_MOMENTS,
)

# Attempt statuses (the same strings as lms.quizzes.models, which this pure module cannot import).
IN_PROGRESS = "in_progress"
GRADED = "graded"

__all__ = [  # the settings' vocabulary is re-exported: the engine's callers read it here
    "DEFAULT_REVIEW", "GRADING_METHODS", "REVIEW_ITEMS", "REVIEW_MOMENTS", "QuizRules",
    "build_layout", "combine", "counted_attempts", "draw_questions", "field_name", "grade_of",
    "parse_time", "pass_threshold", "quiz_passed", "review_moment", "rules_of",
]


IMMEDIATELY_AFTER = timedelta(minutes=2)


def parse_time(value: Any) -> datetime | None:
    """A quiz date setting (ISO 8601 text or datetime) as aware UTC; a date-only value means
    midnight WIB, and a time without a zone is read as WIB (UTC+7)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.WIB)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class QuizRules:
    """A quiz version's settings with the schema's defaults applied (lms.content.quiz_settings).

    The field defaults below are the schema's; `of()` also repairs values a hand-edited version
    may hold (a wrong type falls back to the default)."""

    pass_mark: float = float(DEFAULTS["pass_mark"])
    attempts: int = DEFAULTS["attempts"]
    grading: str = DEFAULTS["grading"]
    time_limit_minutes: int = DEFAULTS["time_limit_minutes"]
    shuffle_questions: bool = DEFAULTS["shuffle_questions"]
    shuffle_options: bool = DEFAULTS["shuffle_options"]
    draw: int = DEFAULTS["draw"]
    # {category: N}: N questions drawn from each category (see `draw_questions`).
    draw_categories: Mapping[str, int] = field(default_factory=dict)
    per_page: int = DEFAULTS["per_page"]
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    review: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Mapping[str, Any] | None) -> QuizRules:
        s = settings or {}

        def num(key, cast=int):
            default = cast(DEFAULTS[key])
            v = s.get(key, default)
            try:
                return cast(v) if v is not None else default
            except (TypeError, ValueError):
                return default

        review = {m: frozenset(DEFAULT_REVIEW[m]) for m in REVIEW_MOMENTS}
        raw = s.get("review")
        if isinstance(raw, Mapping):
            for moment in REVIEW_MOMENTS:
                items = raw.get(moment)
                if isinstance(items, list | tuple):
                    review[moment] = frozenset(str(i) for i in items if i in REVIEW_ITEMS)
        grading = s.get("grading", DEFAULTS["grading"])
        draw_categories = {}
        raw_draw = s.get("draw_categories")
        if isinstance(raw_draw, Mapping):
            draw_categories = {
                str(name): int(n) for name, n in raw_draw.items()
                if isinstance(n, int) and not isinstance(n, bool) and n > 0
            }
        return cls(
            pass_mark=num("pass_mark", float),
            attempts=max(0, num("attempts")),
            grading=grading if grading in GRADING_METHODS else DEFAULTS["grading"],
            time_limit_minutes=max(0, num("time_limit_minutes")),
            shuffle_questions=bool(s.get("shuffle_questions", DEFAULTS["shuffle_questions"])),
            shuffle_options=bool(s.get("shuffle_options", DEFAULTS["shuffle_options"])),
            draw=max(0, num("draw")),
            draw_categories=draw_categories,
            per_page=max(0, num("per_page")),
            opens_at=parse_time(s.get("opens_at")),
            closes_at=parse_time(s.get("closes_at")),
            review=review,
        )


def field_name(position: int) -> str:
    """The form field name of the question at `position` in the attempt."""
    return f"q{position}"


def _category(q: dict) -> str:
    category = q.get("category")
    return category if isinstance(category, str) else ""


def draw_questions(questions: list[dict], r: QuizRules, rng: random.Random) -> list[dict]:
    """The questions an attempt shows, in their authored order.

    Each category of `draw_categories` gives a random N of its questions (all of them if it
    has fewer); `draw` then picks N of the remaining questions (those in no listed category),
    0 meaning all of them.
    """
    chosen: set[int] = set()
    rest = questions
    if r.draw_categories:
        rest = []
        by_category: dict[str, list[dict]] = {}
        for q in questions:
            if _category(q) in r.draw_categories:
                by_category.setdefault(_category(q), []).append(q)
            else:
                rest.append(q)
        for name, n in r.draw_categories.items():
            pool = by_category.get(name, [])
            chosen.update(map(id, rng.sample(pool, min(n, len(pool)))))
    if r.draw and r.draw < len(rest):
        chosen.update(map(id, rng.sample(rest, r.draw)))
    else:
        chosen.update(map(id, rest))
    return [q for q in questions if id(q) in chosen]


def combine(method: str, scores: list[float]) -> float | None:
    """Apply a grading method to attempt scores listed in attempt order."""
    if not scores:
        return None
    if method == "average":
        return sum(scores) / len(scores)
    if method == "first":
        return scores[0]
    if method == "last":
        return scores[-1]
    return max(scores)


def counted_attempts(attempts: Iterable[Any], method: str) -> list[Any]:
    """The graded attempts (in attempt order) whose scores make the grade by `method`."""
    graded = sorted(
        (a for a in attempts if a.status == GRADED and a.score is not None),
        key=lambda a: a.number,
    )
    if method == "first":
        return graded[:1]
    if method == "last":
        return graded[-1:]
    return graded


def grade_of(attempts: Iterable[Any], method: str) -> float | None:
    """The grade (percent) from one learner's already loaded attempts at one quiz; the same
    value `lms.learning.progress.quiz_scores` computes with queries."""
    return combine(method, [float(a.score) for a in counted_attempts(attempts, method)])


def review_moment(attempt: Any, r: QuizRules, at: datetime | None = None, *,
                  attempts_used: int = 0) -> str:
    """Which review moment applies to the attempt now (`attempts_used`: how many attempts the
    learner has started at the quiz, for "after_last_attempt")."""
    t = at or clock.now()
    if attempt.status == IN_PROGRESS:
        return "during"
    if r.closes_at and t >= r.closes_at:
        return "after_close"
    if r.attempts and max(attempts_used, attempt.number or 0) >= r.attempts:
        return "after_last_attempt"
    submitted = clock.aware(attempt.submitted_at)
    if submitted is not None and t - submitted <= IMMEDIATELY_AFTER:
        return "immediately_after"
    return "later_while_open"



def rules_of(version: Any) -> QuizRules:
    """The rules of a quiz version (anything with `settings`)."""
    return QuizRules.of(version.settings)


def pass_threshold(kind: str, settings: dict | None, rule: dict | None) -> float:
    """The grade (percent) a quiz needs to count as passed: its pass mark, raised by the course's
    completion rule (`min_module_quiz_score` for module quizzes, `final_min_score` for the final).
    The quiz page shows this same number."""
    settings, rule = settings or {}, rule or {}
    needed = float(settings.get("pass_mark", DEFAULTS["pass_mark"]))
    if kind == "module":
        needed = max(needed, float(rule.get("min_module_quiz_score", 0)))
    elif kind == "final":
        needed = max(needed, float(rule.get("final_min_score", 0)))
    return needed


def quiz_passed(kind: str, settings: dict, rule: dict, score: float | None) -> bool:
    """Whether a quiz grade meets the quiz's pass mark and the course's completion rule."""
    return score is not None and score >= pass_threshold(kind, settings, rule)


def build_layout(version: Any, r: QuizRules, rng: random.Random, registry: Any) -> dict:
    """The questions an attempt shows and each one's option order (`registry`: the question
    types, passed in so that this stays pure)."""
    questions = draw_questions([q for q in version.questions if isinstance(q, dict)], r, rng)
    if r.shuffle_questions:
        rng.shuffle(questions)
    reg = registry
    items = []
    for q in questions:
        order = None
        try:
            qtype = reg.get(q.get("type"))
            keys = qtype.shuffle_keys(q)
        except LookupError:  # an unknown question type (UnknownQuestionType)
            keys = None
        if keys:
            # Ordering and matching are always scrambled: their display order is the answer.
            if r.shuffle_options or q.get("type") in ("ordering", "matching"):
                original = list(keys)
                keys = list(keys)
                rng.shuffle(keys)
                # For these two, showing the items in their authored order gives the answer away.
                while q.get("type") in ("ordering", "matching") and keys == original \
                        and len(set(map(str, keys))) > 1:
                    rng.shuffle(keys)
            order = [str(k) for k in keys]
        items.append({"id": str(q.get("id")), "order": order})
    return {"questions": items}
