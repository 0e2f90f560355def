"""The image check for certificate signatures, stamps and logos (pure)."""

from __future__ import annotations

import struct

import pytest

from lms.admin.certificate_images import MAX_IMAGE_BYTES, check_certificate_image, image_size
from lms.authoring.mediafiles import MediaRefused
from lms.certificates.pdf import image_data_uri
from tests.helpers.images import png


def jpeg(width: int, height: int) -> bytes:
    """A JPEG header with an APP0 segment and a baseline SOF0 giving the dimensions."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\x00" * 64 + b"\xff\xd9"


def test_png_and_jpeg_pass_with_their_dimensions():
    assert check_certificate_image("ttd.png", png(200, 80)) == "png"
    assert image_size("png", png(200, 80)) == (200, 80)
    assert image_size("jpeg", jpeg(640, 480)) == (640, 480)


@pytest.mark.parametrize("name, data, reason", [
    ("logo.gif", b"GIF89a" + b"\x00" * 20, "type"),
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "type"),
    ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "mismatch"),
    ("logo.jpg", png(), "mismatch"),
    ("logo", png(), "name"),
    ("logo.png", b"", "empty"),
    ("logo.png", png(8, 8), "dimensions"),
    ("logo.png", png(4001, 16), "dimensions"),
    ("logo.png", png()[:-12] + b"\x00" * (MAX_IMAGE_BYTES + 1), "too_large"),
])
def test_anything_else_is_refused_with_the_reason(name, data, reason):
    with pytest.raises(MediaRefused) as caught:
        check_certificate_image(name, data)
    assert caught.value.reason == reason


def test_images_reach_the_pdf_as_data_uris_typed_by_their_bytes():
    assert image_data_uri(png()).startswith("data:image/png;base64,")
    assert image_data_uri(jpeg(20, 20)).startswith("data:image/jpeg;base64,")
    assert image_data_uri(None) == ""
