"""Moodle GIFT import and export (pure).

`parse_gift(text_or_bytes)` returns `GiftResult(questions, problems)`: question dicts in the
shapes of the built-in types (each with "id", "category" and "_line"), and (line, message)
problems. A question with a problem is left out of `questions`. The file is read by
`textfile.decode_text` first: larger than `textfile.MAX_TEXT_BYTES`, not text, UTF-16, or neither
UTF-8 nor Windows-1252 raises `BankFileError`; control characters are problems on their lines.

It reads GIFT as Moodle's `qformat_gift` does (every construct of Moodle's GIFT documentation and
of its exporter's output): blocks separated by blank lines; `//` comment lines, whose
`[id:...]` and `[tag:...]` (with `\\]` and `\\\\` escapes) become the question's id and
`tags`; `$CATEGORY:` (Moodle's `$course$/top/` context prefixes removed); `::title::`; choice
`=`/`~` with `%weight%`; true/false `T F TRUE FALSE` with `#wrong#right` feedback; short answer;
matching `=a -> b` (an empty left side is a distractor); numerical `#v`, `#v:tol`, `#min..max`
and `#` with several `=` answers, `=%0%*` or a trailing `~#feedback` for "any other answer"
(an answer with `any = true`); missing word (text after the braces: the blank is stored as
`_____`); essay `{}`; description (no braces); `#feedback`; `####general feedback` (the last one);
escapes `\\~ \\= \\# \\{ \\} \\: \\\\ \\n`. The question type is chosen in Moodle's
order: essay, numerical, choice (any `~`), matching (`=` and `->`), true/false, short answer.

Formats: `[html]`, `[markdown]`, `[plain]`, `[moodle]` before the question text, an answer, a
feedback or the general feedback; an answer or feedback without a marker has the question's
format (as in Moodle). Each text is converted to pack Markdown by `lms.quizzes.markup.to_markdown`
(HTML sanitised, plain text escaped); text without any marker is read as Markdown. Short-answer
texts and numbers are values, never converted; matching right-hand texts are plain text.

Type mapping: choice with a `=` answer -> single_choice (options with `correct`, or with
`weight` when partial weights or several `=`); choice without `=` -> multiple_choice with
weights. Question ids come from `[id:...]`, else the title (slug), else "q<n>" (made unique by
"-2", "-3", ...); option ids are "o<n>". Parsing takes time linear in the file's size.

`export_gift(questions)` writes GIFT back; `export_gift_report(questions)` also returns
(question id, message) for what GIFT cannot express (ordering is skipped with a comment;
points, short-answer variants/case/indonesian, essay rubric/limits are dropped). Question texts
are written with `[markdown]` (Pelita's texts are Markdown), ids and tags as a `// [id:] [tag:]`
comment. Questions of a non-scored type (no right answer: `unscored`, the names of types with
`scored = False`, e.g. likert) are skipped with a comment saying so.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection
from typing import Any, NamedTuple

from lms.quizzes.formats.textfile import MAX_TEXT_BYTES, control_problems, decode_text
from lms.quizzes.markup import plain_to_markdown, to_markdown
from lms.quizzes.numbers import format_number

BLANK = "_____"
_BLANK_MARK = "\ue010"
FORMATS = ("html", "markdown", "plain", "moodle")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")

_ESCAPES = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_RESTORE_RE = re.compile("[" + "".join(_RESTORE) + "]")
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_FORMAT_RE = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^\s*%\s*(-?\d+(?:\.\d+)?)\s*%")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
_TAG_RE = re.compile(r"\[tag:((?:\\.|[^\]\\])+)\]")
_ID_TAG_RE = re.compile(r"\[id:((?:\\.|[^\]\\])+)\]")
_CONTEXT_RE = re.compile(r"^\$[a-z0-9]+\$(?:/|$)")


class GiftResult(NamedTuple):
    """Parsed questions and (line, message) problems."""

    questions: list[dict]
    problems: list[tuple[int, str]]


class GiftError(ValueError):
    """A problem in one GIFT question, located at `line`."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


