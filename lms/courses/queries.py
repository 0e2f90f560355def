"""Read-only queries for course pages, each a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, event, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload
from werkzeug.routing import BuildError

from lms import clock
from lms.cache import LRU
from lms.courses import offline
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
from lms.learning.models import Enrollment
from lms.quizzes.rules import QuizRules


@dataclass(frozen=True)
class SyllabusItem:
    """A module in the current version, without its body (for lists and navigation)."""

    module_id: int
    slug: str
    position: int
    title: str
    title_en: str | None
    minutes: int
    objectives: tuple

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


# --------------------------------------------------------------------------- the version cache
# What a page shows of a course version (its outline, the module pages) never changes once the
# version is imported, so it is read once per process and kept, keyed by the version's id, in
# bounded LRUs (lms/cache.py). These are plain frozen values, never ORM objects, so no session
# is shared between requests. Versions are never deleted; a version read inside a transaction
# that is then rolled back (its id may be used again) is forgotten: every rollback empties the
# caches (`_forget_on_rollback`). docs/performance.md lists what is cached.


@dataclass(frozen=True)
class QuizItem:
    """A quiz of a version as pages and the progress rule read it (a `QuizVersion` without
    its questions)."""

    quiz_id: int
    slug: str
    module_id: int | None
    kind: str
    title: dict
    settings: dict
    grading: str  # the grading method over attempts (`QuizRules.grading`), read once

    def display_title(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("id") or self.slug


@dataclass(frozen=True)
class Outline:
    """A version's modules (in order, without bodies), quizzes and course.toml."""

    version_id: int
    items: tuple[SyllabusItem, ...]
    quizzes: tuple[QuizItem, ...]
    manifest: dict

    @property
    def module_ids(self) -> list[int]:
        return [i.module_id for i in self.items]


@dataclass(frozen=True)
class ModuleRef:
    id: int
    slug: str


@dataclass(frozen=True)
class ModulePage:
    """One module of a version as its page shows it (the rendered Markdown included)."""

    module_id: int
    module: ModuleRef
    position: int
    title: str
    title_en: str | None
    minutes: int
    objectives: tuple
    toc: tuple
    body_html: str

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


_outlines: LRU[Outline] = LRU("course outlines", 256)
_module_pages: LRU[ModulePage | bool] = LRU("module pages", 512)
_offline_sizes: LRU[int] = LRU("offline size estimates", 256)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction) -> None:
    _outlines.clear()
    _module_pages.clear()
    _offline_sizes.clear()


def outlines(version_ids: list[int]) -> dict[int, Outline]:
    """The outline of each version by id: cached ones at once, the others read together in
    three queries (versions, modules, quizzes) whatever their number."""
    found = {vid: o for vid in version_ids if (o := _outlines.get(vid)) is not None}
    missing = [vid for vid in dict.fromkeys(version_ids) if vid not in found]
    if not missing:
        return found
    manifests = dict(db.session.execute(
        select(CourseVersion.id, CourseVersion.manifest).where(CourseVersion.id.in_(missing))).all())
    items: dict[int, list[SyllabusItem]] = {vid: [] for vid in missing}
    for row in db.session.execute(
            select(ModuleVersion.version_id, ModuleVersion.module_id, Module.slug,
                   ModuleVersion.position, ModuleVersion.title, ModuleVersion.title_en,
                   ModuleVersion.minutes, ModuleVersion.objectives)
            .join(Module, Module.id == ModuleVersion.module_id)
            .where(ModuleVersion.version_id.in_(missing))
            .order_by(ModuleVersion.version_id, ModuleVersion.position)):
        items[row.version_id].append(SyllabusItem(
            row.module_id, row.slug, row.position, row.title, row.title_en, row.minutes,
            tuple(row.objectives or ())))
    quizzes: dict[int, list[QuizItem]] = {vid: [] for vid in missing}
    for row in db.session.execute(
            select(QuizVersion.version_id, QuizVersion.quiz_id, Quiz.slug, QuizVersion.module_id,
                   QuizVersion.kind, QuizVersion.title, QuizVersion.settings)
            .join(Quiz, Quiz.id == QuizVersion.quiz_id)
            .where(QuizVersion.version_id.in_(missing))
            .order_by(QuizVersion.version_id, QuizVersion.id)):
        quizzes[row.version_id].append(QuizItem(
            row.quiz_id, row.slug, row.module_id, row.kind, dict(row.title or {}),
            dict(row.settings or {}), QuizRules.of(row.settings).grading))
    for vid in missing:
        if vid in manifests:
            found[vid] = _outlines.put(vid, Outline(vid, tuple(items[vid]), tuple(quizzes[vid]),
                                                    dict(manifests[vid] or {})))
    return found


def outline(course: Course) -> Outline:
    """The outline of the course's current version (cached; see `outlines`)."""
    vid = course.current_version_id
    empty = Outline(0, (), (), {})
    return outlines([vid]).get(vid, empty) if vid else empty


