"""The offline copy of a course for a library without internet: the download on the course page
and `flask lms export-offline` give a zip of static pages that open from a USB stick."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from lms.courses import queries
from lms.courses.models import Course
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login
from tests.helpers.quizzes import enrol

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "courses" / "contoh-kursus"
SLUG = "contoh-kursus"
FOLDER = "contoh-kursus-v1.0.0"
URL = f"/courses/{SLUG}/offline.zip"


@pytest.fixture
def course(app):
    import_folder(EXAMPLE)
    return db.session.query(Course).filter_by(slug=SLUG).one()


@pytest.fixture
def learner(client, participant, course):
    enrol(participant, course)
    return login(client, participant)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def bundle_files(data: bytes, folder: str = FOLDER) -> dict[str, bytes]:
    files = unzip(data)
    assert all(name.startswith(folder + "/") for name in files), list(files)
    return {name[len(folder) + 1:]: body for name, body in files.items()}


class Links(HTMLParser):
    """Every href/src of a page, and the ids it holds."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parsed(body: bytes) -> Links:
    parser = Links()
    parser.feed(body.decode("utf-8"))
    return parser


def dangling_links(files: dict[str, bytes]) -> list[str]:
    """Links of every page that nothing in the bundle answers (web links aside)."""
    pages = {name: parsed(body) for name, body in files.items() if name.endswith(".html")}
    problems = []
    for name, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "tel"):
                continue
            if parts.scheme or parts.netloc or link.startswith("/"):
                problems.append(f"{name}: {link} is not relative")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                       unquote(parts.path))) if parts.path else name
            if target not in files:
                problems.append(f"{name}: {link} -> {target} is not in the bundle")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                problems.append(f"{name}: {link} -> no #{parts.fragment} in {target}")
    return problems


def test_enrolled_learner_downloads_a_bundle_of_static_pages(learner, course):
    response = learner.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f'filename={FOLDER}.zip' in response.headers["Content-Disposition"]
    files = bundle_files(response.data)
    assert sorted(files) == ["01-pengenalan.html", "02-praktik.html", "css/pelita.css",
                             "img/favicon.svg", "index.html", "media/pelita.png"]
    assert files["css/pelita.css"] == (ROOT / "lms/static/css/pelita.css").read_bytes()
    assert files["media/pelita.png"] == (EXAMPLE / "media/pelita.png").read_bytes()

    index = files["index.html"].decode()
    assert '<html lang="id">' in index
    assert "<h1>Contoh Kursus: Literasi Digital di Perpustakaan</h1>" in index
    assert "Kursus singkat untuk fasilitator perpustakaan desa" in index  # the summary
    # The modules in order, with their minutes.
    first, second = index.index('href="01-pengenalan.html">Pengenalan Literasi Digital</a>'), \
        index.index('href="02-praktik.html">Praktik Memeriksa Informasi</a>')
    assert first < second
    assert "20 menit" in index[first:second] and "25 menit" in index[second:]
    # Quizzes are not in the copy: listed, with where to take them online.
    assert "Kuis tidak termasuk dalam salinan ini" in index
    quiz_ids = [q.quiz_id for q in queries.quizzes_of(course)]
    for quiz_id in quiz_ids:
        assert f'href="http://localhost/quizzes/{quiz_id}"' in index
    # About this copy: version, the day it was made (lms.clock), Pelita online.
    assert "Tentang salinan ini" in index and "versi 1.0.0, dibuat pada 26 November 2026" in index
    assert "Kuis, kemajuan belajar, dan sertifikat memerlukan Pelita daring." in index
    assert 'href="http://localhost">http://localhost</a>' in index


def test_module_pages_link_relatively_to_media_modules_and_the_index(learner):
    files = bundle_files(learner.get(URL).data)
    first = files["01-pengenalan.html"].decode()
    assert '<h1>Pengenalan Literasi Digital</h1>' in first
    assert 'src="media/pelita.png"' in first  # the image of the module, from the copy
    assert 'href="02-praktik.html#memeriksa-sumber"' in first  # a module link in the text
    assert '<a class="skip" href="#main">' in first and '<main id="main"' in first
    assert '<nav class="pager" aria-label="Modul">' in first
    assert 'rel="next" href="02-praktik.html"' in first and 'rel="prev"' not in first
    assert 'href="index.html"' in first
    second = files["02-praktik.html"].decode()
    assert 'rel="prev" href="01-pengenalan.html"' in second and 'rel="next"' not in second
    assert 'href="media/pelita.png"' in second  # a worksheet link to a media file
    assert "Modul 2 dari 2" in second


