"""The offline copy's builder (lms/courses/offline.py), without an app: links, names, the zip."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from lms.courses import offline

SLUG = "kursus"


def course(**changes) -> offline.OfflineCourse:
    values = {
        "slug": SLUG, "title": "Kursus Uji", "summary": "Ringkasan.", "version_label": "1.0",
        "version_id": 7, "exported_on": date(2026, 11, 26), "stylesheet": b"body{}",
        "modules": (
            offline.OfflineModule("satu", "Modul Satu", 10,
                                  '<p><img alt="Peta" src="/courses/kursus/v7/media/peta%20desa.png"></p>'
                                  '<p><a href="/courses/kursus/modules/dua#bagian">dua</a></p>'),
            offline.OfflineModule("dua", "Modul Dua", 15, "<p>Isi.</p>"),
        ),
        "media": {"media/peta desa.png": b"PNG"},
    }
    values.update(changes)
    return offline.OfflineCourse(**values)


def rewrite(body: str, site_url: str | None = None) -> str:
    return offline.rewrite_links(body, SLUG, modules={"dua": "02-dua.html"},
                                 media={"media/a.png": "media/a.png"}, site_url=site_url)


def test_site_links_become_relative_files():
    assert rewrite('<img src="/courses/kursus/v3/media/a.png">') == '<img src="media/a.png">'
    assert rewrite('<a href="/courses/kursus/modules/dua#x">') == '<a href="02-dua.html#x">'
    assert rewrite('<a href="/courses/kursus">') == '<a href="index.html">'
    assert rewrite('<a href="#bagian">') == '<a href="#bagian">'
    assert rewrite('<a href="https://contoh.id/a?b=1&amp;c=2">') == \
        '<a href="https://contoh.id/a?b=1&amp;c=2">'


def test_links_the_copy_cannot_answer_point_online_or_lose_their_href():
    # Another course, a module not in this version, a file not in the copy, a path the site
    # never writes: absolute on the public address when there is one, else plain text.
    assert rewrite('<a href="/courses/lain">x</a>') == "<a>x</a>"
    assert rewrite('<a href="/courses/lain">x</a>', "https://pelita.example.id") == \
        '<a href="https://pelita.example.id/courses/lain">x</a>'
    assert rewrite('<a href="/courses/kursus/modules/hilang">x</a>') == "<a>x</a>"
    assert rewrite('<img src="/courses/kursus/v3/media/tidak-ada.png">') == "<img>"
    assert rewrite('<a href="lain.md">x</a>') == "<a>x</a>"
    assert rewrite('<a href="//evil.example/x">x</a>') == "<a>x</a>"


def test_media_names_are_sanitised_and_never_clash():
    names = offline.media_files({"media/peta desa.png", "media/../../etc/passwd", "media/.env",
                                 "media/Peta-Desa.png", "media/sub/ä b.pdf"})
    # A USB stick (FAT) ignores case: "Peta-Desa" and "peta desa" need two names.
    assert {names["media/peta desa.png"], names["media/Peta-Desa.png"]} == \
        {"media/Peta-Desa.png", "media/peta-desa-2.png"}
    assert names["media/../../etc/passwd"] == "media/etc/passwd"
    assert names["media/.env"] == "media/env"
    assert names["media/sub/ä b.pdf"] == "media/sub/b.pdf"
    assert all(".." not in n.split("/") for n in names.values())


def test_bundle_has_index_pages_in_order_media_and_css():
    files = offline.build_bundle(course())
    assert list(files) == sorted(files)
    assert set(files) == {"index.html", "01-satu.html", "02-dua.html", "css/pelita.css",
                          "media/peta-desa.png"}
    index = files["index.html"].decode()
    assert index.index("01-satu.html") < index.index("02-dua.html")
    assert '<html lang="id">' in index and "Tentang salinan ini" in index
    assert "26 November 2026" in index
    page = files["01-satu.html"].decode()
    assert 'src="media/peta-desa.png"' in page and 'href="02-dua.html#bagian"' in page
    assert 'rel="next" href="02-dua.html"' in page and 'rel="prev"' not in page
    assert "/courses/" not in page


def test_only_media_the_modules_refer_to_is_included():
    files = offline.build_bundle(course(media={"media/peta desa.png": b"PNG",
                                               "media/kuis.png": b"PNG"}))
    assert "media/kuis.png" not in files


def test_zip_is_deterministic_and_holds_one_folder():
    files = offline.build_bundle(course())
    stamp = datetime(2026, 11, 20, 9, 30, 1)
    first = offline.zip_bundle(files, "kursus-v1.0", stamp)
    assert first == offline.zip_bundle(dict(reversed(list(files.items()))), "kursus-v1.0", stamp)
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert all(n.startswith("kursus-v1.0/") for n in archive.namelist())
    assert {i.date_time for i in archive.infolist()} == {(2026, 11, 20, 9, 30, 0)}
    with pytest.raises(ValueError):
        offline.zip_bundle({"../x": b""}, "kursus", stamp)


def test_size_text_in_each_language():
    assert offline.size_text(1_300_000) == "1,2 MB"
    assert offline.size_text(1_300_000, "en") == "1.2 MB"
    assert offline.size_text(300) == "1 KB"
