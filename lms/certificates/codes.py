"""Certificate codes people can read aloud, type and verify: ``PLT-XXXX-XXXX-C``.

Eight random Crockford Base32 symbols (40 bits from :mod:`secrets`) are followed
by one check symbol from the same 32-symbol alphabet, so nothing awkward such as
Crockford's ``*~$=U`` ever has to be typed.

Check scheme
------------
Each symbol is read as an element of the field GF(32) = GF(2)[x]/(x^5 + x^2 + 1)
(its Crockford value 0..31 is the bit pattern of the polynomial; addition is
XOR).  With ``a`` = x (a primitive element, order 31) a code d1..d9, where d9 is
the check symbol, is valid when

    a^8*d1 + a^7*d2 + ... + a^1*d8 + a^0*d9 = 0

This is the Damm construction ``p * d = a*p + d`` over GF(32) evaluated
left to right, and it provably catches

* every single-symbol substitution: changing d_i by e != 0 changes the sum by
  a^k * e, which is non-zero because a field has no zero divisors;
* every transposition of two different symbols at ANY distance < 31 (so every
  adjacent swap): swapping d_i, d_j changes the sum by (a^k - a^m)(d_i - d_j),
  and a^k != a^m because a has order 31 and |k - m| <= 8.

The unit tests check both properties exhaustively over many random codes.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Literal

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PLT"
PAYLOAD_LENGTH = 8
RANDOM_BITS = PAYLOAD_LENGTH * 5  # 40

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Crockford decoding of look-alikes; U is deliberately not accepted.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212.]+")
CANONICAL_RE = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]$")

_POLY = 0b100101  # x^5 + x^2 + 1, primitive over GF(2)


def _times_a(value: int) -> int:
    """Multiply a GF(32) element by the primitive element a = x."""
    value <<= 1
    if value & 0b100000:
        value ^= _POLY
    return value


def _fold(values: list[int]) -> int:
    """Evaluate sum a^(n-1-i) * v_i (Horner: p -> a*p + v)."""
    acc = 0
    for v in values:
        acc = _times_a(acc) ^ v
    return acc


def check_symbol(payload: str) -> str:
    """Return the check symbol for an 8-symbol canonical payload."""
    return ALPHABET[_times_a(_fold([_VALUE[s] for s in payload]))]


def is_valid_symbols(symbols: str) -> bool:
    """True when payload + check symbol (9 canonical symbols) satisfies the check."""
    return _fold([_VALUE[s] for s in symbols]) == 0


def format_code(symbols: str) -> str:
    """Format 9 canonical symbols as ``PLT-XXXX-XXXX-C``."""
    return f"{PREFIX}-{symbols[0:4]}-{symbols[4:8]}-{symbols[8]}"


def generate_code() -> str:
    """Return a new random canonical code (40 random bits + check symbol)."""
    bits = secrets.randbits(RANDOM_BITS)
    payload = "".join(
        ALPHABET[(bits >> (5 * i)) & 0b11111] for i in range(PAYLOAD_LENGTH - 1, -1, -1)
    )
    return format_code(payload + check_symbol(payload))


def _symbols(text: object) -> str | None:
    """Reduce user input to 9 canonical symbols, or None when the shape is wrong."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if len(cleaned) == PAYLOAD_LENGTH + 1 + len(PREFIX) and cleaned[:3] in ("PLT", "P1T"):
        cleaned = cleaned[3:]
    cleaned = cleaned.translate(_ALIASES)
    if len(cleaned) != PAYLOAD_LENGTH + 1 or any(c not in _VALUE for c in cleaned):
        return None
    return cleaned


def normalise_code(text: object) -> str | None:
    """Return the canonical ``PLT-XXXX-XXXX-C`` form of typed input, or None if misshapen.

    Case-insensitive; ignores spaces, dashes, underscores and dots; the ``PLT``
    prefix is optional; O reads as 0 and I/L as 1. The check symbol is NOT
    verified here (see :func:`check_code`).
    """
    symbols = _symbols(text)
    return None if symbols is None else format_code(symbols)


CodeState = Literal["ok", "malformed", "mistyped"]


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """Outcome of :func:`check_code`; ``code`` is canonical unless malformed."""

    state: CodeState
    code: str | None

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def check_code(text: object) -> CodeCheck:
    """Classify typed input as ``ok``, ``malformed`` (wrong shape) or ``mistyped`` (bad check)."""
    symbols = _symbols(text)
    if symbols is None:
        return CodeCheck("malformed", None)
    state: CodeState = "ok" if is_valid_symbols(symbols) else "mistyped"
    return CodeCheck(state, format_code(symbols))


def likely_corrections(text: object) -> list[str]:
    """Valid codes one substitution or one adjacent swap away from a mistyped code.

    Lets the verification page ask the database "did you mean ...?" for at most
    a few hundred candidates instead of telling the user only that it failed.
    """
    symbols = _symbols(text)
    if symbols is None:
        return []
    found: set[str] = set()
    chars = list(symbols)
    for i in range(len(chars)):
        original = chars[i]
        for candidate in ALPHABET:
            if candidate != original:
                chars[i] = candidate
                if is_valid_symbols("".join(chars)):
                    found.add(format_code("".join(chars)))
        chars[i] = original
    for i in range(len(chars) - 1):
        if chars[i] != chars[i + 1]:
            swapped = chars[:i] + [chars[i + 1], chars[i]] + chars[i + 2 :]
            if is_valid_symbols("".join(swapped)):
                found.add(format_code("".join(swapped)))
    found.discard(format_code(symbols))
    return sorted(found)
