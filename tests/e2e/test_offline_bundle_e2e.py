"""The USB stick: a learner downloads the offline copy of a course, and the copy, unzipped to a
folder, is read from disk (file://) in a browser that has no server and no network."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import example_learner, log_in


@pytest.fixture
def learner(live_server):
    return example_learner(live_server.app)


def test_the_downloaded_copy_opens_from_disk_without_a_server(page, browser, live_server, learner,
                                                              tmp_path, axe):
    email, password = learner
    log_in(page, email, password)
    page.goto("/courses/contoh-kursus")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh untuk dibaca luring (USB)").click()
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    assert archive.name == "contoh-kursus-v1.0.0.zip"

    stick = tmp_path / "usb"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(stick)
    index = stick / "contoh-kursus-v1.0.0" / "index.html"
    assert index.is_file()

    # The server goes away, and the reader is a fresh browser context with no network at all.
    live_server.shutdown()
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    try:
        usb = context.new_page()
        usb.set_default_timeout(10_000)
        requests: list[str] = []
        usb.on("request", lambda r: requests.append(r.url))
        failed: list[str] = []
        usb.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))

        def audit(page) -> None:
            """Everything of the page loaded; then axe (which re-reads the stylesheet itself
            with a request file:// refuses, so its failures are not the page's)."""
            assert failed == [], failed
            assert axe(page) == []
            failed.clear()

        usb.goto(index.as_uri())
        expect(usb.get_by_role("heading", level=1)).to_have_text(
            "Contoh Kursus: Literasi Digital di Perpustakaan")
        # The site's stylesheet applies: the skip link is off-screen until focused.
        assert usb.locator("a.skip").evaluate("e => getComputedStyle(e).position") == "absolute"
        audit(usb)

        usb.locator(".syllabus").get_by_role("link", name="Pengenalan Literasi Digital").click()
        expect(usb.get_by_role("heading", level=1)).to_have_text("Pengenalan Literasi Digital")
        assert usb.url.endswith("/01-pengenalan.html")
        image = usb.get_by_role("img", name="Logo Pelita")
        image.scroll_into_view_if_needed()
        usb.wait_for_function(
            "() => { const i = document.querySelector('img[alt=\"Logo Pelita\"]');"
            " return i && i.complete && i.naturalWidth > 0; }")
        audit(usb)

        usb.get_by_role("navigation", name="Modul").get_by_role(
            "link", name="Praktik Memeriksa Informasi").click()
        expect(usb.get_by_role("heading", level=1)).to_have_text("Praktik Memeriksa Informasi")
        usb.get_by_role("navigation", name="Jejak navigasi").get_by_role(
            "link", name="Contoh Kursus: Literasi Digital di Perpustakaan").click()
        expect(usb.get_by_role("heading", level=1)).to_have_text(
            "Contoh Kursus: Literasi Digital di Perpustakaan")

        assert failed == [], failed
        assert [u for u in requests if not u.startswith("file://")] == [], requests
    finally:
        context.close()
