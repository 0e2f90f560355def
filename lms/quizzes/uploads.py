"""Evidence files for essay questions: what may be uploaded, checked by content (pure).

`detect_kind(data)` names the file type from its first bytes (and, for the ZIP-based office
formats, the ZIP's entries), whatever the file's name claims. `check_file(filename, data)`
combines it with the name's extension and returns a `CheckedFile` (a safe file name and the
MIME type to serve it with) or raises `FileRefused` with a reason code the service turns into
a translated message.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """An accepted file type."""

    name: str
    label: str
    mimetype: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("pdf", "PDF", "application/pdf", ("pdf",)),
        Kind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
        Kind("png", "PNG", "image/png", ("png",)),
        Kind("webp", "WebP", "image/webp", ("webp",)),
        Kind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        Kind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        Kind("odt", "ODT", "application/vnd.oasis.opendocument.text", ("odt",)),
        Kind("txt", "TXT", "text/plain", ("txt",)),
    )
}
BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
LABELS = ", ".join(k.label for k in KINDS.values())
# The `accept` attribute of the file input: extensions and MIME types.
ACCEPT = ",".join([*(f".{ext}" for ext in BY_EXTENSION), *(k.mimetype for k in KINDS.values())])

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_CONTROLS = set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class FileRefused(ValueError):
    """The file may not be uploaded; `reason` is "empty", "too_large", "type" or "mismatch"."""

    def __init__(self, reason: str, *, filename: str, kind: Kind | None = None) -> None:
        self.reason = reason
        self.filename = filename
        self.kind = kind
        super().__init__(f"{filename}: {reason}")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with its safe name and the type it really is."""

    filename: str
    kind: Kind

    @property
    def mimetype(self) -> str:
        return self.kind.mimetype


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            mimetype = infos.get("mimetype")
            if mimetype is not None and mimetype.file_size <= 100:
                if archive.read(mimetype).strip() == _ODT_MIMETYPE:
                    return "odt"
                return None
            if "[Content_Types].xml" in infos:
                if "word/document.xml" in infos:
                    return "docx"
                if "xl/workbook.xml" in infos:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    """Plain text: UTF-8 (or Windows-1252) without NUL or other control characters."""
    if not data or any(b in _TEXT_CONTROLS for b in data):
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return not any(b in _CP1252_UNDEFINED for b in data)


def detect_kind(data: bytes) -> str | None:
    """The accepted type `data` really is ("pdf", "jpeg", ...), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _is_text(data):
        return "txt"
    return None


def sanitise_filename(name: str, *, max_stem: int = 100) -> str:
    """A file name safe to store and send: no folders, control characters or odd symbols;
    letters of any script, digits, space, `_ - . ( )` are kept. May return ""."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[^\w.\- ()]+", "_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip(" ._")[:max_stem].rstrip(" ._")
    ext = ext.lower()[:10]
    if not stem:
        return f"file.{ext}" if ext else ""
    return f"{stem}.{ext}" if ext else stem


def check_file(filename: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """Check an upload's size and type (by content, matching its extension)."""
    clean = sanitise_filename(filename)
    shown = clean or "file"
    if not data:
        raise FileRefused("empty", filename=shown)
    if len(data) > max_bytes:
        raise FileRefused("too_large", filename=shown)
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    claimed = BY_EXTENSION.get(ext)
    if ext and claimed is None:
        raise FileRefused("type", filename=shown)
    detected = detect_kind(data)
    if detected is None:
        if claimed is not None:
            raise FileRefused("mismatch", filename=shown, kind=claimed)
        raise FileRefused("type", filename=shown)
    kind = KINDS[detected]
    if claimed is not None and claimed.name != kind.name:
        raise FileRefused("mismatch", filename=shown, kind=claimed)
    if not ext:  # no extension: name the file after what it is
        clean = f"{clean or 'file'}.{kind.extensions[0]}"
    return CheckedFile(clean, kind)
