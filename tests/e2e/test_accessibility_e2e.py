"""WCAG 2.2 A/AA checks with axe-core on the pages a facilitator candidate and a verifier use."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from lms.auth.services import register_participant
from lms.extensions import db
from tests.packs import import_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "contoh-kursus"
WCAG = {"runOnly": {"type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


@pytest.fixture
def learner(live_server):
    with live_server.app.app_context():
        import_folder(EXAMPLE)
        register_participant(full_name="Ahmad Fauzi", email="ahmad@contoh.id",
                             password="perpustakaan-desa-aceh", library_name="Perpustakaan Gampong",
                             library_level="desa", province_code="11", regency_code="11.06")
        db.session.remove()


def test_public_pages_have_no_wcag_violations(page, learner):
    found = []
    for url in ["/", "/login", "/register", "/reset", "/verify", "/courses/",
                "/courses/contoh-kursus", "/verify/PLT-0000-0000-0"]:
        page.goto(url)
        found += violations(page)
    page.goto("/login")
    page.get_by_role("button", name="Masuk").click()  # a form with errors
    found += violations(page)
    assert found == []


def test_learner_pages_have_no_wcag_violations(page, learner):
    page.goto("/login")
    page.get_by_label("Email").fill("ahmad@contoh.id")
    page.get_by_label("Kata sandi").fill("perpustakaan-desa-aceh")
    page.get_by_role("button", name="Masuk").click()
    page.goto("/courses/contoh-kursus")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    found = violations(page)
    page.get_by_role("link", name="Mulai:").click()
    found += violations(page)  # module page
    page.get_by_role("link", name="Kuis Modul 1: Pengenalan").click()
    found += violations(page)  # quiz page
    page.get_by_role("button", name="Mulai kuis").click()
    found += violations(page)  # attempt page with every question type of the example
    for url in ["/", "/profile", "/password", "/certificates/", "/paths/"]:
        page.goto(url)
        found += violations(page)
    assert found == []
