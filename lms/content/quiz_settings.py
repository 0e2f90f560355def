"""The quiz settings: ONE schema (pure: no Flask, no database).

Every place that knows a quiz setting derives it from `SETTINGS`: the pack loader checks quiz
files against it (`loader.QUIZ_SPEC`), the quiz engine applies its defaults
(`lms.quizzes.rules.QuizRules`), the authoring form fills its fields and leaves defaults out of
the files it writes (`lms.authoring.quizfiles`). Add a setting here, once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checks import Check, boolean, int_at_least, is_int, one_of, percent

GRADING_METHODS = ("highest", "average", "first", "last")

# When a learner looks at an attempt, and what they may see then (Moodle's review options).
# "after_last_attempt": once the learner has used every attempt allowed (quizzes with a limit);
# by default it shows what "later_while_open" shows, so a pack opts in to showing more.
REVIEW_MOMENTS = ("during", "immediately_after", "later_while_open", "after_last_attempt",
                  "after_close")
REVIEW_ITEMS = ("response", "correctness", "marks", "specific_feedback", "general_feedback",
                "right_answer")
_OPEN = tuple(i for i in REVIEW_ITEMS if i != "right_answer")
DEFAULT_REVIEW: Mapping[str, tuple[str, ...]] = {
    "during": (),
    "immediately_after": _OPEN,
    "later_while_open": _OPEN,
    "after_last_attempt": _OPEN,
    "after_close": REVIEW_ITEMS,
}


def _review(value: Any) -> str | None:
    if not isinstance(value, dict) or any(k not in REVIEW_MOMENTS for k in value) or any(
        not isinstance(v, list) or any(i not in REVIEW_ITEMS for i in v) for v in value.values()
    ):
        return ("a table whose keys are " + ", ".join(REVIEW_MOMENTS) + " and whose values are "
                "lists of " + ", ".join(f'"{i}"' for i in REVIEW_ITEMS))
    return None


def _when(value: Any) -> str | None:
    if isinstance(value, datetime.datetime | datetime.date):
        return None
    return "a TOML date-time such as 2026-12-31T17:00:00+07:00 (no zone = WIB) or a date"


def _draw_categories(value: Any) -> str | None:
    if not isinstance(value, dict) or not value or any(
        not isinstance(k, str) or not k.strip() or not is_int(v) or v < 1
        for k, v in value.items()
    ):
        return ('a table of category names and whole numbers of at least 1, e.g. '
                'draw_categories = { "etika" = 3, "keamanan" = 2 }')
    return None


@dataclass(frozen=True)
class Setting:
    """One quiz setting: its key in the quiz file, its default (None: not set) and its check."""

    key: str
    default: Any
    check: Check


SETTINGS: tuple[Setting, ...] = (
    Setting("pass_mark", 70, percent),
    Setting("attempts", 0, int_at_least(0)),  # 0: unlimited
    Setting("grading", "highest", one_of(*GRADING_METHODS)),
    Setting("time_limit_minutes", 0, int_at_least(0)),  # 0: no limit
    Setting("shuffle_questions", False, boolean),
    Setting("shuffle_options", True, boolean),
    Setting("draw", 0, int_at_least(0)),  # 0: every question (outside drawn categories)
    Setting("draw_categories", None, _draw_categories),
    Setting("per_page", 0, int_at_least(0)),  # 0: all on one page
    Setting("opens_at", None, _when),
    Setting("closes_at", None, _when),
    Setting("review", None, _review),  # None: DEFAULT_REVIEW
)
KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS)
DEFAULTS: Mapping[str, Any] = {s.key: s.default for s in SETTINGS}
