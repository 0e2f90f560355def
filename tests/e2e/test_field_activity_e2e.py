"""The cascade in a browser: a facilitator records a training they ran in a village (choosing
the place list by list, as on a phone), an administrator confirms it, and the village shows as
reached in the cascade tree and in the programme roll-up."""

from __future__ import annotations

import pytest

from lms.auth.services import create_user
from lms.extensions import db
from tests.helpers.browser import log_in, menu_link

FACILITATOR = ("fasda@contoh.id", "fasilitator-jawa-barat-2026")
ADMIN = ("admin@contoh.id", "kelola-pelita-bersama")


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        create_user(email=FACILITATOR[0], full_name="Sri Wahyuni", password=FACILITATOR[1],
                    role="facilitator")
        create_user(email=ADMIN[0], full_name="Admin Pelita", password=ADMIN[1], role="admin")
        db.session.remove()
    return live_server




def test_a_facilitator_records_an_activity_and_the_admin_sees_the_village_reached(
        browser, people, axe):
    context = browser.new_context(base_url=people.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, *FACILITATOR)
    menu_link(page, "Kegiatan lapangan").click()
    page.get_by_role("link", name="Catat kegiatan").click()
    found = axe(page)
    page.get_by_label("Tanggal").fill("2026-11-20")
    page.get_by_label("Provinsi").select_option(label="Jawa Barat")
    page.get_by_label("Kabupaten/kota").select_option(label="Kota Depok")
    page.get_by_label("Kecamatan").select_option(label="Pancoran Mas")
    page.get_by_label("Desa atau kelurahan").select_option(label="Depok Jaya")
    page.get_by_label("Perpustakaan", exact=True).fill("Perpustakaan Kelurahan Depok Jaya")
    page.get_by_label("Peserta perempuan").fill("12")
    page.get_by_label("Peserta laki-laki").fill("7")
    page.get_by_label("Topik").fill("Literasi digital untuk warga")
    page.get_by_role("button", name="Simpan kegiatan").click()
    status = page.locator("#activity-status")
    assert "Belum dikonfirmasi" in status.inner_text()
    assert "Depok Jaya" in page.content()
    found += axe(page)
    activity_url = page.url
    context.clear_cookies()

    log_in(page, *ADMIN)
    page.goto(activity_url)
    page.get_by_role("button", name="Konfirmasi kegiatan ini").click()
    assert "Dikonfirmasi oleh Admin Pelita" in page.locator("#activity-status").inner_text()
    page.goto("/cascade/tree")
    tree = page.locator("main").inner_text()
    assert "Sri Wahyuni" in tree
    found += axe(page)

    menu_link(page, "Laporan").click()
    page.get_by_role("link", name="Rekap program").click()
    jabar = page.locator("tr", has=page.locator("th", has_text="Jawa Barat")).first
    cells = jabar.locator("td").all_inner_texts()
    headers = page.locator("thead th").all_inner_texts()
    reached = headers.index("Perpustakaan desa terjangkau") - 1  # the first column is the row head
    assert cells[reached] == "1"
    found += axe(page)
    context.close()
    assert found == [], "\n".join(found)
