"""The learning-path loader: every problem with file and line, no Flask needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lms.content import CoursePackError
from lms.paths.loader import load_path, load_paths, validate_path

ROOT = Path(__file__).resolve().parents[2]

GOOD = '''slug = "jalur-uji"
version = "1.0.0"
courses = ["kursus-satu", "kursus-dua", "kursus-tiga"]

[title]
id = "Jalur Uji"
en = "Test Path"

[summary]
id = "Ringkasan jalur."
en = "Path summary."

[requirements]
id = ["Syarat satu", "Syarat dua"]
en = ["Requirement one", "Requirement two"]
'''


def write(tmp_path: Path, text: str, name: str = "jalur-uji.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    return [str(p) for p in validate_path(path)]


def test_a_good_file_loads_with_everything_in_it(tmp_path):
    path = write(tmp_path, GOOD)
    source = load_path(path)
    assert source.slug == "jalur-uji" and source.version == "1.0.0"
    assert source.courses == ["kursus-satu", "kursus-dua", "kursus-tiga"]
    assert source.title == {"id": "Jalur Uji", "en": "Test Path"}
    assert source.summary == {"id": "Ringkasan jalur.", "en": "Path summary."}
    assert source.requirements == {"id": ["Syarat satu", "Syarat dua"],
                                   "en": ["Requirement one", "Requirement two"]}
    assert source.courses_line == 3
    assert len(source.content_hash) == 64
    assert validate_path(path) == []


def test_summary_and_requirements_are_optional(tmp_path):
    text = GOOD.split("[summary]")[0]
    source = load_path(write(tmp_path, text))
    assert source.summary == {"id": "", "en": ""}
    assert source.requirements == {"id": [], "en": []}


def test_the_content_hash_follows_the_bytes(tmp_path):
    first = load_path(write(tmp_path, GOOD)).content_hash
    assert load_path(write(tmp_path, GOOD)).content_hash == first
    assert load_path(write(tmp_path, GOOD.replace("1.0.0", "1.0.1"))).content_hash != first


def test_an_unknown_key_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace('en = "Test Path"\n', 'en = "Test Path"\nsubtitle = "x"\n')
                 .replace('version = "1.0.0"\n', 'version = "1.0.0"\ncourse = []\n'))
    found = messages(path)
    assert any(m.startswith(f"{path}:3: unknown key `course`") for m in found), found
    assert any(m.startswith(f"{path}:9: unknown key `subtitle` in [title]") for m in found), found


def test_missing_courses_key_and_missing_title_are_reported(tmp_path):
    text = GOOD.replace('courses = ["kursus-satu", "kursus-dua", "kursus-tiga"]\n', "")
    text = text.replace('[title]\nid = "Jalur Uji"\nen = "Test Path"\n', "")
    found = messages(write(tmp_path, text))
    assert any("required key `courses` is missing" in m for m in found), found
    assert any("required table `[title]` is missing" in m for m in found), found


def test_an_empty_course_list_is_an_error(tmp_path):
    found = messages(write(tmp_path, GOOD.replace(
        '["kursus-satu", "kursus-dua", "kursus-tiga"]', "[]")))
    assert any(":3: `courses` must be a non-empty list of course slugs" in m for m in found), found


def test_a_course_listed_twice_is_reported_on_the_courses_line(tmp_path):
    path = write(tmp_path, GOOD.replace('"kursus-tiga"]', '"kursus-satu"]'))
    assert messages(path) == [
        f"{path}:3: course `kursus-satu` is listed twice in `courses` — remove the duplicate"]


@pytest.mark.parametrize("bad", ["Jalur_Uji", "-x-", "ab", "jalur--uji"])
def test_a_bad_slug_is_reported_with_its_line(tmp_path, bad):
    path = write(tmp_path, GOOD.replace('slug = "jalur-uji"', f'slug = "{bad}"'))
    found = messages(path)
    assert any(m.startswith(f"{path}:1: `slug` must be a slug") for m in found), found


def test_a_bad_course_slug_is_reported(tmp_path):
    found = messages(write(tmp_path, GOOD.replace('"kursus-dua"', '"Kursus Dua"')))
    assert any(":3: `courses` must be a non-empty list of course slugs" in m for m in found), found


def test_the_file_name_must_match_the_slug(tmp_path):
    path = write(tmp_path, GOOD, name="lain.toml")
    assert any("rename the file to jalur-uji.toml" in m for m in messages(path))


def test_requirements_need_both_languages_in_step(tmp_path):
    found = messages(write(tmp_path, GOOD.replace(', "Requirement two"', "")))
    assert any(":13: `[requirements]` has 2 item(s) in `id` but 1 in `en`" in m for m in found), found


def test_invalid_toml_and_wrong_types_are_located(tmp_path):
    broken = write(tmp_path, GOOD.replace('version = "1.0.0"', "version = "))
    assert [m.split(": ", 1)[0] for m in messages(broken)] == [f"{broken}:2"]
    typed = write(tmp_path, GOOD.replace('id = ["Syarat satu", "Syarat dua"]', 'id = "Syarat"'))
    assert any(":14: `id` must be a list of non-empty strings" in m for m in messages(typed))


def test_every_problem_is_reported_in_one_run(tmp_path):
    text = GOOD.replace('slug = "jalur-uji"', 'slug = "X"').replace('version = "1.0.0"\n', "")
    text = text.replace('en = "Path summary."', 'en = ""')
    with pytest.raises(CoursePackError) as err:
        load_path(write(tmp_path, text))
    assert len(err.value.problems) == 3, err.value.problems


def test_load_paths_reads_a_folder_and_reports_duplicate_slugs(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "README.md").write_text("not a path", encoding="utf-8")
    paths, problems = load_paths([tmp_path])
    assert [p.slug for p in paths] == ["jalur-uji"] and problems == []
    other = tmp_path / "lain"
    other.mkdir()
    write(other, GOOD)
    paths, problems = load_paths([tmp_path, other])
    assert len(paths) == 1
    assert len(problems) == 1 and "also defined in" in problems[0].message


def test_the_shipped_path_is_valid():
    path = ROOT / "paths" / "fasilitator-tpbis.toml"
    source = load_path(path)
    # Orientation first (the other courses use its terms), training of trainers last.
    assert source.courses == ["orientasi-tpbis", "literasi-tik", "manajemen-informasi",
                              "pelibatan-masyarakat", "merancang-pelatihan"]
    assert len(source.requirements["id"]) == len(source.requirements["en"]) == 2
    assert "Perpusnas" in source.summary["id"] and "Perpusnas" in source.summary["en"]
    assert "usulan" in source.summary["id"] and "proposal" in source.summary["en"]
    assert sorted(p.name for p in (ROOT / "paths").glob("*.toml")) == [
        "fasilitator-tpbis.toml", "master-trainer-tpbis.toml"]


def test_the_master_trainer_track_is_valid():
    source = load_path(ROOT / "paths" / "master-trainer-tpbis.toml")
    assert source.courses == ["merancang-pelatihan", "master-trainer-tpbis"]
    assert len(source.requirements["id"]) == len(source.requirements["en"]) == 2
    assert "usulan" in source.summary["id"] and "proposal" in source.summary["en"]


def test_every_key_is_documented():
    from lms.paths import loader

    doc = (ROOT / "docs" / "course-packs.md").read_text(encoding="utf-8")
    section = doc.split("## Learning paths", 1)[1]
    for key, *_ in loader.TOP_SPEC:
        assert f"`{key}`" in section, key
    for table in loader.TABLES:
        assert f"`[{table}]`" in section, table


def test_path_dirs_default_to_the_repository_folder_and_follow_the_environment(monkeypatch):
    from config import Config

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("PELITA_PATH_DIRS", raising=False)
    assert Config().PATH_DIRS == [str(ROOT / "paths")]
    monkeypatch.setenv("PELITA_PATH_DIRS", f"/a{os.pathsep}/b")
    assert Config().PATH_DIRS == ["/a", "/b"]
