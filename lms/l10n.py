"""Numbers and dates in the reader's language, through Babel: the ONE way learner pages write a
percentage ("9,5%" in Indonesian, "9.5%" in English) or a calendar date ("6 Des 2026" /
"Dec 6, 2026"). Templates use them as the `percent` and `date` filters (lms/templating.py);
notifications format their stored numbers and dates with them when shown."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.numbers import format_percent as babel_format_percent

PERCENT_PATTERN = "#,##0.#%"  # at most one decimal, no space before the sign (CLDR id and en)


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    try:
        from flask_babel import get_locale

        return str(get_locale() or "id")
    except RuntimeError:  # outside a request: the site's default language
        return "id"


def percent(value: float | int | str | None, locale: str | None = None) -> str:
    """A percentage given in percent (0-100), e.g. 9.5 -> "9,5%" (id) / "9.5%" (en); "" for None.
    A text stored by older versions ("9.5 %") is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    return _percent(float(value), _locale(locale))


# Babel formats a number or a date in 40-80 µs (it walks the locale's patterns each time); a page
# writes the same few values again and again (every card's "50%", the same deadline), so the
# text is kept per value and language. Bounded: percentages have at most one decimal.
@lru_cache(maxsize=4096)
def _percent(value: float, locale: str) -> str:
    return babel_format_percent(value / 100, format=PERCENT_PATTERN, locale=locale)


@lru_cache(maxsize=4096)
def _date(value: date, fmt: str, locale: str) -> str:
    return babel_format_date(value, fmt, locale=locale)


def date_text(value: date | datetime | str | None, fmt: str = "medium",
              locale: str | None = None) -> str:
    """A calendar date in the reader's language: "medium" (6 Des 2026) or "long" (6 Desember
    2026); "" for None. An ISO date string (as stored in notifications) is read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return _date(value, fmt, _locale(locale))
