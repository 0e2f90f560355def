"""Import questions from GIFT, Aiken or Moodle XML into a course's pack, as a new content version.

`import_questions` parses the file with the GIFT, Aiken or Moodle XML parser (the size limit
and the check that the file is text come first, `formats.textfile`). Any problem stops it
(`QuestionImportError` lists them all with their lines; nothing is written). Otherwise it takes
the files of the course's current version, adds or replaces `quizzes/<quiz_slug>.toml`
(a new quiz file, or the existing one with its questions replaced and everything else kept),
loads that folder with the same loader and validation as `flask lms import`, and imports it
through `lms.courses.services.importer`. So the change is an ordinary new content version: learners'
progress and attempts are kept exactly as with any re-import, and `flask lms export` writes
the pack back with the new quiz file byte for byte. Images of a Moodle XML file are added to
the pack's `media/` (renamed when the pack has a different file of the same name).
"""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lms.content import MAX_TEXT_BYTES, QUIZ_KINDS, write_pack
from lms.content.tomlutil import SLUG
from lms.courses.models import Course
from lms.courses.services import importer
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.quizzes.errors import QuizError
from lms.quizzes.formats import FORMATS, toml_out
from lms.quizzes.formats import detect_format as _detect
from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.formats.moodle_xml import parse_moodle_xml, place_media
from lms.quizzes.formats.textfile import MAX_XML_BYTES, BankFileError

__all__ = ["FORMATS", "QuestionImport", "QuestionImportError", "detect_format",
           "import_questions", "parse_bank", "parse_questions"]
# The order of a new quiz file's top-level keys (as in docs/course-packs.md).
_HEAD_KEYS = ("module", "kind")


