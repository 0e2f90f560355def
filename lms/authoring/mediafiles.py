"""Which media files a course may hold, checked by content (pure: no Flask, no database).

`check_media_file(name, data)` is the ONE check for course media, used by the module media
uploader (`services.check_media`) and by the zip import (`zipio.content_problems`): an
allow-list of extensions (PNG, JPEG, GIF, WebP, PDF, and plain-text templates: CSV, TXT,
Markdown — nothing a browser would run, so no SVG or HTML) and the file's content must be the
type its extension claims (text: UTF-8 or Windows-1252 without control characters, and not markup).
"""

from __future__ import annotations

from lms.content import MAX_MEDIA_BYTES
from lms.quizzes.uploads import detect_kind

# Media a course may hold: detected type -> allowed extensions.
MEDIA_KINDS = {
    "png": ("png",),
    "jpeg": ("jpg", "jpeg"),
    "gif": ("gif",),
    "webp": ("webp",),
    "pdf": ("pdf",),
    "text": ("csv", "txt", "md"),  # templates a village library opens in any program
}
MEDIA_EXTENSIONS = {ext: kind for kind, exts in MEDIA_KINDS.items() for ext in exts}
MEDIA_ACCEPT = ",".join(f".{ext}" for ext in MEDIA_EXTENSIONS)


class MediaRefused(ValueError):
    """`reason`: empty | too_large | name | type | mismatch (and, from the uploader, exists)."""

    def __init__(self, reason: str, filename: str):
        super().__init__(f"{filename}: {reason}")
        self.reason, self.filename = reason, filename


def _plain_text(data: bytes) -> bool:
    """Text (UTF-8, or Windows-1252 as Excel saves CSV) with no control characters but tab and
    line breaks, not starting as markup."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text) or "\x7f" in text:
        return False
    head = text.lstrip().lower()
    return not head.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script"))


def media_kind(data: bytes) -> str | None:
    """The media type `data` really is, from its first bytes ("png", "gif", ...), or None."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    kind = detect_kind(data)
    if kind in ("png", "jpeg", "webp", "pdf"):
        return kind
    return "text" if _plain_text(data) else None


def check_media_file(name: str, data: bytes) -> str:
    """The media kind of a file called `name` (a file name, not a path), or `MediaRefused`
    naming the first thing wrong: empty, too large, no extension, a type not on the
    allow-list, or content that is not what the extension says."""
    shown = name or "file"
    if not data:
        raise MediaRefused("empty", shown)
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaRefused("too_large", shown)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        raise MediaRefused("name", shown)
    claimed = MEDIA_EXTENSIONS.get(ext.lower())
    if claimed is None:
        raise MediaRefused("type", shown)
    if media_kind(data) != claimed:
        raise MediaRefused("mismatch", shown)
    return claimed
