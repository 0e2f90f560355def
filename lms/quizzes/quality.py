"""Is a quiz guessable? Heuristics over a quiz's parsed questions (pure Python, no Flask).

A candidate who has not studied can still pass a choice quiz when its options give the answer
away. This module reports, per quiz:

- the **figure**: the share of single-choice questions whose right option is the uniquely
  longest one (strictly longer, in characters, than every other option). By chance a quarter
  to a third of them will be; above `CHANCE_SHARE` the length of an option is a clue;
- a warning per question for each giveaway it finds:

  * ``longest``: the right option is the uniquely longest and at least `CLEARLY_LONGER` times
    the next longest (a clue even in a quiz whose figure is fine);
  * ``catch-all``: an option such as "semua benar", "semua jawaban di atas", "tidak ada yang
    benar", "all of the above", "none of the above";
  * ``duplicate``: two options of one question with the same text (case, spaces and final
    punctuation aside);
  * ``negative-stem``: the question asks for the odd one out ("yang tidak", "yang bukan",
    "kecuali", "not", "except") without emphasising the negative word (``**tidak**``,
    ``*bukan*``, ``<strong>``, or capitals: ``KECUALI``);
  * ``one-wrong``: a multiple-answer question with fewer than two wrong options, so ticking
    every box loses little or nothing.

Nothing here is an error: a quiz is valid whatever it reports. `flask lms validate` prints the
warnings, and the quiz editor and the publish page show them to the author.

Questions are the dicts of a quiz file (`QuizSource.questions`, `quizfiles.parse(...)`); only
the built-in choice shapes are read (`options` with `text`, and `correct` or `weight`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CHANCE_SHARE = 0.30  # a figure above this is above chance for 3–5 options
CLEARLY_LONGER = 1.5  # the right option is a giveaway when this much longer than the next

SINGLE = "single_choice"
MULTIPLE = "multiple_choice"

_CATCH_ALL = re.compile(
    r"^(?:"
    r"semua(?:nya)?\s+(?:jawaban\s+|pilihan\s+|pernyataan\s+)?(?:di\s+atas\s+)?(?:benar|salah|tepat)"
    r"|semua\s+(?:jawaban|pilihan|pernyataan)\s+di\s+atas(?:\s+\w+)?"
    r"|tidak\s+ada\s+(?:jawaban\s+|pilihan\s+)?yang\s+(?:benar|tepat|salah)"
    r"|(?:jawaban\s+)?[a-e](?:\s*,\s*[a-e])*\s+(?:dan|&)\s+[a-e]\s+(?:benar|salah|tepat)"
    r"|all\s+of\s+the\s+above|none\s+of\s+the\s+above|all\s+(?:are\s+)?correct|none\s+(?:is\s+|are\s+)?correct"
    r")$"
)
# A negative question: the word (group 1) is what must be emphasised.
_NEGATIVE = re.compile(
    r"\byang\s+(tidak|tak|bukan)\b|\b(kecuali)\b|\b(bukan(?:lah)?)\b|\b(not|except)\b",
    re.IGNORECASE,
)
_EMPHASIS = re.compile(
    r"\*\*(?:.+?)\*\*|__(?:.+?)__|(?<![\w*])\*(?!\s)(?:.+?)\*|(?<!\w)_(?!\s)(?:.+?)_(?!\w)"
    r"|<(strong|em|b|u|mark)\b[^>]*>.*?</\1>",
    re.DOTALL | re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_MARKUP = re.compile(r"[*_`]|<[^>]+>")


@dataclass
class QualityWarning:
    """One reason a question may be guessed; `question` is its id ("" for the whole quiz).

    `reason` is the English sentence for the command line; `params` hold the values it names,
    so that a page can say the same in the reader's language."""

    question: str
    code: str
    reason: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.question}: {self.reason}" if self.question else self.reason


@dataclass
class QuizQuality:
    """The check's result for one quiz."""

    quiz: str
    single_choice: int = 0  # single-choice questions (the figure's denominator)
    longest_right: list[str] = field(default_factory=list)  # ids: right option uniquely longest
    warnings: list[QualityWarning] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """Share of single-choice questions whose right option is the uniquely longest."""
        if not self.single_choice:
            return None
        return len(self.longest_right) / self.single_choice

    @property
    def above_chance(self) -> bool:
        share = self.share
        return share is not None and share > CHANCE_SHARE + 1e-9

    @property
    def figure(self) -> str:
        """The figure for people: "3 of 12 (25%)", or "" without single-choice questions."""
        if self.share is None:
            return ""
        return f"{len(self.longest_right)} of {self.single_choice} ({self.share:.0%})"

    @property
    def ok(self) -> bool:
        return not self.warnings


