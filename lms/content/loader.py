"""Read, validate and write course-pack folders (no Flask, no database).

Longer than 600 lines on purpose: one pass over a pack that reports EVERY problem with file and
line (course.toml, modules, quizzes and their questions, references, media) is one reader
class; its value checks (checks.py), the quiz-settings schema (quiz_settings.py), TOML line
lookup (tomlutil.py) and front matter (frontmatter.py) live in their own modules.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from . import quiz_settings
from .checks import boolean as _bool
from .checks import int_at_least as _int
from .checks import is_int as _is_int
from .checks import is_number as _is_number
from .checks import list_of as _list_of
from .checks import one_of as _enum
from .checks import percent as _percent
from .checks import slug as _slug
from .checks import text as _text
from .frontmatter import FrontMatterError, read_markdown_front_matter
from .model import (
    AREAS,
    ENROLMENTS,
    QUIZ_KINDS,
    CertificateSettings,
    Completion,
    CoursePack,
    ModuleSource,
    QuizSource,
)
from .problems import CoursePackError, Problem
from .references import MODULE_FILE, classify_reference, find_references
from .tomlutil import Spec, TomlLines, check_table, show_value, toml_error_location

MAX_TEXT_BYTES = 512 * 1024
MAX_MEDIA_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = (".toml", ".md")
QUIZ_FILE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)\.toml$")
ROOT_EXTRAS = re.compile(r"^(README(\.[A-Za-z0-9]+)?|LICEN[CS]E.*)$")
IGNORED_DIRS = ("__pycache__",)

QuestionValidator = Callable[[dict], list[tuple[str, str]]]

_MISSING = object()


# --------------------------------------------------------------------------- value checks
# Shared with the quiz-settings schema (quiz_settings.py): see checks.py.

def _completion_modules(value: Any) -> str | None:
    if value == "all" or (_is_int(value) and value >= 1):
        return None
    return '"all" or a whole number of at least 1'


COURSE_SPEC: Spec = [
    ("slug", True, None, _slug(3, 60)),
    ("version", True, None, _text),
    ("area", True, None, _enum(*AREAS)),
    ("hours", True, None, _int(1)),
    ("enrolment", False, "open", _enum(*ENROLMENTS)),
    ("sequential", False, False, _bool),
    ("replication", False, False, _bool),
    ("authors", False, [], _list_of(_text, "non-empty strings")),
    ("prerequisites", False, [], _list_of(_slug(3, 60), "course slugs")),
    ("modules", True, None, _list_of(_slug(), "module slugs")),
]
COURSE_TABLES = ("title", "summary", "completion", "certificate")
TITLE_SPEC: Spec = [("id", True, None, _text), ("en", True, None, _text)]
SUMMARY_SPEC: Spec = [("id", False, "", _text), ("en", False, "", _text)]
COMPLETION_SPEC: Spec = [
    ("modules", False, "all", _completion_modules),
    ("min_module_quiz_score", False, 70, _percent),
    ("final_min_score", False, 75, _percent),
    ("practical", False, False, _bool),
]
CERTIFICATE_SPEC: Spec = [
    ("enabled", False, True, _bool),
    ("hours", False, None, _int(1)),
    ("valid_months", False, 0, _int(0)),
    ("show_score", False, False, _bool),
    ("template", False, "default", _slug()),
]
MODULE_SPEC: Spec = [
    ("title", True, None, _text),
    ("title_en", False, None, _text),
    ("minutes", False, 0, _int(0)),
    ("objectives", False, [], _list_of(_text, "non-empty strings")),
]
# The quiz file: where the quiz sits, then every setting of the one schema (quiz_settings.py).
QUIZ_SPEC: Spec = [
    ("module", False, None, _slug()),
    ("kind", True, None, _enum(*QUIZ_KINDS)),
    *((setting.key, False, setting.default, setting.check) for setting in quiz_settings.SETTINGS),
]
QUIZ_SETTINGS = quiz_settings.KEYS
QUIZ_TITLE_SPEC: Spec = [("id", True, None, _text), ("en", False, None, _text)]
QUESTION_CORE = ("id", "type", "text")


# --------------------------------------------------------------------------- hashing


def compute_content_hash(files: Mapping[str, bytes]) -> str:
    """sha256 hex over the pack's files, sorted by path: path NUL length NUL bytes, repeated."""
    digest = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        digest.update(path.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- the loader


class _PackReader:
    """Collects every problem of one pack in a single pass and builds the CoursePack."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        question_validator: QuestionValidator | None,
        max_text_bytes: int,
        max_media_bytes: int,
    ):
        self.path = Path(path)
        self.label = str(path)
        self.question_validator = question_validator
        self.max_text_bytes = max_text_bytes
        self.max_media_bytes = max_media_bytes
        self.problems: list[Problem] = []
        self.files: dict[str, bytes] = {}
        self.texts: dict[str, str] = {}
        self.bad_files: set[str] = set()  # present but unreadable/oversized/undecodable

    def add(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    # ---- files on disk

    def collect(self) -> bool:
        if not self.path.is_dir():
            self.add(
                self.label,
                None,
                "course pack folder not found — pass the folder that contains course.toml",
            )
            return False
        self.root = self.path.resolve()
        for dirpath, dirnames, filenames in os.walk(self.path, followlinks=False):
            current = Path(dirpath)
            rel_dir = current.relative_to(self.path).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            keep = []
            for name in sorted(dirnames):
                if name.startswith(".") or name in IGNORED_DIRS:
                    continue
                full = current / name
                if full.is_symlink():
                    if self._outside(full):
                        self.add(
                            rel_dir + name,
                            None,
                            "symbolic link points outside the pack — replace it with a real folder inside the pack",
                        )
                    else:
                        self.add(
                            rel_dir + name,
                            None,
                            "symbolic links to folders are not supported — replace it with a real folder",
                        )
                    continue
                keep.append(name)
            dirnames[:] = keep
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith(".pyc"):
                    continue
                if rel_dir == "" and name == "__init__.py":
                    continue  # packs shipped as Python packages
                self._read_file(current / name, rel_dir + name)
        if "course.toml" not in self.files and "course.toml" not in self.bad_files:
            self.add(
                self.label,
                None,
                "course.toml not found — every pack needs a course.toml at its root",
            )
        return True

    def _outside(self, full: Path) -> bool:
        try:
            full.resolve().relative_to(self.root)
        except ValueError:
            return True
        return False

    def _read_file(self, full: Path, rel: str) -> None:
        if full.is_symlink() and self._outside(full):
            self.add(
                rel,
                None,
                "symbolic link points outside the pack — copy the file into the pack instead",
            )
            self.bad_files.add(rel)
            return
        try:
            info = full.stat()
        except OSError:
            self.add(
                rel,
                None,
                "file cannot be read (broken symbolic link?) — remove it or point it at a file in the pack",
            )
            self.bad_files.add(rel)
            return
        if not stat.S_ISREG(info.st_mode):
            self.add(rel, None, "not a regular file — remove it from the pack")
            return
        if not self._known_location(rel):
            return
        text = rel.endswith(TEXT_SUFFIXES) and not rel.startswith("media/")
        limit = self.max_text_bytes if text else self.max_media_bytes
        if info.st_size > limit:
            self.add(
                rel,
                None,
                f"file is {info.st_size} bytes, over the {limit}-byte limit — make it smaller or split it",
            )
            self.bad_files.add(rel)
            return
        try:
            data = full.read_bytes()
        except OSError as exc:
            self.add(rel, None, f"file cannot be read ({exc.strerror}) — check its permissions")
            self.bad_files.add(rel)
            return
        self.files[rel] = data
        if text:
            try:
                self.texts[rel] = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                self.add(rel, line, "file is not valid UTF-8 — save it with UTF-8 encoding")
                self.bad_files.add(rel)

    def _known_location(self, rel: str) -> bool:
        parts = rel.split("/")
        hint = "move it into modules/, quizzes/ or media/ or delete it"
        if len(parts) == 1:
            if rel == "course.toml" or ROOT_EXTRAS.match(rel):
                return True
            self.add(rel, None, f"unexpected file at the pack root — {hint}")
            return False
        top = parts[0]
        if top == "media":
            return True
        if top == "modules":
            if len(parts) == 2 and MODULE_FILE.match(parts[1]):
                return True
            self.add(
                rel,
                None,
                "module files must be named modules/NN-slug.md (two digits, a hyphen, a lowercase slug) — rename or delete it",
            )
            return False
        if top == "quizzes":
            if len(parts) == 2 and QUIZ_FILE.match(parts[1]):
                return True
            self.add(
                rel,
                None,
                "quiz files must be named quizzes/<quiz-slug>.toml with a lowercase slug — rename or delete it",
            )
            return False
        self.add(rel, None, f"unexpected file outside modules/, quizzes/ and media/ — {hint}")
        return False

    # ---- TOML helpers

    def parse_toml(self, rel: str) -> tuple[dict | None, TomlLines | None]:
        text = self.texts.get(rel)
        if text is None:
            return None, None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, message = toml_error_location(exc, text)
            self.add(rel, line, f"invalid TOML ({message}) — fix the syntax on this line")
            return None, None
        return data, TomlLines(text)

    def check_table(
        self,
        table: Any,
        spec: Spec,
        rel: str,
        lines: TomlLines,
        section: str | None = None,
        occurrence: int = 0,
        extra_allowed: tuple[str, ...] = (),
        line_fallback: int | None = None,
        line_shift: int = 0,
    ) -> dict:
        """Validate `table` against `spec` (see `tomlutil.check_table`), problems in file `rel`."""
        return check_table(table, spec, lines, lambda line, message: self.add(rel, line, message),
                           top_label=rel, section=section, occurrence=occurrence,
                           extra_allowed=extra_allowed, line_fallback=line_fallback,
                           line_shift=line_shift)

    # ---- course.toml

    def read_course(self) -> dict | None:
        data, lines = self.parse_toml("course.toml")
        if data is None or lines is None:
            return None
        rel = "course.toml"
        top = {k: v for k, v in data.items() if k not in COURSE_TABLES}
        course = self.check_table(top, COURSE_SPEC, rel, lines, extra_allowed=COURSE_TABLES)
        if "title" in data:
            course["title"] = self.check_table(data["title"], TITLE_SPEC, rel, lines, "title")
        else:
            course["title"] = {"id": None, "en": None}
        course["summary"] = self.check_table(
            data.get("summary", {}), SUMMARY_SPEC, rel, lines, "summary"
        )
        course["completion"] = self.check_table(
            data.get("completion", {}), COMPLETION_SPEC, rel, lines, "completion"
        )
        course["certificate"] = self.check_table(
            data.get("certificate", {}), CERTIFICATE_SPEC, rel, lines, "certificate"
        )
        if "title" not in data:
            self.add(
                rel,
                None,
                'required table `[title]` is missing — add `[title]` with `id = "..."` and `en = "..."`',
            )
        course["lines"] = lines

        # When `modules` itself is broken, do not also report every module file as unlisted.
        course["modules_valid"] = course["modules"] is not None
        modules = course["modules"] or []
        if course["modules_valid"] and not modules:
            self.add(
                rel,
                lines.key_line("modules"),
                "`modules` is empty — a course needs at least one module; list its slug in `modules`",
            )
        seen: set[str] = set()
        for slug in modules:
            if slug in seen:
                self.add(
                    rel,
                    lines.key_line("modules"),
                    f"module `{slug}` is listed twice in `modules` — remove the duplicate",
                )
            seen.add(slug)
        course["modules"] = list(dict.fromkeys(modules))

        prereqs = course["prerequisites"] or []
        if course["slug"] and course["slug"] in prereqs:
            self.add(
                rel,
                lines.key_line("prerequisites"),
                f"course `{course['slug']}` lists itself in `prerequisites` — remove it",
            )
        if len(set(prereqs)) != len(prereqs):
            self.add(
                rel,
                lines.key_line("prerequisites"),
                "`prerequisites` lists a course twice — remove the duplicate",
            )

        completion = course["completion"]
        if (
            _is_int(completion["modules"])
            and modules
            and completion["modules"] > len(course["modules"])
        ):
            self.add(
                rel,
                lines.key_line("modules", "completion"),
                f'`modules = {completion["modules"]}` in [completion] is more than the number of modules in the course ({len(course["modules"])}) — lower it or use "all"',
            )
        return course

    # ---- modules

    def read_modules(self, course: dict | None) -> list[ModuleSource]:
        by_slug: dict[str, list[str]] = {}
        for rel in list(self.files) + sorted(self.bad_files):
            parts = rel.split("/")
            if len(parts) == 2 and parts[0] == "modules":
                match = MODULE_FILE.match(parts[1])
                if match and rel not in by_slug.get(match.group(2), []):
                    by_slug.setdefault(match.group(2), []).append(rel)
        if course is not None and not course["modules_valid"]:
            course = None  # check the module files on their own
        listed = course["modules"] if course else []
        course_lines: TomlLines | None = course["lines"] if course else None
        for slug, rels in sorted(by_slug.items()):
            if len(rels) > 1:
                for rel in sorted(rels)[1:]:
                    self.add(
                        rel,
                        None,
                        f"another file ({sorted(rels)[0]}) already defines module `{slug}` — rename or delete one of them",
                    )
            if course and slug not in listed:
                for rel in rels:
                    self.add(
                        rel,
                        None,
                        f'module file is not listed in course.toml — add "{slug}" to `modules` in course.toml or delete the file',
                    )
        for slug in listed:
            if slug not in by_slug:
                self.add(
                    "course.toml",
                    course_lines.key_line("modules") if course_lines else None,
                    f"module `{slug}` is listed in `modules` but modules/NN-{slug}.md does not exist — create the file or remove the slug",
                )

        self.module_slugs = {slug for slug in listed if slug in by_slug} if course else set(by_slug)
        modules: list[ModuleSource] = []
        order = listed if course else sorted(by_slug)
        for position, slug in enumerate(order, start=1):
            rels = sorted(by_slug.get(slug, []))
            if not rels:
                continue
            module = self.read_module(rels[0], slug, position)
            if module is not None:
                modules.append(module)
        if course is None and not by_slug:
            self.add(
                self.label, None, "pack has no modules — add at least one modules/NN-slug.md file"
            )
        return modules

    def read_module(self, rel: str, slug: str, position: int) -> ModuleSource | None:
        text = self.texts.get(rel)
        if text is None:
            return None
        try:
            meta, body, offset = read_markdown_front_matter(text)
        except FrontMatterError as exc:
            self.add(rel, exc.line, exc.message)
            return None
        front_lines = text.lstrip("\ufeff").splitlines(keepends=True)[1 : offset - 1]
        values = self.check_table(
            meta, MODULE_SPEC, rel, TomlLines("".join(front_lines)), line_fallback=1, line_shift=1
        )
        self.check_references(rel, body, offset)
        return ModuleSource(
            slug=slug,
            position=position,
            filename=rel,
            title=values["title"] or "",
            title_en=values["title_en"],
            minutes=values["minutes"],
            objectives=list(values["objectives"]),
            body_markdown=body,
            body_line_offset=offset,
        )

    def check_references(self, rel: str, body: str, offset: int | None) -> None:
        """Check links and images in Markdown from `rel`; body line N is file line N + offset."""
        module_dir = rel.rsplit("/", 1)[0]
        for ref in find_references(body):
            line = None if offset is None else ref.line + offset
            what = "image" if ref.image else "link"
            target = classify_reference(ref.url, module_dir)
            if target.kind == "escape":
                self.add(
                    rel,
                    line,
                    f"{what} `{ref.url}` points outside the pack — link only to files inside the pack such as ../media/foto.png",
                )
            elif target.kind == "absolute":
                self.add(
                    rel,
                    line,
                    f"{what} `{ref.url}` is an absolute path — use a path relative to the module file such as ../media/foto.png, or a full https:// URL",
                )
            elif target.kind == "scheme":
                self.add(
                    rel,
                    line,
                    f"{what} `{ref.url}` uses an unsupported URL scheme — use http, https or mailto, or a relative path",
                )
            elif target.kind == "module":
                if ref.image:
                    self.add(
                        rel,
                        line,
                        f"image `{ref.url}` points at a module file — point it at an image in media/",
                    )
                elif target.slug not in self.module_slugs:
                    self.add(
                        rel,
                        line,
                        f"link `{ref.url}` points to module `{target.slug}`, which does not exist — fix the link or add the module to `modules` in course.toml",
                    )
            elif target.kind == "media":
                if target.path not in self.files and target.path not in self.bad_files:
                    self.add(
                        rel,
                        line,
                        f"{what} `{ref.url}` refers to {target.path}, which does not exist — add the file to media/ or fix the path",
                    )
            elif target.kind == "other":
                self.add(
                    rel,
                    line,
                    f"{what} `{ref.url}` points at {target.path} — link only to files in media/ or to other modules (NN-slug.md)",
                )

    # ---- quizzes

    def read_quizzes(self, course: dict | None) -> list[QuizSource]:
        quizzes: list[QuizSource] = []
        rels = sorted(r for r in self.files if r.startswith("quizzes/") and r.endswith(".toml"))
        for rel in rels:
            quiz = self.read_quiz(rel)
            if quiz is not None:
                quizzes.append(quiz)
        finals = [q for q in quizzes if q.kind == "final"]
        for extra in finals[1:]:
            self.add(
                extra.filename,
                None,
                f"a course can have only one final quiz and {finals[0].filename} is already one — change `kind` or delete one",
            )
        return quizzes

    def read_quiz(self, rel: str) -> QuizSource | None:
        data, lines = self.parse_toml(rel)
        if data is None or lines is None:
            return None
        top = {k: v for k, v in data.items() if k not in ("title", "questions")}
        values = self.check_table(top, QUIZ_SPEC, rel, lines, extra_allowed=("title", "questions"))
        if "title" not in data:
            self.add(
                rel, None, 'required table `[title]` is missing — add `[title]` with `id = "..."`'
            )
        title = {}
        if "title" in data:
            title = self.check_table(data["title"], QUIZ_TITLE_SPEC, rel, lines, "title")
        module = values["module"]
        kind = values["kind"]
        if module is not None and module not in self.module_slugs:
            self.add(
                rel,
                lines.key_line("module"),
                f"quiz is attached to module `{module}`, which does not exist — fix `module` or add the module to `modules` in course.toml",
            )
        if kind == "module" and "module" not in data:
            self.add(
                rel,
                lines.key_line("kind"),
                'a quiz of kind "module" must name its module — add `module = "<module-slug>"`',
            )
        if kind == "final" and module is not None:
            self.add(
                rel,
                lines.key_line("module"),
                "a final quiz belongs to the whole course — remove `module`",
            )
        questions = self.read_questions(data.get("questions", _MISSING), rel, lines)
        pool = questions
        if values["draw_categories"] and questions:
            pool = self.check_draw_categories(values["draw_categories"], questions, rel, lines)
        if values["draw"] and questions and values["draw"] > len(pool):
            if pool is questions:
                where = f"the number of questions in the pool ({len(questions)})"
            else:
                where = (f"the number of questions outside the categories of `draw_categories` "
                         f"({len(pool)})")
            self.add(
                rel,
                lines.key_line("draw"),
                f"`draw = {values['draw']}` is more than {where} — lower it or add questions",
            )
        return QuizSource(
            slug=rel[len("quizzes/") : -len(".toml")],
            filename=rel,
            module=module,
            kind=kind,
            settings={key: _json_setting(values[key]) for key in QUIZ_SETTINGS
                      if values[key] is not None},
            title={k: v for k, v in title.items() if v is not None},
            questions=questions,
        )

    def check_draw_categories(
        self, draw: dict[str, int], questions: list[dict], rel: str, lines: TomlLines
    ) -> list[dict]:
        """Report categories of `draw_categories` that no question has, or that have fewer
        questions than drawn; return the questions outside the listed categories (the pool
        `draw` applies to)."""
        counts: dict[str, int] = {}
        for q in questions:
            category = q.get("category")
            if isinstance(category, str) and category:
                counts[category] = counts.get(category, 0) + 1
        for name, n in draw.items():
            line = lines.key_line(name, "draw_categories")
            if name not in counts:
                known = ", ".join(f'"{c}"' for c in sorted(counts)) or "none"
                self.add(
                    rel,
                    line,
                    f"`draw_categories` names the category {show_value(name)}, which no question has "
                    f"(categories in this quiz: {known}) — fix the name or set `category` on "
                    "the questions",
                )
            elif n > counts[name]:
                self.add(
                    rel,
                    line,
                    f"`draw_categories` draws {n} from the category {show_value(name)}, which has only "
                    f"{counts[name]} question(s) — lower it or add questions",
                )
        return [
            q for q in questions
            if not (isinstance(q.get("category"), str) and q["category"] in draw)
        ]

    def read_questions(self, raw: Any, rel: str, lines: TomlLines) -> list[dict]:
        if raw is _MISSING or (isinstance(raw, list) and not raw):
            self.add(rel, None, "quiz has no questions — add at least one `[[questions]]` section")
            return []
        if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
            self.add(
                rel,
                lines.key_line("questions"),
                "`questions` must be written as `[[questions]]` sections — rewrite them as tables",
            )
            return []
        questions: list[dict] = []
        seen: dict[str, int] = {}
        for index, raw_question in enumerate(raw):
            header = lines.header_line("questions", index)
            question = dict(raw_question)
            question["_line"] = header

            def field_line(
                name: str, index: int = index, header: int | None = header, raw: dict = raw_question
            ) -> int | None:
                return lines.key_line(name, "questions", index) if name in raw else header

            for key in QUESTION_CORE:
                value = raw_question.get(key, _MISSING)
                if value is _MISSING:
                    self.add(
                        rel,
                        header,
                        f"question {index + 1} has no `{key}` — add `{key} = ...` to it",
                    )
                elif not isinstance(value, str) or not value.strip():
                    self.add(
                        rel,
                        field_line(key),
                        f"`{key}` of question {index + 1} must be a non-empty string — fix the value",
                    )
            if "points" in raw_question and (
                not _is_number(raw_question["points"]) or raw_question["points"] < 0
            ):
                self.add(
                    rel,
                    field_line("points"),
                    f"`points` of question {index + 1} must be a number of 0 or more — fix the value",
                )
            if "feedback" in raw_question and not isinstance(raw_question["feedback"], str):
                self.add(
                    rel,
                    field_line("feedback"),
                    f"`feedback` of question {index + 1} must be a string — fix the value",
                )
            for html_key in _html_keys(raw_question):
                self.add(
                    rel,
                    field_line(html_key.split(".")[0]),
                    f"`{html_key}` in question {index + 1}: keys ending in `_html` are made by "
                    "Pelita from your Markdown and cannot be written by hand — use `text`",
                )
            qid = raw_question.get("id")
            if isinstance(qid, str):
                if qid in seen:
                    self.add(
                        rel,
                        field_line("id"),
                        f"question id `{qid}` is already used by question {seen[qid] + 1} — give each question a unique id",
                    )
                else:
                    seen[qid] = index
            for key in ("text", "feedback"):
                value = raw_question.get(key)
                if isinstance(value, str):
                    key_line = field_line(key)
                    offset = None if key_line is None else key_line - 1
                    if key_line is not None and _opens_multiline(lines.lines[key_line - 1]):
                        offset = key_line  # multi-line string: its text starts on the next line
                    self.check_references(rel, value, offset)
            if self.question_validator is not None:
                for field_name, message in self.question_validator(dict(raw_question)) or []:
                    line = field_line(field_name) if field_name else header
                    label = f"question `{qid}`" if isinstance(qid, str) else f"question {index + 1}"
                    prefix = f"{label}, `{field_name}`: " if field_name else f"{label}: "
                    self.add(rel, line, prefix + message)
            questions.append(question)
        return questions

    # ---- everything

    def run(self) -> CoursePack | None:
        if not self.collect():
            return None
        course = self.read_course()
        modules = self.read_modules(course)
        quizzes = self.read_quizzes(course)
        if self.problems or course is None:
            return None
        completion = course["completion"]
        cert = course["certificate"]
        files = dict(sorted(self.files.items()))
        return CoursePack(
            slug=course["slug"],
            version=course["version"],
            area=course["area"],
            hours=course["hours"],
            enrolment=course["enrolment"],
            sequential=course["sequential"],
            replication=course["replication"],
            authors=list(course["authors"]),
            prerequisites=list(course["prerequisites"]),
            title=dict(course["title"]),
            summary={k: v for k, v in course["summary"].items() if v},
            completion=Completion(**completion),
            certificate=CertificateSettings(
                enabled=cert["enabled"],
                hours=cert["hours"] if cert["hours"] is not None else course["hours"],
                valid_months=cert["valid_months"],
                show_score=cert["show_score"],
                template=cert["template"],
            ),
            modules=modules,
            quizzes=quizzes,
            media=sorted(p for p in files if p.startswith("media/")),
            files=files,
            content_hash=compute_content_hash(files),
            source=self.label,
        )


def _html_keys(question: Mapping[str, Any]) -> list[str]:
    """Keys ending in `_html` anywhere in a question (they would bypass the sanitiser)."""
    found = [key for key in question if isinstance(key, str) and key.endswith("_html")]
    for key, value in question.items():
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, Mapping):
                found += [f"{key}[{i}].{k}" for k in item if isinstance(k, str) and k.endswith("_html")]
    return found


def _json_setting(value: Any) -> Any:
    """Settings are stored as JSON: TOML dates become ISO 8601 text."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _opens_multiline(line: str) -> bool:
    """True when a multi-line string opens at the end of `line`, so its text starts below."""
    stripped = line.rstrip()
    return any(stripped.endswith(q) and stripped.count(q) == 1 for q in ('"' * 3, "'" * 3))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file != "course.toml", p.file, p.line or 0))


