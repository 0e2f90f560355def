"""Images printed on a certificate (signatures, stamp, logos), checked by content (pure).

`check_certificate_image(name, data)` runs the ONE media check of course media
(`lms.authoring.mediafiles.check_media_file`) and then narrows it: PNG or JPEG only, at most
`MAX_IMAGE_BYTES`, and sane dimensions read from the file's own header. The PDF gets the bytes
as a ``data:`` URI (`lms.certificates.pdf.image_data_uri`), so the renderer never opens a file
or the network for them. (Here, not in lms.certificates: that area never imports authoring.)
"""

from __future__ import annotations

import struct

from lms.authoring.mediafiles import MediaRefused, check_media_file

MAX_IMAGE_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE = 16, 4000
KINDS = {"png": "image/png", "jpeg": "image/jpeg"}
ACCEPT = ".png,.jpg,.jpeg"


def image_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a JPEG's first SOF marker, or None."""
    if kind == "png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", data[16:24])
    if kind == "jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


def check_certificate_image(name: str, data: bytes) -> str:
    """The image's kind ("png" or "jpeg"), or `MediaRefused` with the reason: the course-media
    reasons, or "type" (not PNG/JPEG), "too_large" (over 1 MB), "dimensions" (unreadable, or a
    side under 16 or over 4000 pixels)."""
    shown = name or "file"
    if len(data) > MAX_IMAGE_BYTES:
        raise MediaRefused("too_large", shown)
    kind = check_media_file(name, data)
    if kind not in KINDS:
        raise MediaRefused("type", shown)
    size = image_size(kind, data)
    if size is None or not all(MIN_SIDE <= side <= MAX_SIDE for side in size):
        raise MediaRefused("dimensions", shown)
    return kind

