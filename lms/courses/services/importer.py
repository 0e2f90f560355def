"""Import course packs into the database, and export them back, in one transaction each call.

Re-importing identical sources changes nothing. Changed sources create a new CourseVersion
(identified by the content hash) and make it current; modules and quizzes keep their identity by
slug, so learners' progress and attempts carry over. A module dropped from the pack simply has no
ModuleVersion in the new version: its history stays.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms import events
from lms.content import CoursePack, CoursePackError, Problem, discover_packs, load_pack, write_pack
from lms.content import render_markdown as _render
from lms.courses.models import (
    Course,
    CourseVersion,
    Module,
    ModuleVersion,
    PackBlob,
    PackFile,
    Quiz,
    QuizVersion,
)
from lms.extensions import db

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
WORDS_PER_MINUTE = 200


@dataclass
class ImportResult:
    slug: str
    status: str  # created | updated | unchanged | restored
    version_id: int
    modules_added: list[str] = field(default_factory=list)
    modules_removed: list[str] = field(default_factory=list)


def question_validator():
    """The quiz engine's validator for question definitions, when it is installed."""
    validator = current_app.extensions.get("pelita_question_validator")
    return validator


def load_packs(paths: list[str | Path]) -> tuple[list[CoursePack], list[Problem]]:
    """Discover and load every pack under the paths; all problems of all packs are returned."""
    found, problems = discover_packs(paths)
    packs = []
    for path, source in found:
        try:
            packs.append(load_pack(path, question_validator(), source=source))
        except CoursePackError as err:
            # Name the pack folder too: the loader's paths are relative to the pack.
            problems.extend(Problem(f"{path}/{p.file}" if p.file else str(path), p.line, p.message)
                            for p in err.problems)
    return packs, problems


def import_packs(packs: list[CoursePack], *, note: str = "",
                 before_commit: Callable[[list[ImportResult]], None] | None = None,
                 ) -> list[ImportResult]:
    """Import several packs in ONE transaction: either all land or none does.

    `before_commit(results)` runs inside that transaction, so a caller's own bookkeeping (the
    authoring workspace's base version, the audit log) commits or rolls back with the import.
    """
    try:
        results = [_import_one(pack, note) for pack in packs]
        db.session.flush()
        for result in results:
            if result.status in ("updated", "restored"):
                _recheck_completions(result.slug)
        if before_commit is not None:
            before_commit(results)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


def _recheck_completions(slug: str) -> None:
    """A new version can meet a learner's rule (e.g. the module they had left was removed): the
    learning area re-checks its learners in this transaction (`events.course_version_imported`)."""
    course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
    events.course_version_imported.send(None, course_id=course_id)


def _store_blob(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if db.session.get(PackBlob, digest) is None:
        db.session.add(PackBlob(sha256=digest, size=len(data), data=data))
    return digest


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None


def module_path(course_slug: str, module_slug: str) -> str:
    return f"/courses/{course_slug}/modules/{module_slug}"


def media_path(course_slug: str, version_id: int, path: str) -> str:
    return f"/courses/{course_slug}/v{version_id}/{path}"


def _import_one(pack: CoursePack, note: str) -> ImportResult:
    course = db.session.scalar(select(Course).where(Course.slug == pack.slug))
    if course is not None and course.current_version is not None \
            and course.current_version.content_hash == pack.content_hash:
        return ImportResult(pack.slug, "unchanged", course.current_version_id)

    status = "created" if course is None else "updated"
    if course is None:
        course = Course(slug=pack.slug, area=pack.area, title_id=pack.title["id"],
                        title_en=pack.title["en"], status="published")
        db.session.add(course)
        db.session.flush()
    previous_slugs = _current_module_slugs(course)

    version = db.session.scalar(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.content_hash == pack.content_hash))
    if version is not None:  # the same sources as an earlier version: make it current again
        status = "restored"
    else:
        version = _create_version(course, pack, note)

    _set_current(course, pack, version)
    new_slugs = [m.slug for m in pack.modules]
    return ImportResult(
        pack.slug, status, version.id,
        modules_added=[s for s in new_slugs if s not in previous_slugs] if previous_slugs else [],
        modules_removed=[s for s in previous_slugs if s not in new_slugs],
    )


