"""Moodle GIFT import and export (pure).

`parse_gift(text_or_bytes)` returns `GiftResult(questions, problems)`: question dicts in the
shapes of the built-in types (each with "id", "category" and "_line"), and (line, message)
problems. A question with a problem is left out of `questions`. Supported: `$CATEGORY:`,
`//` comment lines, `::title::`, `[html]`/`[markdown]`/`[plain]`/`[moodle]` markers
(kept as "text_format"), choice `=`/`~` with `%weight%`, true/false `T F TRUE FALSE` with
`#wrong#right` feedback, short answer, matching `=a -> b` (an empty left side is a
distractor), numerical `#v`, `#v:tol`, `#min..max` and `#` with several `=` answers,
missing word (text after the braces: the blank is stored as `_____` in the text), essay
`{}`, description (no braces), `#feedback`, `####general feedback`, escapes
`\\~ \\= \\# \\{ \\} \\: \\\\ \\n`. Bytes that are not UTF-8 are read as Windows-1252.

Type mapping: choice with a `=` answer -> single_choice (options with `correct`, or with
`weight` when partial weights or several `=`); choice without `=` -> multiple_choice with
weights. Question ids come from the title (slug) or are "q<n>"; option ids are "o<n>".

`export_gift(questions)` writes GIFT back; `export_gift_report(questions)` also returns
(question id, message) for what GIFT cannot express (ordering is skipped with a comment;
points, short-answer variants/case/indonesian, essay rubric/limits are dropped). Questions of
a non-scored type (no right answer: `unscored`, the names of types with `scored = False`, e.g.
likert) are skipped with a comment saying so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Any, NamedTuple

from lms.quizzes.types.numerical import format_number

BLANK = "_____"
FORMATS = ("html", "markdown", "plain", "moodle")

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
_FORMAT_RE = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^\s*%\s*(-?\d+(?:\.\d+)?)\s*%")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)


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


def decode(data: str | bytes) -> str:
    """Text from str or bytes (UTF-8, else Windows-1252), without BOM, with \\n newlines."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            text = bytes(data).decode("cp1252", errors="replace")
    else:
        text = data
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _escape_pre(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return _RESTORE_RE.sub(lambda m: _RESTORE[m.group(0)], text)


def _clean(text: str) -> str:
    """Restore escapes and strip a leading format marker and surrounding space."""
    text = _FORMAT_RE.sub("", text, count=1)
    return _restore(text).strip()


def slugify(text: str) -> str:
    """A lowercase ASCII slug of `text` ("Soal 1: Katalog" -> "soal-1-katalog")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


# ---------------------------------------------------------------------------- parsing


class _Block:
    """One question's lines (comments removed) in escaped form, with line lookup."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.linenos = [n for n, _ in lines]
        self.text = _escape_pre("\n".join(t for _, t in lines))

    def line_at(self, offset: int) -> int:
        return self.linenos[min(self.text.count("\n", 0, max(offset, 0)), len(self.linenos) - 1)]


def _blocks(text: str):
    """Yield (category or None, [(line number, line)]) per blank-line separated block."""
    current: list[tuple[int, str]] = []
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if current:
                yield current
                current = []
            continue
        current.append((n, line.rstrip()))
    if current:
        yield current


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


def _text_feedback(body: str) -> tuple[str, str]:
    text, _, feedback = body.partition("#")
    return _clean(text), _clean(feedback)


def _number(spec: str, line: int) -> float:
    s = _restore(spec).strip()
    if not _NUMBER_RE.match(s):
        raise GiftError(
            line,
            f"bad number {s!r} in a numerical answer; write e.g. {{#3.14:0.01}} or {{#1..5}} "
            "(use a dot as the decimal mark)",
        )
    return float(s)


def _numerical(body: str, base: int, block: _Block) -> dict:
    line = block.line_at(base)
    multi = re.search(r"[=~]", body)
    raw = _split_answers(body, base, block) if multi else [("=", body, line)]
    answers = []
    for marker, text, aline in raw:
        weight, text = _weight(text, aline)
        spec, _, feedback = text.partition("#")
        spec = spec.strip()
        if not spec:
            raise GiftError(aline, "a numerical answer has no number; write e.g. {#3.14:0.01}")
        answer: dict[str, Any] = {}
        if ".." in spec:
            lo, _, hi = spec.partition("..")
            answer["min"], answer["max"] = _number(lo, aline), _number(hi, aline)
            if answer["min"] > answer["max"]:
                raise GiftError(
                    aline, f"range {_restore(spec)!r} has min greater than max; swap them"
                )
        elif ":" in spec:
            value, _, tol = spec.partition(":")
            answer["value"], answer["tolerance"] = _number(value, aline), abs(_number(tol, aline))
        else:
            answer["value"] = _number(spec, aline)
        answer["credit"] = weight if weight is not None else (100.0 if marker == "=" else 0.0)
        if answer["credit"] < 0:
            raise GiftError(aline, "numerical answers cannot have a negative weight")
        if _clean(feedback):
            answer["feedback"] = _clean(feedback)
        answers.append(answer)
    if not any(a["credit"] == 100 for a in answers):
        raise GiftError(
            line, "no correct answer: one numerical answer needs '=' without a weight, or %100%"
        )
    return {"type": "numerical", "answers": answers}


def _choice(body: str, base: int, block: _Block) -> dict:
    raw = _split_answers(body, base, block)
    single = any(marker == "=" for marker, _, _ in raw)
    options = []
    for k, (marker, text, aline) in enumerate(raw, 1):
        weight, text = _weight(text, aline)
        if weight is None:
            weight = 100.0 if marker == "=" else 0.0
        text, feedback = _text_feedback(text)
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


def _short(body: str, base: int, block: _Block) -> dict:
    answers = []
    for _, text, aline in _split_answers(body, base, block):
        weight, text = _weight(text, aline)
        text, feedback = _text_feedback(text)
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


def _matching(body: str, base: int, block: _Block) -> dict:
    pairs, distractors = [], []
    for marker, text, aline in _split_answers(body, base, block):
        if marker != "=":
            raise GiftError(aline, "matching pairs start with '=' (write =left -> right)")
        if "->" not in text:
            raise GiftError(
                aline, f"matching pair {_restore(text.strip())!r} has no '->'; write =left -> right"
            )
        left, _, right = text.partition("->")
        left, right = _clean(left), _clean(right.partition("#")[0])
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


def _true_false(body: str, base: int, block: _Block) -> dict | None:
    parts = body.strip().split("#")
    head = parts[0].strip()
    if head not in ("T", "F", "TRUE", "FALSE"):
        return None
    if len(parts) > 3:
        raise GiftError(
            block.line_at(base), "true/false takes at most two feedbacks: {T#if wrong#if right}"
        )
    wrong = _clean(parts[1]) if len(parts) > 1 else ""
    right = _clean(parts[2]) if len(parts) > 2 else ""
    answer = head in ("T", "TRUE")
    q: dict[str, Any] = {"type": "true_false", "answer": answer}
    fb_true, fb_false = (right, wrong) if answer else (wrong, right)
    if fb_true:
        q["feedback_true"] = fb_true
    if fb_false:
        q["feedback_false"] = fb_false
    return q


def _answers(body: str, base: int, block: _Block) -> dict:
    """Classify and parse the text between the braces (escaped form)."""
    general = ""
    if "####" in body:
        body, _, general = body.partition("####")
        general = _clean(general)
    stripped = body.strip()
    lead = base + (len(body) - len(body.lstrip()))
    if not stripped:
        q: dict[str, Any] = {"type": "essay"}
    elif stripped.startswith("#"):
        q = _numerical(stripped[1:], lead + 1, block)
    elif (tf := _true_false(stripped, lead, block)) is not None:
        q = tf
    elif "=" in stripped and "->" in stripped:
        q = _matching(stripped, lead, block)
    elif "~" in stripped:
        q = _choice(stripped, lead, block)
    elif stripped.startswith("="):
        q = _short(stripped, lead, block)
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
    text_format = fmt_match.group(1).lower() if fmt_match else None
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
        q: dict[str, Any] = {"type": "description", "text": _restore(rest).strip()}
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
        q = _answers(rest[open_at + 1 : close_at], pos + open_at + 1, block)
        before = rest[:open_at]
        q["text"] = _restore(before + BLANK + after if after.strip() else before).strip()
    if not q["text"]:
        raise GiftError(
            block.line_at(0), "the question text is empty; write the question before the {...}"
        )
    if title:
        q["title"] = title
    if text_format:
        q["text_format"] = text_format
    return q


def parse_gift(data: str | bytes) -> GiftResult:
    """Parse GIFT text or bytes into question dicts and (line, message) problems."""
    from lms.quizzes.registry import default_registry

    registry = default_registry()
    questions: list[dict] = []
    problems: list[tuple[int, str]] = []
    category = ""
    used_ids: set[str] = set()
    for lines in _blocks(decode(data)):
        if lines[0][1].strip().startswith("$CATEGORY:"):
            category = lines[0][1].strip()[len("$CATEGORY:") :].strip()
            lines = lines[1:]
            if not lines:
                continue
        block = _Block(lines)
        try:
            q = _question(block)
        except GiftError as exc:
            problems.append((exc.line, exc.message))
            continue
        base = slugify(q.get("title", "")) or f"q{len(questions) + 1}"
        qid, n = base, 2
        while qid in used_ids:
            qid, n = f"{base}-{n}", n + 1
        used_ids.add(qid)
        q = {"id": qid, **q, "category": category, "_line": lines[0][0]}
        found = registry.validate_question({k: v for k, v in q.items() if not k.startswith("_")})
        if found:
            problems.extend(
                (lines[0][0], f"{field}: {message}" if field else message)
                for field, message in found
            )
            continue
        questions.append(q)
    return GiftResult(questions, problems)


# ---------------------------------------------------------------------------- export


def escape_gift(text: Any) -> str:
    """Escape GIFT's special characters; newlines become \\n."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\\", "\\\\")
    for c in "~=#{}:":
        s = s.replace(c, "\\" + c)
    return s.replace("\n", "\\n")


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
            if "min" in a:
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
        if len(specs) == 1 and specs[0][0] == 100:
            lines.append(f"#{specs[0][1]}{specs[0][2]}")
        else:
            lines.append("#")
            for credit, spec, fb in specs:
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
        head = f"::{escape_gift(q['title'])}::" if q.get("title") else ""
        if q.get("text_format") in FORMATS:
            head += f"[{q['text_format']}]"
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
