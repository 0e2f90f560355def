"""The authoring workspace service: the only code that writes drafts. Every function that changes
something runs in one transaction and records an audit event in it.

Contract used by the editors (module, course, quiz, media, zip import):

* `open_draft(slug, user)` — the workspace of an existing course, created from its current version
  on first use; `new_course(...)` — a workspace for a course that does not exist yet.
* `get_file` / `files` — read; `save_file(draft, path, data, expected_revision=..., user=...)` —
  write one file, refusing with `EditConflict` when the file changed since `expected_revision`
  (None = "I am creating it; it must not exist"); `delete_file` likewise.
* `validate(draft)` — every problem the pack loader finds (same messages as the CLI);
  `publish(draft, note=..., user=...)` — load + import as a new content version, exactly like
  `flask lms import`; learners keep progress and attempts.
* `diff_files(old, new)` — per-file unified diffs for history pages.
"""

from __future__ import annotations

import difflib
import hashlib
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError

from lms import audit, clock
from lms.auth.models import User
from lms.authoring.models import CourseDraft, CourseEditor, DraftFile
from lms.content import CoursePackError, Problem, load_pack, validate_pack, write_pack
from lms.content.loader import compute_content_hash
from lms.courses.models import Course, CourseVersion
from lms.courses.services.importer import (
    ImportResult,
    import_packs,
    question_validator,
    version_files,
)
from lms.extensions import db

TEXT_SUFFIXES = (".toml", ".md", ".txt", ".csv", ".svg", ".gift")


class EditConflict(Exception):
    """Someone saved this file (or published the course) after the version you started from."""

    def __init__(self, path: str, *, by: str | None, at: datetime | None, current_revision: int | None):
        self.path, self.by, self.at, self.current_revision = path, by, at, current_revision
        super().__init__(f"{path} was changed by {by or 'someone'} at {at} "
                         f"(now revision {current_revision})")


class StaleDraft(Exception):
    """The course was published or imported since this draft's base version; publishing would
    replace that newer version. `current_version_id` is the version now live."""

    def __init__(self, current_version_id: int | None):
        self.current_version_id = current_version_id
        super().__init__(f"the course now has version {current_version_id}")


