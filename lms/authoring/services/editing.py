"""Writers of the course and module editors, on top of `drafts` (which does the transactions and
the audit rows): build course.toml and module files from form values, reorder, add and delete
modules, check and store media. Reads for the workspace pages live here too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.auth.models import User
from lms.authoring import packfiles
from lms.authoring.mediafiles import MediaRefused, check_media_file
from lms.authoring.models import CourseDraft, CourseEditor, DraftFile
from lms.authoring.services import drafts
from lms.content import Problem
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.uploads import sanitise_filename

COURSE_TOML = "course.toml"

# ----------------------------------------------------------------------------- course.toml


def course_doc(values: dict, base: dict | None = None) -> dict:
    """course.toml as a dict from the editor's values (over `base`, the current file, so keys
    the form does not show, such as `modules`, are kept)."""
    doc = dict(base or {})
    for table in packfiles.COURSE_TABLES:
        doc[table] = dict(doc.get(table) or {})
    doc["slug"] = values.get("slug", doc.get("slug"))
    for name in ("version", "area", "hours", "enrolment", "sequential"):
        if name in values:
            doc[name] = values[name]
    for name in ("authors", "prerequisites"):
        if name in values:
            doc[name] = list(values[name])
    doc["title"].update({"id": values["title_id"], "en": values["title_en"]})
    summary = {"id": values.get("summary_id") or None, "en": values.get("summary_en") or None}
    doc["summary"] = {k: v for k, v in summary.items() if v}
    if "completion" in values:
        doc["completion"].update(values["completion"])
    if "certificate" in values:
        doc["certificate"].update(values["certificate"])
    for table in ("summary", "completion", "certificate"):
        doc[table] = {k: v for k, v in doc[table].items() if v is not None}
        if not doc[table]:
            doc.pop(table)
    return doc


def course_text(values: dict, base: dict | None = None) -> str:
    return packfiles.dump_course(course_doc(values, base))


def first_module_text(title: str) -> str:
    return packfiles.dump_module(
        {"title": title, "minutes": 10},
        "Tulis isi modul di sini.\n\n## Bagian pertama\n\nGunakan **Markdown** untuk teks.\n")


def create_course(values: dict, first_module_title: str, *, user: User) -> CourseDraft:
    """A new course workspace with a course.toml and one module; the creator is its editor."""
    module_slug = "pendahuluan"
    doc = course_doc(values)
    doc["modules"] = [module_slug]
    doc.setdefault("completion", {"modules": "all"})
    doc.setdefault("certificate", {"enabled": True})
    files = {
        COURSE_TOML: packfiles.dump_course(doc).encode(),
        packfiles.module_path(1, module_slug): first_module_text(first_module_title).encode(),
    }
    return drafts.new_course(values["slug"], files, user=user)


# ----------------------------------------------------------------------------- modules


def _course_file(draft: CourseDraft) -> DraftFile:
    row = drafts.get_file(draft, COURSE_TOML)
    if row is None:
        raise drafts.EditConflict(COURSE_TOML, by=None, at=None, current_revision=None)
    return row


def _modules_of(text: str) -> list[str]:
    modules = packfiles.parse_course(text).get("modules")
    return list(modules) if isinstance(modules, list) else []


def move_module(draft: CourseDraft, slug: str, direction: str, *, expected_revision: int,
                user: User) -> None:
    """Swap a module with its neighbour in the `modules` list of course.toml."""
    row = _course_file(draft)
    if row.revision != expected_revision:
        raise drafts._conflict(row, COURSE_TOML)
    text = row.data.decode("utf-8")
    modules = _modules_of(text)
    if slug not in modules:
        raise LookupError(slug)
    i = modules.index(slug)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(modules):
        return
    modules[i], modules[j] = modules[j], modules[i]
    new = packfiles.set_top_level(text, "modules", modules)
    drafts.save_file(draft, COURSE_TOML, new.encode(), expected_revision=expected_revision,
                     user=user, action="module.moved", detail={"module": slug,
                                                               "direction": direction})


def add_module(draft: CourseDraft, slug: str, text: str, *, course_revision: int,
               user: User) -> str:
    """A new module file, listed last in `modules`; one transaction. Returns its path."""
    row = _course_file(draft)
    course = row.data.decode("utf-8")
    modules = _modules_of(course)
    paths = [r.path for r in drafts.list_files(draft)]
    if slug in modules or slug in packfiles.module_files(paths):
        raise ValueError(slug)
    path = packfiles.next_module_path(paths, slug)
    new_course = packfiles.set_top_level(course, "modules", [*modules, slug])
    drafts.save_files(draft, {COURSE_TOML: (new_course.encode(), course_revision),
                              path: (text.encode(), None)},
                      user=user, action="module.added", target=path)
    return path


def delete_module(draft: CourseDraft, slug: str, *, revision: int, course_revision: int,
                  user: User) -> None:
    """Remove a module's file and its entry in `modules`; one transaction."""
    row = _course_file(draft)
    course = row.data.decode("utf-8")
    modules = _modules_of(course)
    path = packfiles.module_files(r.path for r in drafts.list_files(draft)).get(slug)
    changes: dict[str, tuple[bytes | None, int | None]] = {}
    if slug in modules:
        new_course = packfiles.set_top_level(course, "modules", [m for m in modules if m != slug])
        changes[COURSE_TOML] = (new_course.encode(), course_revision)
    if path is not None:
        changes[path] = (None, revision)
    if not changes:
        raise LookupError(slug)
    drafts.save_files(draft, changes, user=user, action="module.deleted", target=path or slug)


