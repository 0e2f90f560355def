"""How easy a password is to guess: a shipped list of common passwords, then zxcvbn.

Pure (no Flask): `weakness(password, user_inputs)` returns None or a `Weakness` code that
`auth.services.password_problem` turns into a message in the user's language.

1. The lists in `data/` (the 10,000 most common passwords and everyday Indonesian words such as
   "bismillah", "sayangku", "perpustakaan") are refused outright, also with digits, years or
   symbols added at either end ("Indonesia1945!") and with simple digit-for-letter swaps
   ("r4h4s14").
2. zxcvbn estimates the number of guesses with its own dictionaries plus the Indonesian list and
   the user's own words (name, email, library) as `user_inputs`; a score below `MIN_SCORE`
   (3: at least 10^8 guesses) is refused with the pattern that made it weak.

zxcvbn's `zxcvbn()` keeps the user's words in a module-level dictionary, which two threads could
mix up; `_estimate` calls its matching and scoring functions with a dictionary of its own.
"""

from __future__ import annotations

import enum
import re
from functools import cache
from pathlib import Path

from zxcvbn import matching, scoring, time_estimates

DATA = Path(__file__).parent / "data"
MIN_SCORE = 3
MIN_WORD = 3  # shorter pieces of a name or address are not treated as personal words


class Weakness(enum.StrEnum):
    COMMON_LIST = "common_list"  # on the shipped list (with digits/symbols/swaps undone)
    PERSONAL = "personal"  # built on the user's name, email or library
    COMMON = "common"  # built on a common password or Indonesian word
    WORD = "word"  # one ordinary word or name
    KEYBOARD = "keyboard"  # qwerty, asdf, 1qaz...
    REPEAT = "repeat"  # aaa, abcabc
    SEQUENCE = "sequence"  # abc, 12345
    DATE = "date"  # years and dates
    GUESSABLE = "guessable"  # too short or simple otherwise


def _read(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]


@cache
def indonesian_words() -> tuple[str, ...]:
    words = _read("common-passwords-id.txt")
    return tuple(dict.fromkeys([*words, *(w.replace(" ", "") for w in words)]))


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(_read("common-passwords.txt")) | frozenset(indonesian_words())


@cache
def _indonesian_ranked() -> dict[str, int]:
    return matching.build_ranked_dict(indonesian_words())


_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SWAPS_I = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o",
                          "5": "s", "$": "s", "7": "t", "+": "t", "8": "b", "9": "g"})
_SWAPS_L = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "l", "!": "i", "0": "o",
                          "5": "s", "$": "s", "7": "t", "+": "t", "8": "b", "9": "g"})


def _bases(password: str) -> set[str]:
    """The password as typed (lower case, spaces removed) and its base word: digits, years and
    symbols at either end removed, digit-for-letter swaps undone (in either order)."""
    lowered = password.strip().lower()
    found = {lowered, re.sub(r"\s+", "", lowered)}
    for text in list(found):
        stripped = _ENDS.sub("", text)
        found.add(stripped)
        for table in (_SWAPS_I, _SWAPS_L):
            found.add(stripped.translate(table))
            swapped = text.translate(table)
            found.add(swapped)
            found.add(_ENDS.sub("", swapped))
    return {text for text in found if text}


def is_common(password: str) -> bool:
    """On the shipped lists, also with digits, years or symbols at either end."""
    common = common_passwords()
    return any(base in common for base in _bases(password))


def personal_words(*values: str | None) -> list[str]:
    """The user's own words for zxcvbn: each value whole (spaces removed) and its pieces
    ("Ni Luh Putu", "niluh@contoh.id", "Perpustakaan Desa Tegallalang")."""
    texts: list[str] = []
    for value in values:
        text = (value or "").strip().lower()
        if "@" in text:  # an email address: its local part and the first label of its domain
            local, _sep, domain = text.partition("@")
            texts.extend([local, domain.split(".")[0]])
        elif text:
            texts.append(text)
    words: list[str] = []
    for text in texts:
        pieces = [p for p in re.split(r"[\W_]+", text) if p]
        words.append("".join(pieces))
        words.extend(pieces)
    return [w for w in dict.fromkeys(words) if len(w) >= MIN_WORD]


def _only_personal(password: str, user_inputs: list[str]) -> bool:
    """Nothing but the user's own words once digits, years and symbols are set aside
    ("pelangipagi2024" for "TBM Pelangi Pagi", "AniLestari!" for Ani Lestari)."""
    words = sorted((w for w in user_inputs if len(w) >= MIN_WORD + 1), key=len, reverse=True)
    if not words:
        return False
    for base in _bases(password):
        rest = base
        for word in words:
            rest = rest.replace(word, "")
        if len(re.sub(r"[\W\d_]+", "", rest)) < MIN_WORD + 1:
            return True
    return False


def _estimate(password: str, user_inputs: list[str]) -> tuple[int, list[dict]]:
    dictionaries = dict(matching.RANKED_DICTIONARIES)
    dictionaries["pelita_id"] = _indonesian_ranked()
    dictionaries["user_inputs"] = matching.build_ranked_dict(user_inputs)
    matches = matching.omnimatch(password, dictionaries)
    result = scoring.most_guessable_match_sequence(password, matches)
    score = time_estimates.estimate_attack_times(result["guesses"])["score"]
    return score, result["sequence"]


def _why(sequence: list[dict]) -> Weakness:
    """The pattern that made the password weak: the user's own words first, else the longest
    recognised piece (as zxcvbn's own feedback chooses)."""
    patterns = [m for m in sequence if m["pattern"] != "bruteforce"]
    if any(m.get("dictionary_name") == "user_inputs" and len(m["token"]) >= MIN_WORD + 1
           for m in patterns):
        return Weakness.PERSONAL
    if not patterns:
        return Weakness.GUESSABLE
    longest = max(patterns, key=lambda m: len(m["token"]))
    pattern = longest["pattern"]
    if pattern == "dictionary":
        name = longest.get("dictionary_name")
        if name == "user_inputs":
            return Weakness.PERSONAL
        if name in ("passwords", "pelita_id"):
            return Weakness.COMMON
        return Weakness.WORD
    return {"spatial": Weakness.KEYBOARD, "repeat": Weakness.REPEAT,
            "sequence": Weakness.SEQUENCE, "regex": Weakness.DATE,
            "date": Weakness.DATE}.get(pattern, Weakness.GUESSABLE)


def weakness(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> Weakness | None:
    """Why the password is too easy to guess, or None when it is strong enough."""
    if is_common(password):
        return Weakness.COMMON_LIST
    if _only_personal(password, list(user_inputs)):
        return Weakness.PERSONAL
    score, sequence = _estimate(password, list(user_inputs))
    if score >= MIN_SCORE:
        return None
    return _why(sequence)
