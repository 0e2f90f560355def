"""Tiny real PNG images for upload tests (no imaging library needed)."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 120, height: int = 60, rgb: tuple[int, int, int] = (20, 60, 160)) -> bytes:
    """A solid-colour RGB PNG of the given size."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
