"""The zip reader refuses everything unsafe before unpacking it, and the writer is lossless."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from lms.authoring.mediafiles import MediaRefused, check_media_file
from lms.authoring.zipio import ZipContents, ZipRefused, content_problems, read_zip, write_zip

PACK = {
    "course.toml": b'slug = "x"\n',
    "modules/01-satu.md": "+++\ntitle = 'Satu'\n+++\nHalo dunia — ñ\n".encode(),
    "media/gambar.png": bytes(range(256)) * 10,
    "media/sub/dok.pdf": b"%PDF-1.4\n" + b"\x00\xff" * 100,
}


def make_zip(entries, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """entries: list of (name, bytes) or (ZipInfo, bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def codes(err: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in err.value.problems]


def test_write_then_read_is_byte_for_byte_and_deterministic():
    data = write_zip(PACK, "kursus-x")
    assert data == write_zip(dict(reversed(PACK.items())), "kursus-x")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert all(name.startswith("kursus-x/") for name in names)
    contents = read_zip(data)
    assert contents.files == PACK and contents.top == "kursus-x"


def test_files_at_the_root_are_accepted():
    contents = read_zip(make_zip(list(PACK.items())))
    assert contents.files == PACK and contents.top is None


def test_a_pack_folder_alone_is_not_taken_for_a_top_folder():
    contents = read_zip(make_zip([("modules/01-satu.md", b"x"), ("modules/02-dua.md", b"y")]))
    assert set(contents.files) == {"modules/01-satu.md", "modules/02-dua.md"}


def test_system_files_are_skipped_and_listed():
    contents = read_zip(make_zip([("k/course.toml", b"a"), ("__MACOSX/k/._course.toml", b"b"),
                                  ("k/.DS_Store", b"c"), ("k/modules/", b"")]))
    assert contents.files == {"course.toml": b"a"}
    assert "k/.DS_Store" in contents.skipped and "__MACOSX/k/._course.toml" in contents.skipped


def test_not_a_zip_is_refused():
    with pytest.raises(ZipRefused) as err:
        read_zip(b"PK\x03\x04 not really a zip at all")
    assert codes(err) == ["not_zip"]
    with pytest.raises(ZipRefused):
        read_zip(b"")


@pytest.mark.parametrize("name", ["../evil.md", "k/../../evil.md", "/etc/passwd", "C:/x.md",
                                  "k\\..\\evil.md", "k/./course.toml", "k//course.toml"])
def test_zip_slip_paths_are_refused(name):
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("k/course.toml", b"a"), (name, b"x")]))
    assert codes(err) == ["unsafe_path"]
    assert err.value.problems[0].entry == name


def test_overlong_paths_and_file_folder_clashes_are_refused():
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("course.toml", b"a"), ("media/" + "x" * 250 + ".png", b"b")]))
    assert codes(err) == ["unsafe_path"]
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("course.toml", b"a"), ("media/a", b"b"), ("media/a/b.png", b"c")]))
    assert codes(err) == ["file_and_folder"] and err.value.problems[0].entry == "media/a"


def test_symlinks_are_refused():
    link = zipfile.ZipInfo("k/media/link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("k/course.toml", b"a"), (link, b"/etc/passwd")]))
    assert codes(err) == ["symlink"]


def test_too_many_entries_are_refused_before_reading():
    entries = [(f"k/media/{i}.txt", b"") for i in range(11)]
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip(entries), max_entries=10)
    assert codes(err) == ["too_many"]
    assert len(read_zip(make_zip(entries[:10]), max_entries=10).files) == 10


def test_too_large_in_total_is_refused():
    entries = [(f"k/media/{i}.bin", bytes(1000)) for i in range(5)]
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip(entries, compression=zipfile.ZIP_STORED), max_total_bytes=4000)
    assert "too_large" in codes(err)


def test_files_over_the_loader_limits_are_refused():
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("course.toml", b"a" * 2000), ("media/x.png", b"b" * 2000)],
                          compression=zipfile.ZIP_STORED),
                 max_text_bytes=1000, max_media_bytes=5000)
    assert codes(err) == ["file_too_large"]
    assert err.value.problems[0].entry == "course.toml"


def test_compression_bombs_are_refused():
    bomb = make_zip([("k/course.toml", b"a"), ("k/media/zeros.bin", bytes(4 * 1024 * 1024))])
    assert len(bomb) < 50_000
    with pytest.raises(ZipRefused) as err:
        read_zip(bomb)
    assert codes(err) == ["bomb"]