# ----------------------------------------------------------------------------- media


def check_media(filename: str, data: bytes) -> str:
    """The safe name (media/<name>) of an upload, or `MediaRefused`. The type is checked from
    the content (`mediafiles.check_media_file`, the same check as the zip import): a file
    whose bytes are not what its name says is refused."""
    clean = sanitise_filename(filename)
    if "." in clean:  # no spaces or brackets: the name goes into a Markdown link
        stem, _dot, ext = clean.rpartition(".")
        clean = re.sub(r"[\s()]+", "-", stem).strip("-.") + "." + ext if stem.strip("-. ()") \
            else ""
    check_media_file(clean, data)
    stem, _dot, ext = clean.rpartition(".")
    return f"media/{stem}.{ext.lower()}"


def upload_media(draft: CourseDraft, filename: str, data: bytes, *, user: User) -> str:
    path = check_media(filename, data)
    if drafts.get_file(draft, path) is not None:
        raise MediaRefused("exists", path.rsplit("/", 1)[-1])
    try:
        drafts.save_file(draft, path, data, expected_revision=None, user=user,
                         action="media.uploaded")
    except (drafts.EditConflict, IntegrityError):
        # Another upload of the same name won the race between the check above and the insert
        # (the unique (draft, path) constraint refused this one; save_files rolled back).
        raise MediaRefused("exists", path.rsplit("/", 1)[-1]) from None
    return path


@dataclass
class MediaItem:
    path: str
    size: int
    revision: int

    @property
    def name(self) -> str:
        return self.path.removeprefix("media/")

    @property
    def is_image(self) -> bool:
        return self.path.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp"))

    @property
    def snippet(self) -> str:
        return packfiles.media_snippet(self.path)


def media_items(draft: CourseDraft) -> list[MediaItem]:
    """The media files of the workspace with their sizes (one query, no file contents)."""
    rows = db.session.execute(
        select(DraftFile.path, func.length(DraftFile.data), DraftFile.revision)
        .where(DraftFile.draft_id == draft.id, DraftFile.path.like("media/%"))
        .order_by(DraftFile.path))
    return [MediaItem(path, size or 0, revision) for path, size, revision in rows]


# ----------------------------------------------------------------------------- reads


@dataclass
class ModuleRow:
    slug: str
    path: str | None
    title: str
    revision: int | None


