"""Build small course packs on disk for tests, and import them through the real importer."""

from __future__ import annotations

from pathlib import Path

from lms.courses.services.importer import import_packs, load_packs


def make_pack(root: Path, slug: str = "kursus-uji", modules: int = 3, *, sequential: bool = False,
              area: str = "ict", enrolment: str = "open", body: str | None = None,
              module_slugs: list[str] | None = None) -> Path:
    """Write a valid pack with `modules` modules and no quizzes; return its folder."""
    pack = root / slug
    (pack / "modules").mkdir(parents=True, exist_ok=True)
    for old in (pack / "modules").glob("*.md"):
        old.unlink()
    slugs = module_slugs or [f"modul-{i}" for i in range(1, modules + 1)]
    listed = ", ".join(f'"{s}"' for s in slugs)
    (pack / "course.toml").write_text(f'''slug = "{slug}"
version = "1.0"
area = "{area}"
hours = 4
enrolment = "{enrolment}"
sequential = {str(sequential).lower()}
modules = [{listed}]

[title]
id = "Kursus Uji {slug}"
en = "Test Course {slug}"

[summary]
id = "Ringkasan kursus uji."
en = "Test course summary."
''', encoding="utf-8")
    for i, s in enumerate(slugs, start=1):
        text = body if body is not None else f"## Bagian {i}\n\nIsi modul {s} untuk diuji."
        (pack / "modules" / f"{i:02d}-{s}.md").write_text(
            f'+++\ntitle = "Modul {s}"\nminutes = 10\nobjectives = ["Tujuan {i}"]\n+++\n{text}\n',
            encoding="utf-8")
    return pack


def import_folder(*paths) -> list:
    """Load and import packs as `flask lms import` does; fail loudly on any problem."""
    packs, problems = load_packs([str(p) for p in paths])
    assert not problems, [str(p) for p in problems]
    return import_packs(packs)
