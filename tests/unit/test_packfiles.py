"""course.toml and module files written by the browser editors read back as the same values,
and the pack loader accepts them."""

from __future__ import annotations

import tomllib

import pytest

from lms.authoring import packfiles
from lms.content import load_pack, write_pack

COURSE = {
    "slug": "kursus-baru",
    "version": "1.0.0",
    "area": "ict",
    "hours": 4,
    "enrolment": "open",
    "sequential": True,
    "authors": ["Tim \"Pelita\"", "Budi\\Santoso"],
    "prerequisites": [],
    "modules": ["pendahuluan", "praktik"],
    "title": {"id": "Kursus Baru: Literasi", "en": "New Course"},
    "summary": {"id": "Ringkasan dengan \"kutip\" dan baris\nkedua.", "en": "Summary"},
    "completion": {"modules": "all", "min_module_quiz_score": 70.5, "final_min_score": 75,
                   "practical": False},
    "certificate": {"enabled": True, "valid_months": 0, "show_score": False,
                    "template": "default"},
}


def test_course_round_trip_keeps_every_value_in_documented_order():
    text = packfiles.dump_course(COURSE)
    assert tomllib.loads(text) == COURSE
    assert text.index("slug =") < text.index("modules =") < text.index("[title]") \
        < text.index("[summary]") < text.index("[completion]") < text.index("[certificate]")


def test_course_values_set_to_none_are_left_out():
    doc = {**COURSE, "certificate": {**COURSE["certificate"], "hours": None}}
    assert "hours" not in tomllib.loads(packfiles.dump_course(doc))["certificate"]


def test_long_lists_are_written_one_item_per_line():
    modules = [f"modul-dengan-nama-panjang-{i}" for i in range(6)]
    text = packfiles.dump_course({**COURSE, "modules": modules})
    assert '\n  "modul-dengan-nama-panjang-0",\n' in text
    assert tomllib.loads(text)["modules"] == modules


def test_set_top_level_rewrites_only_that_key_and_keeps_comments():
    text = ('# Kursus contoh\nslug = "kursus-baru"  # jangan diubah\nmodules = [\n  "a",\n'
            '  "b",  # kedua\n]\nhours = 2\n\n[title]\nid = "X"\nen = "Y"\n')
    new = packfiles.set_top_level(text, "modules", ["b", "a"])
    assert tomllib.loads(new)["modules"] == ["b", "a"]
    assert "# Kursus contoh" in new and "# jangan diubah" in new and "hours = 2" in new
    assert tomllib.loads(new)["title"] == {"id": "X", "en": "Y"}


def test_set_top_level_adds_a_missing_key_before_the_tables():
    text = 'slug = "kursus-baru"\n\n[title]\nid = "X"\nen = "Y"\n'
    new = packfiles.set_top_level(text, "modules", ["a"])
    assert tomllib.loads(new) == {"slug": "kursus-baru", "modules": ["a"],
                                  "title": {"id": "X", "en": "Y"}}


def test_set_top_level_refuses_invalid_toml():
    with pytest.raises(packfiles.PackFileError):
        packfiles.set_top_level("slug = ", "modules", ["a"])


def test_parse_course_reports_the_line_of_a_syntax_error():
    with pytest.raises(packfiles.PackFileError) as err:
        packfiles.parse_course('slug = "a"\nhours = \n')
    assert err.value.line == 2


def test_module_round_trip_and_loader_accepts_the_pack(tmp_path):
    meta = {"title": 'Pengenalan "Literasi"', "title_en": "Introduction", "minutes": 15,
            "objectives": ["Menjelaskan arti literasi", "Menyebutkan tiga peran"]}
    body = "## Bagian\r\n\r\nIsi **tebal** +++ bukan pemisah.\r\n"
    text = packfiles.dump_module(meta, body)
    doc = packfiles.parse_module(text)
    assert doc.meta == meta
    assert doc.body == "## Bagian\n\nIsi **tebal** +++ bukan pemisah.\n"
    files = {"course.toml": packfiles.dump_course({**COURSE, "modules": ["pengenalan"]}).encode(),
             "modules/01-pengenalan.md": text.encode()}
    pack = load_pack(write_pack(files, tmp_path / "p"))
    assert pack.modules[0].title == meta["title"] and pack.modules[0].objectives == meta["objectives"]


def test_module_without_optional_keys_leaves_them_out():
    text = packfiles.dump_module({"title": "Judul", "title_en": None, "minutes": None,
                                  "objectives": []}, "Isi")
    assert text == '+++\ntitle = "Judul"\n+++\nIsi\n'


def test_broken_front_matter_is_reported_with_its_line_and_body_is_kept():
    text = '+++\ntitle = "Judul"\nminutes = \n+++\nTeks penting\n'
    with pytest.raises(packfiles.PackFileError) as err:
        packfiles.parse_module(text)
    assert err.value.line == 3
    assert packfiles.split_module_loosely(text) == "Teks penting\n"


def test_module_file_names_and_media_snippets():
    paths = ["course.toml", "modules/01-a.md", "modules/07-b.md", "modules/x.md", "media/a.png"]
    assert packfiles.module_files(paths) == {"a": "modules/01-a.md", "b": "modules/07-b.md"}
    assert packfiles.next_module_path(paths, "c") == "modules/08-c.md"
    assert packfiles.media_snippet("media/foto-desa.png") == "![foto-desa](../media/foto-desa.png)"
    assert packfiles.media_snippet("media/lembar.pdf") == "[lembar.pdf](../media/lembar.pdf)"
    assert packfiles.is_slug("literasi-digital", 3) and not packfiles.is_slug("Literasi_Digital")