def _plain(text: Any) -> str:
    """An option's visible text: markup removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return " ".join(_MARKUP.sub("", text).split())


def _key(text: Any) -> str:
    """What makes two options the same: case, spaces and end punctuation ignored."""
    return _plain(text).casefold().rstrip(".!?;:, ")


def _options(q: dict) -> list[dict]:
    opts = q.get("options")
    return [o for o in opts if isinstance(o, dict)] if isinstance(opts, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _single_weight(o: dict) -> float:
    w = _number(o.get("weight"))
    if w is not None:
        return w
    return 100.0 if o.get("correct") is True else 0.0


def _multiple_right(opts: list[dict]) -> list[bool]:
    """Which options of a multiple-answer question earn marks (weight > 0 or correct)."""
    if opts and all("weight" not in o for o in opts):
        return [o.get("correct") is True for o in opts]
    return [(_number(o.get("weight")) or 0) > 0 for o in opts]


def _option_text(o: dict) -> str:
    return _plain(o.get("text") if o.get("text") is not None else o.get("text_html"))


def _longest(q: dict) -> tuple[bool, float] | None:
    """For a single-choice question: (right option uniquely longest?, its length ÷ next)."""
    opts = _options(q)
    if len(opts) < 2:
        return None
    weights = [_single_weight(o) for o in opts]
    if max(weights) < 100:
        return None
    right = weights.index(max(weights))
    lengths = [len(_option_text(o)) for o in opts]
    others = [n for i, n in enumerate(lengths) if i != right]
    longest_other = max(others)
    if lengths[right] <= longest_other:
        return False, lengths[right] / max(longest_other, 1)
    return True, lengths[right] / max(longest_other, 1)


def _question_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) of the sentences that ask: those ending in "?" and the last one."""
    spans: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, text[start:m.start()]))
        start = m.end()
    spans.append((start, text[start:]))
    spans = [(o, s) for o, s in spans if s.strip()]
    if not spans:
        return []
    asking = [(o, s) for o, s in spans if s.rstrip().endswith("?")]
    if spans[-1] not in asking:
        asking.append(spans[-1])
    return asking


def _unemphasised_negative(text: str) -> str | None:
    """The negative word of a question sentence that is not emphasised, or None."""
    emphasised = [m.span() for m in _EMPHASIS.finditer(text)]
    for offset, sentence in _question_sentences(text):
        for m in _NEGATIVE.finditer(sentence):
            group = next(g for g in range(1, 5) if m.group(g) is not None)
            word = m.group(group)
            begin = offset + m.start(group)
            if word.isupper() and len(word) > 1:
                continue
            if any(a <= begin < b for a, b in emphasised):
                continue
            return word
    return None


def check_questions(questions: Iterable[dict], quiz: str = "") -> QuizQuality:
    """Run every heuristic over one quiz's questions."""
    result = QuizQuality(quiz=quiz)
    clear: list[tuple[str, float]] = []
    for q in questions:
        if not isinstance(q, dict):
            continue
        qid = str(q.get("id", ""))
        qtype = q.get("type")
        if qtype not in (SINGLE, MULTIPLE):
            continue
        opts = _options(q)
        warn = result.warnings.append

        if qtype == SINGLE:
            longest = _longest(q)
            if longest is not None:
                result.single_choice += 1
                is_longest, ratio = longest
                if is_longest:
                    result.longest_right.append(qid)
                    if ratio >= CLEARLY_LONGER:
                        clear.append((qid, ratio))
        else:
            right = _multiple_right(opts)
            wrong = right.count(False)
            if len(opts) >= 2 and wrong == 0:
                warn(QualityWarning(qid, "one-wrong",
                                    "every option is right: ticking all of them scores full marks",
                                    {"wrong": 0, "options": len(opts)}))
            elif wrong == 1 and len(opts) >= 3:
                warn(QualityWarning(qid, "one-wrong",
                                    f"only one of {len(opts)} options is wrong: ticking all "
                                    "of them scores well", {"wrong": 1, "options": len(opts)}))

        for o in opts:
            if _CATCH_ALL.match(_key(_option_text(o))):
                warn(QualityWarning(qid, "catch-all",
                                    f"option “{_option_text(o)}” is a catch-all answer",
                                    {"option": _option_text(o)}))
        seen: dict[str, str] = {}
        for o in opts:
            key = _key(_option_text(o))
            if key and key in seen:
                warn(QualityWarning(qid, "duplicate",
                                    f"options {seen[key]} and {o.get('id')} have the same text",
                                    {"first": seen[key], "second": str(o.get("id"))}))
            else:
                seen.setdefault(key, str(o.get("id")))
        word = _unemphasised_negative(str(q.get("text", "")))
        if word is not None:
            warn(QualityWarning(qid, "negative-stem",
                                f"the question asks for the negative (“{word}”) without "
                                "emphasis: write **" + word + "** or " + word.upper(),
                                {"word": word}))

    for qid, ratio in clear:
        result.warnings.append(QualityWarning(
            qid, "longest", f"the right option is the longest, {ratio:.1f}× the next longest",
            {"ratio": round(ratio, 1)}))
    if result.above_chance:
        result.warnings.insert(0, QualityWarning(
            "", "longest-share",
            f"the right option is the uniquely longest in {result.figure} single-choice "
            f"questions (chance is at most {CHANCE_SHARE:.0%}): "
            + ", ".join(result.longest_right),
            {"right": len(result.longest_right), "total": result.single_choice,
             "percent": round(100 * (result.share or 0)), "ids": ", ".join(result.longest_right)}))
    order = {"longest-share": 0}
    result.warnings.sort(key=lambda w: order.get(w.code, 1))
    return result


def check_quiz(quiz: Any) -> QuizQuality:
    """`check_questions` for an object with `slug` and `questions` (a `QuizSource`)."""
    return check_questions(getattr(quiz, "questions", []) or [], quiz=str(quiz.slug))


def check_pack(pack: Any) -> list[QuizQuality]:
    """One result per quiz of a loaded pack, in the pack's order."""
    return [check_quiz(q) for q in getattr(pack, "quizzes", [])]


def pack_warnings(pack: Any) -> list[str]:
    """The warnings of a pack as `flask lms validate` prints them: ``file: figure; reason``."""
    lines: list[str] = []
    for quiz, result in zip(getattr(pack, "quizzes", []), check_pack(pack), strict=True):
        where = f"{getattr(pack, 'slug', '')}/{getattr(quiz, 'filename', quiz.slug)}"
        for w in result.warnings:
            lines.append(f"warning: {where}: {w}")
    return lines
