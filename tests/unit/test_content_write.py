"""Writing packs back to disk (export) safely, and the export/import round trip."""

import os
from pathlib import Path

import pytest

from lms.content import CoursePackError, load_pack, write_pack

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "courses"


@pytest.mark.parametrize(
    "source", [DATA / "good-minimal", DATA / "good-rich", ROOT / "courses" / "contoh-kursus"]
)
def test_export_then_load_gives_the_same_content_hash(tmp_path, source):
    pack = load_pack(source)
    write_pack(pack.files, tmp_path / "out")
    again = load_pack(tmp_path / "out")
    assert again.content_hash == pack.content_hash
    assert again.files == pack.files


@pytest.mark.parametrize(
    "bad",
    ["../evil.txt", "/etc/evil", "media/../../evil", "media/./x", "", "a//b", "C:/x", "media\\x"],
)
def test_paths_escaping_dest_are_refused_and_nothing_is_written(tmp_path, bad):
    dest = tmp_path / "out"
    with pytest.raises(CoursePackError) as info:
        write_pack({"course.toml": b"x", bad: b"evil"}, dest)
    assert info.value.problems[0].file == bad
    assert not dest.exists() or not any(dest.iterdir())
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_inside_dest_cannot_redirect_writes(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (dest / "media").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CoursePackError):
        write_pack({"media/x.png": b"x"}, dest, overwrite=True)
    assert not (outside / "x.png").exists()


def test_non_empty_dest_needs_overwrite(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        write_pack({"course.toml": b"a"}, dest)
    write_pack({"course.toml": b"a"}, dest, overwrite=True)
    assert (dest / "course.toml").read_bytes() == b"a"
    file_dest = tmp_path / "file"
    file_dest.write_text("x")
    with pytest.raises(FileExistsError):
        write_pack({"course.toml": b"a"}, file_dest)
