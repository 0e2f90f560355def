"""Certificate PDFs rendered with WeasyPrint from a plain Jinja2 template.

Render once when a certificate is issued and store the bytes: a warm render
costs a few hundred milliseconds, almost all of it font subsetting, which is
why the design uses exactly two bundled faces (DejaVu Sans regular and bold).
WeasyPrint fetches resources only through :class:`StaticFetcher`, which serves
files under ``static_dir`` and ``data:`` URIs and refuses everything else.

Other designs (a plugin's ``register_certificate_template``) are folders with
their own certificate.html and certificate.css and assets: pass the folder as
``template_dir``; the fetcher then serves that folder too, and nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import jinja2
import segno

TEMPLATE_DIR = Path(__file__).with_name("templates_pdf")
TEMPLATE_NAME = "certificate.html"
# Paths relative to static_dir that are part of the design.
FONT_FILES = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
DEFAULT_LOGO = "img/logo-default.svg"
# Bump to force re-rendering for a reason the hashed files do not show.
DESIGN_REVISION = "1"
MAX_LOGO_BYTES = 2 * 1024 * 1024
_LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate; ``modules`` go on a second page."""

    holder_name: str
    course_title_id: str
    course_title_en: str
    hours: int
    completed_on: date
    place: str
    code: str
    issuer_name: str
    signatory_name: str
    signatory_role: str
    score: float | None = None
    expires_on: date | None = None
    modules: list[str] = field(default_factory=list)
    lang: str = "id"
    # The certificate set-up (/admin/certificate): a second signatory, and images as data: URIs
    # (`image_data_uri`) so the renderer never opens a file for them. Empty: not printed.
    signatory2_name: str = ""
    signatory2_role: str = ""
    signature_src: str = ""
    signature2_src: str = ""
    stamp_src: str = ""
    logo_srcs: tuple[str, ...] = ()


def format_date(value: date, lang: str = "id") -> str:
    """``26 November 2026`` with Indonesian (or English) month names, locale-independent."""
    months = MONTHS_EN if lang == "en" else MONTHS_ID
    return f"{value.day} {months[value.month - 1]} {value.year}"


def format_score(score: float, lang: str = "id") -> str:
    """``87,5`` (Indonesian decimal comma) or ``87.5``; integral scores without decimals."""
    rounded = round(float(score), 1)
    text = str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def size_class(text: str, limits: tuple[int, ...]) -> int:
    """Index of the first limit ``len(text)`` fits under (0 = largest type)."""
    length = len(unicodedata.normalize("NFC", text))
    for index, limit in enumerate(limits):
        if length <= limit:
            return index
    return len(limits)


NAME_LIMITS = (22, 32, 45, 60, 85, 130)  # -> .name-0 ... .name-6
TITLE_LIMITS = (55, 90, 140, 220)  # -> .title-0 ... .title-4
ISSUER_LIMITS = (70, 140)  # -> .issuer-0 ... .issuer-2


# --------------------------------------------------------------------------- fetcher