@dataclass
class Workspace:
    draft: CourseDraft
    course: Course | None
    course_revision: int | None
    course_toml: dict
    course_error: str | None
    modules: list[ModuleRow]
    stray: list[ModuleRow]  # module files not listed in `modules`
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False

    @property
    def title(self) -> str:
        title = self.course_toml.get("title")
        if isinstance(title, dict) and title.get("id"):
            return str(title["id"])
        return self.draft.slug


def workspace(draft: CourseDraft) -> Workspace:
    rows = drafts.list_files(draft)
    by_path = {r.path: r for r in rows}
    course = db.session.scalar(select(Course).where(Course.slug == draft.slug))
    toml_row = by_path.get(COURSE_TOML)
    course_toml: dict = {}
    error = None
    if toml_row is not None:
        try:
            course_toml = packfiles.parse_course(toml_row.data.decode("utf-8"))
        except (packfiles.PackFileError, UnicodeDecodeError) as exc:
            error = str(exc)
    listed = course_toml.get("modules") if isinstance(course_toml.get("modules"), list) else []
    files = packfiles.module_files(by_path)
    modules = [_module_row(slug, files.get(slug), by_path) for slug in listed]
    stray = [_module_row(slug, path, by_path) for slug, path in files.items()
             if slug not in listed]
    pack = {r.path: r.data for r in rows}
    problems = drafts.validate_files(pack)
    if draft.base_version_id is None:
        changed = True
    else:
        from lms.content.loader import compute_content_hash
        from lms.courses.models import CourseVersion

        base = db.session.get(CourseVersion, draft.base_version_id)
        changed = base is None or compute_content_hash(pack) != base.content_hash
    return Workspace(draft, course, toml_row.revision if toml_row else None, course_toml, error,
                     modules, stray, problems, changed)


def _module_row(slug: str, path: str | None, by_path: dict[str, DraftFile]) -> ModuleRow:
    row = by_path.get(path) if path else None
    title = slug
    if row is not None:
        try:
            meta = packfiles.parse_module(row.data.decode("utf-8")).meta
            if isinstance(meta.get("title"), str) and meta["title"].strip():
                title = meta["title"]
        except (packfiles.PackFileError, UnicodeDecodeError):
            pass
    return ModuleRow(slug, path, title, row.revision if row else None)


def localized_title(title: object, locale: str) -> str:
    """A {"id": ..., "en": ...} title in the reader's language (Indonesian when there is no
    English one); "" when there is none."""
    if isinstance(title, dict):
        return str(title.get(locale) or title.get("id") or "").strip()
    return ""


def course_title(slug: str, locale: str) -> str:
    """The title a course's authoring pages show: the draft's course.toml title, else the
    published course's, else (a broken course.toml of a never-published course) the slug.
    Two queries at most."""
    data = db.session.scalar(
        select(DraftFile.data).join(CourseDraft, CourseDraft.id == DraftFile.draft_id)
        .where(CourseDraft.slug == slug, DraftFile.path == COURSE_TOML))
    if data is not None:
        try:
            title = localized_title(packfiles.parse_course(data.decode("utf-8")).get("title"),
                                    locale)
        except (packfiles.PackFileError, UnicodeDecodeError, AttributeError):
            title = ""
        if title:
            return title
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return course.title(locale) if course is not None else slug


def module_title(data: bytes | None, locale: str, fallback: str) -> str:
    """A module file's title (`title`, or `title_en` for English readers), else `fallback`."""
    if data is None:
        return fallback
    try:
        meta = packfiles.parse_module(data.decode("utf-8")).meta
    except (packfiles.PackFileError, UnicodeDecodeError):
        return fallback
    for key in (("title_en", "title") if locale == "en" else ("title",)):
        if isinstance(meta.get(key), str) and meta[key].strip():
            return meta[key].strip()
    return fallback


@dataclass
class CourseListItem:
    slug: str
    title: str
    status: str  # published | archived | draft (never published) | not_opened
    has_draft: bool