def test_a_zip_lying_about_sizes_is_refused():
    data = bytearray(make_zip([("course.toml", b"x" * 100)], compression=zipfile.ZIP_STORED))
    # Shrink the declared size in the central directory (the local header keeps the truth).
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ZipRefused) as err:
        read_zip(bytes(data))
    assert set(codes(err)) <= {"lying_size", "damaged", "not_zip"}


def test_duplicate_and_encrypted_entries_are_refused():
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = make_zip([("course.toml", b"a"), ("course.toml", b"b")])
    with pytest.raises(ZipRefused) as err:
        read_zip(twice)
    assert codes(err) == ["duplicate"]
    data = bytearray(make_zip([("course.toml", b"a")], compression=zipfile.ZIP_STORED))
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the "encrypted" flag
    with pytest.raises(ZipRefused) as err:
        read_zip(bytes(data))
    assert codes(err) == ["encrypted"]


def test_every_problem_is_reported_at_once():
    link = zipfile.ZipInfo("k/media/link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(ZipRefused) as err:
        read_zip(make_zip([("../a.md", b"x"), (link, b"y"), ("/b.md", b"z")]))
    assert sorted(codes(err)) == ["symlink", "unsafe_path", "unsafe_path"]


# ----------------------------------------------------------------------------- content

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
MEDIA_OK = {
    "media/foto.png": PNG,
    "media/FOTO-BESAR.JPG": b"\xff\xd8\xff\xe0" + bytes(40),
    "media/animasi.gif": b"GIF89a" + bytes(40),
    "media/sub/gambar.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(40),
    "media/sub/materi.pdf": b"%PDF-1.4\n" + bytes(40),
}


def test_media_on_the_uploaders_allow_list_with_matching_content_pass():
    files = {"course.toml": b'slug = "x"\n', "README.md": b"# x\n", **MEDIA_OK}
    assert content_problems(ZipContents(files, top="paket")) == []


def test_media_the_uploader_would_refuse_are_refused_by_name():
    """The zip import and the module media uploader share check_media_file: no SVG, no HTML,
    nothing whose first bytes are not what its extension says."""
    files = {
        "course.toml": b'slug = "x"\n',
        "media/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "media/halaman.html": b"<script>fetch('/admin')</script>",
        "media/sub/palsu.png": b"<html><script>alert(1)</script></html>",
        "media/kosong.pdf": b"",
        "media/tanpa-ekstensi": PNG,
        "media/skrip.js": b"alert(1)",
        "README.html": b"<script>alert(1)</script>",
        "modules/lampiran.SVG": b"<svg/>",
    }
    problems = content_problems(ZipContents(files, top="paket"))
    assert [(p.code, p.entry) for p in problems] == [
        ("active_content", "paket/README.html"),
        ("media_type", "paket/media/halaman.html"),
        ("media_empty", "paket/media/kosong.pdf"),
        ("media_type", "paket/media/logo.svg"),
        ("media_type", "paket/media/skrip.js"),
        ("media_mismatch", "paket/media/sub/palsu.png"),
        ("media_name", "paket/media/tanpa-ekstensi"),
        ("active_content", "paket/modules/lampiran.SVG"),
    ]
    assert all(p.message for p in problems)
    for name, data in (("logo.svg", files["media/logo.svg"]), ("palsu.png", files["media/sub/palsu.png"])):
        with pytest.raises(MediaRefused):
            check_media_file(name, data)


def test_plain_text_templates_are_media_but_markup_and_binaries_named_so_are_not():
    """Packs ship CSV, TXT and Markdown templates (a Big6 log, a consent form) in media/: they
    are accepted when they really are plain text, refused when markup or binary hides behind
    the name."""
    assert check_media_file("log-big6.csv", "Tanggal;Langkah;Catatan\n5/12/2026;1;Â\n".encode()) == "text"
    assert check_media_file("glosarium.md", b"# Glosarium\n\n**IPLM**: indeks\n") == "text"
    assert check_media_file("catatan.txt", "\ufeffCatatan dengan BOM\r\n".encode()) == "text"
    assert check_media_file("excel.csv", "Kafé;Rp 5.000\r\n".encode("cp1252")) == "text"
    for name, data in (("halaman.md", b"<!DOCTYPE html><script>alert(1)</script>"),
                       ("gambar.csv", PNG), ("biner.txt", b"teks\x00\x01biner")):
        with pytest.raises(MediaRefused):
            check_media_file(name, data)
