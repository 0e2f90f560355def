"""Quiz settings with defaults, review options, dates and grading methods (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.quizzes.rules import (
    DEFAULT_REVIEW,
    REVIEW_ITEMS,
    QuizRules,
    combine,
    parse_time,
)


def test_defaults_match_the_pack_format():
    r = QuizRules.of({})
    assert (r.pass_mark, r.attempts, r.grading, r.time_limit_minutes) == (70.0, 0, "highest", 0)
    assert r.shuffle_options and not r.shuffle_questions
    assert r.per_page == 0 and r.draw == 0
    assert r.opens_at is None and r.closes_at is None


def test_default_review_hides_only_the_right_answer_while_open():
    r = QuizRules.of({})
    assert r.review["during"] == frozenset()
    for moment in ("immediately_after", "later_while_open", "after_last_attempt"):
        assert r.review[moment] == frozenset(REVIEW_ITEMS) - {"right_answer"}
    assert r.review["after_close"] == frozenset(REVIEW_ITEMS)
    assert set(DEFAULT_REVIEW) == {"during", "immediately_after", "later_while_open",
                                   "after_last_attempt", "after_close"}


def test_review_setting_replaces_listed_moments_and_ignores_unknown_items():
    r = QuizRules.of({"review": {"after_close": ["marks", "nonsense"], "during": []}})
    assert r.review["after_close"] == frozenset({"marks"})
    assert r.review["during"] == frozenset()
    assert "response" in r.review["immediately_after"]  # not listed: default kept


def test_bad_values_fall_back_to_defaults():
    r = QuizRules.of({"grading": "median", "attempts": "x", "per_page": -3, "pass_mark": None})
    assert r.grading == "highest" and r.attempts == 0 and r.per_page == 0 and r.pass_mark == 70


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-26T12:00:00+07:00", datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),
    ("2026-11-26T12:00", datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),  # no zone: WIB
    ("2026-11-26T05:00:00Z", datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),
    ("2026-11-26", datetime(2026, 11, 25, 17, 0, tzinfo=UTC)),  # midnight WIB
    (datetime(2026, 11, 26, 12, 0), datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),
    ("kemarin", None),
    (None, None),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", 80), ("average", 50), ("first", 20), ("last", 50), ("unknown", 80),
])
def test_combine(method, expected):
    assert combine(method, [20, 80, 50]) == expected


def test_combine_without_attempts():
    assert combine("highest", []) is None


def test_after_the_last_attempt_is_a_moment_of_limited_quizzes_only():
    from types import SimpleNamespace

    from lms.quizzes.rules import review_moment

    done = SimpleNamespace(status="graded", number=2, submitted_at=datetime(2026, 1, 1, tzinfo=UTC))
    later = datetime(2026, 1, 2, tzinfo=UTC)
    assert review_moment(done, QuizRules.of({"attempts": 2}), later) == "after_last_attempt"
    assert review_moment(done, QuizRules.of({"attempts": 3}), later) == "later_while_open"
    assert review_moment(done, QuizRules.of({"attempts": 3}), later, attempts_used=3) == \
        "after_last_attempt"
    assert review_moment(done, QuizRules.of({}), later, attempts_used=9) == "later_while_open"
    closed = QuizRules.of({"attempts": 2, "closes_at": "2026-01-01T12:00:00+07:00"})
    assert review_moment(done, closed, later) == "after_close"  # the close date wins
    # By default it shows what "later while open" shows: a pack opts in to showing more.
    assert QuizRules.of({}).review["after_last_attempt"] == QuizRules.of({}).review[
        "later_while_open"]
