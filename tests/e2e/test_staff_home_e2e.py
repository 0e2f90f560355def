"""Issue 21's "Done when", on a wide screen: a master trainer sees on their Beranda a learner of
their cohort who has been inactive for 14 days or more (the frozen clock moved on), follows the
link to the learner's record; the trainer's and the admin's Beranda, and the admin's new
certificate set-up pages (site-wide and per course), have no WCAG 2.2 A/AA violation
(axe-core)."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import create_user
from lms.extensions import db
from tests.e2e.conftest import axe_violations
from tests.helpers.browser import example_learner, log_in
from tests.helpers.cohorts import add_joined, make_cohort

DESKTOP = {"width": 1280, "height": 900}
TRAINER = ("pelatih@contoh.id", "latih-pustaka-desa")
ADMIN = ("admin@contoh.id", "kelola-pelita-bersama")


def test_a_trainer_sees_an_inactive_learner_and_staff_homes_pass_axe(browser, live_server,
                                                                      clock):
    from lms.courses.models import Course

    email, _password = example_learner(live_server.app)
    with live_server.app.app_context():
        trainer = create_user(email=TRAINER[0], full_name="Pelatih Utama", password=TRAINER[1],
                              role="trainer")
        create_user(email=ADMIN[0], full_name="Admin Pelita", password=ADMIN[1], role="admin")
        course = db.session.scalar(select(Course).where(Course.slug == "contoh-kursus"))
        cohort = make_cohort(trainer, course, name="Angkatan Wamena")
        add_joined(trainer, cohort, db.session.scalar(select(User).where(User.email == email)))
        cohort_id = cohort.id
        db.session.remove()
    clock.advance(days=15)  # the learner has done nothing since she joined

    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, *TRAINER)
    page.goto("/")
    section = page.locator("#needs-look")
    assert "tidak aktif selama 15 hari" in section.inner_text()
    found = axe_violations(page)
    section.get_by_role("link", name="Yohana Wenda").click()
    assert f"/reports/cohorts/{cohort_id}/participants/" in page.url
    context.clear_cookies()

    log_in(page, *ADMIN)
    for url in ["/", "/admin/", "/admin/certificate",
                "/admin/certificate/courses/contoh-kursus"]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        found += axe_violations(page)
    context.close()
    assert found == [], "\n".join(found)


def test_on_a_phone_the_admin_menu_is_one_button_that_opens_with_the_keyboard(browser,
                                                                            live_server):
    """Issue 21: an admin's ten menu items took four rows of a 360 px screen. Now the header is
    one row with a "Menu" button (a <details>, no JavaScript) that opens from the keyboard; on a
    wide screen the items show without it."""
    with live_server.app.app_context():
        create_user(email=ADMIN[0], full_name="Admin Pelita", password=ADMIN[1], role="admin")
        db.session.remove()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, *ADMIN)
    page.goto("/")
    menu = page.get_by_role("navigation", name="Menu utama")
    reports = menu.get_by_role("link", name="Laporan")
    assert not reports.is_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 80  # one row
    page.locator(".nav-menu > summary").focus()
    page.keyboard.press("Enter")
    assert reports.is_visible()
    page.keyboard.press("Tab")  # into the opened menu: its first item
    assert page.evaluate("document.activeElement.textContent.trim()") == "Beranda"
    reports.click()
    assert page.url.endswith("/reports/")
    assert axe_violations(page) == []

    page.set_viewport_size(DESKTOP)
    page.goto("/")
    assert not page.locator(".nav-menu > summary").is_visible()
    assert menu.get_by_role("link", name="Administrasi").is_visible()
    context.close()
