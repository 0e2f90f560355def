"""Authoring and cohort pages name a course, a module and a quiz by their titles (in the reader's
language), never by their slugs, in <title>, <h1> and the breadcrumbs; a course's authoring pages
share one row of tabs with the current one marked."""

from __future__ import annotations

import re

import pytest

from lms.authoring.services import drafts
from tests.helpers.cohorts import cohort_course, make_cohort
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login

SLUG = "lid-x7"
TITLE_ID, TITLE_EN = "Literasi Informasi Desa", "Village Information Literacy"
MODULE_TITLE = "Mengenal Perpustakaan Desa"
QUIZ_SLUG, QUIZ_TITLE = "kp-01", "Kuis Pengenalan"
QUIZ_FORM = {"slug": QUIZ_SLUG, "kind": "module", "module": "modul-1",
             "title_id": QUIZ_TITLE, "title_en": "Introduction Quiz", "pass_mark": "80",
             "attempts": "2", "grading": "highest", "time_limit_minutes": "",
             "opens_at": "", "closes_at": "", "shuffle_questions": "0", "shuffle_options": "1",
             "draw": "", "draw_categories": "", "per_page": ""}


@pytest.fixture
def trainer(app, client, trainer_user, tmp_path):
    pack = make_pack(tmp_path, SLUG, modules=2)
    toml = pack / "course.toml"
    toml.write_text(toml.read_text().replace(f"Kursus Uji {SLUG}", TITLE_ID)
                    .replace(f"Test Course {SLUG}", TITLE_EN))
    module = next((pack / "modules").glob("01-*.md"))
    module.write_text(module.read_text().replace("Modul modul-1", MODULE_TITLE))
    import_folder(pack)
    drafts.add_editor(drafts.open_draft(SLUG, None), trainer_user, user=None)
    client = login(client, trainer_user.email)
    client.post("/language", data={"lang": "id"})
    assert client.post(f"/author/{SLUG}/quizzes", data=QUIZ_FORM).status_code == 302
    return client


def _parts(html: str) -> dict[str, str]:
    def one(pattern: str) -> str:
        found = re.search(pattern, html, re.S)
        return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""
    return {"title": one(r"<title>(.*?)</title>"), "h1": one(r"<h1[^>]*>(.*?)</h1>"),
            "breadcrumb": one(r'<nav aria-label="[^"]*" class="breadcrumb">(.*?)</nav>')}


def _tabs(html: str) -> tuple[list[str], list[str]]:
    nav = re.search(r'<nav aria-label="[^"]*" class="author-nav author-tabs">(.*?)</nav>',
                    html, re.S)
    assert nav, "no tabs"
    labels = re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1))
    current = re.findall(r'<a href="([^"]*)" aria-current="(page|true)">(.*?)</a>', nav.group(1))
    return labels, current


PAGES = [  # url, the tab marked current, what names the page besides the course
    (f"/author/{SLUG}/", "Modul", None),
    (f"/author/{SLUG}/settings", "Pengaturan", None),
    (f"/author/{SLUG}/modules/modul-1/edit", "Modul", MODULE_TITLE),
    (f"/author/{SLUG}/modules/modul-1/delete", "Modul", MODULE_TITLE),
    (f"/author/{SLUG}/media", "Media", None),
    (f"/author/{SLUG}/editors", "Penyunting", None),
    (f"/author/{SLUG}/history", "Riwayat", None),
    (f"/author/{SLUG}/audit", "Riwayat", None),
    (f"/author/{SLUG}/quizzes", "Kuis", None),
    (f"/author/{SLUG}/quizzes/{QUIZ_SLUG}", "Kuis", QUIZ_TITLE),
    (f"/author/{SLUG}/quizzes/{QUIZ_SLUG}/preview", "Kuis", QUIZ_TITLE),
    (f"/author/{SLUG}/quizzes/{QUIZ_SLUG}/import", "Kuis", QUIZ_TITLE),
    (f"/author/{SLUG}/quizzes/{QUIZ_SLUG}/questions/new?type=multiple_choice", "Kuis",
     QUIZ_TITLE),
    (f"/author/{SLUG}/quizzes/{QUIZ_SLUG}/delete", "Kuis", QUIZ_TITLE),
]


@pytest.mark.parametrize(("url", "tab", "name"), PAGES)
def test_authoring_pages_show_titles_not_slugs_and_the_current_tab(trainer, url, tab, name):
    response = trainer.get(url)
    assert response.status_code == 200, url
    parts = _parts(response.text)
    assert TITLE_ID in parts["breadcrumb"] and TITLE_ID in parts["title"], url
    if name:
        assert name in parts["breadcrumb"] and name in parts["title"] + parts["h1"], url
    for where, text in parts.items():
        assert SLUG not in text and QUIZ_SLUG not in text and "modul-1" not in text, (url, where)
    labels, current = _tabs(response.text)
    assert labels[:3] == ["Modul", "Pengaturan", "Kuis"] and "Riwayat" in labels, labels
    [(href, kind, label)] = current
    assert label == tab, (url, current)
    # "page" on the tab's own page, "true" on the pages inside it (a module, a quiz, ...)
    assert kind == ("page" if url == href else "true"), (url, current)


def test_an_english_reader_sees_the_english_title(trainer):
    trainer.post("/language", data={"lang": "en"})
    parts = _parts(trainer.get(f"/author/{SLUG}/settings").text)
    assert TITLE_EN in parts["h1"] and TITLE_EN in parts["breadcrumb"]
    labels, current = _tabs(trainer.get(f"/author/{SLUG}/quizzes/{QUIZ_SLUG}").text)
    assert labels[:3] == ["Modules", "Settings", "Quizzes"]
    assert [label for _href, _kind, label in current] == ["Quizzes"]


def test_the_slug_stays_as_technical_information(trainer):
    html = trainer.get(f"/author/{SLUG}/modules/modul-1/edit").text
    assert "modules/01-modul-1.md" in html  # the muted "file:" line
    assert f"Alamat kuis: {QUIZ_SLUG}" in trainer.get(f"/author/{SLUG}/quizzes/{QUIZ_SLUG}").text


def test_cohort_pages_name_courses_by_title(app, client, trainer_user, tmp_path):
    course = cohort_course(tmp_path, slug="ka-77")
    cohort = make_cohort(trainer_user, course)
    client = login(client, trainer_user.email)
    client.post("/language", data={"lang": "id"})
    for url in (f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/deadlines"):
        html = client.get(url).text
        assert course.title("id") in html, url
        assert "ka-77" not in re.sub(r'href="[^"]*"', "", html), url
