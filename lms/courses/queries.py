"""Read-only queries for course pages, each a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from lms import clock
from lms.courses import offline
from lms.courses.models import Course, Module, ModuleVersion, PackBlob, PackFile, QuizVersion
from lms.extensions import db


@dataclass(frozen=True)
class SyllabusItem:
    """A module in the current version, without its body (for lists and navigation)."""

    module_id: int
    slug: str
    position: int
    title: str
    title_en: str | None
    minutes: int
    objectives: list

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


def published_courses(area: str | None = None, q: str | None = None) -> list[Course]:
    stmt = (select(Course).options(joinedload(Course.current_version))
            .where(Course.status == "published", Course.current_version_id.is_not(None))
            .order_by(Course.title_id))
    if area:
        stmt = stmt.where(Course.area == area)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Course.title_id).like(like),
                              func.lower(Course.title_en).like(like)))
    return list(db.session.scalars(stmt).unique())


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).options(joinedload(Course.current_version))
                             .where(Course.slug == slug, Course.current_version_id.is_not(None)))


def syllabus(course: Course) -> list[SyllabusItem]:
    """The modules of the current version in order, without their bodies."""
    rows = db.session.execute(
        select(ModuleVersion.module_id, Module.slug, ModuleVersion.position, ModuleVersion.title,
               ModuleVersion.title_en, ModuleVersion.minutes, ModuleVersion.objectives)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.version_id == course.current_version_id)
        .order_by(ModuleVersion.position))
    return [SyllabusItem(*row) for row in rows]


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
    bodies and the sizes of the version's media): the media the modules refer to as they are,
    the pages and the stylesheet compressed to about a third."""
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
