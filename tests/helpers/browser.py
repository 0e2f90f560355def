"""Browser tests' shared steps (Playwright pages) and the people they need."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "contoh-kursus"
LEARNER = ("yohana@contoh.id", "noken-dan-buku-2026")


def example_learner(app) -> tuple[str, str]:
    """The example course imported and a village librarian registered (not enrolled) on the
    live server's app; returns her (email, password)."""
    from lms.auth.services import register_participant
    from lms.extensions import db
    from tests.helpers.packs import import_folder

    with app.app_context():
        import_folder(EXAMPLE)
        register_participant(full_name="Yohana Wenda", email=LEARNER[0], password=LEARNER[1],
                             library_name="Perpustakaan Desa Wamena", library_level="desa",
                             province_code="95", regency_code="95.01")
        db.session.remove()
    return LEARNER


def log_in(page, email: str, password: str) -> None:
    """Log in through the form, as a person would, in the default (Indonesian) interface."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def menu_link(page, name: str):
    """A link of the main menu, opening the menu first where it is folded (a staff member's menu
    on a phone is behind a "Menu" button)."""
    summary = page.locator(".nav-menu > summary")
    if summary.count() and summary.is_visible() and page.locator(".nav-menu[open]").count() == 0:
        summary.click()
    return page.locator("nav.nav").get_by_role("link", name=name, exact=True)
