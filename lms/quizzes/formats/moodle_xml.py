"""Moodle XML import and export (pure), as Moodle's `question/format/xml/format.php` writes it.

`parse_moodle_xml(data)` returns `XmlResult(questions, problems, media)`: question dicts in the
shapes of the built-in types (each with "id", "category", "_line"), (line, message) problems and
the images the questions use, as {"media/<name>": bytes}. The file is checked first
(`textfile.check_file`: `MAX_XML_BYTES`, not text, UTF-16 -> `BankFileError`) and parsed with
defusedxml (no DTDs, entities or external references). Every `<question>` is read:

| Moodle type | Pelita type | what is kept |
|---|---|---|
| `category` | — | the category of the questions that follow (`$course$/top/` removed) |
| `multichoice` | `single_choice` (`<single>true`) / `multiple_choice` | answers with `fraction` (percent) and feedback, `shuffleanswers` |
| `truefalse` | `true_false` | the right answer, the feedback of each answer |
| `shortanswer` | `short_answer` | answers with fraction and feedback, `usecase` as `case_sensitive` |
| `numerical` | `numerical` | answers with `tolerance`, fraction and feedback; `*` as `any = true`; units are ignored |
| `matching` | `matching` | `subquestion`s (an empty one is a distractor), `shuffleanswers` |
| `ordering` (qtype_ordering) | `ordering` | the answers in their right order (by `fraction`, the position) |
| `essay` | `essay` | `graderinfo` as the rubric, `maxwordlimit`, `attachments` as `allow_upload` |
| `description` | `description` | the text |

Every question also keeps `name` (as `title`; not when it only repeats the idnumber, which is what
the exporter writes for untitled questions), `idnumber` (as the id), `generalfeedback` (as
`feedback`), `defaultgrade` (as `points`) and `tags`. Any other type (Cloze, calculated,
drag and drop, ...) is a problem naming the type and its line — never dropped silently.

Texts are converted by their `format` attribute (`html`, `moodle_auto_format`, `plain_text`,
`markdown`) with `lms.quizzes.markup.to_markdown`. Files embedded as
`<file name="x.png" path="/" encoding="base64">` and used as `@@PLUGINFILE@@/x.png` become
`media/x.png` (the name made safe; another file with the same name gets `x-2.png`) referenced as
`../media/x.png`; each is checked with `check_media` (default: the course media check), a file
that is refused or missing is a problem on its line.

`export_moodle_xml(questions, files)` writes every Pelita type back (texts as `markdown`, media
as base64 `<file>`s, categories as `$course$/top/<category>`), with (question id, message) for
what Moodle XML cannot keep. `export` then `parse` keeps every question (option ids become
a, b, c, ...; a numerical range becomes a value with a tolerance).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from lms.quizzes.formats.gift import UniqueIds, clean_category, question_id, slugify
from lms.quizzes.formats.textfile import MAX_XML_BYTES, check_file
from lms.quizzes.markup import plain_text, plain_to_markdown, to_markdown
from lms.quizzes.numbers import format_number
from lms.quizzes.types.ordering import DEFAULT_GRADING, GRADING_TYPES, MOODLE_GRADING_NUMBERS

SUPPORTED = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "ordering",
             "essay", "description")
UNSUPPORTED_LABELS = {
    "multianswer": "Embedded answers (Cloze)",
    "calculated": "Calculated",
    "calculatedsimple": "Simple calculated",
    "calculatedmulti": "Calculated multichoice",
    "ddwtos": "Drag and drop into text",
    "ddimageortext": "Drag and drop onto image",
    "ddmarker": "Drag and drop markers",
    "gapselect": "Select missing words",
    "randomsamatch": "Random short-answer matching",
    "random": "Random question",
    "match": "Matching (old format)",
    "multichoiceset": "All-or-nothing multiple choice",
    "gapfill": "Gapfill",
    "wordselect": "Word select",
    "stack": "STACK",
}
_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain",
            "markdown": "markdown"}
_PLUGINFILE = "@@PLUGINFILE@@"
_TRUE = ("true", "1", "yes")


class XmlResult(NamedTuple):
    """Parsed questions, (line, message) problems and media files {"media/x.png": bytes}."""

    questions: list[dict]
    problems: list[tuple[int, str]]
    media: dict[str, bytes]


class _Element(ET.Element):
    line = 0


class _Builder(ET.TreeBuilder):
    """A tree builder that stamps each element with its line in the file."""

    def __init__(self) -> None:
        super().__init__(element_factory=_Element)
        self.parser: Any = None

    def start(self, tag, attrs):  # noqa: ANN001 - TreeBuilder's signature
        element = super().start(tag, attrs)
        element.line = self.parser.parser.CurrentLineNumber
        return element


def _parse_tree(data: bytes) -> _Element:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    builder.parser = parser
    parser.feed(data)
    return parser.close()


# ---------------------------------------------------------------------------- import


def _child(element: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if element is None:
            return None
        element = element.find(name)
    return element


def _string(element: ET.Element | None, *path: str, default: str = "") -> str:
    found = _child(element, *path)
    return (found.text or "") if found is not None else default


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _percent(text: str) -> float | None:
    value = _number(text)
    return None if value is None else round(value, 7)


class _Reader:
    """State of one import: media found so far and problems."""

    def __init__(self, check_media: Callable[[str, bytes], Any]) -> None:
        self.check_media = check_media
        self.media: dict[str, bytes] = {}
        self.by_digest: dict[str, str] = {}
        self.problems: list[tuple[int, str]] = []

    def _place(self, name: str, data: bytes, line: int) -> str | None:
        """The pack path of an embedded file (deduplicated by content), None if refused."""
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.by_digest:
            return self.by_digest[digest]
        stem, dot, ext = posixpath.basename(name).rpartition(".")
        safe_stem = slugify(stem) or "gambar"
        safe = f"{safe_stem}.{ext.lower()}" if dot and ext else safe_stem
        try:
            self.check_media(safe, data)
        except Exception as exc:  # noqa: BLE001 - the check's own refusal, reported
            reason = getattr(exc, "reason", "")
            self.problems.append((line, _media_message(name, reason or str(exc))))
            return None
        path, n = f"media/{safe}", 2
        while path in self.media:
            path, n = f"media/{safe_stem}-{n}.{ext.lower()}", n + 1
        self.media[path] = data
        self.by_digest[digest] = path
        return path

    def rich(self, element: ET.Element | None, *, default_format: str = "moodle") -> str:
        """A formatted text element (`format` attribute, `<text>`, `<file>`s) as pack Markdown."""
        if element is None:
            return ""
        fmt = _FORMATS.get(element.get("format", ""), default_format)
        text = _string(element, "text")
        if _PLUGINFILE in text:
            text = self._embed(element, text)
        return to_markdown(text, fmt).strip()

    def _embed(self, element: ET.Element, text: str) -> str:
        files: dict[str, tuple[bytes, int]] = {}
        for f in element.findall("file"):
            name = f.get("name") or ""
            path = (f.get("path") or "/").strip("/")
            try:
                data = base64.b64decode((f.text or "").encode("ascii"), validate=False)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                self.problems.append((f.line, f"the file {name!r} is not valid base64"))
                continue
            files[posixpath.join(path, name) if path else name] = (data, f.line)

        def replace(m: re.Match[str]) -> str:
            ref = unquote(m.group(1))
            if ref not in files:
                self.problems.append((element.line, f"the text uses the file {ref!r}, which is "
                                                    "not in the XML file (export it again with its "
                                                    "files)"))
                return m.group(0)
            placed = self._place(ref, *files[ref])
            return f"../{placed}" if placed else m.group(0)

        return re.sub(re.escape(_PLUGINFILE) + r"/([^\"'\s)<>?#]+)", replace, text)


def _media_message(name: str, reason: str) -> str:
    messages = {
        "empty": "is empty",
        "too_large": "is larger than the media limit",
        "name": "has no file extension",
        "type": "is not a PNG, JPEG, GIF, WebP or PDF file; convert it or remove it",
        "mismatch": "does not contain what its extension says",
    }
    return f"the file {name!r} {messages.get(reason, reason)}"


def _default_check_media(name: str, data: bytes) -> Any:
    from lms.authoring.mediafiles import check_media_file

    return check_media_file(name, data)


def _option_id(k: int) -> str:
    return chr(ord("a") + k) if k < 26 else f"o{k + 1}"


def _answers(question: ET.Element) -> list[ET.Element]:
    return question.findall("answer")


def _multichoice(q: ET.Element, r: _Reader) -> dict:
    single = _string(q, "single", default="true").strip().lower() in _TRUE
    options = []
    for k, a in enumerate(x for x in _answers(q) if _string(x, "text").strip()):
        opt: dict[str, Any] = {"id": _option_id(k), "text": r.rich(a),
                               "weight": _percent(a.get("fraction", "0")) or 0.0}
        feedback = r.rich(_child(a, "feedback"))
        if feedback:
            opt["feedback"] = feedback
        options.append(opt)
    weights = [o["weight"] for o in options]
    out: dict[str, Any]
    if single:
        if weights.count(100.0) == 1 and all(w in (0.0, 100.0) for w in weights):
            for o in options:
                o["correct"] = o.pop("weight") == 100.0
        out = {"type": "single_choice", "options": options}
    else:
        positive = [w for w in weights if w > 0]
        k = len(positive)
        if k and all(abs(w - 100 / k) < 1e-4 for w in positive) and all(
            abs(w + 100 / k) < 1e-4 for w in weights if w <= 0
        ):
            for o in options:  # Pelita's shorthand: k right options of 100/k, wrong ones -100/k
                o["correct"] = o.pop("weight") > 0
        out = {"type": "multiple_choice", "options": options}
    if _string(q, "shuffleanswers", default="true").strip().lower() not in _TRUE:
        out["shuffle"] = False
    return out


def _truefalse(q: ET.Element, r: _Reader) -> dict:
    out: dict[str, Any] = {"type": "true_false"}
    for a in _answers(q):
        value = _string(a, "text").strip().lower()
        if value not in ("true", "false"):
            continue
        if (_percent(a.get("fraction", "0")) or 0) > 0:
            out["answer"] = value == "true"
        feedback = r.rich(_child(a, "feedback"))
        if feedback:
            out[f"feedback_{value}"] = feedback
    return out


def _credit_answer(a: ET.Element, r: _Reader) -> dict[str, Any]:
    out: dict[str, Any] = {}
    credit = _percent(a.get("fraction", "0")) or 0.0
    if credit != 100:
        out["credit"] = credit
    feedback = r.rich(_child(a, "feedback"))
    if feedback:
        out["feedback"] = feedback
    return out


def _shortanswer(q: ET.Element, r: _Reader) -> dict:
    answers = []
    for a in _answers(q):
        text = _string(a, "text").strip()
        if text:
            answers.append({"text": text, **_credit_answer(a, r)})
    out: dict[str, Any] = {"type": "short_answer", "answers": answers}
    if _string(q, "usecase").strip() in _TRUE:
        out["case_sensitive"] = True
    return out


def _numerical(q: ET.Element, r: _Reader) -> dict:
    answers: list[dict[str, Any]] = []
    for a in _answers(q):
        text = _string(a, "text").strip()
        if not text:
            continue
        answer: dict[str, Any]
        if text == "*":
            answer = {"any": True}
        else:
            value = _number(text)
            if value is None:
                r.problems.append((a.line, f"the numerical answer {text!r} is not a number"))
                continue
            answer = {"value": value}
            tolerance = _number(_string(a, "tolerance", default="0") or "0")
            if tolerance:
                answer["tolerance"] = abs(tolerance)
        answer.update(_credit_answer(a, r))
        if answer.get("any"):  # "any other answer" always says its credit (usually 0)
            answer["credit"] = answer.get("credit", 100.0)
        answers.append(answer)
    return {"type": "numerical", "answers": answers}


_MOODLE_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")


def moodle_string(text: str) -> str:
    """A text Moodle shows with `format_string` (a matching question's right-hand text) as the
    words shown: tags dropped, character references read once (`&amp;` is "&", `&lt;b&gt;` is
    "<b>"), spaces folded."""
    return " ".join(html.unescape(_MOODLE_TAG.sub("", text)).split())


def _matching(q: ET.Element, r: _Reader) -> dict:
    pairs, distractors = [], []
    for sub in q.findall("subquestion"):
        right = plain_to_markdown(moodle_string(_string(sub, "answer", "text")), minimal=True)
        left = r.rich(sub)
        if not right:
            continue
        if left:
            pairs.append({"left": left, "right": right})
        else:
            distractors.append(right)
    out: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        out["distractors"] = distractors
    if _string(q, "shuffleanswers", default="true").strip().lower() not in _TRUE:
        out["shuffle"] = False
    return out


def _ordering(q: ET.Element, r: _Reader) -> dict:
    answers = [a for a in _answers(q) if _string(a, "text").strip()]
    positions = [_number(a.get("fraction", "")) for a in answers]
    if all(p is not None for p in positions) and len(set(positions)) == len(positions):
        answers = [a for _, a in sorted(zip(positions, answers, strict=True),
                                        key=lambda pa: pa[0])]
    out: dict[str, Any] = {"type": "ordering", "items": [r.rich(a) for a in answers]}
    grading = _ordering_grading(_string(q, "gradingtype").strip(), q, r)
    if grading and grading != DEFAULT_GRADING:
        out["grading"] = grading
    return out


def _ordering_grading(raw: str, q: ET.Element, r: _Reader) -> str | None:
    """qtype_ordering's <gradingtype>, written by name (ABSOLUTE_POSITION) or as its number."""
    if not raw:
        return None
    by_name = {moodle: name for name, moodle in GRADING_TYPES.items()}
    name = by_name.get(raw.upper())
    if name is None and re.fullmatch(r"-?\d+", raw):
        name = MOODLE_GRADING_NUMBERS.get(int(raw))
    if name is None:
        line = getattr(_child(q, "gradingtype"), "line", q.line)
        r.problems.append((line, f"the ordering grading type {raw!r} is not one Moodle has"))
    return name


def _essay(q: ET.Element, r: _Reader) -> dict:
    out: dict[str, Any] = {"type": "essay"}
    rubric = r.rich(_child(q, "graderinfo"), default_format="html")
    if rubric:
        out["rubric"] = rubric
    words = _number(_string(q, "maxwordlimit") or "0") or 0
    if words >= 1 and words == int(words):
        out["max_words"] = int(words)
    attachments = _number(_string(q, "attachments") or "0") or 0
    if attachments:
        out["allow_upload"] = True
    return out


_READERS: dict[str, Callable[[ET.Element, _Reader], dict]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
    "essay": _essay,
    "description": lambda q, r: {"type": "description"},
}


def parse_moodle_xml(data: bytes, *,
                     check_media: Callable[[str, bytes], Any] | None = None) -> XmlResult:
    """Parse a Moodle XML question file (see the module docstring)."""
    from lms.quizzes.registry import default_registry

    if isinstance(data, str):
        data = data.encode("utf-8")
    check_file(bytes(data), limit=MAX_XML_BYTES)
    try:
        root = _parse_tree(bytes(data))
    except ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else 1
        message = str(err).split(": line ")[0]
        return XmlResult([], [(line, f"the file is not well-formed XML: {message}")], {})
    except DefusedXmlException:
        return XmlResult([], [(1, "the file declares a DTD, entities or external references, "
                                  "which question files never need; export it from Moodle "
                                  "again")], {})
    if root.tag != "quiz":
        return XmlResult([], [(root.line, f"this XML file is not a Moodle question file (it "
                                          f"starts with <{root.tag}>, not <quiz>)")], {})
    reader = _Reader(check_media or _default_check_media)
    registry = default_registry()
    questions: list[dict] = []
    category = ""
    ids = UniqueIds()
    for element in root.findall("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            category = clean_category(_string(element, "category", "text"))
            continue
        if qtype not in _READERS:
            label = UNSUPPORTED_LABELS.get(qtype)
            named = f"{qtype!r} ({label})" if label else repr(qtype)
            reader.problems.append((element.line, f"the question type {named} is not supported "
                                                  "by Pelita; remove the question from the file "
                                                  "or change its type in Moodle"))
            continue
        before = len(reader.problems)
        q = _READERS[qtype](element, reader)
        q["text"] = reader.rich(_child(element, "questiontext"))
        name = _string(element, "name", "text").strip()
        idnumber = _string(element, "idnumber").strip()
        if name and name != idnumber:
            q["title"] = name
        feedback = reader.rich(_child(element, "generalfeedback"))
        if feedback:
            q["feedback"] = feedback
        grade = _number(_string(element, "defaultgrade") or "1")
        if qtype != "description" and grade is not None and grade != 1 and grade >= 0:
            q["points"] = int(grade) if grade == int(grade) else grade
        tags = [t for t in (_string(tag, "text").strip() for tag in element.iter("tag")) if t]
        base = (question_id(idnumber) if idnumber else "") or slugify(name)
        q = {"id": ids.take(base or f"q{len(questions) + 1}"), **q, "category": category,
             "_line": element.line}
        if tags:
            q["tags"] = list(dict.fromkeys(tags))
        found = registry.validate_question({k: v for k, v in q.items() if not k.startswith("_")})
        reader.problems.extend((element.line, f"{field}: {message}" if field else message)
                               for field, message in found)
        if not found and len(reader.problems) == before:
            questions.append(q)
    return XmlResult(questions, sorted(reader.problems, key=lambda p: p[0]), reader.media)


# ---------------------------------------------------------------------------- export


def _pct(value: float) -> str:
    return f"{float(value):.7f}".rstrip("0").rstrip(".") or "0"


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = str(text)
    return element


class _Writer:
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.report: list[str] = []

    def rich(self, parent: ET.Element, tag: str, text: str, *, fmt: str = "markdown",
             **attrs: str) -> ET.Element:
        """A formatted text element; media references become @@PLUGINFILE@@ with <file>s."""
        from lms.content.references import classify_reference, find_references

        element = _sub(parent, tag, format=fmt, **attrs)
        embedded: dict[str, str] = {}  # url in the text -> file name
        paths: dict[str, str] = {}  # file name -> pack path
        for ref in find_references(text or ""):
            target = classify_reference(ref.url, "quizzes")
            if target.kind != "media" or not target.path or ref.url in embedded:
                continue
            if target.path not in self.files:
                self.report.append(f"{target.path} is not in the course's media; the reference "
                                   "was kept as it is")
                continue
            name = posixpath.basename(target.path)
            if paths.get(name, target.path) != target.path:
                name = target.path[len("media/"):].replace("/", "-")
            embedded[ref.url] = name
            paths[name] = target.path
        for url, name in embedded.items():
            text = text.replace(url, f"{_PLUGINFILE}/{quote(name)}")
        _sub(element, "text", text or "")
        for name, path in paths.items():
            _sub(element, "file", base64.b64encode(self.files[path]).decode("ascii"), name=name,
                 path="/", encoding="base64")
        return element

    def feedback(self, parent: ET.Element, text: str | None) -> None:
        self.rich(parent, "feedback", text or "")


def _answer(w: _Writer, parent: ET.Element, fraction: float, text: str, feedback: str | None,
            *, fmt: str = "markdown") -> ET.Element:
    if fmt == "markdown":
        answer = w.rich(parent, "answer", text, fraction=_pct(fraction))
    else:
        answer = _sub(parent, "answer", fraction=_pct(fraction), format=fmt)
        _sub(answer, "text", text)
    w.feedback(answer, feedback)
    return answer


def _export_type(q: dict, question: ET.Element, w: _Writer) -> str | None:
    """Write the type's own elements; returns the Moodle type name, None if it has none."""
    from lms.quizzes.types.multiple_choice import MultipleChoice
    from lms.quizzes.types.single_choice import SingleChoice

    qtype = q.get("type")
    if qtype in ("single_choice", "multiple_choice"):
        single = qtype == "single_choice"
        weights = MultipleChoice().weights(q) if not single else {}
        _sub(question, "single", "true" if single else "false")
        _sub(question, "shuffleanswers", "false" if q.get("shuffle") is False else "true")
        _sub(question, "answernumbering", "abc")
        for o in q.get("options") or []:
            w_ = SingleChoice.weight(o) if single else weights.get(str(o.get("id")), 0.0)
            _answer(w, question, w_, str(o.get("text", "")), o.get("feedback"))
        return "multichoice"
    if qtype == "true_false":
        right = q.get("answer") is True
        for value in ("true", "false"):
            _answer(w, question, 100 if (value == "true") == right else 0, value,
                    q.get(f"feedback_{value}"), fmt="moodle_auto_format")
        return "truefalse"
    if qtype == "short_answer":
        _sub(question, "usecase", "1" if q.get("case_sensitive") else "0")
        for a in q.get("answers") or []:
            _answer(w, question, a.get("credit", 100), str(a.get("text", "")),
                    a.get("feedback"), fmt="moodle_auto_format")
        if q.get("variants"):
            w.report.append("spelling variants cannot be expressed in Moodle XML and were "
                            "dropped")
        if q.get("indonesian"):
            w.report.append("indonesian = true cannot be expressed in Moodle XML and was dropped")
        return "shortanswer"
    if qtype == "numerical":
        for a in q.get("answers") or []:
            tolerance = 0.0
            if a.get("any") is True:
                text = "*"
            elif "min" in a and "max" in a:
                text = format_number((a["min"] + a["max"]) / 2)
                tolerance = (a["max"] - a["min"]) / 2
            else:
                text = format_number(a.get("value", 0))
                tolerance = a.get("tolerance") or 0.0
                if a.get("tolerance_pct") is not None:
                    tolerance = abs(a.get("value", 0)) * a["tolerance_pct"] / 100
                    w.report.append("tolerance_pct was converted to an absolute tolerance")
            element = _answer(w, question, a.get("credit", 100), text, a.get("feedback"),
                              fmt="moodle_auto_format")
            _sub(element, "tolerance", format_number(tolerance))
        return "numerical"
    if qtype == "matching":
        _sub(question, "shuffleanswers", "false" if q.get("shuffle") is False else "true")
        rows = [(p.get("left", ""), p.get("right", "")) for p in q.get("pairs") or []]
        rows += [("", d) for d in q.get("distractors") or []]
        for left, right in rows:
            sub = w.rich(question, "subquestion", str(left))
            # Moodle shows it with format_string (HTML): "<b>" must be written "&lt;b&gt;".
            _sub(_sub(sub, "answer"), "text", html.escape(plain_text(str(right)), quote=False))
        return "matching"
    if qtype == "ordering":
        grading = GRADING_TYPES.get(str(q.get("grading")), GRADING_TYPES[DEFAULT_GRADING])
        for key, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                           ("selectcount", "0"), ("gradingtype", grading),
                           ("showgrading", "SHOW"), ("numberingstyle", "none")):
            _sub(question, key, value)
        for position, item in enumerate(q.get("items") or [], 1):
            _answer(w, question, position, str(item), None)
        if q.get("shuffle") is False:
            w.report.append("shuffle = false cannot be expressed for an ordering question in "
                            "Moodle XML and was dropped")
        return "ordering"
    if qtype == "essay":
        for key, value in (("responseformat", "editor"), ("responserequired", "1"),
                           ("responsefieldlines", "15"), ("minwordlimit", ""),
                           ("maxwordlimit", str(q.get("max_words") or "")),
                           ("attachments", "-1" if q.get("allow_upload") else "0"),
                           ("attachmentsrequired", "0")):
            _sub(question, key, value)
        w.rich(question, "graderinfo", str(q.get("rubric") or ""))
        w.rich(question, "responsetemplate", "", fmt="html")
        return "essay"
    if qtype == "description":
        return "description"
    return None


def export_moodle_xml(
    questions: list[dict], files: Mapping[str, bytes] | None = None,
    unscored: Collection[str] = (),
) -> tuple[str, list[tuple[str, str]]]:
    """Moodle XML for `questions` (media read from `files`, pack paths such as
    "media/x.png") and (question id, message) for what could not be kept."""
    root = ET.Element("quiz")
    problems: list[tuple[str, str]] = []
    category: str | None = None
    for q in questions:
        qid = str(q.get("id", ""))
        if q.get("type") in unscored:
            root.append(ET.Comment(f" {qid}: type {q.get('type')} skipped: it has no right "
                                   "answer (self-assessment or survey) "))
            problems.append((qid, f"type {q.get('type')!r} is not scored (no right answer); "
                                  "the question was skipped"))
            continue
        w = _Writer(files or {})
        question = ET.Element("question")
        _sub(_sub(question, "name"), "text", q.get("title") or qid)
        w.rich(question, "questiontext", str(q.get("text", "")))
        w.rich(question, "generalfeedback", str(q.get("feedback") or ""))
        points = 0 if q.get("type") == "description" else q.get("points", 1)
        _sub(question, "defaultgrade", _pct(points))
        _sub(question, "penalty", "1" if q.get("type") == "true_false" else "0.3333333")
        _sub(question, "hidden", "0")
        _sub(question, "idnumber", qid)
        moodle_type = _export_type(q, question, w)
        if moodle_type is None:
            root.append(ET.Comment(f" {qid}: type {q.get('type')} skipped: Moodle has no "
                                   "equivalent "))
            problems.append((qid, f"type {q.get('type')!r} has no Moodle XML equivalent; the "
                                  "question was skipped"))
            continue
        question.set("type", moodle_type)
        tags = [t for t in q.get("tags") or [] if isinstance(t, str) and t]
        if tags:
            tags_element = _sub(question, "tags")
            for t in tags:
                _sub(_sub(tags_element, "tag"), "text", t)
        q_category = str(q.get("category") or "")
        if q_category != category and (category is not None or q_category):
            header = ET.SubElement(root, "question", type="category")
            _sub(_sub(header, "category"), "text",
                 f"$course$/top/{q_category}" if q_category else "$course$/top")
        category = q_category
        root.append(question)
        problems.extend((qid, m) for m in w.report)
    ET.indent(root, space="  ")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return text + "\n", problems


# ---------------------------------------------------------------------------- placing media


def _rewrite(value: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in renamed.items():
            value = value.replace(f"../{old}", f"../{new}")
        return value
    if isinstance(value, list):
        return [_rewrite(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, renamed) for k, v in value.items()}
    return value


def place_media(questions: list[dict], media: Mapping[str, bytes],
                existing: Mapping[str, bytes]) -> tuple[list[dict], dict[str, bytes]]:
    """The imported `media` fitted into a pack that holds `existing` files: a file already there
    with the same bytes is reused, one with the same name but other bytes gets a new name
    ("x-2.png") and the questions' references follow. Returns (questions, files to add)."""
    added: dict[str, bytes] = {}
    renamed: dict[str, str] = {}
    for path, data in media.items():
        if existing.get(path, data) == data:
            if path not in existing:
                added[path] = data
            continue
        same = next((p for p, d in existing.items() if p.startswith("media/") and d == data), None)
        if same is None:
            stem, dot, ext = path.rpartition(".")
            n = 2
            while f"{stem}-{n}{dot}{ext}" in existing or f"{stem}-{n}{dot}{ext}" in media:
                n += 1
            same = f"{stem}-{n}{dot}{ext}"
            added[same] = data
        renamed[path] = same
    if renamed:
        questions = [_rewrite(q, renamed) for q in questions]
    return questions, added
