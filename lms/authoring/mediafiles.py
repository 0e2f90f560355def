"""Which media files a course may hold, checked by content (pure: no Flask, no database).

`check_media_file(name, data)` is the ONE check for course media, used by the module media
uploader (`services.check_media`) and by the zip import (`zipio.content_problems`): an
allow-list of extensions (PNG, JPEG, GIF, WebP, PDF — nothing a browser would run, so no SVG
or HTML) and the file's first bytes must be the type its extension claims.
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
}
MEDIA_EXTENSIONS = {ext: kind for kind, exts in MEDIA_KINDS.items() for ext in exts}
MEDIA_ACCEPT = ",".join(f".{ext}" for ext in MEDIA_EXTENSIONS)


class MediaRefused(ValueError):
    """`reason`: empty | too_large | name | type | mismatch (and, from the uploader, exists)."""

    def __init__(self, reason: str, filename: str):
        super().__init__(f"{filename}: {reason}")
        self.reason, self.filename = reason, filename


def media_kind(data: bytes) -> str | None:
    """The media type `data` really is, from its first bytes ("png", "gif", ...), or None."""
    return "gif" if data[:6] in (b"GIF87a", b"GIF89a") else detect_kind(data)


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
