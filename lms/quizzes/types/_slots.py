"""Helpers for types answered with one <select> per slot (matching, ordering).

Every option value is ``f"{slot}:{text}"``: the slot (a position, or a left-hand item index)
is public, and the part after the colon is the option's own text. The value therefore says
nothing about which option is right (an index into the definition would: choosing ``0:0,
1:1, ...`` would always be correct), is the same list for every select of the question, and
can still be read back from the raw form values alone, in any order.
"""

from __future__ import annotations

from typing import Any

MAX_SLOT_DIGITS = 6


def text_key(text: str) -> str:
    """The form in which a text travels through an HTML form and back.

    Browsers submit line breaks in values as CRLF, so texts are compared with line breaks
    normalised to LF. Two texts with the same key cannot be told apart in a form.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def slot_value(slot: int, text: str) -> str:
    """The option value choosing `text` for `slot`."""
    return f"{slot}:{text}"


def slot_texts(raw: Any, slots: int, texts: list[str]) -> dict[int, int]:
    """Parse form values "slot:text" into {slot: index of the text in `texts`}.

    Garbage, unknown texts and out-of-range slots are dropped; the first value for a slot wins.
    `texts` must be distinct by `text_key` (the types' validation guarantees it); if they are
    not, the first text with a key is chosen.
    """
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return {}
    index: dict[str, int] = {}
    for j, t in enumerate(texts):
        index.setdefault(text_key(t), j)
    out: dict[int, int] = {}
    for v in raw:
        if not isinstance(v, str) or ":" not in v:
            continue
        a, text = v.split(":", 1)
        if not (a.isascii() and a.isdigit()) or len(a) > MAX_SLOT_DIGITS:
            continue
        slot = int(a)
        j = index.get(text_key(text))
        if j is not None and slot < slots and slot not in out:
            out[slot] = j
    return out
