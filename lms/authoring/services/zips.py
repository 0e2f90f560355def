"""Zip export and import of a course's pack, through the authoring workspace.

Import runs in three steps, so nothing is written before the author has seen what will change:

1. `check_zip(data)` — the safe zip reader (`zipio.read_zip`), the media uploader's type and
   content check for every media/ file (`zipio.content_problems`), then the SAME pack loader as
   `flask lms validate`; refusals and every loader problem are raised, nothing touches the database.
2. `stash(...)` keeps the uploaded bytes server-side under a random token (the client only holds
   the token); `preview(...)` says what the import would do against the live version.
3. `import_zip(...)` re-reads and re-validates the stashed zip, replaces the workspace's files and
   publishes them as a new content version — ONE transaction with its audit events.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lms import audit, clock, storage
from lms.auth.models import User
from lms.authoring.models import CourseDraft, DraftFile
from lms.authoring.services import drafts
from lms.authoring.zipio import (
    ZipContents,
    ZipRefused,
    content_problems,
    read_zip,
    write_zip,
)
from lms.content import CoursePack, CoursePackError, Problem, load_pack, write_pack
from lms.courses.models import Course
from lms.courses.services.importer import ImportResult, question_validator, version_files
from lms.extensions import db

UPLOAD_TTL_SECONDS = 60 * 60
STASH_PER_USER = 3  # uploads kept per user between preview and confirm
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PackInvalid(Exception):
    """The zip is safe but not a valid pack: `problems` are the loader's (file, line, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class NotAllowed(Exception):
    """The user may not import this course (a trainer who is not one of its editors)."""


class ChangedSincePreview(Exception):
    """The course was published by someone else after the preview was shown."""


# ----------------------------------------------------------------------------- export


def live_files(slug: str) -> dict[str, bytes] | None:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_version_id is None:
        return None
    return version_files(course.current_version_id)


def export_zip_bytes(slug: str, files: dict[str, bytes]) -> bytes:
    """The pack as a zip under a folder named after the course slug."""
    return write_zip(files, slug)


# ----------------------------------------------------------------------------- checking


def load_files(pack_files: dict[str, bytes], source: str) -> CoursePack:
    """Run the pack loader over files (in a temporary folder); `PackInvalid` lists every problem."""
    with tempfile.TemporaryDirectory(prefix="pelita-zip-") as tmp:
        try:
            write_pack(pack_files, tmp)
            return load_pack(tmp, question_validator(), source=source)
        except CoursePackError as err:
            raise PackInvalid(list(err.problems)) from None
        except OSError as err:  # e.g. a name the file system refuses
            raise PackInvalid([Problem("(zip)", None,
                                       f"the file cannot be unpacked ({err.strerror})")]) from None


def check_zip(data: bytes, filename: str = "upload.zip") -> tuple[ZipContents, CoursePack]:
    """Read the zip safely and hold its files to the media uploader's checks
    (`zipio.ZipRefused`), then load it as a pack (`PackInvalid`)."""
    contents = read_zip(data)
    problems = content_problems(contents)
    if problems:
        raise ZipRefused(problems)
    pack = load_files(contents.files, source=f"zip:{filename}"[:500])
    return contents, pack


def may_import(user: User, slug: str) -> bool:
    """Admins import any course; a trainer a new course, or one they are an editor of."""
    if user.is_admin:
        return True
    if not user.is_trainer:
        return False
    draft = drafts.draft_for(slug)
    if draft is not None:
        return drafts.is_editor(user, draft)
    return db.session.scalar(select(Course.id).where(Course.slug == slug)) is None


@dataclass
class ZipPreview:
    slug: str
    title: dict
    version_label: str
    modules: list[tuple[str, str]]  # (slug, title)
    quizzes: list[tuple[str, dict]]  # (slug, title by language)
    is_new: bool
    live_version_id: int | None
    changes: list[drafts.FileDiff]
    unchanged: bool
    draft_has_changes: bool  # the workspace holds unpublished edits the import would replace
    file_count: int
    skipped: list[str]


def preview(contents: ZipContents, pack: CoursePack) -> ZipPreview:
    course = db.session.scalar(select(Course).where(Course.slug == pack.slug))
    live_id = course.current_version_id if course is not None else None
    live = version_files(live_id) if live_id is not None else {}
    draft = drafts.draft_for(pack.slug)
    draft_dirty = False
    if draft is not None:
        current = drafts.files(draft)
        draft_dirty = current != live and current != pack.files
    return ZipPreview(
        slug=pack.slug, title=dict(pack.title), version_label=pack.version,
        modules=[(m.slug, m.title) for m in pack.modules],
        quizzes=[(q.slug, dict(q.title)) for q in pack.quizzes],
        is_new=course is None, live_version_id=live_id,
        changes=drafts.diff_files(live, pack.files), unchanged=live == pack.files,
        draft_has_changes=draft_dirty, file_count=len(pack.files), skipped=contents.skipped,
    )


# ----------------------------------------------------------------------------- server-side stash


upload_dir = storage.upload_dir