class PublishRefused(Exception):
    """The draft is not a valid pack; `problems` are the loader's (file, line, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _scope(slug: str) -> str:
    return f"course:{slug}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- permissions


def is_editor(user: User, draft: CourseDraft | None) -> bool:
    """Admins edit every course; a trainer edits the courses they are an editor of (the rule
    `edit_course` of lms/access.py)."""
    from lms.access import can_edit_course

    return can_edit_course(user, draft)


def add_editor(draft: CourseDraft, editor: User, *, user: User) -> None:
    exists = db.session.scalar(select(CourseEditor.id).where(
        CourseEditor.draft_id == draft.id, CourseEditor.user_id == editor.id))
    if exists is None:
        db.session.add(CourseEditor(draft_id=draft.id, user_id=editor.id))
        audit.record("course.editor_added", actor=user, scope=_scope(draft.slug),
                     target=editor.email)
    db.session.commit()


class LastEditor(Exception):
    """A trainer tried to remove the only editor of a course (only an admin may)."""


def remove_editor(draft: CourseDraft, editor: User, *, user: User) -> None:
    """Take `editor` off the course's editors (audited `course.editor_removed`). Raises
    `LookupError` when they are not an editor and `LastEditor` when a trainer would remove the
    last one."""
    try:
        # Lock the workspace row: two editors removing each other at once cannot both pass the
        # "not the last editor" check (PostgreSQL; SQLite writes one at a time anyway).
        db.session.execute(select(CourseDraft.id).where(CourseDraft.id == draft.id)
                           .with_for_update())
        editor_ids = list(db.session.scalars(select(CourseEditor.user_id).where(
            CourseEditor.draft_id == draft.id)))
        if editor.id not in editor_ids:
            raise LookupError(editor.email)
        if len(editor_ids) == 1 and not user.is_admin:
            raise LastEditor(editor.email)
        db.session.execute(delete(CourseEditor).where(CourseEditor.draft_id == draft.id,
                                                      CourseEditor.user_id == editor.id))
        audit.record("course.editor_removed", actor=user, scope=_scope(draft.slug),
                     target=editor.email)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ----------------------------------------------------------------------------- opening


def draft_for(slug: str) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.slug == slug))


def open_draft(slug: str, user: User | None) -> CourseDraft:
    """The workspace of course `slug`, created from its current version on first use."""
    draft = draft_for(slug)
    if draft is not None:
        return draft
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_version_id is None:
        raise LookupError(f"no course with slug {slug!r}")
    try:
        draft = CourseDraft(slug=slug, course_id=course.id,
                            base_version_id=course.current_version_id,
                            created_by_id=user.id if user else None,
                            updated_by_id=user.id if user else None)
        db.session.add(draft)
        db.session.flush()
        for path, data in version_files(course.current_version_id).items():
            db.session.add(DraftFile(draft_id=draft.id, path=path, data=data, sha256=_sha(data),
                                     updated_by_id=None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        existing = draft_for(slug)  # another request created it at the same moment
        if existing is not None:
            return existing
        raise
    return draft


def new_course(slug: str, files: dict[str, bytes], *, user: User,
               commit: bool = True) -> CourseDraft:
    """A workspace for a course that does not exist yet, seeded with `files` (the editor builds
    course.toml and a first module); its creator becomes an editor. With `commit=False` the
    caller commits (the zip import publishes in the same transaction, so a failed publish
    leaves no workspace behind)."""
    if draft_for(slug) is not None or db.session.scalar(
            select(Course.id).where(Course.slug == slug)) is not None:
        raise ValueError(f"the slug {slug!r} is already taken")
    try:
        draft = CourseDraft(slug=slug, created_by_id=user.id, updated_by_id=user.id)
        db.session.add(draft)
        db.session.flush()
        for path, data in files.items():
            db.session.add(DraftFile(draft_id=draft.id, path=path, data=data, sha256=_sha(data),
                                     updated_by_id=user.id))
        db.session.add(CourseEditor(draft_id=draft.id, user_id=user.id))
        audit.record("course.created", actor=user, scope=_scope(slug), target=slug)
        db.session.flush()
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return draft


# ----------------------------------------------------------------------------- reading


def get_file(draft: CourseDraft, path: str) -> DraftFile | None:
    return db.session.scalar(select(DraftFile).where(DraftFile.draft_id == draft.id,
                                                     DraftFile.path == path))


def list_files(draft: CourseDraft) -> list[DraftFile]:
    return list(db.session.scalars(select(DraftFile).where(DraftFile.draft_id == draft.id)
                                   .order_by(DraftFile.path)))


def files(draft: CourseDraft) -> dict[str, bytes]:
    rows = db.session.execute(select(DraftFile.path, DraftFile.data)
                              .where(DraftFile.draft_id == draft.id))
    return {path: data for path, data in rows}


def has_changes(draft: CourseDraft) -> bool:
    """True when the workspace differs from the version it is based on (or was never published)."""
    if draft.base_version_id is None:
        return True
    base = db.session.get(CourseVersion, draft.base_version_id)
    return base is None or compute_content_hash(files(draft)) != base.content_hash


# ----------------------------------------------------------------------------- writing


def _conflict(row: DraftFile | None, path: str) -> EditConflict:
    if row is None:
        return EditConflict(path, by=None, at=None, current_revision=None)
    by = row.updated_by.full_name if row.updated_by is not None else None
    return EditConflict(path, by=by, at=row.updated_at, current_revision=row.revision)


def save_file(draft: CourseDraft, path: str, data: bytes, *, expected_revision: int | None,
              user: User, action: str = "file.saved", detail: dict | None = None) -> DraftFile:
    """Write one file of the workspace.

    `expected_revision` is the revision the editor loaded (None when creating a new file). A
    mismatch — someone saved in between — raises `EditConflict` and writes nothing.
    """
    return save_files(draft, {path: (data, expected_revision)}, user=user, action=action,
                      target=path, detail={"bytes": len(data), **(detail or {})})[path]


def save_files(draft: CourseDraft, changes: dict[str, tuple[bytes | None, int | None]], *,
               user: User, action: str, target: str = "", detail: dict | None = None,
               ) -> dict[str, DraftFile]:
    """Write (or, with data None, delete) several files in ONE transaction with one audit row,
    e.g. a new module file and the `modules` list in course.toml. `changes` maps a path to
    (data, expected_revision); any mismatch raises `EditConflict` and nothing is written.
    Returns the written rows by path."""
    user_id = user.id  # read before changing anything: loading it could autoflush half a change
    written: dict[str, DraftFile] = {}
    try:
        rows = {row.path: row for row in db.session.scalars(select(DraftFile).where(
            DraftFile.draft_id == draft.id, DraftFile.path.in_(list(changes))))}
        for path, (_data, expected) in changes.items():
            row = rows.get(path)
            if (row is None) != (expected is None) or (row is not None and row.revision != expected):
                raise _conflict(row, path)
        now = clock.now()
        for path, (data, _expected) in changes.items():
            row = rows.get(path)
            if data is None:
                if row is not None:
                    db.session.delete(row)
                continue
            if row is None:
                row = DraftFile(draft_id=draft.id, path=path, data=data, sha256=_sha(data),
                                updated_by_id=user_id, updated_at=now)
                db.session.add(row)
            elif row.data != data:
                row.data, row.sha256 = data, _sha(data)
                row.updated_by_id, row.updated_at = user_id, now
            written[path] = row
        draft.updated_at, draft.updated_by_id = now, user_id
        audit.record(action, actor=user_id, scope=_scope(draft.slug), target=target or draft.slug,
                     detail={"files": sorted(changes), **(detail or {})})
        db.session.flush()  # each UPDATE checks the revision: a concurrent save raises here
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        path = next(iter(changes))
        raise _conflict(get_file(draft, path), path) from None
    except Exception:
        db.session.rollback()
        raise
    return written


def set_archived(draft: CourseDraft, archived: bool, *, user: User) -> Course:
    """Archive (hide from the catalogue and new enrolments; enrolled learners keep access) or
    bring back a published course."""
    course = db.session.scalar(select(Course).where(Course.slug == draft.slug))
    if course is None:
        raise LookupError("this course was never published")
    try:
        status = "archived" if archived else "published"
        if course.status != status:
            course.status = status
            audit.record("course.archived" if archived else "course.unarchived", actor=user,
                         scope=_scope(draft.slug), target=draft.slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return course


def delete_file(draft: CourseDraft, path: str, *, expected_revision: int, user: User,
                action: str = "file.deleted") -> None:
    """Remove one file, with the same revision check as `save_file`."""
    save_files(draft, {path: (None, expected_revision)}, user=user, action=action, target=path)


def discard_changes(draft: CourseDraft, *, user: User) -> None:
    """Reset the workspace to the version it is based on."""
    if draft.base_version_id is None:
        raise ValueError("this course was never published: there is nothing to go back to")
    try:
        published = version_files(draft.base_version_id)
        for row in list_files(draft):
            if row.path not in published:
                db.session.delete(row)
            elif row.data != published[row.path]:
                row.data, row.sha256 = published[row.path], _sha(published[row.path])
                row.updated_by_id, row.updated_at = user.id, clock.now()
        present = {row.path for row in list_files(draft)}
        for path, data in published.items():
            if path not in present:
                db.session.add(DraftFile(draft_id=draft.id, path=path, data=data,
                                         sha256=_sha(data), updated_by_id=user.id))
        audit.record("draft.discarded", actor=user, scope=_scope(draft.slug), target=draft.slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ----------------------------------------------------------------------------- validating, publishing


# Editor pages show the draft's problems on every view; checking a whole pack (writing it out and
# reading every quiz) takes tens of milliseconds, so results are remembered per content, keyed by
# the files' hash and the question types installed (problems are immutable values).
_VALIDATION_CACHE: OrderedDict[tuple, tuple[Problem, ...]] = OrderedDict()
_VALIDATION_CACHE_SIZE = 64
_validation_lock = threading.Lock()


def _question_types_key() -> tuple:
    from lms.quizzes.setup import question_types

    registry = question_types()
    return tuple(sorted((t.name, f"{type(t).__module__}.{type(t).__qualname__}")
                        for t in registry))


def validate_files(pack_files: dict[str, bytes]) -> list[Problem]:
    """Every problem the loader finds in these files, exactly as `flask lms validate` reports."""
    key = (compute_content_hash(pack_files), _question_types_key())
    with _validation_lock:
        cached = _VALIDATION_CACHE.get(key)
        if cached is not None:
            _VALIDATION_CACHE.move_to_end(key)
            return list(cached)
    with tempfile.TemporaryDirectory(prefix="pelita-draft-") as tmp:
        try:
            write_pack(pack_files, tmp)
        except CoursePackError as err:
            problems = tuple(err.problems)
        else:
            problems = tuple(validate_pack(tmp, question_validator()))
    with _validation_lock:
        _VALIDATION_CACHE[key] = problems
        while len(_VALIDATION_CACHE) > _VALIDATION_CACHE_SIZE:
            _VALIDATION_CACHE.popitem(last=False)
    return list(problems)


def validate(draft: CourseDraft) -> list[Problem]:
    return validate_files(files(draft))


def publish(draft: CourseDraft, *, note: str, user: User, force: bool = False) -> ImportResult:
    """Publish the workspace as a new content version (the importer's rules: identities by slug,
    learners keep progress and attempts). Raises `PublishRefused` with the loader's problems,
    or `StaleDraft` when the course changed since the draft's base (unless `force`)."""
    course = db.session.scalar(select(Course).where(Course.slug == draft.slug))
    live = course.current_version_id if course is not None else None
    if not force and live != draft.base_version_id:
        raise StaleDraft(live)
    with tempfile.TemporaryDirectory(prefix="pelita-publish-") as tmp:
        try:
            write_pack(files(draft), tmp)
            pack = load_pack(tmp, question_validator(), source=f"authoring:{draft.slug}")
        except CoursePackError as err:
            raise PublishRefused(list(err.problems)) from None
    if pack.slug != draft.slug:
        raise PublishRefused([Problem("course.toml", None,
                                      f"slug must stay {draft.slug!r} (found {pack.slug!r})")])

    def bookkeeping(results: list[ImportResult]) -> None:
        result = results[0]
        draft.base_version_id = result.version_id
        draft.course_id = db.session.scalar(select(Course.id).where(Course.slug == draft.slug))
        draft.updated_at, draft.updated_by_id = clock.now(), user.id
        audit.record("course.published", actor=user, scope=_scope(draft.slug), target=draft.slug,
                     detail={"version_id": result.version_id, "status": result.status,
                             "note": note[:500], "modules_added": result.modules_added,
                             "modules_removed": result.modules_removed})

    return import_packs([pack], note=note, before_commit=bookkeeping)[0]


# ----------------------------------------------------------------------------- history, diff


def versions(course_id: int) -> list[CourseVersion]:
    return list(db.session.scalars(select(CourseVersion).where(CourseVersion.course_id == course_id)
                                   .order_by(CourseVersion.id.desc())))


@dataclass
class FileDiff:
    path: str
    status: str  # added | removed | changed
    lines: list[str]  # unified diff lines for text files; empty for binary files
    old_size: int | None
    new_size: int | None


def _is_text(path: str) -> bool:
    return path.endswith(TEXT_SUFFIXES) and not path.startswith("media/") or path.endswith(".md")


def diff_files(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileDiff]:
    """What changed from `old` to `new`, file by file, sorted by path."""
    out: list[FileDiff] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        lines: list[str] = []
        if _is_text(path):
            try:
                lines = list(difflib.unified_diff(
                    (a or b"").decode("utf-8").splitlines(), (b or b"").decode("utf-8").splitlines(),
                    fromfile=f"a/{path}", tofile=f"b/{path}", lineterm="", n=2))
            except UnicodeDecodeError:
                lines = []
        out.append(FileDiff(path, status, lines, None if a is None else len(a),
                            None if b is None else len(b)))
    return out
