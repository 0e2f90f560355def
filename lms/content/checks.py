"""Checks of values read from pack files (pure). Each returns None when the value is fine,
else a phrase completing "must be ..." for the problem message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .tomlutil import SLUG

Check = Callable[[Any], str | None]



def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def int_at_least(minimum: int = 0) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not is_int(value) or value < minimum:
            return "a whole number" + (f" of at least {minimum}" if minimum else " (0 or more)")
        return None

    return check


def percent(value: Any) -> str | None:
    if not is_number(value) or not 0 <= value <= 100:
        return "a number from 0 to 100"
    return None


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "`true` or `false`"


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value not in choices:
            return "one of " + ", ".join(f'"{c}"' for c in choices)
        return None

    return check


def slug(minimum: int = 1, maximum: int = 60) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if (
            not isinstance(value, str)
            or not SLUG.match(value)
            or not minimum <= len(value) <= maximum
        ):
            return (
                f"a slug of {minimum} to {maximum} characters using only a-z, 0-9 and "
                'single hyphens (e.g. "literasi-digital")'
            )
        return None

    return check


def list_of(item: Callable[[Any], str | None], what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or any(item(v) for v in value):
            return f"a list of {what}"
        return None

    return check
