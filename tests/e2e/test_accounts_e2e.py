"""A facilitator candidate registers, logs in, switches language and logs out, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

PASSWORD = "literasi-untuk-semua"


def register(page, email="rina@contoh.id", password=PASSWORD):
    page.goto("/register")
    page.get_by_label("Nama lengkap").fill("Rina Marlina")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_label("Ulangi kata sandi").fill(password)
    page.get_by_label("Nama perpustakaan").fill("Perpustakaan Desa Cibodas")
    page.get_by_label("Tingkat perpustakaan").select_option("desa")
    page.get_by_label("Provinsi").select_option(label="Jawa Barat")
    # JavaScript fetches the regencies of the chosen province.
    regency = page.get_by_label("Kabupaten/kota")
    expect(regency.locator("option", has_text="Kabupaten Bandung Barat")).to_have_count(1)
    regency.select_option(label="Kabupaten Bandung Barat")
    page.get_by_role("button", name="Buat akun").click()


def test_register_login_switch_language_logout(page):
    register(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rina Marlina")
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()

    page.get_by_label("Email").fill("rina@contoh.id")
    page.get_by_label("Kata sandi").fill("literasi-untuk-semua")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rina Marlina")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Profile")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # remembered

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_failed_login_shows_the_error_next_to_the_field(page, live_server):
    register(page, email="dedi@contoh.id")
    page.get_by_role("button", name="Keluar").click()
    page.get_by_label("Email").fill("dedi@contoh.id")
    page.get_by_label("Kata sandi").fill("bukan-kata-sandinya")
    page.get_by_role("button", name="Masuk").click()
    password = page.get_by_label("Kata sandi")
    expect(password).to_have_attribute("aria-invalid", "true")
    error_id = re.search(r"(password-error)", password.get_attribute("aria-describedby")).group(1)
    expect(page.locator(f"#{error_id}")).to_contain_text("Email atau kata sandi salah")


def test_registration_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/register")
    page.get_by_label("Provinsi").select_option(label="Bali")
    page.get_by_role("button", name="Tampilkan kabupaten/kota").click()
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Gianyar")
    page.get_by_label("Nama lengkap").fill("Made Wirawan")
    page.get_by_label("Email").fill("made@contoh.id")
    page.get_by_label("Kata sandi", exact=True).fill("membaca-membuka-dunia")
    page.get_by_label("Ulangi kata sandi").fill("membaca-membuka-dunia")
    page.get_by_label("Nama perpustakaan").fill("Perpustakaan Desa Ubud")
    page.get_by_label("Tingkat perpustakaan").select_option("desa")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Made Wirawan")
    context.close()