class ResourceRefused(ValueError):
    """Raised by the fetcher for any URL outside ``static_dir``."""


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    """Build the fetcher class on first use, so importing this module stays cheap."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        """Serves files under ``root`` and ``data:`` URIs; refuses and records the rest."""

        def __init__(self, root: Path, extra_roots: tuple[Path, ...] = ()) -> None:
            super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
            self.root = Path(root).resolve()
            self.roots = (self.root, *(Path(r).resolve() for r in extra_roots))
            self.refused: list[str] = []
            self.served: list[str] = []

        def _refuse(self, url: str, why: str) -> ResourceRefused:
            self.refused.append(url)
            return ResourceRefused(f"refused {url[:200]!r}: {why}")

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                header, sep, payload = url[5:].partition(",")
                if not sep:
                    raise self._refuse(url, "malformed data: URI")
                mime, _, params = header.partition(";")
                body = (
                    base64.b64decode(unquote(payload))
                    if params.endswith("base64")
                    else unquote_to_bytes(payload)
                )
                return URLFetcherResponse(url, body, {"Content-Type": mime or "text/plain"})
            if scheme != "file":
                raise self._refuse(url, "only files under static_dir may be fetched")
            if parts.netloc not in ("", "localhost"):
                raise self._refuse(url, "remote file URL")
            try:
                # url2pathname percent-decodes; resolve() follows symlinks and "..".
                path = Path(url2pathname(parts.path)).resolve()
            except (OSError, RuntimeError, ValueError):
                raise self._refuse(url, "unresolvable path") from None
            if not any(path.is_relative_to(r) for r in self.roots) or not path.is_file():
                raise self._refuse(url, "outside static_dir or missing")
            self.served.append(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticFetcher


def make_fetcher(static_dir: Path, extra_roots: tuple[Path, ...] = ()) -> Any:
    """A WeasyPrint URL fetcher that serves only ``static_dir`` files and ``data:`` URIs
    (and files under ``extra_roots``: a certificate design's own folder).

    Refused URLs are appended to ``fetcher.refused`` and raise
    :class:`ResourceRefused`; WeasyPrint logs that and renders without them.
    Served URLs are listed in ``fetcher.served``.
    """
    return _fetcher_class()(Path(static_dir), tuple(Path(r) for r in extra_roots))


# --------------------------------------------------------------------------- template


def _environment(template_dir: Path | None = None) -> jinja2.Environment:
    return _environment_for(str(Path(template_dir or TEMPLATE_DIR).resolve()))


@lru_cache(maxsize=16)
def _environment_for(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


LABELS = {
    "heading": ("SERTIFIKAT", "CERTIFICATE"),
    "awarded": ("diberikan kepada", "awarded to"),
    "completed": ("telah menyelesaikan pelatihan", "for successfully completing the training"),
    # "2 Jam Pelajaran (2 lesson hours)": the English follows in brackets, so no "(JP)" here.
    "hours": ("{n} Jam Pelajaran", "{n} lesson hours"),
    "score": ("Nilai akhir: {s}", "Final score: {s}"),
    "valid_until": ("Berlaku sampai dengan {d}", "Valid until {d}"),
    "verify": ("Pindai atau buka alamat ini untuk memeriksa keaslian", "Scan or visit to verify"),
    "code": ("Kode verifikasi", "Verification code"),
    "modules": ("Materi pelatihan", "Training modules"),
    "attachment": ("Lampiran sertifikat", "Certificate annex"),
}


def _labels(data: CertificateData) -> dict[str, dict[str, str]]:
    """Primary (the certificate's language) and secondary label texts."""
    first, second = (1, 0) if data.lang == "en" else (0, 1)
    other = "id" if data.lang == "en" else "en"
    values = {
        "n": str(data.hours),
        "s": format_score(data.score, data.lang) if data.score is not None else "",
        "d": format_date(data.expires_on, data.lang) if data.expires_on else "",
    }
    values2 = {
        **values,
        "s": format_score(data.score, other) if data.score is not None else "",
        "d": format_date(data.expires_on, other) if data.expires_on else "",
    }
    return {
        key: {"primary": pair[first].format(**values), "secondary": pair[second].format(**values2)}
        for key, pair in LABELS.items()
    }


def _logo_src(static_dir: Path, logo_path: Path | None) -> str | None:
    """A URL the fetcher will serve, or a data: URI for a trusted logo elsewhere."""
    root = Path(static_dir).resolve()
    path = Path(logo_path) if logo_path is not None else root / DEFAULT_LOGO
    resolved = path.resolve()
    if not resolved.is_file():
        return None
    if resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    mime = _LOGO_TYPES.get(resolved.suffix.lower())
    if mime is None or resolved.stat().st_size > MAX_LOGO_BYTES:
        raise ValueError(f"logo must be an SVG, PNG or JPEG under 2 MB: {resolved}")
    return f"data:{mime};base64," + base64.b64encode(resolved.read_bytes()).decode("ascii")


def image_data_uri(data: bytes | None) -> str:
    """A data: URI for checked PNG/JPEG bytes ("" for none); the type comes from the bytes."""
    if not data:
        return ""
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _signatories(data: CertificateData) -> list[dict[str, str]]:
    people = [{"name": data.signatory_name, "role": data.signatory_role,
               "signature_src": data.signature_src}]
    if data.signatory2_name:
        people.append({"name": data.signatory2_name, "role": data.signatory2_role,
                       "signature_src": data.signature2_src})
    return people


def _squash(text: str) -> str:
    """Collapse runs of whitespace (PDF metadata keeps them verbatim)."""
    return " ".join(text.split())


def qr_data_uri(url: str) -> str:
    """The verify URL as a vector QR code (SVG data: URI, medium error correction)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def _asset_function(template_dir: Path):
    root = Path(template_dir).resolve()

    def asset(relative: str) -> str:
        """The file: URL of a file in the design's folder (for <img src> and CSS url())."""
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"asset outside the design folder: {relative!r}")
        return path.as_uri()

    return asset


# The names a design's certificate.html is rendered with (the built-in one and every plugin's);
# docs/plugins.md says what each holds. A test keeps this list and the context below equal.
DESIGN_CONTEXT = ("d", "meta", "labels", "lang", "place_date", "primary_title",
                  "secondary_title", "name_class", "title_class", "issuer_class", "logo_src",
                  "qr_src", "verify_url", "created", "format_date", "asset", "logos",
                  "signatories")


def render_certificate_html(
    data: CertificateData,
    *,
    static_dir: Path,
    verify_url: str,
    logo_path: Path | None = None,
    template_dir: Path | None = None,
) -> str:
    """The certificate as HTML (relative URLs resolve against ``static_dir``).

    ``template_dir`` chooses another design (a folder with certificate.html and
    certificate.css); its templates get the same context plus ``asset(path)``.
    """
    primary_title, secondary_title = data.course_title_id, data.course_title_en
    if data.lang == "en" and data.course_title_en:
        primary_title, secondary_title = data.course_title_en, data.course_title_id
    labels = _labels(data)
    logo_src = _logo_src(static_dir, logo_path)
    meta = {
        "title": _squash(
            f"{labels['heading']['primary'].title()}: {primary_title} — {data.holder_name}"
        ),
        "author": _squash(data.issuer_name),
        "subject": _squash(primary_title),
    }
    context = {
        "d": data,
        "meta": meta,
        "labels": labels,
        "lang": "en" if data.lang == "en" else "id",
        "place_date": f"{data.place}, {format_date(data.completed_on, data.lang)}",
        "primary_title": primary_title,
        "secondary_title": secondary_title if secondary_title != primary_title else "",
        "name_class": f"name-{size_class(data.holder_name, NAME_LIMITS)}",
        "title_class": f"title-{size_class(primary_title, TITLE_LIMITS)}",
        "issuer_class": f"issuer-{size_class(data.issuer_name, ISSUER_LIMITS)}",
        "logo_src": logo_src,
        # The set-up's logos (up to three) replace the default one.
        "logos": list(data.logo_srcs) if data.logo_srcs else [logo_src] if logo_src else [],
        "signatories": _signatories(data),
        "qr_src": qr_data_uri(verify_url),
        "verify_url": verify_url,
        "created": data.completed_on.isoformat(),
        "format_date": format_date,
        "asset": _asset_function(template_dir or TEMPLATE_DIR),
    }
    return _environment(template_dir).get_template(TEMPLATE_NAME).render(**context)


def render_certificate_pdf(
    data: CertificateData,
    *,
    static_dir: Path,
    verify_url: str,
    logo_path: Path | None = None,
    template_dir: Path | None = None,
) -> bytes:
    """Render the certificate to PDF bytes (the built-in design: A4 landscape, selectable text)."""
    html = render_certificate_html(
        data, static_dir=static_dir, verify_url=verify_url, logo_path=logo_path,
        template_dir=template_dir,
    )
    return html_to_pdf(html, static_dir=static_dir, template_dir=template_dir)


def html_to_pdf(html: str, *, static_dir: Path, fetcher: Any = None,
                template_dir: Path | None = None) -> bytes:
    """Render HTML whose resources may come only from ``static_dir`` (and ``template_dir``)."""
    import weasyprint

    if fetcher is None:
        fetcher = (make_fetcher(static_dir, (Path(template_dir),)) if template_dir
                   else make_fetcher(static_dir))
    base_url = Path(static_dir).resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf()


def pdf_design_version(static_dir: Path | None = None, template_dir: Path | None = None,
                       template_name: str = "default") -> str:
    """Hash of everything that shapes the printed PDF: re-render stored PDFs when it changes.

    Covers the design's name, template and CSS (every file of a plugin design's
    folder), the font files and default logo, this module's source (labels, size
    classes) and the WeasyPrint and segno versions.
    """
    static_dir = Path(static_dir) if static_dir else Path(__file__).parent.parent / "static"
    digest = hashlib.sha256(f"revision:{DESIGN_REVISION}".encode())
    if template_dir is not None or template_name != "default":
        digest.update(f"\0template={template_name}".encode())
    if template_dir is not None:
        root = Path(template_dir)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(f"\0design/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    for package in ("weasyprint", "segno"):
        try:
            digest.update(f"\0{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{package}=?".encode())
    parts = [(f"templates_pdf/{p.name}", p) for p in sorted(TEMPLATE_DIR.iterdir()) if p.is_file()]
    parts += [(relative, static_dir / relative) for relative in (*FONT_FILES, DEFAULT_LOGO)]
    parts.append(("pdf.py", Path(__file__)))
    for name, path in parts:
        digest.update(f"\0{name}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()[:16]