def _current_module_slugs(course: Course) -> list[str]:
    if not course.current_version_id:
        return []
    return list(db.session.scalars(
        select(Module.slug).join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .where(ModuleVersion.version_id == course.current_version_id)
        .order_by(ModuleVersion.position)))


def _create_version(course: Course, pack: CoursePack, note: str) -> CourseVersion:
    manifest = {
        "version": pack.version, "area": pack.area, "hours": pack.hours,
        "enrolment": pack.enrolment, "sequential": pack.sequential,
        "replication": pack.replication, "authors": pack.authors,
        "prerequisites": pack.prerequisites, "title": pack.title, "summary": pack.summary,
        "completion": vars(pack.completion), "certificate": vars(pack.certificate),
        "modules": [m.slug for m in pack.modules],
    }
    version = CourseVersion(course_id=course.id, content_hash=pack.content_hash,
                            version_label=pack.version, manifest=manifest,
                            source=pack.source[:500], note=note)
    db.session.add(version)
    db.session.flush()

    for path, data in sorted(pack.files.items()):
        db.session.add(PackFile(version_id=version.id, path=path, sha256=_store_blob(data)))
    sizes = _image_sizes(pack.files)

    modules = _modules_by_slug(course.id, [m.slug for m in pack.modules], Module)
    for source in pack.modules:
        html, toc = _render_module(source, pack.slug, version.id, sizes)
        db.session.add(ModuleVersion(
            version_id=version.id, module_id=modules[source.slug].id, position=source.position,
            title=source.title, title_en=source.title_en, minutes=_minutes(source),
            objectives=list(source.objectives), body_html=html, toc=toc,
            word_count=len(source.body_markdown.split()),
        ))

    quizzes = _modules_by_slug(course.id, [q.slug for q in pack.quizzes], Quiz)
    for quiz in pack.quizzes:
        questions = [_render_question(q, pack.slug, version.id) for q in quiz.questions]
        db.session.add(QuizVersion(
            version_id=version.id, quiz_id=quizzes[quiz.slug].id,
            module_id=modules[quiz.module].id if quiz.module else None,
            kind=quiz.kind, title=dict(quiz.title), settings=dict(quiz.settings),
            questions=questions,
        ))
    return version


def _image_sizes(files: dict[str, bytes]) -> dict[str, tuple[int, int] | None]:
    return {path: _image_size(data) for path, data in files.items()
            if Path(path).suffix.lower() in IMAGE_SUFFIXES}


def _render_module(source, course_slug: str, version_id: int,
                   sizes: dict[str, tuple[int, int] | None]) -> tuple[str, list[dict]]:
    """A module's stored HTML and table of contents: the ONE place a module body is rendered
    (import and `rerender_modules` alike)."""
    return _render(
        _without_title_heading(source.body_markdown, source.title),
        module_url=lambda slug, anchor: module_path(course_slug, slug) + (f"#{anchor}" if anchor else ""),
        media_url=lambda path: media_path(course_slug, version_id, path),
        media_size=sizes.get,
    )


@dataclass
class RerenderResult:
    slug: str
    version_id: int
    modules_changed: list[str]


