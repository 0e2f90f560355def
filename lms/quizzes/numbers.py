"""Numbers as people type them: the one rule for reading a learner's numerical answer (pure).

Indonesians write 3,14 and 1.822.000; Moodle's documentation and most imported banks write 3.14.
Both work, by one rule (documented for authors in docs/question-banks.md, "Numbers"):

* spaces are ignored ("1 822 000"), a leading + or - (also U+2212) is a sign;
* a **comma is always the decimal mark**: "3,14" = 3.14, "1,000" = 1.0, ",5" = 0.5; a number has at
  most one comma ("1,000,000" is not a number);
* a **dot is a decimal mark** ("3.14", "0.001", "1234.567", "3.") **unless the number only makes
  sense with dots as thousands separators**: several dots grouping by three ("1.822.000"), or dots
  before a decimal comma ("1.822,5");
* a **lone d.ddd** — one to three digits (the first not 0), one dot, exactly three digits, such
  as "1.822" or "3.142" — can be read both ways (1.822 or 1822). `readings()` returns both and the
  answer is accepted when either reading is within the tolerance of a right answer;
* an exponent is allowed after a plain or decimal number ("1e3", "2,5e-1");
* anything else (units, words, "1..2", "1.2.3", infinity, NaN) is not a number.

`readings(text)` gives the possible values: () for not a number, one value, or (decimal reading,
thousands reading) for a lone d.ddd. `parse_number(text)` gives the first reading or None.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_CHARS = 60
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200a\u2008]+")
_EXP = r"(?:[eE][+-]?\d+)?"
# Digits with an optional decimal part after a dot: 3, 3.14, .5, 3.
_DOT_DECIMAL = re.compile(rf"(?:\d+(?:\.\d*)?|\.\d+){_EXP}", re.ASCII)
# A decimal comma, the integer part optionally grouped by dots: 3,14  ,5  1.822,5
_COMMA_DECIMAL = re.compile(rf"(\d*|[1-9]\d{{0,2}}(?:\.\d{{3}})+),(\d+){_EXP}", re.ASCII)
# Dots as thousands separators only: 1.822.000 (two or more groups).
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3}){2,}", re.ASCII)
# The ambiguous lone d.ddd: 1.822, 12.345, 999.999.
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2}\.\d{3}", re.ASCII)


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def readings(text: Any) -> tuple[float, ...]:
    """Every value `text` can mean by the rule above: (), (x,) or (decimal, thousands)."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        return ()
    s = _SPACES.sub("", text).replace("\u2212", "-")
    sign = 1.0
    if s[:1] in ("+", "-"):
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if not s or s[0] in "+-":
        return ()
    values: list[float | None]
    if "," in s:
        m = _COMMA_DECIMAL.fullmatch(s)
        if not m or (not m.group(1) and not m.group(2)):
            return ()
        values = [_finite(m.group(1).replace(".", "") + "." + s[m.start(2):])]
    elif _DOT_THOUSANDS.fullmatch(s):
        values = [_finite(s.replace(".", ""))]
    elif _AMBIGUOUS.fullmatch(s):
        values = [_finite(s), _finite(s.replace(".", ""))]
    elif _DOT_DECIMAL.fullmatch(s):
        values = [_finite(s)]
    else:
        return ()
    if any(v is None for v in values):
        return ()
    return tuple(sign * v for v in values if v is not None)


def parse_number(text: Any) -> float | None:
    """The first reading of `text` (the decimal one for a lone d.ddd), or None."""
    found = readings(text)
    return found[0] if found else None


def is_ambiguous(text: Any) -> bool:
    """True when `text` is a lone d.ddd that reads as two different numbers."""
    return len(readings(text)) == 2


def format_number(value: float) -> str:
    """A short plain form of `value` for display, GIFT and Moodle XML ("3.14", "2", "1e-07")."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
