"""A course as static HTML for a library without internet: the pages of a USB stick.

Pure: plain data in (`OfflineCourse`), files out (`build_bundle` → {path: bytes}), and the zip
(`zip_bundle`). No Flask and no database: `lms/courses/queries.py` `offline_bundle` reads the
course's current version and calls this; the course page's download and `flask lms
export-offline` serve or write what it returns.

The pages open from disk (`file://`) in any browser: every link is relative, nothing needs a
server, JavaScript or the internet. Layout of the bundle (inside one folder named after the
course, so unzipping makes one folder):

    index.html            course title, summary, modules in order with minutes, quizzes
                          ("take it online"), "About this copy"
    01-<module>.html ...  one page per module: the stored body with links rewritten
    media/...             the media the modules refer to
    css/pelita.css        the site's own stylesheet (it references no other file)
    img/favicon.svg       the logo in the header

Module HTML is the stored, sanitised `ModuleVersion.body_html`; its media URLs
(`/courses/<slug>/v<version>/media/x.png`) become `media/x.png`, module links become the
module's file, the course page becomes `index.html`. Any other link into the site becomes an
absolute link to the public address when one is configured; otherwise it loses its `href`
(plain text): no absolute `/...` path is left. File names are sanitised, and the zip is
deterministic (sorted entries, one fixed timestamp), so two exports of the same version on the
same day are byte-identical.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
STYLESHEET = "css/pelita.css"
LOGO = "img/favicon.svg"

_ATTRIBUTE = re.compile(r'(\s)(href|src)="([^"]*)"')
_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OfflineModule:
    slug: str
    title: str
    minutes: int
    body_html: str
    objectives: tuple[str, ...] = ()
    toc: tuple[Mapping, ...] = ()


@dataclass(frozen=True)
class OfflineQuiz:
    title: str
    kind: str  # module | final | practical
    module_slug: str | None = None
    online_url: str | None = None  # absolute, on the public address; None when not configured


@dataclass(frozen=True)
class OfflineCourse:
    slug: str
    title: str
    summary: str
    version_label: str
    version_id: int
    exported_on: date
    modules: tuple[OfflineModule, ...]
    hours: int = 0
    authors: tuple[str, ...] = ()
    quizzes: tuple[OfflineQuiz, ...] = ()
    media: Mapping[str, bytes] = field(default_factory=dict)  # pack path ("media/x.png") -> bytes
    stylesheet: bytes = b""
    logo: bytes | None = None
    site_url: str | None = None  # the public address (PELITA_BASE_URL), None when not configured
    course_url: str | None = None  # the course page on the public address


# --------------------------------------------------------------------------- names and links


def safe_name(name: str) -> str:
    """One path segment reduced to letters, digits, `.`, `_` and `-`, never hidden or empty."""
    cleaned = _SAFE_CHARS.sub("-", name).strip(".-") or "file"
    return cleaned[:120]


def module_file(position: int, slug: str) -> str:
    return f"{position:02d}-{safe_name(slug)}.html"


def media_files(paths: list[str] | set[str]) -> dict[str, str]:
    """Pack media paths -> bundle paths (`media/...`, every segment sanitised, no clashes)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for path in sorted(paths):
        parts = [safe_name(p) for p in path.split("/")[1:] if p not in ("", ".", "..")]
        name = "media/" + "/".join(parts or ["file"])
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}-{n}.{suffix}" if dot and "/" not in suffix else f"{name}-{n}"
        taken.add(candidate.lower())
        out[path] = candidate
    return out


