"""Finding packs in course folders and in the `pelita.courses` entry point group."""

import importlib.metadata
import shutil
from pathlib import Path

from lms.content import discover_packs, load_pack

DATA = Path(__file__).resolve().parents[1] / "data" / "courses"


def _no_entry_points(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: [])


def test_folders_with_course_toml_are_found(tmp_path, monkeypatch):
    _no_entry_points(monkeypatch)
    shutil.copytree(DATA / "good-minimal", tmp_path / "a")
    shutil.copytree(DATA / "good-rich", tmp_path / "b")
    (tmp_path / "not-a-pack").mkdir()
    (tmp_path / "stray.txt").write_text("x")
    packs, problems = discover_packs([tmp_path])
    assert problems == []
    assert packs == [
        (tmp_path / "a", f"folder {tmp_path / 'a'}"),
        (tmp_path / "b", f"folder {tmp_path / 'b'}"),
    ]


def test_missing_directory_is_a_problem(tmp_path, monkeypatch):
    _no_entry_points(monkeypatch)
    packs, problems = discover_packs([tmp_path / "nope"])
    assert packs == [] and len(problems) == 1 and "not found" in problems[0].message


def test_duplicate_slugs_name_both_sources(tmp_path, monkeypatch):
    _no_entry_points(monkeypatch)
    for where in ("one", "two"):
        shutil.copytree(DATA / "good-minimal", tmp_path / where / "pack")
    packs, problems = discover_packs([tmp_path / "one", tmp_path / "two"])
    assert len(packs) == 2
    assert len(problems) == 1
    text = str(problems[0])
    assert str(tmp_path / "one" / "pack") in text and str(tmp_path / "two" / "pack") in text
    assert "good-minimal" in text


def _entry_point(name, module):
    return importlib.metadata.EntryPoint(name=name, value=module, group="pelita.courses")


def test_entry_point_packages_are_found(tmp_path, monkeypatch):
    package = tmp_path / "site" / "pelita_pack_ep_test"
    shutil.copytree(DATA / "good-rich", package)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    calls = []

    def fake_entry_points(**kwargs):
        calls.append(kwargs)
        return [
            _entry_point("kaya", "pelita_pack_ep_test"),
            _entry_point("rusak", "no_such_module_xyz"),
        ]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    packs, problems = discover_packs([])
    assert calls == [{"group": "pelita.courses"}]
    assert [p for p, _ in packs] == [package]
    assert "entry point kaya = pelita_pack_ep_test" in packs[0][1]
    assert len(problems) == 1 and "no_such_module_xyz" in str(problems[0])
    # the package's __init__.py and __pycache__ do not make the pack invalid
    (package / "__pycache__").mkdir(exist_ok=True)
    assert load_pack(package).slug == "good-rich"


def test_entry_point_and_folder_with_same_slug(tmp_path, monkeypatch):
    package = tmp_path / "site" / "pelita_pack_ep_dup"
    shutil.copytree(DATA / "good-minimal", package)
    (package / "__init__.py").write_text("")
    (package / "kosong").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(
        importlib.metadata, "entry_points", lambda **kw: [_entry_point("dup", "pelita_pack_ep_dup")]
    )
    shutil.copytree(DATA / "good-minimal", tmp_path / "folder" / "good-minimal")
    packs, problems = discover_packs([tmp_path / "folder"])
    assert len(packs) == 2
    assert len(problems) == 1
    assert "entry point dup" in problems[0].file
    assert "folder " + str(tmp_path / "folder" / "good-minimal") in problems[0].message


def test_entry_points_can_be_switched_off(tmp_path, monkeypatch):
    def boom(**kwargs):
        raise AssertionError("should not be called")

    monkeypatch.setattr(importlib.metadata, "entry_points", boom)
    assert discover_packs([tmp_path], entry_point_group=None) == ([], [])


def test_a_pack_folder_itself_can_be_given(monkeypatch):
    _no_entry_points(monkeypatch)
    packs, problems = discover_packs([DATA / "good-minimal"])
    assert packs == [(DATA / "good-minimal", f"folder {DATA / 'good-minimal'}")]
    assert problems == []
