"""An admin sets up the certificate in the browser (signatory, signature, stamp, logo); the
learner's certificate PDF, downloaded afterwards, carries the signatory and a QR that decodes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms import clock
from lms.auth import services as auth_services
from lms.certificates import services as cert_services
from lms.courses.models import Course
from lms.extensions import db
from tests.helpers.browser import log_in
from tests.helpers.images import png
from tests.helpers.packs import import_folder, make_pack

PASSWORD = "literasi-untuk-semua"
SIGNATORY = "Dr. Ni Wayan Sukerti, S.Sos., M.Hum."
ROLE = "Kepala Pusat Pengembangan Perpustakaan"


def _user(email: str, role: str, name: str):
    return auth_services.register_participant(
        full_name=name, email=email, password=PASSWORD, library_name="Perpustakaan Desa Ubud",
        library_level="desa", province_code="51", regency_code="51.04", role=role)


@pytest.fixture
def people(live_server, tmp_path):
    with live_server.app.app_context():
        _user("admin@contoh.id", "admin", "Made Admin")
        _user("ketut@contoh.id", "participant", "Ni Ketut Ayu Saraswati")
        import_folder(make_pack(tmp_path, "kursus-sertifikat", modules=1))
        db.session.remove()


def test_admin_sets_up_the_certificate_and_the_next_one_carries_it(page, browser, live_server,
                                                                   people, tmp_path, axe):
    for name, colour in (("ttd.png", (10, 40, 140)), ("stempel.png", (180, 30, 30)),
                         ("logo.png", (0, 90, 60))):
        (tmp_path / name).write_bytes(png(160, 80, colour))
    log_in(page, "admin@contoh.id", PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Pengaturan sertifikat").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengaturan sertifikat")
    expect(page.locator("#placeholder-warning")).to_be_visible()
    assert axe(page) == []

    page.get_by_label("Lembaga penerbit").fill("Perpustakaan Nasional Republik Indonesia")
    page.get_by_label("Tempat penandatanganan").fill("Denpasar")
    first = page.get_by_role("group", name="Penanda tangan pertama")
    first.get_by_label("Nama").fill(SIGNATORY)
    first.get_by_label("Jabatan").fill(ROLE)
    first.get_by_label("Gambar tanda tangan").set_input_files(str(tmp_path / "ttd.png"))
    page.get_by_label("Gambar stempel").set_input_files(str(tmp_path / "stempel.png"))
    page.get_by_label("Logo 1").set_input_files(str(tmp_path / "logo.png"))
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pengaturan sertifikat disimpan")).to_be_visible()
    expect(page.locator("#placeholder-warning")).to_have_count(0)

    with live_server.app.app_context():  # the learner completes the course now
        user = db.session.scalar(select(auth_services.User).where(
            auth_services.User.email == "ketut@contoh.id"))
        course = db.session.scalar(select(Course).where(Course.slug == "kursus-sertifikat"))
        cert = cert_services.issue_for_completion(user, course, clock.now())
        db.session.commit()
        code, verify = cert.code, cert_services.verify_url(cert.code)
        db.session.remove()

    learner = browser.new_context(base_url=live_server.url).new_page()
    log_in(learner, "ketut@contoh.id", PASSWORD)
    response = learner.request.get(f"/certificates/{code}.pdf")
    assert response.ok
    blob = response.body()
    learner.context.close()
    assert blob.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install -y poppler-utils)")
    (tmp_path / "c.pdf").write_bytes(blob)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert SIGNATORY in text and ROLE in text and "Denpasar" in text
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1",
                        str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True)
        image = next(tmp_path.glob("page*.png"))
        out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True,
                             text=True)
        assert out.stdout.strip().splitlines() == [verify]
