"""Evidence uploads: file types are recognised by their content, names are made safe."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.quizzes.uploads import (
    ACCEPT,
    KINDS,
    FileRefused,
    check_file,
    detect_kind,
    sanitise_filename,
)

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
TXT = b"Catatan lapangan: rapat desa 12 orang.\nTerima kasih.\n"


def zip_bytes(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), entries.pop(stored_first),
                             compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<r/>",
                      "word/document.xml": b"<w:document/>"})


def xlsx() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text",
                      "content.xml": b"<office:document-content/>"}, stored_first="mimetype")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (JPEG, "jpeg"),
        (PNG, "png"),
        (WEBP, "webp"),
        (TXT, "txt"),
        ("Windows-1252: caf\xe9".encode("cp1252"), "txt"),
        (EXE, None),
        (b"\x00\x01\x02", None),
        (b"", None),
        (zip_bytes({"a.txt": b"x"}), None),  # a plain ZIP is not a document
        (b"PK\x03\x04 broken zip", None),
        (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"},
                   stored_first="mimetype"), None),  # ODS is not in the list
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_detect_kind_by_content(data, kind):
    assert detect_kind(data) == kind


def test_office_documents_are_told_apart_by_their_entries():
    assert detect_kind(docx()) == "docx"
    assert detect_kind(xlsx()) == "xlsx"
    assert detect_kind(odt()) == "odt"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("laporan.pdf", PDF, "pdf"),
        ("FOTO.JPG", JPEG, "jpeg"),
        ("foto.jpeg", JPEG, "jpeg"),
        ("peta.png", PNG, "png"),
        ("peta.webp", WEBP, "webp"),
        ("rencana.docx", docx(), "docx"),
        ("anggaran.xlsx", xlsx(), "xlsx"),
        ("rencana.odt", odt(), "odt"),
        ("catatan.txt", TXT, "txt"),
    ],
)
def test_allowed_files_pass(name, data, kind):
    checked = check_file(name, data)
    assert checked.kind.name == kind
    assert checked.mimetype == KINDS[kind].mimetype
    assert checked.filename == name[: name.rindex(".")] + name[name.rindex("."):].lower()


def test_an_exe_renamed_to_pdf_is_refused():
    with pytest.raises(FileRefused) as err:
        check_file("tugas.pdf", EXE)
    assert err.value.reason == "mismatch" and err.value.kind.label == "PDF"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("program.exe", EXE, "type"),
        ("skrip.html", b"<script>alert(1)</script>", "type"),
        ("gambar.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "type"),
        ("foto.png", JPEG, "mismatch"),  # a JPEG named .png
        ("catatan.txt", EXE, "mismatch"),
        ("rencana.docx", xlsx(), "mismatch"),
        ("kosong.pdf", b"", "empty"),
        ("noextension", EXE, "type"),
    ],
)
def test_refused_files(name, data, reason):
    with pytest.raises(FileRefused) as err:
        check_file(name, data)
    assert err.value.reason == reason


def test_size_limit():
    big = PDF + b"0" * 100
    assert check_file("a.pdf", big, max_bytes=len(big)).kind.name == "pdf"
    with pytest.raises(FileRefused) as err:
        check_file("a.pdf", big, max_bytes=len(big) - 1)
    assert err.value.reason == "too_large"


def test_a_file_without_extension_is_named_after_its_content():
    assert check_file("scan", PDF).filename == "scan.pdf"
    assert check_file("", JPEG).filename == "file.jpg"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\Siti\\Documents\\Laporan Akhir.PDF", "Laporan Akhir.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a/b/../c.txt", "c.txt"),
        ("foto\x00\n\t.jpg", "foto.jpg"),
        ("<script>.pdf", "script.pdf"),
        ("  ..hidden.pdf  ", "hidden.pdf"),
        ("rencana  desa (final)..pdf", "rencana desa (final).pdf"),
        ("Peta_Pemangku—Kepentingan.png", "Peta_Pemangku_Kepentingan.png"),
        ("ｆｕｌｌｗｉｄｔｈ.pdf", "fullwidth.pdf"),
        ("...", ""),
        (".pdf", "pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_sanitise_filename(raw, clean):
    assert sanitise_filename(raw) == clean


@given(st.text())
def test_sanitised_names_are_always_safe(raw):
    name = sanitise_filename(raw)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert all(c.isprintable() for c in name)
    assert '"' not in name and ";" not in name and "<" not in name
    assert len(name) <= 111


def test_accept_lists_extensions_and_types():
    for ext in (".pdf", ".jpg", ".jpeg", ".png", ".webp", ".docx", ".xlsx", ".odt", ".txt"):
        assert ext in ACCEPT.split(",")
    assert "application/pdf" in ACCEPT
