"""A facilitator candidate registers, logs in, switches language and logs out, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.browser import log_in

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


def test_log_out_of_every_device_with_the_keyboard(page, browser, live_server):
    register(page, email="tari@contoh.id")
    laptop = browser.new_context(base_url=live_server.url)
    other = laptop.new_page()
    other.goto("/login")
    other.get_by_label("Email").fill("tari@contoh.id")
    other.get_by_label("Kata sandi").fill(PASSWORD)
    other.get_by_label("Ingat saya di perangkat ini").check()
    other.get_by_role("button", name="Masuk").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Rina Marlina")

    page.goto("/profile")
    expect(page.get_by_text("sedang masuk di 2 perangkat")).to_be_visible()
    button = page.get_by_role("button", name="Keluar dari semua perangkat")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("semua perangkat")

    other.goto("/profile")  # the remembered laptop is logged out too
    expect(other.get_by_role("heading", name="Masuk")).to_be_visible()
    laptop.close()


def test_admin_menu_site_address_and_role_change_work_without_javascript(browser, live_server):
    from lms.auth.services import create_user

    with live_server.app.app_context():
        create_user(email="admin@contoh.id", full_name="Admin Pelita",
                    password="kelola-pelita-bersama", role="admin")
        create_user(email="yanti@contoh.id", full_name="Yanti Pelatih",
                    password="belajar-bersama-di-desa", role="participant")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "admin@contoh.id", "kelola-pelita-bersama")

    # One "Administrasi" link in the menu (it fits a phone); the sections are on that page.
    admin_menu = page.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Administrasi")
    admin_menu.click()
    page.get_by_role("link", name="Pengaturan situs").click()
    expect(page.get_by_role("heading", name="Alamat publik")).to_be_visible()
    expect(page.locator("#base-url")).to_have_text("http://localhost")

    admin_menu.click()
    page.get_by_role("link", name="Pengguna", exact=True).click()
    page.get_by_label("Peran Yanti Pelatih").select_option("trainer")
    page.get_by_role("row", name=re.compile("Yanti Pelatih")).get_by_role(
        "button", name="Ubah peran").click()
    admin_menu.click()
    page.get_by_role("link", name="Log audit").click()
    expect(page.locator("#audit-events")).to_contain_text("Mengubah peran")
    expect(page.locator("#audit-events")).to_contain_text("Peserta → Master trainer")
    context.close()
