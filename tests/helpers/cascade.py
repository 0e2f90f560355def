"""The training cascade for tests: a path that grants the facilitator role, courses marked for
replication, a facilitator trained in a master trainer's cohort, field activities recorded
through the real service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from lms.cascade import services as cascade_services
from lms.courses.models import Module
from lms.extensions import db
from lms.learning import services as learning
from lms.paths.loader import load_paths
from lms.paths.services import import_paths
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import import_pack, write_pack

VILLAGE = "32.76.01.1006"  # Depok, Pancoran Mas, Kota Depok, Jawa Barat
OTHER_VILLAGE = "32.76.01.1007"  # Depok Jaya

PATH_TOML = """\
slug = "fasilitator-uji"
version = "1"
grants_role = "facilitator"
courses = {courses}

[title]
id = "Jalur Fasilitator Uji"
en = "Test Facilitator Path"
"""


def course(tmp_path: Path, slug: str, *, certificate: bool = True, replication: bool = False):
    pack = write_pack(tmp_path, slug=slug)
    toml = pack / "course.toml"
    head = "replication = true\n" if replication else ""
    tail = "" if certificate else "\n[certificate]\nenabled = false\n"
    toml.write_text(head + toml.read_text() + tail)
    return import_pack(pack)


def facilitator_path(tmp_path: Path, courses) -> None:
    folder = tmp_path / "paths"
    folder.mkdir(exist_ok=True)
    slugs = "[" + ", ".join(f'"{c.slug}"' for c in courses) + "]"
    (folder / "fasilitator-uji.toml").write_text(PATH_TOML.format(courses=slugs))
    paths, problems = load_paths([folder])
    assert problems == [], problems
    import_paths(paths)


def complete(user, course) -> None:
    """The learner enrols and finishes the course's only module (completion, certificate)."""
    learning.enrol(user, course)
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    learning.mark_module_done(user, course, module)


def trained_facilitator(trainer, facilitator, course, name="Angkatan Fasda"):
    """The facilitator joined a training cohort that `trainer` runs."""
    return join_cohort(trainer, facilitator, course, name=name)


def record(facilitator, *, village=VILLAGE, day=date(2026, 11, 20), women=3, men=2,
           kind="training", topic="Literasi digital", library="Perpustakaan Desa Depok",
           attachment=None):
    return cascade_services.record_activity(facilitator, cascade_services.ActivityInput(
        kind=kind, activity_date=day, village_code=village, library_name=library, women=women,
        men=men, topic=topic), attachment)


def seen(activity) -> dict:
    """The confirm form's data as the detail page carries it (the version the confirmer saw)."""
    db.session.refresh(activity)
    return {"seen": cascade_services.seen_mark(activity)}
