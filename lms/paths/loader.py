"""Read and validate learning-path files (`paths/<slug>.toml`); pure Python, no Flask, no database.

Every problem is reported with its file and line, like the course-pack loader, using the same
`Problem` / `CoursePackError`. Whether the listed courses exist is checked at import, not here.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.content.problems import CoursePackError, Problem
from lms.content.tomlutil import SLUG, Spec, TomlLines, check_table, toml_error_location

MAX_PATH_FILE_BYTES = 64 * 1024
TOP_KEYS = ("slug", "version", "courses", "grants_role")
# Roles a path may grant on certification (the role is given, never taken away).
GRANTABLE_ROLES = ("facilitator",)
TABLES = ("title", "summary", "requirements")
LANGS = ("id", "en")

@dataclass(frozen=True)
class PathSource:
    """A learning path as written in its file."""

    slug: str
    version: str
    courses: list[str]
    title: dict[str, str]
    summary: dict[str, str]
    requirements: dict[str, list[str]]
    content_hash: str
    source: str
    courses_line: int | None = None
    # A role given to whoever completes every course of the path (e.g. "facilitator").
    grants_role: str | None = None


# --------------------------------------------------------------------------- value checks


def _slug(value: Any) -> str | None:
    if isinstance(value, str) and SLUG.match(value) and 3 <= len(value) <= 60:
        return None
    return 'a slug of 3 to 60 characters using only a-z, 0-9 and single hyphens (e.g. "fasilitator-tpbis")'


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def _texts(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "a list of non-empty strings"


def _grants_role(value: Any) -> str | None:
    if value in GRANTABLE_ROLES:
        return None
    return "one of " + ", ".join(f'"{r}"' for r in GRANTABLE_ROLES)


def _course_slugs(value: Any) -> str | None:
    if isinstance(value, list) and value and all(_slug(v) is None for v in value):
        return None
    return "a non-empty list of course slugs"


TOP_SPEC: Spec = [
    ("slug", True, None, _slug),
    ("version", True, None, _text),
    ("courses", True, [], _course_slugs),
    ("grants_role", False, None, _grants_role),
]
TITLE_SPEC: Spec = [("id", True, None, _text), ("en", True, None, _text)]
SUMMARY_SPEC: Spec = [("id", False, "", _text), ("en", False, "", _text)]
REQUIREMENTS_SPEC: Spec = [("id", False, [], _texts), ("en", False, [], _texts)]


# --------------------------------------------------------------------------- reading one file


class _PathReader:
    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.label, line, message))

    def check(self, table: Any, spec: Spec, lines: TomlLines, section: str | None,
              allowed: tuple[str, ...] = ()) -> dict:
        return check_table(table, spec, lines, self.add, top_label="the top level",
                           section=section, extra_allowed=allowed)

    def run(self) -> PathSource | None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            self.add(None, f"file cannot be read ({exc.strerror}) — check the path and its permissions")
            return None
        if len(data) > MAX_PATH_FILE_BYTES:
            self.add(None, f"file is {len(data)} bytes, over the {MAX_PATH_FILE_BYTES}-byte limit "
                           "— a path file lists courses, keep long texts in the courses")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.add(data.count(b"\n", 0, exc.start) + 1,
                     "file is not valid UTF-8 — save it with UTF-8 encoding")
            return None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, message = toml_error_location(exc, text)
            self.add(line, f"invalid TOML ({message}) — fix the syntax on this line")
            return None
        lines = TomlLines(text)

        top = self.check({k: v for k, v in raw.items() if k not in TABLES}, TOP_SPEC, lines, None,
                         allowed=TABLES)
        if "title" in raw:
            title = self.check(raw["title"], TITLE_SPEC, lines, "title")
        else:
            title = {}
            self.add(None, 'required table `[title]` is missing — add `[title]` with `id = "..."` '
                           'and `en = "..."`')
        summary = self.check(raw.get("summary", {}), SUMMARY_SPEC, lines, "summary")
        requirements = self.check(raw.get("requirements", {}), REQUIREMENTS_SPEC, lines,
                                  "requirements")

        courses = top.get("courses", [])
        courses_line = lines.key_line("courses")
        seen: set[str] = set()
        for slug in courses:
            if slug in seen:
                self.add(courses_line, f"course `{slug}` is listed twice in `courses` — remove the duplicate")
            seen.add(slug)
        req_id, req_en = requirements.get("id", []), requirements.get("en", [])
        if req_en and len(req_en) != len(req_id):
            self.add(lines.header_line("requirements"),
                     f"`[requirements]` has {len(req_id)} item(s) in `id` but {len(req_en)} in `en` "
                     "— give every requirement in both languages, in the same order")
        slug = top.get("slug")
        if slug and self.path.suffix == ".toml" and self.path.stem != slug:
            self.add(lines.key_line("slug"),
                     f"the file is named {self.path.name} but its slug is \"{slug}\" — rename the "
                     f"file to {slug}.toml or change the slug")
        if self.problems:
            return None
        return PathSource(
            slug=top["slug"], version=top["version"], courses=list(courses),
            title={"id": title["id"], "en": title["en"]},
            summary={lang: summary.get(lang, "") for lang in LANGS},
            requirements={"id": list(req_id), "en": list(req_en)},
            content_hash=hashlib.sha256(data).hexdigest(), source=self.label,
            courses_line=courses_line, grants_role=top.get("grants_role"),
        )


def load_path(path: str | os.PathLike[str], label: str | None = None) -> PathSource:
    """Read one path file; raise CoursePackError listing every problem."""
    reader = _PathReader(Path(path), label or str(path))
    result = reader.run()
    if result is None:
        raise CoursePackError(reader.problems)
    return result


def validate_path(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of one path file (empty when it is fine)."""
    try:
        load_path(path)
    except CoursePackError as err:
        return err.problems
    return []


def discover_path_files(targets: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Path files under the targets: a `.toml` file itself, or the `*.toml` files of a folder.

    Names starting with a dot are ignored, so are other files (a README can sit beside the paths).
    A configured folder that does not exist is simply empty.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for target in targets:
        path = Path(target)
        if path.is_file():
            if path.suffix != ".toml":
                problems.append(Problem(str(path), None, "a learning path is a .toml file — pass "
                                                         "the file or the folder that contains it"))
            else:
                found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.glob("*.toml"))
                         if not p.name.startswith(".") and p.is_file())
    return found, problems


def load_paths(targets: Iterable[str | os.PathLike[str]]) -> tuple[list[PathSource], list[Problem]]:
    """Load every path file under the targets; all problems of all files, duplicates included."""
    files, problems = discover_path_files(targets)
    paths: list[PathSource] = []
    by_slug: dict[str, PathSource] = {}
    for file in files:
        try:
            loaded = load_path(file)
        except CoursePackError as err:
            problems.extend(err.problems)
            continue
        if loaded.slug in by_slug:
            problems.append(Problem(str(file), None, f"learning path \"{loaded.slug}\" is also defined "
                                    f"in {by_slug[loaded.slug].source} — remove or rename one of them"))
            continue
        by_slug[loaded.slug] = loaded
        paths.append(loaded)
    return paths, problems