def module_content(course: Course, module_slug: str) -> ModulePage | None:
    """A module of the course's current version, by slug (cached, one query when not)."""
    version_id = course.current_version_id
    if version_id is None:
        return None
    key = (version_id, module_slug)
    cached = _module_pages.get(key)
    if cached is not None:
        return cached or None

    def load() -> ModulePage | bool:
        row = db.session.execute(
            select(ModuleVersion.module_id, Module.slug, ModuleVersion.position,
                   ModuleVersion.title, ModuleVersion.title_en, ModuleVersion.minutes,
                   ModuleVersion.objectives, ModuleVersion.toc, ModuleVersion.body_html)
            .join(Module, Module.id == ModuleVersion.module_id)
            .where(ModuleVersion.version_id == version_id, Module.slug == module_slug)).first()
        if row is None:
            return False  # remembered too: a wrong slug costs no query the next time
        return ModulePage(row.module_id, ModuleRef(row.module_id, row.slug), row.position,
                          row.title, row.title_en, row.minutes, tuple(row.objectives or ()),
                          tuple(row.toc or ()), row.body_html)

    return _module_pages.put(key, load()) or None


def published_courses(area: str | None = None, q: str | None = None) -> list[Course]:
    stmt = (select(Course)  # the versions' outlines come from the cache (`outlines`)
            .where(Course.status == "published", Course.current_version_id.is_not(None))
            .order_by(Course.title_id))
    if area:
        stmt = stmt.where(Course.area == area)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Course.title_id).like(like),
                              func.lower(Course.title_en).like(like)))
    return list(db.session.scalars(stmt))


def course_and_enrollment(slug: str, user_id: int | None
                          ) -> tuple[Course | None, Enrollment | None]:
    """The course (with its current version) and the learner's enrolment in it, in one query."""
    if user_id is None:
        return course_by_slug(slug), None
    row = db.session.execute(_COURSE_AND_ENROLLMENT, {"slug": slug, "user_id": user_id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


# Built once (the version's outline comes from the cache, `outline`).
_COURSE_AND_ENROLLMENT = (
    select(Course, Enrollment)
    .outerjoin(Enrollment, (Enrollment.course_id == Course.id)
               & (Enrollment.user_id == bindparam("user_id")))
    .where(Course.slug == bindparam("slug"), Course.current_version_id.is_not(None)))


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).options(joinedload(Course.current_version))
                             .where(Course.slug == slug, Course.current_version_id.is_not(None)))


def syllabus(course: Course) -> list[SyllabusItem]:
    """The modules of the current version in order, without their bodies (cached)."""
    return list(outline(course).items)


def module_page(course: Course, module_slug: str) -> ModuleVersion | None:
    return db.session.scalar(
        select(ModuleVersion).options(joinedload(ModuleVersion.module))
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.version_id == course.current_version_id, Module.slug == module_slug))


def quizzes_of(course: Course) -> list[QuizVersion]:
    """Every quiz of the current version (module quizzes, final, practical)."""
    return list(db.session.scalars(
        select(QuizVersion).options(joinedload(QuizVersion.quiz))
        .where(QuizVersion.version_id == course.current_version_id)
        .order_by(QuizVersion.id)))


def locked_modules(items: list[SyllabusItem], done: set[int], sequential: bool) -> set[int]:
    """Module ids a learner cannot open yet: with sequential unlock, those after the first
    module not yet done. Modules already done always stay open."""
    if not sequential:
        return set()
    locked: set[int] = set()
    blocked = False
    for item in items:
        if blocked and item.module_id not in done:
            locked.add(item.module_id)
        if item.module_id not in done:
            blocked = True
    return locked


# --------------------------------------------------------------------------- the offline copy


@dataclass(frozen=True)
class OfflineZip:
    """The offline copy of a course version as a zip (`lms/courses/offline.py`)."""

    data: bytes
    filename: str


def offline_etag(course: Course) -> str:
    """The download's ETag: the version and the day (the pages say when the copy was made)."""
    return f"offline-v{course.current_version_id}-{clock.today().isoformat()}"


def _site_url() -> str | None:
    """The public address when one is configured (not the development default)."""
    if current_app.config.get("BASE_URL_IS_DEFAULT"):
        return None
    return (current_app.config.get("BASE_URL") or "").rstrip("/") or None


def _online_url(site_url: str | None, endpoint: str, **values) -> str | None:
    """An absolute link to a page of the site, on the public address (None without one)."""
    if site_url is None:
        return None
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:  # e.g. the quiz engine is not mounted
        return None
    return site_url + path


def _static(name: str) -> bytes | None:
    path = Path(current_app.static_folder or "") / name
    return path.read_bytes() if path.is_file() else None