def validate_pack(
    path: str | os.PathLike[str],
    question_validator: QuestionValidator | None = None,
    *,
    max_text_bytes: int = MAX_TEXT_BYTES,
    max_media_bytes: int = MAX_MEDIA_BYTES,
) -> list[Problem]:
    """Every problem in the pack at `path` (empty list = valid)."""
    reader = _PackReader(path, question_validator, max_text_bytes, max_media_bytes)
    reader.run()
    return _sorted(reader.problems)


def load_pack(
    path: str | os.PathLike[str],
    question_validator: QuestionValidator | None = None,
    *,
    source: str | None = None,
    max_text_bytes: int = MAX_TEXT_BYTES,
    max_media_bytes: int = MAX_MEDIA_BYTES,
) -> CoursePack:
    """Load and validate the pack at `path`; raise CoursePackError listing all problems."""
    reader = _PackReader(path, question_validator, max_text_bytes, max_media_bytes)
    pack = reader.run()
    if pack is None:
        raise CoursePackError(_sorted(reader.problems))
    if source is not None:
        pack.source = source
    return pack


# --------------------------------------------------------------------------- export


def _safe_relative(path: str) -> bool:
    if not path or "\\" in path or "\0" in path:
        return False
    pure = PurePosixPath(path)
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def write_pack(
    files: Mapping[str, bytes], dest: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write `files` (relative POSIX path -> bytes) under `dest`, refusing paths that escape it.

    `dest` must be missing or empty unless `overwrite` is true (existing files are then
    replaced; other files already in `dest` are left alone). Nothing is written if any
    path is unsafe.
    """
    dest_path = Path(dest)
    bad = [
        Problem(p, None, "path escapes the destination folder — use a relative path without `..`")
        for p in files
        if not _safe_relative(p)
    ]
    if bad:
        raise CoursePackError(bad)
    if dest_path.exists():
        if not dest_path.is_dir():
            raise FileExistsError(f"{dest_path} exists and is not a folder")
        if not overwrite and any(dest_path.iterdir()):
            raise FileExistsError(
                f"{dest_path} is not empty — choose an empty folder or pass overwrite=True"
            )
    dest_path.mkdir(parents=True, exist_ok=True)
    root = dest_path.resolve()
    targets: list[tuple[Path, bytes]] = []
    for rel, data in sorted(files.items()):
        target = dest_path.joinpath(*rel.split("/"))
        try:
            target.resolve().relative_to(root)
        except ValueError:
            bad.append(
                Problem(
                    rel,
                    None,
                    "path escapes the destination folder through a symbolic link — remove the link",
                )
            )
            continue
        targets.append((target, data))
    if bad:
        raise CoursePackError(bad)
    for target, data in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(data)
    return dest_path
