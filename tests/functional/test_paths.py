"""Learning paths: import, the path page for guests and learners, dashboard, course page, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.content import CoursePackError
from lms.extensions import db
from lms.paths import services
from lms.paths.models import LearningPath, LearningPathCourse
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import english

ROOT = Path(__file__).resolve().parents[2]
SLUGS = ["kursus-satu", "kursus-dua", "kursus-tiga"]


def write_path(folder: Path, courses: list[str], slug: str = "jalur-uji",
               version: str = "1.0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{c}"' for c in courses)
    file = folder / f"{slug}.toml"
    file.write_text(f'''slug = "{slug}"
version = "{version}"
courses = [{listed}]

[title]
id = "Jalur Uji"
en = "Test Path"

[summary]
id = "Ringkasan jalur uji."
en = "Test path summary."

[requirements]
id = ["Rencana pendampingan disetujui master trainer"]
en = ["A mentoring plan approved by a master trainer"]
''', encoding="utf-8")
    return file


def import_path_folder(folder: Path):
    sources, problems = services.load_paths([folder])
    assert not problems, [str(p) for p in problems]
    return services.import_paths(sources)


@pytest.fixture
def path_of_three(app, tmp_path):
    import_folder(*(make_pack(tmp_path / "courses", s, modules=2) for s in SLUGS))
    import_path_folder(write_path(tmp_path / "paths", SLUGS).parent)
    return "jalur-uji"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --------------------------------------------------------------------------- import


def test_a_path_whose_courses_are_not_imported_is_an_error_naming_them(app, tmp_path):
    import_folder(make_pack(tmp_path / "courses", "kursus-satu", modules=1))
    file = write_path(tmp_path / "paths", SLUGS)
    sources, problems = services.load_paths([file])
    assert problems == []
    with pytest.raises(CoursePackError) as err:
        services.import_paths(sources)
    (problem,) = err.value.problems
    assert problem.file == str(file) and problem.line == 3
    assert "kursus-dua, kursus-tiga" in problem.message and "kursus-satu" not in problem.message
    assert db.session.scalar(select(func.count()).select_from(LearningPath)) == 0


def test_import_is_idempotent_and_follows_changes(app, tmp_path):
    import_folder(*(make_pack(tmp_path / "courses", s, modules=1) for s in SLUGS))
    folder = tmp_path / "paths"
    write_path(folder, SLUGS)
    assert [(r.status, r.courses) for r in import_path_folder(folder)] == [("created", 3)]
    first = db.session.scalar(select(LearningPath))
    first_hash, first_updated = first.content_hash, first.updated_at
    entry_ids = set(db.session.scalars(select(LearningPathCourse.id)))

    assert [r.status for r in import_path_folder(folder)] == ["unchanged"]
    db.session.expire_all()
    again = db.session.scalar(select(LearningPath))
    assert (again.content_hash, again.updated_at) == (first_hash, first_updated)
    assert set(db.session.scalars(select(LearningPathCourse.id))) == entry_ids

    write_path(folder, list(reversed(SLUGS[1:])), version="1.1")
    assert [r.status for r in import_path_folder(folder)] == ["updated"]
    db.session.expire_all()
    path = db.session.scalar(select(LearningPath))
    assert path.version_label == "1.1" and path.content_hash != first_hash
    assert [(e.position, e.course.slug) for e in path.entries] == [(1, "kursus-tiga"), (2, "kursus-dua")]
    assert db.session.scalar(select(func.count()).select_from(LearningPath)) == 1


# --------------------------------------------------------------------------- the path page


def test_guest_sees_the_path_without_progress(client, path_of_three):
    english(client)
    html = client.get(f"/paths/{path_of_three}").text
    assert "<h1>Test Path</h1>" in html and "Test path summary." in html
    positions = [html.index(f'href="/courses/{s}"') for s in SLUGS]
    assert positions == sorted(positions)
    assert "A mentoring plan approved by a master trainer" in html
    assert "courses completed" not in html and "<progress" not in html
    assert "Log in to see your progress in this path." in html
    assert client.get("/paths/").status_code == 200
    assert "Test Path" in client.get("/paths/").text
    assert client.get("/paths/tidak-ada").status_code == 404


def test_the_path_page_shows_indonesian_by_default(client, path_of_three):
    html = client.get(f"/paths/{path_of_three}").text
    assert "Jalur Uji" in html and "Rencana pendampingan disetujui master trainer" in html


def test_learner_sees_progress_per_course_and_what_remains(client, auth, participant,
                                                           path_of_three):
    auth.login(participant.email)
    english(client)
    page = text_of(client.get(f"/paths/{path_of_three}").text)
    assert "0 of 3 courses completed" in page
    assert page.count("Not enrolled yet") == 3

    client.post("/courses/kursus-satu/enrol")
    for module in ("modul-1", "modul-2"):
        client.post(f"/courses/kursus-satu/modules/{module}/done")
    client.post("/courses/kursus-dua/enrol")
    client.post("/courses/kursus-dua/modules/modul-1/done")

    html = client.get(f"/paths/{path_of_three}").text
    page = text_of(html)
    assert "1 of 3 courses completed" in page
    first, second, third = (page.split("Test Course kursus-satu", 1)[1].split("Test Course ", 3)
                            [0:3])
    assert "Completed" in first
    assert "1 of 2 done" in second and "50%" in second
    assert "Not enrolled yet" in third
    remaining = html.split('class="path-remaining"', 1)[1].split("</ul>", 1)[0]
    assert "kursus-dua" in remaining and "kursus-tiga" in remaining
    assert "kursus-satu" not in remaining


def test_completing_every_course_says_so(client, auth, participant, tmp_path):
    import_folder(make_pack(tmp_path / "courses", "kursus-satu", modules=1))
    import_path_folder(write_path(tmp_path / "paths", ["kursus-satu"]).parent)
    auth.login(participant.email)
    english(client)
    client.post("/courses/kursus-satu/enrol")
    client.post("/courses/kursus-satu/modules/modul-1/done")
    page = text_of(client.get("/paths/jalur-uji").text)
    assert "1 of 1 course completed" in page
    assert "You have completed every course of this path." in page


# --------------------------------------------------------------------------- dashboard, course page


def test_dashboard_lists_the_paths_the_learner_has_started(client, auth, participant,
                                                           path_of_three):
    auth.login(participant.email)
    english(client)
    assert "Test Path" not in client.get("/").text
    client.post("/courses/kursus-dua/enrol")
    html = client.get("/").text
    section = html.split('id="my-paths"', 1)[1].split("</section>", 1)[0]
    assert 'href="/paths/jalur-uji"' in section and "Test Path" in section
    assert "0 of 3 courses completed" in text_of(section)
    client.post("/courses/kursus-dua/modules/modul-1/done")
    client.post("/courses/kursus-dua/modules/modul-2/done")
    assert "1 of 3 courses completed" in text_of(client.get("/").text)


def test_course_page_links_to_its_path(client, path_of_three, tmp_path):
    import_folder(make_pack(tmp_path / "courses", "kursus-lain", modules=1))
    english(client)
    html = client.get("/courses/kursus-dua").text
    assert re.search(r'Part of the path:\s*<a href="/paths/jalur-uji">Test Path</a>', html)
    assert "Part of the path" not in client.get("/courses/kursus-lain").text


# --------------------------------------------------------------------------- command line


def test_cli_import_paths(app, runner, tmp_path):
    folder = write_path(tmp_path / "paths", SLUGS).parent
    result = runner.invoke(args=["lms", "import-paths", str(folder)])
    assert result.exit_code == 1
    assert "course(s) not imported yet: kursus-satu, kursus-dua, kursus-tiga" in result.output
    assert "no path was imported" in result.output

    import_folder(*(make_pack(tmp_path / "courses", s, modules=1) for s in SLUGS))
    result = runner.invoke(args=["lms", "import-paths", str(folder)])
    assert result.exit_code == 0, result.output
    assert "created: jalur-uji (3 courses)" in result.output
    app.config["PATH_DIRS"] = [str(folder)]
    result = runner.invoke(args=["lms", "import-paths"])
    assert result.exit_code == 0 and "unchanged: jalur-uji" in result.output

    (folder / "rusak.toml").write_text('slug = "rusak"\nversi = 1\n', encoding="utf-8")
    result = runner.invoke(args=["lms", "import-paths"])
    assert result.exit_code == 1
    assert f"{folder / 'rusak.toml'}:2: unknown key `versi`" in result.output


def test_setup_imports_the_shipped_courses_and_path(app, runner):
    app.config["COURSE_DIRS"] = [str(ROOT / "courses")]
    app.config["PATH_DIRS"] = [str(ROOT / "paths")]
    result = runner.invoke(args=["lms", "setup"])
    assert result.exit_code == 0, result.output
    assert "created: fasilitator-tpbis (5 courses)" in result.output
    assert "created: master-trainer-tpbis (2 courses)" in result.output
    path = db.session.scalar(select(LearningPath).where(LearningPath.slug == "fasilitator-tpbis"))
    assert [e.course.slug for e in path.entries] == [
        "orientasi-tpbis", "literasi-tik", "manajemen-informasi", "pelibatan-masyarakat",
        "merancang-pelatihan"]
    assert path.title_en == "TPBIS Regional Facilitator Certification"
    assert len(path.requirement_list("id")) == 2
    result = runner.invoke(args=["lms", "setup"])
    assert result.exit_code == 0 and "unchanged: fasilitator-tpbis" in result.output


# --------------------------------------------------------------------------- speed


@pytest.mark.parametrize("who", ["guest", "learner"])
def test_path_page_query_count_does_not_grow_with_its_courses(client, auth, participant, tmp_path,
                                                              count_queries, who):
    counts = []
    for size in (3, 6):
        slugs = [f"kursus-{size}-{i}" for i in range(size)]
        import_folder(*(make_pack(tmp_path / f"courses-{size}", s, modules=2) for s in slugs))
        import_path_folder(write_path(tmp_path / f"paths-{size}", slugs, slug=f"jalur-{size}").parent)
        if who == "learner":
            auth.login(participant.email)
            for s in slugs:
                client.post(f"/courses/{s}/enrol")
                client.post(f"/courses/{s}/modules/modul-1/done")
        url = f"/paths/jalur-{size}"
        client.get(url)  # warm caches
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts


def test_dashboard_query_count_does_not_grow_with_path_courses(client, auth, participant, tmp_path,
                                                               count_queries):
    auth.login(participant.email)
    counts = []
    for size in (3, 6):
        slugs = [f"kursus-{size}-{i}" for i in range(size)]
        import_folder(*(make_pack(tmp_path / f"courses-{size}", s, modules=2) for s in slugs))
        import_path_folder(write_path(tmp_path / f"paths-{size}", slugs, slug=f"jalur-{size}").parent)
        client.post(f"/courses/{slugs[0]}/enrol")
        client.get("/")
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