def offline_source(course: Course) -> offline.OfflineCourse:
    """The course's current version as plain data for the offline builder: 3 queries (modules,
    quizzes, the media the modules refer to), whatever the number of modules."""
    version = course.current_version
    rows = db.session.execute(
        select(ModuleVersion.module_id, Module.slug, ModuleVersion.title, ModuleVersion.minutes, ModuleVersion.objectives,
               ModuleVersion.body_html, ModuleVersion.toc)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.version_id == course.current_version_id)
        .order_by(ModuleVersion.position)).all()
    modules = tuple(offline.OfflineModule(
        slug=r.slug, title=r.title, minutes=r.minutes, body_html=r.body_html,
        objectives=tuple(str(o) for o in r.objectives or ()), toc=tuple(r.toc or ()))
        for r in rows)
    module_slugs = {r.module_id: r.slug for r in rows}
    site_url = _site_url()
    quizzes = tuple(offline.OfflineQuiz(
        title=q.display_title("id"), kind=q.kind, module_slug=module_slugs.get(q.module_id),
        online_url=_online_url(site_url, "quizzes.quiz", quiz_id=q.quiz_id))
        for q in quizzes_of(course))
    wanted: set[str] = set()
    for m in modules:
        wanted |= offline.referenced_media(m.body_html, course.slug)
    media = dict(db.session.execute(
        select(PackFile.path, PackBlob.data)
        .join(PackBlob, PackBlob.sha256 == PackFile.sha256)
        .where(PackFile.version_id == course.current_version_id, PackFile.path.in_(wanted))
    ).all()) if wanted else {}
    manifest = version.manifest if version else {}
    return offline.OfflineCourse(
        slug=course.slug, title=course.title_id, summary=course.summary_id,
        version_label=version.version_label if version else "", version_id=course.current_version_id,
        exported_on=clock.today(), modules=modules, hours=course.hours,
        authors=tuple(str(a) for a in manifest.get("authors") or ()), quizzes=quizzes,
        media=media, stylesheet=_static(offline.STYLESHEET) or b"", logo=_static(offline.LOGO),
        site_url=site_url, course_url=_online_url(site_url, "courses.course", slug=course.slug),
    )


def offline_zip(course: Course) -> OfflineZip:
    """The offline copy of the course's current version, zipped. The entries carry the
    version's date (WIB), so the same version exported the same day gives the same bytes."""
    source = offline_source(course)
    files = offline.build_bundle(source)
    folder = offline.folder_name(source)
    created = course.current_version.created_at if course.current_version else clock.now()
    stamp = clock.aware(created).astimezone(clock.WIB).replace(tzinfo=None)
    return OfflineZip(offline.zip_bundle(files, folder, stamp), f"{folder}.zip")


def offline_size_estimate(course: Course) -> int:
    """About how many bytes the offline zip takes, without building it, in ONE query (module
    bodies and the sizes of the version's media), once per version and process: the media the
    modules refer to as they are, the pages and the stylesheet compressed to about a third."""
    if course.current_version_id is None:
        return 0
    return _offline_sizes.get_or_load(course.current_version_id,
                                      lambda: _offline_size_estimate(course))


def _offline_size_estimate(course: Course) -> int:
    version_id = course.current_version_id
    rows = db.session.execute(union_all(
        select(literal("page").label("kind"), ModuleVersion.body_html.label("text"),
               literal(0).label("size"))
        .where(ModuleVersion.version_id == version_id),
        select(literal("media"), PackFile.path, PackBlob.size)
        .join(PackBlob, PackBlob.sha256 == PackFile.sha256)
        .where(PackFile.version_id == version_id, PackFile.path.like("media/%")),
    )).all()
    bodies = [r.text for r in rows if r.kind == "page"]
    wanted: set[str] = set()
    for body in bodies:
        wanted |= offline.referenced_media(body, course.slug)
    media = sum(int(r.size) for r in rows if r.kind == "media" and r.text in wanted)
    css = Path(current_app.static_folder or "") / offline.STYLESHEET
    text = sum(len(b.encode()) + 4096 for b in bodies) + (css.stat().st_size if css.is_file() else 0)
    return media + text // 3
def media_paths(course: Course) -> list[str]:
    """The pack paths of the current version's media files (`media/...`), in path order."""
    return list(db.session.scalars(
        select(PackFile.path)
        .where(PackFile.version_id == course.current_version_id, PackFile.path.like("media/%"))
        .order_by(PackFile.path)))


def module_markdown(course: Course, module_slug: str) -> str | None:
    """The Markdown source of a module of the current version (`modules/NN-slug.md`), as the
    pack holds it; None if the file cannot be found."""
    rows = db.session.execute(
        select(PackFile.path, PackBlob.data).join(PackBlob, PackBlob.sha256 == PackFile.sha256)
        .where(PackFile.version_id == course.current_version_id,
               PackFile.path.like("modules/%.md"))).all()
    for path, data in rows:
        name = path.removeprefix("modules/").removesuffix(".md")
        if name.partition("-")[2] == module_slug:
            return bytes(data).decode("utf-8", errors="replace")
    return None