class QuestionImportError(QuizError):
    """The questions cannot be imported; `problems` lists (file, line or None, message)."""

    def __init__(self, message, problems: list[tuple[str, int | None, str]] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        """The problems as `file:line: message` lines."""
        return [f"{f}:{n}: {m}" if n else f"{f}: {m}" for f, n, m in self.problems]


@dataclass
class QuestionImport:
    """What an import did."""

    course_slug: str
    quiz_file: str
    created: bool  # a new quiz file (else its questions were replaced)
    questions: int
    categories: dict[str, int] = field(default_factory=dict)
    result: importer.ImportResult | None = None

    @property
    def status(self) -> str:
        return self.result.status if self.result else "unchanged"

    @property
    def version_id(self) -> int | None:
        return self.result.version_id if self.result else None


# --------------------------------------------------------------------------- parsing


def detect_format(data: bytes, name: str = "") -> str:
    """"gift", "aiken" or "moodle_xml": from the file name, else from the content
    (`lms.quizzes.formats.detect_format`)."""
    return _detect(data, name)


def parse_bank(data: bytes, fmt: str) -> tuple[list[dict], list[tuple[int, str]], dict]:
    """(questions, (line, message) problems, media {"media/x": bytes}) of a question file;
    raises `BankFileError` when the file is refused as a whole (too large, not text)."""
    if fmt == "moodle_xml":
        return parse_moodle_xml(data)
    result = parse_aiken(data) if fmt == "aiken" else parse_gift(data)
    return result.questions, result.problems, {}


def parse_questions(data: bytes, fmt: str, name: str) -> tuple[list[dict], dict[str, bytes]]:
    """Question dicts ready for a quiz file and the media they use; raises
    QuestionImportError on any problem."""
    try:
        parsed, found, media = parse_bank(data, fmt)
    except BankFileError as err:
        raise QuestionImportError(
            _l("%(name)s cannot be imported: %(reason)s", name=name, reason=str(err)),
            [(name, None, str(err))],
        ) from None
    if found:
        problems = [(name, line, message) for line, message in sorted(found)]
        raise QuestionImportError(
            _l("%(name)s has %(num)d problem(s); nothing was imported.",
               name=name, num=len(problems)),
            problems,
        )
    if not parsed:
        raise QuestionImportError(
            _l("%(name)s contains no questions; nothing was imported.", name=name),
            [(name, None, "no questions found")],
        )
    questions = []
    for q in parsed:
        out = {k: v for k, v in q.items() if not k.startswith("_")}
        if not out.get("category"):
            out.pop("category", None)  # GIFT without $CATEGORY: no category
        questions.append(out)
    return questions, media


# --------------------------------------------------------------------------- the quiz file


def _question_table(q: dict) -> dict:
    """A question with id, type and text first (the way authors write them)."""
    head = {k: q[k] for k in ("id", "type", "title", "category") if k in q}
    return {**head, **{k: v for k, v in q.items() if k not in head}}


def new_quiz_text(questions: list[dict], *, kind: str, module: str | None, title: str) -> str:
    """A new quiz file with default settings and `questions`."""
    doc: dict[str, Any] = {}
    if module:
        doc["module"] = module
    doc["kind"] = kind
    doc["title"] = {"id": title}
    doc["questions"] = [_question_table(q) for q in questions]
    return toml_out.dump(doc)


def replace_questions(text: str, questions: list[dict], *, module: str | None = None,
                      title: str | None = None) -> str:
    """An existing quiz file with its questions replaced; settings, title and the author's
    comments and layout before the first `[[questions]]` are kept (when `module` or `title`
    is given, the file is rewritten with them changed)."""
    data = tomllib.loads(text)
    settings = {k: v for k, v in data.items() if k != "questions"}
    if module is None and title is None:
        kept = toml_out.text_before_questions(text, settings)
        if kept is not None:
            body = toml_out.dump({"questions": [_question_table(q) for q in questions]})
            return kept.rstrip("\n") + "\n\n" + body
    if module is not None:
        settings["module"] = module
    if title is not None:
        old = settings.get("title")
        settings["title"] = {**(old if isinstance(old, dict) else {}), "id": title}
    ordered = {k: settings[k] for k in _HEAD_KEYS if k in settings}
    ordered.update({k: v for k, v in settings.items() if k not in ordered})
    ordered["questions"] = [_question_table(q) for q in questions]
    return toml_out.dump(ordered)


# --------------------------------------------------------------------------- import


def _read(path_or_bytes: str | Path | bytes, fmt: str | None) -> tuple[bytes, str, str]:
    if isinstance(path_or_bytes, bytes | bytearray):
        data, name = bytes(path_or_bytes), "questions"
    else:
        path = Path(path_or_bytes)
        try:
            if path.stat().st_size > MAX_XML_BYTES:  # the largest limit, before reading it
                raise QuestionImportError(_l(
                    "%(name)s cannot be imported: %(reason)s", name=path.name,
                    reason=str(BankFileError("too_large", limit=MAX_XML_BYTES))))
            data = path.read_bytes()
        except OSError as err:
            raise QuestionImportError(
                _l("%(name)s cannot be read: %(reason)s", name=str(path),
                   reason=err.strerror or str(err))
            ) from None
        name = path.name
    fmt = fmt or detect_format(data, name)
    if fmt not in FORMATS:
        raise QuestionImportError(_l(
            "Unknown question format %(fmt)s: use gift, aiken or moodle_xml.", fmt=fmt))
    return data, fmt, name


def import_questions(
    path_or_bytes: str | Path | bytes,
    *,
    course_slug: str,
    quiz_slug: str,
    kind: str = "module",
    module: str | None = None,
    title: str | None = None,
    note: str = "",
    fmt: str | None = None,
) -> QuestionImport:
    """Write the questions of a GIFT, Aiken or Moodle XML file (`formats.detect_format`) into
    the course's pack as `quizzes/<quiz_slug>.toml` (and its images into `media/`) and import
    that as a new content version.

    A new quiz gets `kind`, `module` (required for kind "module") and `title` (default: the
    slug) and default settings. An existing quiz keeps its settings, kind and module; only
    its questions are replaced (and its module or title when given). GIFT categories become
    each question's `category`. `fmt` ("gift" / "aiken" / "moodle_xml") overrides the
    detection from the file name (bytes without a name are sniffed).
    """
    data, fmt, name = _read(path_or_bytes, fmt)
    if not SLUG.match(quiz_slug or "") or len(quiz_slug) > 60:
        raise QuestionImportError(_l(
            "The quiz slug %(slug)s is not valid: use a-z, 0-9 and single hyphens, "
            "e.g. kuis-etika.", slug=quiz_slug))
    questions, media = parse_questions(data, fmt, name)
    # Every question text is in the quiz file at least once: a bank whose texts alone exceed
    # the limit of a quiz file is refused before the file is written.
    _check_quiz_size(f"quizzes/{quiz_slug}.toml", sum(len(str(q.get("text", "")).encode())
                                                      for q in questions))

    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None or course.current_version_id is None:
        raise QuestionImportError(_l("There is no course %(slug)s.", slug=course_slug))
    files = importer.version_files(course.current_version_id)
    questions, media = place_media(questions, media, files)
    files.update(media)
    rel = f"quizzes/{quiz_slug}.toml"
    existing = files.get(rel)
    if existing is not None:
        text = replace_questions(existing.decode("utf-8"), questions, module=module,
                                 title=title)
    else:
        if kind not in QUIZ_KINDS:
            raise QuestionImportError(_l("The kind must be one of: %(kinds)s.",
                                         kinds=", ".join(QUIZ_KINDS)))
        if kind == "module" and not module:
            raise QuestionImportError(_l(
                "A new module quiz needs the module it belongs to (--module SLUG)."))
        if kind == "final" and module:
            raise QuestionImportError(_l("A final quiz belongs to the whole course: "
                                         "leave out the module."))
        text = new_quiz_text(questions, kind=kind, module=module,
                             title=title or quiz_slug.replace("-", " ").capitalize())
    files[rel] = text.encode("utf-8")
    _check_quiz_size(rel, len(files[rel]))

    with tempfile.TemporaryDirectory(prefix="pelita-questions-") as tmp:
        folder = Path(tmp) / course_slug
        write_pack(files, folder)
        packs, problems = importer.load_packs([folder])
        # load_packs also finds packs installed as Python packages: keep only this folder's.
        problems = [p for p in problems if p.file == str(folder) or p.file.startswith(f"{folder}/")]
        if problems:
            raise QuestionImportError(
                _l("The course would not be valid with these questions; nothing was imported."),
                [(_relative(p.file, folder), p.line, p.message) for p in problems],
            )
        pack = next(p for p in packs if p.source == f"folder {folder}")
        pack.source = f"import-questions {name} ({course.current_version.source})"[:500]
        result = importer.import_packs([pack], note=note or f"import-questions {name}")[0]
    categories: dict[str, int] = {}
    for q in questions:
        if q.get("category"):
            categories[q["category"]] = categories.get(q["category"], 0) + 1
    return QuestionImport(course_slug, rel, existing is None, len(questions), categories, result)


def _check_quiz_size(rel: str, size: int) -> None:
    """Refuse a quiz file over the pack loader's limit, saying so before the loader reads it."""
    if size > MAX_TEXT_BYTES:
        raise QuestionImportError(
            _l("The quiz file would be %(size)d KB, over the %(limit)d KB a quiz file may hold; "
               "nothing was imported. Split the questions into several quizzes.",
               size=size // 1024, limit=MAX_TEXT_BYTES // 1024),
            [(rel, None, f"{size} bytes or more, over the {MAX_TEXT_BYTES}-byte limit")])


def _relative(file: str, folder: Path) -> str:
    prefix = f"{folder}/"
    return file[len(prefix):] if file.startswith(prefix) else file
