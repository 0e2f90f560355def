"""Certificate PDFs as a person reads them (pdftotext, the QR code through zbarimg), uploads of
certificate images, and a learner who completes a one-module course (which issues one)."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install -y poppler-utils zbar-tools)")
    return path


def pdf_text(blob: bytes, tmp_path) -> str:
    """The PDF's text, whitespace squeezed (pdftotext)."""
    path = tmp_path / "c.pdf"
    path.write_bytes(blob)
    out = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def qr_text(blob: bytes, tmp_path) -> list[str]:
    """What the QR codes on the PDF's first page decode to (pdftoppm at 150 dpi, zbarimg)."""
    (tmp_path / "q.pdf").write_bytes(blob)
    subprocess.run([_tool("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "q.pdf"), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run([_tool("zbarimg"), "-q", "--raw", str(image)], capture_output=True,
                         text=True)
    return out.stdout.strip().splitlines()


def upload(name: str, data: bytes):
    """A file for a multipart form post."""
    return (io.BytesIO(data), name)


def complete_course(app, participant, tmp_path, slug="kursus-sertifikat"):
    """`participant` enrols in a one-module course and completes it; returns their client."""
    client = app.test_client()
    login(client, participant)
    import_folder(make_pack(tmp_path, slug, modules=1))
    client.post(f"/courses/{slug}/enrol")
    client.post(f"/courses/{slug}/modules/modul-1/done")
    return client