def _patterns(slug: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    base = "/courses/" + re.escape(slug)
    media = re.compile(base + r"/v\d+/(media/[^#?]+)(#.*)?$")
    module = re.compile(base + r"/modules/([^/#?]+)/?(#.*)?$")
    course = re.compile(base + r"/?(#.*)?$")
    return media, module, course


def referenced_media(body_html: str, slug: str) -> set[str]:
    """The pack paths (`media/...`) a module's stored HTML refers to."""
    media, _module, _course = _patterns(slug)
    found = set()
    for match in _ATTRIBUTE.finditer(body_html):
        hit = media.match(html.unescape(match.group(3)))
        if hit:
            found.add(unquote(hit.group(1)))
    return found


def rewrite_links(body_html: str, slug: str, *, modules: Mapping[str, str],
                  media: Mapping[str, str], site_url: str | None) -> str:
    """Module HTML with every site link made relative to the bundle (see the module docstring).
    `modules`: module slug -> file; `media`: pack path -> bundle path."""
    media_re, module_re, course_re = _patterns(slug)

    def target(value: str) -> str | None:
        if value.startswith("#") or re.match(r"^(https?|mailto|tel):", value, re.IGNORECASE):
            return value
        if hit := media_re.match(value):
            path = media.get(unquote(hit.group(1))) or media.get(hit.group(1))
            return path + (hit.group(2) or "") if path else None
        if hit := module_re.match(value):
            file = modules.get(unquote(hit.group(1)))
            return file + (hit.group(2) or "") if file else _online(value, site_url)
        if hit := course_re.match(value):
            return "index.html" + (hit.group(1) or "")
        if value.startswith("/") and not value.startswith("//"):
            return _online(value, site_url)
        return None  # a relative link the site never writes: nothing in the bundle answers it

    def replace(match: re.Match[str]) -> str:
        new = target(html.unescape(match.group(3)))
        if new is None:
            return ""  # the attribute goes: a link without href is plain text
        return f'{match.group(1)}{match.group(2)}="{html.escape(new, quote=True)}"'

    return _ATTRIBUTE.sub(replace, body_html)


def _online(path: str, site_url: str | None) -> str | None:
    return site_url.rstrip("/") + path if site_url else None


# --------------------------------------------------------------------------- pages


@lru_cache(maxsize=4)
def _environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    translations = Translations.load(str(TRANSLATIONS), [locale])  # English msgids if none
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def build_bundle(course: OfflineCourse, locale: str = "id") -> dict[str, bytes]:
    """Every file of the bundle, by its path inside the course's folder, in a fixed order."""
    env = _environment(locale)
    modules = list(course.modules)  # in the course's order
    files = {m.slug: module_file(i, m.slug) for i, m in enumerate(modules, start=1)}
    wanted = set()
    for m in modules:
        wanted |= referenced_media(m.body_html, course.slug)
    media = media_files({p for p in wanted if p in course.media})
    exported = format_date(course.exported_on, "long", locale=locale)
    common = {
        "course": course, "files": files, "exported": exported, "lang": locale,
        "stylesheet": STYLESHEET, "logo": LOGO if course.logo is not None else None,
        "course_quizzes": [q for q in course.quizzes if q.module_slug is None],
        "module_quizzes": {m.slug: [q for q in course.quizzes if q.module_slug == m.slug]
                           for m in modules},
    }
    out: dict[str, bytes] = {}
    out["index.html"] = env.get_template("offline/index.html").render(
        **common, modules=modules).encode("utf-8")
    for i, m in enumerate(modules):
        body = rewrite_links(m.body_html, course.slug, modules=files, media=media,
                             site_url=course.site_url)
        out[files[m.slug]] = env.get_template("offline/module.html").render(
            **common, module=m, body=body, number=i + 1, total=len(modules),
            prev=modules[i - 1] if i > 0 else None,
            next=modules[i + 1] if i + 1 < len(modules) else None,
        ).encode("utf-8")
    out[STYLESHEET] = course.stylesheet
    if course.logo is not None:
        out[LOGO] = course.logo
    for path, name in media.items():
        out[name] = course.media[path]
    return dict(sorted(out.items()))


def folder_name(course: OfflineCourse) -> str:
    """The one folder the zip unpacks into: `<slug>-v<version>`."""
    return safe_name(f"{course.slug}-v{course.version_label}")


def zip_bundle(files: Mapping[str, bytes], folder: str, stamp: datetime) -> bytes:
    """The files in a zip under `folder/`, sorted, all with the timestamp `stamp` (a local
    time; the zip format has no zone), so the same files give the same bytes."""
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                 stamp.second - stamp.second % 2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            if path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"unsafe path in a bundle: {path!r}")
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, files[path], compresslevel=9)
    return buffer.getvalue()


def size_text(size: int, locale: str = "id") -> str:
    """A download size for people: "1,2 MB" / "1.2 MB", "340 KB"."""
    if size >= 1024 * 1024:
        return format_decimal(size / (1024 * 1024), "#,##0.#", locale=locale) + " MB"
    return format_decimal(max(1, round(size / 1024)), "#,##0", locale=locale) + " KB"
