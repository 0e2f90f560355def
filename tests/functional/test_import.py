"""Importing, re-importing and exporting course packs never loses a learner's progress."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from lms.content import load_pack
from lms.courses.models import Course, CourseVersion, Module
from lms.extensions import db
from lms.learning.models import ModuleCompletion
from lms.learning.progress import progress_for
from lms.learning.services import enrol, mark_module_done
from tests.helpers.db import count
from tests.helpers.packs import import_folder, make_pack

EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "contoh-kursus"


def course(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def module(course_slug: str, slug: str) -> Module:
    return db.session.scalar(select(Module).join(Course).where(Course.slug == course_slug,
                                                               Module.slug == slug))


def test_import_cli_is_idempotent(runner):
    first = runner.invoke(args=["lms", "import", str(EXAMPLE)])
    assert first.exit_code == 0, first.output
    assert "created: contoh-kursus" in first.output
    second = runner.invoke(args=["lms", "import", str(EXAMPLE)])
    assert "unchanged: contoh-kursus" in second.output
    assert count(CourseVersion) == 1
    assert course("contoh-kursus").module_count == 2


def test_validate_cli_lists_every_problem_with_file_and_line(runner):
    broken = Path(__file__).resolve().parents[1] / "data" / "courses" / "broken"
    result = runner.invoke(args=["lms", "validate", str(broken / "course-toml-syntax")])
    assert result.exit_code == 1
    assert "course.toml:" in result.output
    ok = runner.invoke(args=["lms", "validate", str(EXAMPLE)])
    assert ok.exit_code == 0 and "ok: contoh-kursus" in ok.output


def test_import_is_all_or_nothing(runner, tmp_path):
    good = make_pack(tmp_path / "a", "kursus-baik")
    bad = make_pack(tmp_path / "b", "kursus-rusak")
    (bad / "modules" / "99-liar.md").write_text("+++\ntitle = 'x'\n+++\nliar\n")
    result = runner.invoke(args=["lms", "import", str(good.parent), str(bad.parent)])
    assert result.exit_code == 1
    assert "99-liar.md" in result.output
    assert count(Course) == 0


def test_changed_pack_gets_a_new_version_and_keeps_progress(tmp_path, participant):
    pack = make_pack(tmp_path, "kursus-uji", modules=3)
    import_folder(pack)
    c = course("kursus-uji")
    enrol(participant, c)
    mark_module_done(participant, c, module("kursus-uji", "modul-1"))

    (pack / "modules" / "01-modul-1.md").write_text(
        '+++\ntitle = "Modul 1 (revisi)"\nminutes = 12\n+++\nIsi baru.\n', encoding="utf-8")
    [result] = import_folder(pack)
    assert result.status == "updated"
    assert count(CourseVersion) == 2
    db.session.expire_all()
    p = progress_for(participant.id, [course("kursus-uji")])[course("kursus-uji").id]
    assert (p.modules_done, p.modules_total) == (1, 3)


def test_removed_module_keeps_its_history_and_leaves_the_count(tmp_path, participant):
    pack = make_pack(tmp_path, "kursus-uji", module_slugs=["a", "b", "c"])
    import_folder(pack)
    c = course("kursus-uji")
    enrol(participant, c)
    mark_module_done(participant, c, module("kursus-uji", "b"))
    make_pack(tmp_path, "kursus-uji", module_slugs=["a", "c"])
    [result] = import_folder(pack)
    assert result.modules_removed == ["b"]
    db.session.expire_all()
    p = progress_for(participant.id, [course("kursus-uji")])[course("kursus-uji").id]
    assert (p.modules_done, p.modules_total) == (0, 2)
    assert count(ModuleCompletion) == 1  # the history is still there
    # Bringing the module back restores the learner's completion.
    make_pack(tmp_path, "kursus-uji", module_slugs=["a", "b", "c"])
    [result] = import_folder(pack)
    assert result.status == "restored"
    db.session.expire_all()
    p = progress_for(participant.id, [course("kursus-uji")])[course("kursus-uji").id]
    assert (p.modules_done, p.modules_total) == (1, 3)


def test_module_added_after_completion_does_not_uncomplete(tmp_path, participant):
    pack = make_pack(tmp_path, "kursus-uji", module_slugs=["a"])
    import_folder(pack)
    c = course("kursus-uji")
    enrol(participant, c)
    assert mark_module_done(participant, c, module("kursus-uji", "a")) is True
    make_pack(tmp_path, "kursus-uji", module_slugs=["a", "baru"])
    import_folder(pack)
    db.session.expire_all()
    p = progress_for(participant.id, [course("kursus-uji")])[course("kursus-uji").id]
    assert p.completed and p.percent == 100
    assert p.new_since_completion == 1


def test_export_then_import_is_identical(runner, tmp_path):
    runner.invoke(args=["lms", "import", str(EXAMPLE)])
    dest = tmp_path / "export"
    result = runner.invoke(args=["lms", "export", "contoh-kursus", str(dest)])
    assert result.exit_code == 0, result.output
    assert load_pack(dest).content_hash == load_pack(EXAMPLE).content_hash
    for path in EXAMPLE.rglob("*"):
        if path.is_file():
            assert (dest / path.relative_to(EXAMPLE)).read_bytes() == path.read_bytes()
    assert "unchanged" in runner.invoke(args=["lms", "import", str(dest)]).output


def test_export_unknown_course_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["lms", "export", "tidak-ada", str(tmp_path / "x")])
    assert result.exit_code == 1 and "tidak-ada" in result.output


def test_copied_pack_folder_with_same_slug_is_refused(runner, tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "satu")
    shutil.copytree(EXAMPLE, tmp_path / "dua")
    result = runner.invoke(args=["lms", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "satu" in result.output and "dua" in result.output


def test_removing_the_last_unfinished_module_completes_the_course(tmp_path, participant):
    from lms.certificates.models import Certificate

    pack = make_pack(tmp_path, "kursus-uji", module_slugs=["a", "b"])
    import_folder(pack)
    c = course("kursus-uji")
    enrol(participant, c)
    mark_module_done(participant, c, module("kursus-uji", "a"))
    make_pack(tmp_path, "kursus-uji", module_slugs=["a"])
    import_folder(pack)
    db.session.expire_all()
    p = progress_for(participant.id, [course("kursus-uji")])[course("kursus-uji").id]
    assert p.completed and p.percent == 100
    assert count(Certificate) == 1


def test_reimport_keeps_an_archived_course_archived(app, tmp_path):
    pack = make_pack(tmp_path, "kursus-uji", modules=1)
    import_folder(pack)
    course("kursus-uji").status = "archived"
    db.session.commit()
    make_pack(tmp_path, "kursus-uji", modules=2)
    import_folder(pack)
    db.session.expire_all()
    assert course("kursus-uji").status == "archived"


def test_an_unknown_certificate_design_is_a_warning_not_an_error(runner, tmp_path):
    pack = make_pack(tmp_path)
    toml = pack / "course.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[certificate]\ntemplate = "tidak-ada"\n',
                    encoding="utf-8")
    result = runner.invoke(args=["lms", "import", str(pack)])
    assert result.exit_code == 0, result.output
    assert "created: kursus-uji" in result.output
    assert "certificate template 'tidak-ada' is not installed" in result.output
    assert "built-in design will be used" in result.output


def test_rerender_modules_renews_old_html_and_keeps_the_sources(runner):
    """A module page stored by an older renderer (here: with a visible "¶" permalink) is
    rendered anew from the version's own sources; the version, its hash and the page's
    address stay the same, and a second run finds nothing to change."""
    from lms.courses.models import ModuleVersion

    runner.invoke(args=["lms", "import", str(EXAMPLE)])
    version = course("contoh-kursus").current_version
    rows = list(db.session.scalars(select(ModuleVersion).where(
        ModuleVersion.version_id == version.id)))
    fresh = {row.id: row.body_html for row in rows}
    stale = rows[0]
    stale.body_html = '<h2 id="x">Lama<a class="headerlink" href="#x">¶</a></h2>'
    db.session.commit()

    result = runner.invoke(args=["lms", "rerender-modules", "contoh-kursus"])
    assert result.exit_code == 0, result.output
    assert f"contoh-kursus version {version.id}: {stale.module.slug}" in result.output
    db.session.expire_all()
    assert {row.id: row.body_html for row in db.session.scalars(
        select(ModuleVersion).where(ModuleVersion.version_id == version.id))} == fresh
    assert count(CourseVersion) == 1
    assert course("contoh-kursus").current_version.content_hash == load_pack(EXAMPLE).content_hash

    again = runner.invoke(args=["lms", "rerender-modules"])
    assert "0 module page(s) rendered anew" in again.output
    unknown = runner.invoke(args=["lms", "rerender-modules", "tidak-ada"])
    assert unknown.exit_code != 0 and "tidak-ada" in unknown.output
