"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide no page scrolls sideways — long words break,
wide tables scroll inside their own region — and axe-core finds no WCAG 2.2 A/AA violation, on
every page type a learner, a trainer and an administrator open (reports and the cascade
included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import create_user, register_participant
from lms.courses.models import Course
from lms.extensions import db
from tests.e2e.conftest import axe_violations
from tests.helpers.browser import log_in
from tests.helpers.cohorts import add_joined, make_cohort
from tests.helpers.packs import import_folder

COURSES = Path(__file__).resolve().parents[2] / "courses"
PHONE = {"width": 320, "height": 640}
LONG = "Perpustakaan" * 6  # one unbreakable word wider than the phone

# How much a page scrolls sideways: the document's width beyond the viewport's.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > doc.clientWidth + 1 && !e.closest('.table-scroll, .prose table, pre, .diff');
  }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {over: doc.scrollWidth - doc.clientWidth, wide};
}"""


@pytest.fixture
def site(live_server):
    with live_server.app.app_context():
        import_folder(COURSES / "contoh-kursus", COURSES / "literasi-tik")
        register_participant(full_name=f"Ahmad {LONG}", email="ahmad@contoh.id",
                             password="perpustakaan-desa-aceh", library_name=LONG,
                             library_level="desa", province_code="11", regency_code="11.06")
        admin = create_user(email="admin@contoh.id", full_name=f"Admin {LONG}",
                            password="kelola-pelita-bersama", role="admin")
        learner = db.session.scalar(select(User).where(User.email == "ahmad@contoh.id"))
        course = db.session.scalar(select(Course).where(Course.slug == "contoh-kursus"))
        cohort = make_cohort(admin, course, name=f"Angkatan {LONG}")
        add_joined(admin, cohort, learner)
        live_server.cohort_id = cohort.id
        db.session.remove()
    return live_server




def check(page, urls) -> list[str]:
    """Each page (None: the one open now) neither scrolls sideways nor breaks a WCAG 2.2 A/AA
    rule that axe-core checks, at phone width."""
    problems = []
    for url in urls:
        if url is not None:
            page.goto(url)
        result = page.evaluate(OVERFLOW)
        if result["over"] > 0:
            problems.append(f"{page.url}: {result['over']} px sideways, from {result['wide']}")
        problems += axe_violations(page)
    return problems


def test_no_page_scrolls_sideways_on_a_320_px_phone(browser, site):
    context = browser.new_context(base_url=site.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = check(page, ["/", "/login", "/register", "/reset", "/verify", "/courses/",
                         "/courses/contoh-kursus", "/courses/literasi-tik", "/paths/",
                         "/verify/PLT-0000-0000-0"])

    log_in(page, "ahmad@contoh.id", "perpustakaan-desa-aceh")
    page.goto("/courses/contoh-kursus")
    page.get_by_role("link", name="Mulai:").click()
    found += check(page, [None])  # module page
    page.get_by_role("link", name="Kuis Modul 1: Pengenalan").click()
    found += check(page, [None])  # quiz page
    quiz_url = page.url
    page.get_by_role("button", name="Mulai kuis").click()
    found += check(page, [None])  # attempt page, every question type
    page.get_by_role("button", name="Simpan dan selesai").click()
    found += check(page, [None])  # confirm or review
    found += check(page, [quiz_url])  # the quiz page again, with its attempts table
    found += check(page, ["/", "/profile", "/password", "/certificates/", "/saved", "/offline"])
    context.clear_cookies()

    log_in(page, "admin@contoh.id", "kelola-pelita-bersama")
    found += check(page, ["/", "/admin/", "/admin/users", "/admin/site", "/admin/plugins", "/admin/audit",
                          "/admin/certificate", "/admin/certificate/courses/contoh-kursus",
                          "/author/", "/author/contoh-kursus/", "/author/contoh-kursus/settings",
                          "/author/contoh-kursus/quizzes", "/author/contoh-kursus/history",
                          "/author/contoh-kursus/media", "/author/contoh-kursus/quizzes/kuis-pengenalan",
                          "/author/contoh-kursus/modules/pengenalan/edit",
                          "/cohorts/", "/cohorts/new", f"/cohorts/{site.cohort_id}",
                          f"/cohorts/{site.cohort_id}/grading", f"/cohorts/{site.cohort_id}/import",
                          f"/cohorts/{site.cohort_id}/members/add", "/reports/", "/profile",
                          f"/reports/cohorts/{site.cohort_id}",
                          f"/reports/cohorts/{site.cohort_id}/gradebook", "/reports/programme",
                          "/reports/programme/targets", "/cascade/tree", "/cascade/activities",
                          "/cascade/activities/new"])
    page.goto("/reports/")
    page.locator("#statistics-quizzes a").first.click()
    page.wait_for_url("**/reports/quizzes/*/statistics")  # not the page being left
    found += check(page, [None])  # question statistics of a quiz
    context.close()
    assert found == [], "\n".join(found)


def test_a_trainer_sees_a_stuck_learner_on_their_beranda(browser, site):
    """Issue 21's "Done when": the learner's cohort deadline passed with the course not done;
    their master trainer's Beranda names them and leads to their record, on a phone."""
    from datetime import timedelta

    from lms import clock
    from lms.cohorts.models import CohortCourse, CohortTrainer

    with site.app.app_context():
        trainer = create_user(email="pelatih@contoh.id", full_name="Pelatih Utama",
                              password="latih-pustaka-desa", role="trainer")
        db.session.add(CohortTrainer(cohort_id=site.cohort_id, user_id=trainer.id))
        cc = db.session.scalar(select(CohortCourse).where(CohortCourse.cohort_id == site.cohort_id))
        cc.deadline = clock.today() - timedelta(days=1)
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=site.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "pelatih@contoh.id", "latih-pustaka-desa")
    page.goto("/")
    section = page.locator("#needs-look")
    assert "tersendat" in section.inner_text()
    section.get_by_role("link", name=f"Ahmad {LONG}").click()
    assert f"/reports/cohorts/{site.cohort_id}/participants/" in page.url
    found = check(page, ["/"])
    context.close()
    assert found == [], "\n".join(found)