def rerender_modules(slug: str | None = None) -> list[RerenderResult]:
    """Render the stored module HTML of every course version (or one course's) again from that
    version's own sources with today's renderer, in one transaction.

    Module HTML is rendered once, at import; a renderer change (sanitiser, anchors, image sizes)
    reaches existing deployments only through this, since re-importing identical sources changes
    nothing. The sources, the content hash and everything learners did stay as they are."""
    try:
        results = _rerender(slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


def _rerender(slug: str | None) -> list[RerenderResult]:
    import tempfile

    query = select(Course).order_by(Course.slug)
    if slug is not None:
        query = query.where(Course.slug == slug)
    courses = list(db.session.scalars(query))
    if slug is not None and not courses:
        raise LookupError(slug)
    results = []
    for course in courses:
        versions = db.session.scalars(select(CourseVersion).where(
            CourseVersion.course_id == course.id).order_by(CourseVersion.id))
        for version in versions:
            files = version_files(version.id)
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / course.slug
                write_pack(files, folder)
                pack = load_pack(folder, question_validator())
            sizes = _image_sizes(files)
            stored = {mv.module.slug: mv for mv in db.session.scalars(
                select(ModuleVersion).where(ModuleVersion.version_id == version.id))}
            changed = []
            for source in pack.modules:
                row = stored.get(source.slug)
                if row is None:
                    continue
                html, toc = _render_module(source, course.slug, version.id, sizes)
                if html != row.body_html or toc != row.toc:
                    row.body_html, row.toc = html, toc
                    changed.append(source.slug)
            results.append(RerenderResult(course.slug, version.id, changed))
    return results


def _without_title_heading(markdown: str, title: str) -> str:
    """Drop a leading `# Title` that repeats the front-matter title (the page shows it once)."""
    lines = markdown.lstrip("\n").split("\n", 1)
    if lines and lines[0].strip().lstrip("#").strip() == title.strip() and lines[0].startswith("# "):
        return lines[1] if len(lines) > 1 else ""
    return markdown


def _minutes(source) -> int:
    if source.minutes:
        return int(source.minutes)
    return max(1, round(len(source.body_markdown.split()) / WORDS_PER_MINUTE))


def _render_question(question: dict, course_slug: str, version_id: int) -> dict:
    """Keep the author's definition and add the question text rendered like module pages."""
    data = {k: v for k, v in question.items() if k != "_line"}
    html, _toc = _render(
        str(data.get("text", "")),
        module_url=lambda slug, anchor: module_path(course_slug, slug) + (f"#{anchor}" if anchor else ""),
        media_url=lambda path: media_path(course_slug, version_id, path),
        module_dir="quizzes",
    )
    data["text_html"] = html
    return data


def _modules_by_slug(course_id: int, slugs: list[str], model) -> dict:
    """Existing identity rows for the slugs, creating the missing ones."""
    existing = {row.slug: row for row in db.session.scalars(
        select(model).where(model.course_id == course_id, model.slug.in_(slugs)))}
    for slug in slugs:
        if slug not in existing:
            existing[slug] = model(course_id=course_id, slug=slug)
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _set_current(course: Course, pack: CoursePack, version: CourseVersion) -> None:
    course.current_version_id = version.id
    course.area = pack.area
    course.title_id, course.title_en = pack.title["id"], pack.title["en"]
    course.summary_id, course.summary_en = pack.summary.get("id", ""), pack.summary.get("en", "")
    course.hours = pack.hours
    course.module_count = len(pack.modules)
    course.enrolment = pack.enrolment
    course.sequential = pack.sequential
    course.replication = pack.replication


def version_files(version_id: int) -> dict[str, bytes]:
    """Every file of a course version, by path, exactly as it was imported."""
    rows = db.session.execute(
        select(PackFile.path, PackBlob.data).join(PackBlob, PackBlob.sha256 == PackFile.sha256)
        .where(PackFile.version_id == version_id))
    return {path: data for path, data in rows}


def export_course(slug: str, dest: str | Path, *, overwrite: bool = False) -> Path:
    """Write the current version of a course back to a pack folder, byte for byte."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_version_id is None:
        raise LookupError(f"no course with slug {slug!r}")
    return write_pack(version_files(course.current_version_id), dest, overwrite=overwrite)
