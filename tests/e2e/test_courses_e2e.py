"""A learner enrols, reads two modules and sees the progress, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import example_learner, log_in


@pytest.fixture
def learner(live_server):
    return example_learner(live_server.app)


def test_enrol_read_two_modules_progress_shows_two_of_n(page, learner):
    email, password = learner
    log_in(page, email, password)

    page.get_by_role("link", name="Kursus", exact=True).click()
    page.get_by_role("link", name="Contoh Kursus: Literasi Digital di Perpustakaan").click()
    page.get_by_role("button", name="Ikuti kursus ini").click()
    expect(page.locator(".progress__text")).to_contain_text("0 dari 4 selesai")

    page.get_by_role("link", name="Mulai:").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="Tandai selesai dan lanjutkan").click()
    # Sequential course: the second module opened after the first was done.
    expect(page.get_by_text("Modul 2 dari 2")).to_be_visible()
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.locator(".module-done .progress__text")).to_contain_text("2 dari 4 selesai")

    page.get_by_role("link", name="Beranda").click()
    expect(page.locator(".progress__text")).to_contain_text("2 dari 4 selesai")
    expect(page.locator("progress")).to_have_attribute("value", "50")
