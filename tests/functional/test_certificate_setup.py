"""Certificate set-up at /admin/certificate: what an admin enters is what newly issued
certificates print (text and images); certificates already issued keep theirs."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateSettings
from lms.extensions import db
from tests.helpers.certificates import complete_course, pdf_text, qr_text, upload
from tests.helpers.images import png
from tests.helpers.pages import login

SETUP = {
    "issuer_name": "Perpustakaan Nasional Republik Indonesia",
    "place": "Denpasar",
    "signatory_name": "Dr. Ni Wayan Sukerti, S.Sos., M.Hum.",
    "signatory_role": "Kepala Pusat Pengembangan Perpustakaan",
    "signatory2_name": "I Gusti Ngurah Rai Wiratama",
    "signatory2_role": "Kepala Dinas Perpustakaan Provinsi Bali",
}


def set_up(client, **extra):
    data = {**SETUP, "signature": upload("ttd.png", png(200, 80, (10, 40, 140))),
            "stamp": upload("stempel.png", png(100, 100, (180, 30, 30))),
            "logo1": upload("perpusnas.png", png(120, 60, (0, 90, 60))), **extra}
    return client.post("/admin/certificate", data=data, content_type="multipart/form-data")


@pytest.fixture
def as_admin(app, admin_user):
    client = app.test_client()
    login(client, admin_user)
    return client


def test_a_certificate_issued_after_the_set_up_prints_it(app, as_admin, participant, tmp_path):
    response = set_up(as_admin)
    assert response.status_code == 302
    page = as_admin.get("/admin/certificate").text
    assert SETUP["signatory_name"] in page and "placeholder-warning" not in page
    row = db.session.scalar(select(CertificateSettings))
    assert row.signature and row.stamp and row.logo1 and row.logo2 is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "certificate.settings_changed"))
    assert event is not None and "signature" in event.detail["changed"]

    learner = complete_course(app, participant, tmp_path)
    cert = db.session.scalar(select(Certificate))
    assert cert.settings_id == row.id and cert.signatory_name == SETUP["signatory_name"]
    blob = learner.get(f"/certificates/{cert.code}.pdf").data
    assert blob.startswith(b"%PDF")
    text = pdf_text(blob, tmp_path)
    for value in SETUP.values():
        assert value in text, value
    assert "Denpasar, 26 November 2026" in text
    assert qr_text(blob, tmp_path) == [services.verify_url(cert.code)]
    if shutil.which("pdfimages"):  # the signature, stamp and logo are in the PDF
        (tmp_path / "i.pdf").write_bytes(blob)
        listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "i.pdf")],
                                 capture_output=True, text=True, check=True).stdout
        assert len([line for line in listing.splitlines()[2:] if line.split()[:1] == ["1"]]) >= 3


def test_certificates_already_issued_keep_what_they_were_issued_with(
        app, as_admin, participant, tmp_path):
    complete_course(app, participant, tmp_path)
    cert = db.session.scalar(select(Certificate))
    before = cert.signatory_name
    assert cert.settings_id is None
    assert set_up(as_admin).status_code == 302
    db.session.expire_all()
    cert = db.session.get(Certificate, cert.id)
    text = pdf_text(services._render(cert), tmp_path)
    assert before in text and SETUP["signatory_name"] not in text
    assert "Certificates already issued keep what they were issued with" in \
        as_admin.get("/admin/certificate").text


def test_empty_texts_fall_back_to_the_environment(app, as_admin):
    assert as_admin.post("/admin/certificate", data={"place": "Mataram"},
                         content_type="multipart/form-data").status_code == 302
    texts = services.effective_texts(services.current_settings())
    assert texts["place"] == "Mataram"
    assert texts["signatory_name"] == app.config["CERT_SIGNATORY_NAME"]


@pytest.mark.parametrize("name, data", [
    ("ttd.gif", b"GIF89a" + b"\x00" * 40),
    ("ttd.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
    ("ttd.pdf", b"%PDF-1.4\n%%EOF\n"),
    ("ttd.png", png(4000 + 1, 20)),
])
def test_images_that_are_not_sane_png_or_jpeg_are_refused_in_indonesian(app, admin_user, name,
                                                                        data):
    client = app.test_client()
    login(client, admin_user, in_english=False)
    response = set_up(client, signature=upload(name, data))
    assert response.status_code == 400
    assert name in response.text
    assert any(phrase in response.text for phrase in (
        "bukan gambar PNG atau JPEG", "bukan jenis berkas", "ukuran yang tidak bisa dipakai",
        "tidak punya ekstensi"))
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_preview_renders_unsaved_values_and_saves_nothing(as_admin, tmp_path):
    response = as_admin.post("/admin/certificate/preview", content_type="multipart/form-data",
                             data={**SETUP, "signature": upload("ttd.png", png())})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert SETUP["signatory_name"] in text and SETUP["place"] in text
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_only_administrators_see_or_change_the_set_up(app, make_user, participant):
    for who in (make_user("trainer", email="mt@contoh.id"), participant):
        client = app.test_client()
        login(client, who)
        assert client.get("/admin/certificate").status_code == 403
        assert set_up(client).status_code == 403
        assert client.post("/admin/certificate/preview", data=SETUP,
                           content_type="multipart/form-data").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_the_admin_page_warns_while_the_placeholder_signs(as_admin):
    assert "Certificates are still signed by a placeholder" in as_admin.get("/admin/").text
    assert "placeholder-warning" in as_admin.get("/admin/certificate").text
    set_up(as_admin)
    assert "Certificates are still signed by a placeholder" not in as_admin.get("/admin/").text
    assert "placeholder-warning" not in as_admin.get("/admin/certificate").text


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages (poppler) not installed")
def test_a_signature_with_the_name_left_empty_signs_above_the_environment_signatory(
        app, as_admin, participant, tmp_path):
    as_admin.post("/admin/certificate", content_type="multipart/form-data",
                  data={"signature": upload("ttd.png", png(200, 80))})
    learner = complete_course(app, participant, tmp_path)
    cert = db.session.scalar(select(Certificate))
    assert cert.signatory_name == app.config["CERT_SIGNATORY_NAME"]
    (tmp_path / "s.pdf").write_bytes(learner.get(f"/certificates/{cert.code}.pdf").data)
    listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "s.pdf")],
                             capture_output=True, text=True, check=True).stdout
    assert any(line.split()[:1] == ["1"] and " 200 " in line for line in listing.splitlines()[2:])
