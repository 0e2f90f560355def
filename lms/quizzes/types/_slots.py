"""Helpers for types answered with one <select> per slot (matching, ordering)."""

from __future__ import annotations

from typing import Any


def slot_values(raw: Any, slots: int, choices: int) -> dict[int, int]:
    """Parse form values "slot:choice" into {slot: choice}; garbage and out-of-range dropped.

    The slot travels in the value, so the app may collect the values of all the question's
    field names in any order. The first value for a slot wins.
    """
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return {}
    out: dict[int, int] = {}
    for v in raw:
        if not isinstance(v, str) or v.count(":") != 1:
            continue
        a, b = v.split(":")
        if not (a.isascii() and a.isdigit() and b.isascii() and b.isdigit()):
            continue
        if len(a) > 6 or len(b) > 6:
            continue
        slot, choice = int(a), int(b)
        if slot < slots and choice < choices and slot not in out:
            out[slot] = choice
    return out