# ---------------------------------------------------------------------------- decoding


def decode(data: str | bytes, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Text from str or bytes (UTF-8, else Windows-1252), without BOM, with \\n newlines;
    raises `textfile.BankFileError` for a file that is too large or not text."""
    return decode_text(data, limit=limit)


def _escape_pre(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], text)


def _restore(text: str) -> str:
    return _RESTORE_RE.sub(lambda m: _RESTORE[m.group(0)], text)


def slugify(text: str) -> str:
    """A lowercase ASCII slug of `text` ("Soal 1: Katalog" -> "soal-1-katalog")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def clean_category(path: str) -> str:
    """A Moodle category path without its context prefix: "$course$/top/Etika" -> "Etika"."""
    path = _CONTEXT_RE.sub("", path.strip()).strip()
    if path == "top" or path.startswith("top/"):
        path = path[3:]
    return path.strip("/ ").strip()


def question_id(wanted: str) -> str:
    """`wanted` (a Moodle idnumber) if it is a usable question id, else its slug."""
    wanted = wanted.strip()
    return wanted if ID_RE.match(wanted) else slugify(wanted)


class UniqueIds:
    """Hands out unique question ids in constant time: a taken "x" becomes "x-2", "x-3", ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def take(self, base: str) -> str:
        qid = base
        if qid in self.used:
            n = self.next.get(base, 2)
            while f"{base}-{n}" in self.used:
                n += 1
            qid = f"{base}-{n}"
            self.next[base] = n + 1
        self.used.add(qid)
        return qid


def _unescape_bracket(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def comment_id_and_tags(comments: str) -> tuple[str | None, list[str]]:
    """The `[id:...]` and `[tag:...]` of a question's comment lines (as Moodle reads them)."""
    found = _ID_TAG_RE.search(comments)
    tags: list[str] = []
    for m in _TAG_RE.finditer(comments):
        tag = _unescape_bracket(m.group(1))
        if tag and tag not in tags:
            tags.append(tag)
    return (_unescape_bracket(found.group(1)) if found else None), tags


# ---------------------------------------------------------------------------- parsing


class _Block:
    """One question's lines (comments removed) in escaped form, with line lookup."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.linenos = [n for n, _ in lines]
        self.text = _escape_pre("\n".join(t for _, t in lines))
        self.breaks = [m.start() for m in re.finditer("\n", self.text)]

    def line_at(self, offset: int) -> int:
        k = bisect.bisect_left(self.breaks, max(offset, 0))
        return self.linenos[min(k, len(self.linenos) - 1)]


def _blocks(text: str):
    """Yield (lines, comments) per blank-line separated block; comment lines (`//`) belong to
    the block they are in (Moodle reads a question's `[id:]` and `[tag:]` from them)."""
    current: list[tuple[int, str]] = []
    comments: list[str] = []
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if not stripped:
            if current:
                yield current, "\n".join(comments)
            current, comments = [], []
            continue
        current.append((n, line.rstrip()))
    if current:
        yield current, "\n".join(comments)


def _text(raw: str, default: str | None) -> str:
    """Escaped GIFT text -> pack Markdown, by its own format marker or `default`."""
    m = _FORMAT_RE.match(raw)
    fmt = m.group(1).lower() if m else default
    if m:
        raw = raw[m.end():]
    return to_markdown(_restore(raw).strip(), fmt).strip()


def _value(raw: str) -> str:
    """Escaped GIFT text used as a value (a short answer): marker dropped, restored, trimmed."""
    return _restore(_FORMAT_RE.sub("", raw, count=1)).strip()


def _split_answers(body: str, base: int, block: _Block) -> list[tuple[str, str, int]]:
    """Split an answer block at `=`/`~` into (marker, text, line)."""
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise GiftError(
            block.line_at(base),
            f"text {_restore(parts[0].strip())!r} before the first answer; "
            "start every answer with '=' (right) or '~' (wrong), or escape a literal = or ~ as \\= \\~",
        )
    out = []
    offset = base + len(parts[0])
    for k in range(1, len(parts), 2):
        out.append((parts[k], parts[k + 1], block.line_at(offset)))
        offset += len(parts[k]) + len(parts[k + 1])
    return out


def _weight(body: str, line: int) -> tuple[float | None, str]:
    m = _WEIGHT_RE.match(body)
    if not m:
        if body.lstrip().startswith("%"):
            raise GiftError(
                line, f"bad weight in {_restore(body.strip())!r}; write it as %50% or %-25%"
            )
        return None, body
    weight = float(m.group(1))
    if not -100 <= weight <= 100:
        raise GiftError(line, f"weight {m.group(1)}% is outside -100%..100%")
    return weight, body[m.end() :]


def _number(spec: str, line: int) -> float:
    s = _restore(spec).strip()
    if not _NUMBER_RE.match(s):
        raise GiftError(
            line,
            f"bad number {s!r} in a numerical answer; write e.g. {{#3.14:0.01}} or {{#1..5}} "
            "(use a dot as the decimal mark; * alone is 'any other answer')",
        )
    return float(s)


def _numerical(body: str, base: int, block: _Block, fmt: str | None) -> dict:
    line = block.line_at(base)
    # A wrong-answer feedback after `~` (Moodle's exporter writes `~#feedback` for its `*`).
    wrong = None
    tilde = body.find("~")
    if tilde != -1:
        wrong = body[tilde + 1 :]
        body = body[:tilde]
    raw: list[tuple[str, str, int]] = []
    pieces = body.split("=")
    offset = base
    for k, piece in enumerate(pieces):
        if k > 0 or piece.strip():
            raw.append(("=" if k else "", piece, block.line_at(offset)))
        offset += len(piece) + 1
    if not raw:
        raise GiftError(line, "a numerical answer has no number; write e.g. {#3.14:0.01}")
    answers = []
    for _marker, text, aline in raw:
        weight, text = _weight(text, aline)
        spec, _, feedback = text.partition("#")
        spec = _restore(spec).strip()
        if not spec:
            raise GiftError(aline, "a numerical answer has no number; write e.g. {#3.14:0.01}")
        answer: dict[str, Any] = {}
        if spec == "*":
            answer["any"] = True
        elif ".." in spec:
            lo, _, hi = spec.partition("..")
            answer["min"], answer["max"] = _number(lo, aline), _number(hi, aline)
            if answer["min"] > answer["max"]:
                raise GiftError(aline, f"range {spec!r} has min greater than max; swap them")
        elif ":" in spec:
            value, _, tol = spec.partition(":")
            answer["value"], answer["tolerance"] = _number(value, aline), abs(_number(tol, aline))
        else:
            answer["value"] = _number(spec, aline)
        answer["credit"] = weight if weight is not None else (0.0 if "any" in answer else 100.0)
        if answer["credit"] < 0:
            raise GiftError(aline, "numerical answers cannot have a negative weight")
        if _text(feedback, fmt):
            answer["feedback"] = _text(feedback, fmt)
        answers.append(answer)
    if wrong is not None:
        answer = {"any": True, "credit": 0.0}
        if _text(wrong.partition("#")[2], fmt):
            answer["feedback"] = _text(wrong.partition("#")[2], fmt)
        answers.append(answer)
    if not any(a["credit"] == 100 and "any" not in a for a in answers):
        raise GiftError(
            line, "no correct answer: one numerical answer needs '=' without a weight, or %100%"
        )
    return {"type": "numerical", "answers": answers}


def _choice(body: str, base: int, block: _Block, fmt: str | None) -> dict:
    raw = _split_answers(body, base, block)
    single = any(marker == "=" for marker, _, _ in raw)
    options = []
    for k, (marker, text, aline) in enumerate(raw, 1):
        weight, text = _weight(text, aline)
        if weight is None:
            weight = 100.0 if marker == "=" else 0.0
        text, _, feedback = text.partition("#")
        text, feedback = _text(text, fmt), _text(feedback, fmt)
        if not text:
            raise GiftError(aline, "an answer is empty; write its text after '=' or '~'")
        opt: dict[str, Any] = {"id": f"o{k}", "text": text, "weight": weight}
        if feedback:
            opt["feedback"] = feedback
        options.append(opt)
    line = block.line_at(base)
    if len(options) < 2:
        raise GiftError(line, "a choice question needs at least two answers")
    if single:
        weights = [o["weight"] for o in options]
        if weights.count(100.0) == 1 and all(w in (0.0, 100.0) for w in weights):
            for o in options:
                o["correct"] = o.pop("weight") == 100.0
        elif max(weights) != 100:
            raise GiftError(line, "no correct answer: mark the right answer with '=' or %100%")
        return {"type": "single_choice", "options": options}
    if not any(o["weight"] > 0 for o in options):
        raise GiftError(
            line,
            "no correct answer: mark right answers with '=' or give them positive weights like ~%50%",
        )
    return {"type": "multiple_choice", "options": options}


def _short(body: str, base: int, block: _Block, fmt: str | None) -> dict:
    answers = []
    for _, text, aline in _split_answers(body, base, block):
        weight, text = _weight(text, aline)
        text, _, feedback = text.partition("#")
        text, feedback = _value(text), _text(feedback, fmt)
        if not text:
            raise GiftError(aline, "an answer is empty; write the accepted text after '='")
        answer: dict[str, Any] = {"text": text, "credit": 100.0 if weight is None else weight}
        if feedback:
            answer["feedback"] = feedback
        answers.append(answer)
    if not any(a["credit"] == 100 for a in answers):
        raise GiftError(
            block.line_at(base),
            "no correct answer: one answer needs '=' without a weight, or %100%",
        )
    return {"type": "short_answer", "answers": answers}


def _matching(body: str, base: int, block: _Block, fmt: str | None) -> dict:
    pairs, distractors = [], []
    for marker, text, aline in _split_answers(body, base, block):
        if marker != "=":
            raise GiftError(aline, "matching pairs start with '=' (write =left -> right)")
        if "->" not in text:
            raise GiftError(
                aline, f"matching pair {_restore(text.strip())!r} has no '->'; write =left -> right"
            )
        left, _, right = text.partition("->")
        left = _text(left, fmt)
        right = plain_to_markdown(_value(right.partition("#")[0]))
        if not right:
            raise GiftError(aline, "a matching pair has an empty right-hand side")
        if left:
            pairs.append({"left": left, "right": right})
        else:
            distractors.append(right)
    if len(pairs) < 2:
        raise GiftError(
            block.line_at(base), "a matching question needs at least two pairs (=left -> right)"
        )
    q: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        q["distractors"] = distractors
    return q


def _true_false(body: str, base: int, block: _Block, fmt: str | None) -> dict | None:
    # As Moodle's split_truefalse_comment: answer#wrong feedback#right feedback, where the right
    # feedback is the rest ({T#a#b#c}: "b#c"); general feedback was split off at the last ####.
    parts = body.strip().split("#", 2)
    head = parts[0].strip()
    if head not in ("T", "F", "TRUE", "FALSE"):
        return None
    wrong = _text(parts[1], fmt) if len(parts) > 1 else ""
    right = _text(parts[2], fmt) if len(parts) > 2 else ""
    answer = head in ("T", "TRUE")
    q: dict[str, Any] = {"type": "true_false", "answer": answer}
    fb_true, fb_false = (right, wrong) if answer else (wrong, right)
    if fb_true:
        q["feedback_true"] = fb_true
    if fb_false:
        q["feedback_false"] = fb_false
    return q


def _answers(body: str, base: int, block: _Block, fmt: str | None) -> dict:
    """Classify and parse the text between the braces (escaped form), in Moodle's order."""
    general = ""
    if "####" in body:
        body, _, general = body.rpartition("####")
        general = _text(general, fmt)
    stripped = body.strip()
    lead = base + (len(body) - len(body.lstrip()))
    if not stripped:
        q: dict[str, Any] = {"type": "essay"}
    elif stripped.startswith("#"):
        q = _numerical(stripped[1:], lead + 1, block, fmt)
    elif "~" in stripped:
        q = _choice(stripped, lead, block, fmt)
    elif "=" in stripped and "->" in stripped:
        q = _matching(stripped, lead, block, fmt)
    elif (tf := _true_false(stripped, lead, block, fmt)) is not None:
        q = tf
    elif stripped.startswith("="):
        q = _short(stripped, lead, block, fmt)
    else:
        raise GiftError(
            block.line_at(lead),
            f"cannot tell the question type from {{{_restore(stripped)}}}: answers start with "
            "'=' or '~', numerical with '#', true/false is T or F",
        )
    if general:
        q["feedback"] = general
    return q


def _question(block: _Block) -> dict:
    text = block.text
    pos = len(text) - len(text.lstrip())
    title = None
    if text.startswith("::", pos):
        end = text.find("::", pos + 2)
        if end == -1:
            raise GiftError(
                block.line_at(pos), "the title has no closing '::'; write ::Title:: or escape \\:"
            )
        title = _restore(text[pos + 2 : end]).strip()
        pos = end + 2
    rest = text[pos:]
    fmt_match = _FORMAT_RE.match(rest)
    fmt = fmt_match.group(1).lower() if fmt_match else None
    if fmt_match:
        pos += fmt_match.end()
        rest = text[pos:]
    open_at = rest.find("{")
    close_at = rest.find("}")
    if open_at == -1:
        if close_at != -1:
            raise GiftError(
                block.line_at(pos + close_at), "'}' without an opening '{'; escape it as \\}"
            )
        q: dict[str, Any] = {"type": "description", "text": _text(rest, fmt)}
    else:
        close_at = rest.find("}", open_at)
        if close_at == -1:
            raise GiftError(
                block.line_at(pos + open_at),
                "unterminated '{': the answers have no closing '}' before the blank line "
                "(or escape a literal brace as \\{)",
            )
        if "{" in rest[open_at + 1 : close_at]:
            raise GiftError(
                block.line_at(pos + open_at), "'{' opened here is not closed before the next '{'"
            )
        after = rest[close_at + 1 :]
        if "{" in after or "}" in after:
            raise GiftError(
                block.line_at(pos + close_at + 1 + max(after.find("{"), after.find("}"))),
                "more than one {...} answer block; GIFT allows one per question (escape literal braces as \\{ \\})",
            )
        q = _answers(rest[open_at + 1 : close_at], pos + open_at + 1, block, fmt)
        after = rest[close_at + 1 :]
        if after.strip():
            # Missing word: the blank goes where the braces were (converted as one text, so
            # HTML around the braces stays whole).
            q["text"] = _text(rest[:open_at] + _BLANK_MARK + after, fmt).replace(_BLANK_MARK, BLANK)
        else:
            q["text"] = _text(rest[:open_at], fmt)
    if not q["text"]:
        raise GiftError(
            block.line_at(0), "the question text is empty; write the question before the {...}"
        )
    if title:
        q["title"] = title
    return q


def parse_gift(data: str | bytes) -> GiftResult:
    """Parse GIFT text or bytes into question dicts and (line, message) problems; a file that
    is too large or not text raises `textfile.BankFileError` before parsing."""
    from lms.quizzes.registry import default_registry

    text = decode(data)
    registry = default_registry()
    questions: list[dict] = []
    problems: list[tuple[int, str]] = control_problems(text)
    category = ""
    ids = UniqueIds()
    for lines, comments in _blocks(text):
        if lines[0][1].strip().startswith("$CATEGORY:"):
            category = clean_category(lines[0][1].strip()[len("$CATEGORY:") :])
            lines = lines[1:]
            if not lines:
                continue
        block = _Block(lines)
        try:
            q = _question(block)
        except GiftError as exc:
            problems.append((exc.line, exc.message))
            continue
        idnumber, tags = comment_id_and_tags(comments)
        base = (question_id(idnumber) if idnumber else "") or slugify(q.get("title", ""))
        qid = ids.take(base or f"q{len(questions) + 1}")
        q = {"id": qid, **q, "category": category, "_line": lines[0][0]}
        if tags:
            q["tags"] = tags
        found = registry.validate_question({k: v for k, v in q.items() if not k.startswith("_")})
        if found:
            problems.extend(
                (lines[0][0], f"{field}: {message}" if field else message)
                for field, message in found
            )
            continue
        questions.append(q)
    return GiftResult(questions, sorted(problems, key=lambda p: p[0]))


# ---------------------------------------------------------------------------- export


def escape_gift(text: Any) -> str:
    """Escape GIFT's special characters; newlines become \\n."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\\", "\\\\")
    for c in "~=#{}:":
        s = s.replace(c, "\\" + c)
    return s.replace("\n", "\\n")


def _bracket(value: Any) -> str:
    """A value inside `[id:...]` or `[tag:...]`: `\\` and `]` escaped, one line."""
    return " ".join(str(value).replace("\\", "\\\\").replace("]", "\\]").split())


def _pct(value: float) -> str:
    return f"{float(value):.10f}".rstrip("0").rstrip(".")


def _with_feedback(text: str, d: dict) -> str:
    fb = d.get("feedback")
    return f"{escape_gift(text)}#{escape_gift(fb)}" if fb else escape_gift(text)


def _export_answers(q: dict, report: list[str]) -> str | None:
    """The text between the braces, or None if the type has no GIFT form."""
    qtype = q.get("type")
    lines: list[str] = []
    if qtype == "single_choice":
        from lms.quizzes.types.single_choice import SingleChoice

        for o in q.get("options", []):
            w = SingleChoice.weight(o)
            mark = "=" if w == 100 else ("~" if w == 0 else f"~%{_pct(w)}%")
            lines.append(mark + _with_feedback(o.get("text", ""), o))
    elif qtype == "multiple_choice":
        from lms.quizzes.types.multiple_choice import MultipleChoice

        weights = MultipleChoice().weights(q)
        for o in q.get("options", []):
            w = weights.get(str(o.get("id")), 0)
            mark = "~" if w == 0 else f"~%{_pct(w)}%"
            lines.append(mark + _with_feedback(o.get("text", ""), o))
    elif qtype == "true_false":
        answer = q.get("answer") is True
        right = q.get("feedback_true" if answer else "feedback_false") or ""
        wrong = q.get("feedback_false" if answer else "feedback_true") or ""
        head = "T" if answer else "F"
        if right:
            lines.append(f"{head}#{escape_gift(wrong)}#{escape_gift(right)}")
        elif wrong:
            lines.append(f"{head}#{escape_gift(wrong)}")
        else:
            lines.append(head)
    elif qtype == "short_answer":
        for a in q.get("answers", []):
            credit = a.get("credit", 100)
            mark = "=" if credit == 100 else f"=%{_pct(credit)}%"
            lines.append(mark + _with_feedback(a.get("text", ""), a))
        for key in ("case_sensitive", "indonesian"):
            if q.get(key):
                report.append(f"{key} = true cannot be expressed in GIFT and was dropped")
        if q.get("variants"):
            report.append("spelling variants cannot be expressed in GIFT and were dropped")
    elif qtype == "numerical":
        answers = q.get("answers", [])
        specs = []
        for a in answers:
            if a.get("any") is True:
                spec = "*"
            elif "min" in a:
                spec = f"{format_number(a['min'])}..{format_number(a['max'])}"
            else:
                spec = format_number(a.get("value", 0))
                tol = a.get("tolerance")
                if a.get("tolerance_pct") is not None:
                    tol = abs(a.get("value", 0)) * a["tolerance_pct"] / 100
                    report.append("tolerance_pct was converted to an absolute tolerance")
                if tol is not None:
                    spec += f":{format_number(tol)}"
            credit = a.get("credit", 100)
            fb = f"#{escape_gift(a['feedback'])}" if a.get("feedback") else ""
            specs.append((credit, spec, fb))
        if len(specs) == 1 and specs[0][0] == 100 and specs[0][1] != "*":
            lines.append(f"#{specs[0][1]}{specs[0][2]}")
        else:
            lines.append("#")
            for credit, spec, fb in specs:
                if spec == "*" and credit == 0:
                    lines.append(f"~{fb or '#'}")  # Moodle's exporter writes "any other" so
                    continue
                mark = "=" if credit == 100 else f"=%{_pct(credit)}%"
                lines.append(f"{mark}{spec}{fb}")
    elif qtype == "matching":
        for p in q.get("pairs", []):
            if "->" in str(p.get("left", "")):
                report.append("a left-hand text contains '->', which GIFT cannot escape")
            lines.append(f"={escape_gift(p.get('left', ''))} -> {escape_gift(p.get('right', ''))}")
        for d in q.get("distractors", []) or []:
            lines.append(f"= -> {escape_gift(d)}")
    elif qtype == "essay":
        for key in ("rubric", "max_words", "allow_upload"):
            if q.get(key):
                report.append(f"essay {key} cannot be expressed in GIFT and was dropped")
    else:
        return None
    if q.get("feedback"):
        lines.append(f"####{escape_gift(q['feedback'])}")
    if len(lines) <= 1 and qtype in ("true_false", "numerical", "essay"):
        return "".join(lines)
    return "\n" + "\n".join(lines) + "\n"


def export_gift_report(
    questions: list[dict], unscored: Collection[str] = ()
) -> tuple[str, list[tuple[str, str]]]:
    """GIFT text for `questions` and (question id, message) for what could not be kept.

    `unscored`: names of non-scored question types (self-assessment, survey), skipped with a
    comment: GIFT questions have right answers."""
    out: list[str] = []
    problems: list[tuple[str, str]] = []
    category = ""
    for q in questions:
        qid = str(q.get("id", ""))
        report: list[str] = []
        qtype = q.get("type")
        if qtype in unscored:
            out.append(f"// Question {qid!r} of type {qtype!r} skipped: it has no right answer "
                       "(self-assessment or survey), which GIFT cannot express.\n")
            problems.append((qid, f"type {qtype!r} is not scored (no right answer); the "
                                  "question was skipped"))
            continue
        if qtype != "description":
            answers = _export_answers(q, report)
            if answers is None:
                out.append(
                    f"// Question {qid!r} of type {qtype!r} skipped: GIFT has no equivalent.\n"
                )
                problems.append(
                    (qid, f"type {qtype!r} has no GIFT equivalent; the question was skipped")
                )
                continue
        q_category = q.get("category") or ""
        if q_category != category:
            out.append(f"$CATEGORY: {q_category}\n")
            category = q_category
        points = q.get("points", 1)
        if qtype != "description" and points != 1:
            report.append(f"points = {points} cannot be expressed in GIFT (imported as 1)")
        head = ""
        bits = [f"[id:{_bracket(q['id'])}]"] if q.get("id") not in (None, "") else []
        bits += [f"[tag:{_bracket(t)}]" for t in q.get("tags") or [] if isinstance(t, str)]
        if bits:
            head += f"// {' '.join(bits)}\n"
        head += f"::{escape_gift(q['title'])}::" if q.get("title") else ""
        head += "[markdown]"  # Pelita's texts are Markdown (answers follow the question's format)
        text = escape_gift(q.get("text", ""))
        if qtype == "description":
            out.append(f"{head}{text}\n")
        else:
            block = "{" + answers + "}"
            if BLANK in text and not text.rstrip().endswith(BLANK):
                body = text.replace(BLANK, block, 1)
            else:
                body = f"{text.removesuffix(BLANK).rstrip()} {block}"
            out.append(f"{head}{body}\n")
        problems.extend((qid, m) for m in report)
    return "\n".join(out), problems


def export_gift(questions: list[dict], unscored: Collection[str] = ()) -> str:
    """GIFT text for `questions` (see export_gift_report for what is dropped)."""
    return export_gift_report(questions, unscored)[0]
