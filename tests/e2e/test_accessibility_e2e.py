"""WCAG 2.2 A/AA checks with axe-core on the pages a facilitator candidate and a verifier use."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.auth.services import register_participant
from lms.extensions import db
from tests.helpers.browser import log_in
from tests.helpers.packs import import_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "contoh-kursus"


@pytest.fixture
def learner(live_server):
    with live_server.app.app_context():
        import_folder(EXAMPLE)
        register_participant(full_name="Ahmad Fauzi", email="ahmad@contoh.id",
                             password="perpustakaan-desa-aceh", library_name="Perpustakaan Gampong",
                             library_level="desa", province_code="11", regency_code="11.06")
        db.session.remove()


def test_public_pages_have_no_wcag_violations(page, learner, axe):
    found = []
    for url in ["/", "/login", "/register", "/reset", "/verify", "/courses/",
                "/courses/contoh-kursus", "/verify/PLT-0000-0000-0", "/api/v1/docs"]:
        page.goto(url)
        found += axe(page)
    page.goto("/login")
    page.get_by_role("button", name="Masuk").click()  # a form with errors
    found += axe(page)
    assert found == []


def test_learner_pages_have_no_wcag_violations(page, learner, axe):
    log_in(page, "ahmad@contoh.id", "perpustakaan-desa-aceh")
    page.goto("/courses/contoh-kursus")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    found = axe(page)
    page.get_by_role("link", name="Mulai:").click()
    found += axe(page)  # module page
    page.get_by_role("link", name="Kuis Modul 1: Pengenalan").click()
    found += axe(page)  # quiz page
    page.get_by_role("button", name="Mulai kuis").click()
    found += axe(page)  # attempt page with every question type of the example
    for url in ["/", "/profile", "/password", "/certificates/", "/paths/"]:
        page.goto(url)
        found += axe(page)
    page.goto("/profile")  # an API token just created, shown once
    page.get_by_label("Nama token").fill("Skrip kemajuan")
    page.get_by_label("read: melihat kursus, kemajuan, jawaban, dan sertifikat Anda").check()
    page.get_by_role("button", name="Buat token").click()
    assert page.get_by_label("Token baru Anda", exact=False).input_value().startswith("pelita_")
    found += axe(page)
    assert found == []


def test_admin_pages_have_no_wcag_violations(page, live_server, axe):
    from lms.auth.services import create_user

    with live_server.app.app_context():
        create_user(email="admin@contoh.id", full_name="Admin Pelita",
                    password="kelola-pelita-bersama", role="admin")
        db.session.remove()
    log_in(page, "admin@contoh.id", "kelola-pelita-bersama")
    found = []
    for url in ["/admin/users", "/admin/site", "/admin/plugins", "/admin/audit", "/profile"]:
        page.goto(url)
        found += axe(page)
    assert found == []