def _stashed() -> list[tuple[str, dict]]:
    """(token, metadata) of every upload waiting in the stash. Ages come from the metadata's
    `at` (Pelita's clock), never from file times, which the kernel stamps with its own clock."""
    found = []
    try:
        listed = list(upload_dir().glob("zip-*.json"))
    except OSError:  # the folder is unreadable: nothing is waiting that we could use
        return found
    for meta_path in listed:
        try:
            found.append((meta_path.name[4:-5], json.loads(meta_path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    return found


def _expired(meta: dict) -> bool:
    return clock.timestamp() - float(meta.get("at") or 0) > UPLOAD_TTL_SECONDS


def expire_stash() -> int:
    """Delete stashed uploads older than `UPLOAD_TTL_SECONDS`; returns how many."""
    removed = 0
    for token, meta in _stashed():
        if _expired(meta):
            discard(token)
            removed += 1
    return removed


def stash(data: bytes, *, user: User, filename: str, slug: str,
          live_version_id: int | None) -> str:
    """Keep an uploaded zip until the author confirms; the token names it, the metadata binds it
    to this user and to the live version the preview was computed against. Both files are
    written or neither: `storage.StorageUnavailable` when the folder cannot be written."""
    expire_stash()
    folder = upload_dir()
    _limit_per_user(folder, user.id)
    token = secrets.token_urlsafe(24)
    meta = {"user_id": user.id, "filename": filename[:200], "slug": slug,
            "live_version_id": live_version_id, "sha256": hashlib.sha256(data).hexdigest(),
            "at": clock.timestamp()}
    # The metadata first: an upload is listed (and expires) from the moment any of it exists.
    storage.write_files(folder, [(f"zip-{token}.json", json.dumps(meta).encode("utf-8")),
                                 (f"zip-{token}.zip", data)])
    return token


def _limit_per_user(folder: Path, user_id: int) -> None:
    """Keep at most `STASH_PER_USER - 1` older uploads of a user (a few tabs), so repeated
    uploads cannot fill the disk."""
    mine = sorted((float(meta.get("at") or 0), token) for token, meta in _stashed()
                  if meta.get("user_id") == user_id)
    for _at, token in mine[:max(0, len(mine) - STASH_PER_USER + 1)]:
        discard(token)


def unstash(token: str, *, user: User) -> tuple[bytes, dict] | None:
    """The stashed zip and its metadata, if the token is valid, fresh and this user's."""
    if not token or not _TOKEN.match(token):
        return None
    folder = upload_dir()
    try:
        meta = json.loads((folder / f"zip-{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"zip-{token}.zip").read_bytes()
    except (OSError, ValueError):
        return None
    if (meta.get("user_id") != user.id or _expired(meta)
            or hashlib.sha256(data).hexdigest() != meta.get("sha256")):
        return None
    return data, meta


def discard(token: str) -> None:
    if not token or not _TOKEN.match(token):
        return
    for suffix in (".zip", ".json"):
        # A read-only folder: the stash expires once it is writable again.
        with contextlib.suppress(OSError):
            (upload_dir() / f"zip-{token}{suffix}").unlink(missing_ok=True)


# ----------------------------------------------------------------------------- writing


def replace_files(draft: CourseDraft, new_files: dict[str, bytes], *, user: User,
                  action: str = "draft.replaced", detail: dict | None = None,
                  commit: bool = True) -> dict[str, int]:
    """Make the workspace hold exactly `new_files` (one transaction, with an audit event).

    With `commit=False` the caller commits (zip import publishes in the same transaction).
    Returns the counts of added, changed and removed files.
    """
    counts = {"added": 0, "changed": 0, "removed": 0}
    try:
        rows = {row.path: row for row in db.session.scalars(
            select(DraftFile).where(DraftFile.draft_id == draft.id))}
        now = clock.now()
        for path, row in rows.items():
            if path not in new_files:
                db.session.delete(row)
                counts["removed"] += 1
            elif row.data != new_files[path]:
                row.data, row.sha256 = new_files[path], hashlib.sha256(new_files[path]).hexdigest()
                row.updated_by_id, row.updated_at = user.id, now
                counts["changed"] += 1
        for path, data in new_files.items():
            if path not in rows:
                db.session.add(DraftFile(draft_id=draft.id, path=path, data=data,
                                         sha256=hashlib.sha256(data).hexdigest(),
                                         updated_by_id=user.id, updated_at=now))
                counts["added"] += 1
        draft.updated_at, draft.updated_by_id = now, user.id
        audit.record(action, actor=user, scope=f"course:{draft.slug}", target=draft.slug,
                     detail={**counts, **(detail or {})})
        db.session.flush()
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def import_zip(data: bytes, meta: dict, *, user: User, note: str) -> ImportResult:
    """Import a stashed zip (checked again here: the stash is not trusted) into the course's
    workspace and publish it as a new content version, in one transaction."""
    contents, pack = check_zip(data, meta.get("filename", "upload.zip"))
    if pack.slug != meta.get("slug") or not may_import(user, pack.slug):
        raise NotAllowed(pack.slug)
    course = db.session.scalar(select(Course).where(Course.slug == pack.slug))
    live_id = course.current_version_id if course is not None else None
    if live_id != meta.get("live_version_id"):
        raise ChangedSincePreview(pack.slug)
    draft = drafts.draft_for(pack.slug)
    if draft is None and course is not None:
        draft = drafts.open_draft(pack.slug, user)
    try:
        if draft is None:  # a new course: its workspace is created in the publish's transaction
            draft = drafts.new_course(pack.slug, pack.files, user=user, commit=False)
        replace_files(draft, pack.files, user=user, action="course.zip_imported",
                      detail={"file": meta.get("filename", "")[:200], "note": note[:500]},
                      commit=False)
        # The preview was computed against the live version, which has not changed since
        # (checked above), so publishing over an older workspace base is what the author saw.
        return drafts.publish(draft, note=note, user=user, force=True)
    except Exception:
        db.session.rollback()
        raise