@pytest.mark.parametrize("folder", ["contoh-kursus", "literasi-tik", "manajemen-informasi"])
def test_every_link_of_every_page_resolves_inside_the_bundle(app, folder):
    """Shipped courses, links between modules, to media (images, CSV and Markdown sheets)."""
    import_folder(ROOT / "courses" / folder)
    course = db.session.query(Course).filter_by(slug=folder).one()
    files = bundle_files(queries.offline_zip(course).data, queries.offline_zip(course).filename[:-4])
    assert dangling_links(files) == []
    for name, body in files.items():
        if name.endswith((".html", ".css")):
            text = body.decode()
            assert "/static/" not in text and "http://127" not in text, name
            assert 'href="/' not in text and 'src="/' not in text, name
            assert "<script" not in text, name
    assert len([n for n in files if n.endswith(".html")]) == course.module_count + 1


def test_two_exports_of_the_same_version_are_byte_identical(learner, clock, runner, tmp_path):
    def export(name: str) -> bytes:
        result = runner.invoke(args=["lms", "export-offline", SLUG, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        return (tmp_path / name).read_bytes()

    first = learner.get(URL).data
    assert learner.get(URL).data == first
    assert export("a.zip") == first  # the command and the download give the same bytes
    clock.advance(hours=5)  # later the same day (WIB)
    assert export("b.zip") == first
    clock.advance(days=1)  # another day: the pages say so
    later = export("c.zip")
    assert later != first
    assert "dibuat pada 27 November 2026" in bundle_files(later)["index.html"].decode()


def test_a_re_download_is_a_304_until_the_course_changes(learner, course, tmp_path):
    response = learner.get(URL)
    assert response.headers["Cache-Control"] == "private, max-age=3600"
    etag = response.headers["ETag"]
    assert f"v{course.current_version_id}" in etag
    again = learner.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    # A new version of the course: a new ETag, the new text in the copy.
    import shutil

    pack = tmp_path / SLUG
    shutil.copytree(EXAMPLE, pack)
    module = pack / "modules" / "02-praktik.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nParagraf baru.\n", encoding="utf-8")
    import_folder(pack)
    changed = learner.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Paragraf baru." in bundle_files(changed.data)["02-praktik.html"].decode()


def test_the_course_page_offers_the_download_with_its_size(learner):
    page = learner.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert f'href="{URL}" download>Download for offline reading (USB)</a>' in page
    shown = re.search(r"\(ZIP, about (\d+) KB\)", page)
    assert shown, page[page.index("offline-download"):][:400]
    actual = len(learner.get(URL).data) / 1024  # an estimate, not built for the page
    assert 0.7 * actual <= int(shown.group(1)) <= 1.3 * actual, (shown.group(0), actual)


def test_in_indonesian_the_link_reads_unduh(client, participant, course):
    enrol(participant, course)
    login(client, participant, in_english=False)
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "Unduh untuk dibaca luring (USB)" in page and "ZIP, sekitar" in page


def test_anonymous_is_sent_to_log_in(client, course):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "offline.zip" not in client.get(f"/courses/{SLUG}").get_data(as_text=True)


def test_a_learner_not_enrolled_is_sent_to_the_course_with_a_message(client, participant, course):
    login(client, participant)
    assert "offline.zip" not in client.get(f"/courses/{SLUG}").get_data(as_text=True)
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{SLUG}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrol in the course to download it for offline reading." in page


def test_trainers_download_without_enrolling(client, trainer_user, course):
    login(client, trainer_user)
    assert "offline.zip" in client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert client.get(URL).status_code == 200


def test_an_unknown_course_is_404(learner):
    assert learner.get("/courses/tidak-ada/offline.zip").status_code == 404


def test_cli_writes_the_bundle_and_refuses_unknown_slugs_and_existing_files(runner, course,
                                                                           tmp_path):
    target = tmp_path / "usb" / "kursus.zip"
    target.parent.mkdir()
    result = runner.invoke(args=["lms", "export-offline", SLUG, str(target)])
    assert result.exit_code == 0, result.output
    assert f"{FOLDER}/index.html" in result.output
    assert "index.html" in bundle_files(target.read_bytes())
    assert [p.name for p in target.parent.iterdir()] == ["kursus.zip"]  # no partial file left

    again = runner.invoke(args=["lms", "export-offline", SLUG, str(target)])
    assert again.exit_code != 0 and "--overwrite" in again.output
    assert runner.invoke(args=["lms", "export-offline", SLUG, str(target),
                               "--overwrite"]).exit_code == 0

    unknown = runner.invoke(args=["lms", "export-offline", "tidak-ada", str(tmp_path / "x.zip")])
    assert unknown.exit_code != 0
    assert "no course with the slug 'tidak-ada'" in unknown.output
    assert not (tmp_path / "x.zip").exists()


def test_building_the_bundle_reads_the_same_number_of_queries_for_any_size(
        app, tmp_path, count_queries):
    counts = []
    for size in (2, 30):
        import_folder(make_pack(tmp_path, f"ukuran-{size}", modules=size))
        course = db.session.query(Course).filter_by(slug=f"ukuran-{size}").one()
        with count_queries() as q:
            files = bundle_files(queries.offline_zip(course).data, f"ukuran-{size}-v1.0")
        assert len([n for n in files if n.endswith(".html")]) == size + 1
        counts.append(len(q))
    assert counts[0] == counts[1] <= 4, counts