def authorable_courses(user: User, locale: str = "id") -> list[CourseListItem]:
    """The courses `user` may edit (admins: every course and every workspace), titled in the
    reader's language as every authoring page is, in a constant number of queries."""
    drafts_q = select(CourseDraft.id, CourseDraft.slug)
    if not user.is_admin:
        drafts_q = drafts_q.join(CourseEditor, CourseEditor.draft_id == CourseDraft.id).where(
            CourseEditor.user_id == user.id)
    draft_rows = db.session.execute(drafts_q).all()
    draft_slugs = {slug for _id, slug in draft_rows}
    courses_q = select(Course.slug, Course.title_id, Course.title_en, Course.status)
    if not user.is_admin:
        courses_q = courses_q.where(Course.slug.in_(draft_slugs or {""}))
    courses = {slug: ((title_en if locale == "en" and title_en else title_id), status)
               for slug, title_id, title_en, status in db.session.execute(courses_q)}
    unpublished = [draft_id for draft_id, slug in draft_rows if slug not in courses]
    titles: dict[int, str] = {}
    for draft_id, data in db.session.execute(  # always run: the query count stays constant
            select(DraftFile.draft_id, DraftFile.data).where(
                DraftFile.draft_id.in_(unpublished), DraftFile.path == COURSE_TOML)):
        try:
            title = packfiles.parse_course(data.decode("utf-8")).get("title") or {}
            titles[draft_id] = str(title.get(locale) or title.get("id") or "")
        except (packfiles.PackFileError, UnicodeDecodeError, AttributeError):
            pass
    items = [CourseListItem(slug, title, status, slug in draft_slugs)
             for slug, (title, status) in courses.items()]
    items += [CourseListItem(slug, titles.get(draft_id) or slug, "draft", True)
              for draft_id, slug in draft_rows if slug not in courses]
    return sorted(items, key=lambda i: (i.title.lower(), i.slug))


@dataclass
class PendingDraft:
    """A workspace of `user` whose content differs from what learners see."""

    slug: str
    title: str
    published: bool  # False: never published
    updated_at: object  # datetime of the last save


def drafts_with_changes(user: User) -> list[PendingDraft]:
    """The workspaces `user` edits (admins too: only their own) holding unpublished changes —
    the rule of `drafts.has_changes` (content hash against the base version's), for all of
    them in two queries. Most recently changed first."""
    from lms.content.loader import compute_content_hash
    from lms.courses.models import CourseVersion

    rows = db.session.execute(
        select(CourseDraft.id, CourseDraft.slug, CourseDraft.base_version_id,
               CourseDraft.updated_at, CourseVersion.content_hash, Course.title_id)
        .join(CourseEditor, CourseEditor.draft_id == CourseDraft.id)
        .outerjoin(CourseVersion, CourseVersion.id == CourseDraft.base_version_id)
        .outerjoin(Course, Course.slug == CourseDraft.slug)
        .where(CourseEditor.user_id == user.id)).all()
    files: dict[int, dict[str, bytes]] = {row.id: {} for row in rows}
    for draft_id, path, data in db.session.execute(  # always run: the query count stays constant
            select(DraftFile.draft_id, DraftFile.path, DraftFile.data)
            .where(DraftFile.draft_id.in_(list(files)))):
        files[draft_id][path] = data
    pending = []
    for row in rows:
        if row.base_version_id is not None and row.content_hash is not None and (
                compute_content_hash(files[row.id]) == row.content_hash):
            continue
        title = row.title_id
        if not title and COURSE_TOML in files[row.id]:
            try:
                meta = packfiles.parse_course(files[row.id][COURSE_TOML].decode("utf-8"))
                title = str((meta.get("title") or {}).get("id") or "")
            except (packfiles.PackFileError, UnicodeDecodeError, AttributeError):
                title = ""
        pending.append(PendingDraft(row.slug, title or row.slug, row.title_id is not None,
                                    clock.aware(row.updated_at)))
    return sorted(pending, key=lambda d: (d.updated_at is not None, d.updated_at), reverse=True)


def editors(draft: CourseDraft) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CourseEditor, CourseEditor.user_id == User.id)
        .where(CourseEditor.draft_id == draft.id).order_by(User.full_name, User.id)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
