"""Indonesian number words to digits ("dua puluh lima" -> "25"), for short-answer matching.

Covers 0 up to 999,999,999: nol, satu..sembilan, sepuluh, sebelas, N belas, N puluh, seratus,
N ratus, seribu, N ribu, sejuta, N juta, also written together ("duapuluh", "limabelas").
"""

from __future__ import annotations

import re

UNITS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_JOINED = re.compile(
    r"^(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|se)(belas|puluh|ratus|ribu|juta)$"
)


def _split_joined(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        m = _JOINED.match(t)
        if m and m.group(1) != "se":
            out += [m.group(1), m.group(2)]
        else:
            out.append(t)
    return out


def _below_100(t: list[str], i: int) -> tuple[int, int] | None:
    if i >= len(t):
        return None
    w = t[i]
    if w == "sepuluh":
        return 10, i + 1
    if w == "sebelas":
        return 11, i + 1
    if w in UNITS:
        u = UNITS[w]
        nxt = t[i + 1] if i + 1 < len(t) else None
        if nxt == "belas":
            return 10 + u, i + 2
        if nxt == "puluh" and u >= 2:
            after = t[i + 2] if i + 2 < len(t) else None
            if after in UNITS:
                return u * 10 + UNITS[after], i + 3
            return u * 10, i + 2
        return u, i + 1
    return None


def _below_1000(t: list[str], i: int) -> tuple[int, int] | None:
    value, j = 0, i
    if j < len(t) and t[j] == "seratus":
        value, j = 100, j + 1
    elif j + 1 < len(t) and t[j] in UNITS and UNITS[t[j]] >= 2 and t[j + 1] == "ratus":
        value, j = UNITS[t[j]] * 100, j + 2
    rest = _below_100(t, j)
    if rest is not None and not (rest[1] < len(t) and t[rest[1]] == "ratus"):
        value, j = value + rest[0], rest[1]
    if j == i:
        return None
    return value, j


def _number(t: list[str], i: int) -> tuple[int, int] | None:
    if i < len(t) and t[i] == "nol":
        return 0, i + 1
    total, j = 0, i
    for big, single, scale in (("juta", "sejuta", 1_000_000), ("ribu", "seribu", 1000)):
        if j < len(t) and t[j] == single:
            total, j = total + scale, j + 1
            continue
        part = _below_1000(t, j)
        if part and part[1] < len(t) and t[part[1]] == big:
            total, j = total + part[0] * scale, part[1] + 1
    tail = _below_1000(t, j)
    if tail:
        total, j = total + tail[0], tail[1]
    if j == i:
        return None
    return total, j


def numbers_to_digits(text: str) -> str:
    """Replace each run of Indonesian number words in space-separated `text` by digits."""
    tokens = _split_joined(text.split())
    out: list[str] = []
    i = 0
    while i < len(tokens):
        found = _number(tokens, i)
        if found is None:
            out.append(tokens[i])
            i += 1
        else:
            out.append(str(found[0]))
            i = found[1]
    return " ".join(out)
