"""Per-course certificate set-up (/admin/certificate/courses/<slug>): what an admin enters for
one course is what that course's new certificates print; every field left empty falls back to
the site-wide set-up, then to the CERT_* environment defaults."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateSettings
from lms.courses.models import Course
from lms.extensions import db
from tests.helpers.certificates import complete_course, pdf_text, qr_text, upload
from tests.helpers.images import png
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login
from tests.helpers.people import make_editor

SLUG = "kursus-sertifikat"
URL = f"/admin/certificate/courses/{SLUG}"
SETUP = {  # the site-wide set-up
    "issuer_name": "Perpustakaan Nasional Republik Indonesia",
    "place": "Denpasar",
    "signatory_name": "Dr. Ni Wayan Sukerti, S.Sos., M.Hum.",
    "signatory_role": "Kepala Pusat Pengembangan Perpustakaan",
    "signatory2_name": "I Gusti Ngurah Rai Wiratama",
    "signatory2_role": "Kepala Dinas Perpustakaan Provinsi Bali",
}
COURSE = {
    "issuer_name": "Dinas Perpustakaan dan Kearsipan Provinsi Nusa Tenggara Barat",
    "signatory_name": "Baiq Nurul Hidayati, S.IP.",
    "signatory_role": "Kepala Bidang Layanan Perpustakaan",
}


def set_up(client):
    return client.post("/admin/certificate", content_type="multipart/form-data", data={
        **SETUP, "signature": upload("ttd.png", png(200, 80, (10, 40, 140))),
        "stamp": upload("stempel.png", png(100, 100, (180, 30, 30))),
        "logo1": upload("perpusnas.png", png(120, 60, (0, 90, 60)))})


def course_set_up(client, slug=SLUG, **data):
    return client.post(f"/admin/certificate/courses/{slug}", data=data,
                       content_type="multipart/form-data")


@pytest.fixture
def as_admin(app, admin_user):
    client = app.test_client()
    login(client, admin_user)
    return client


@pytest.fixture
def course(app, tmp_path):
    import_folder(make_pack(tmp_path / "packs", SLUG, modules=1))
    return db.session.scalar(select(Course).where(Course.slug == SLUG))


def test_a_course_certificate_prints_the_course_signatory_over_the_site_wide_set_up(
        app, as_admin, participant, course, tmp_path):
    assert set_up(as_admin).status_code == 302  # site-wide: Perpusnas, Denpasar, two signatories
    response = course_set_up(as_admin, **COURSE,
                             signature=upload("ttd-ntb.png", png(180, 70, (20, 20, 120))))
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert "Certificate set-up of this course saved" in as_admin.get(URL).text

    learner = complete_course(app, participant, tmp_path)
    cert = db.session.scalar(select(Certificate))
    own = services.current_course_settings(course.id)
    assert cert.course_settings_id == own.id and cert.settings_id == services.current_settings().id
    blob = learner.get(f"/certificates/{cert.code}.pdf").data
    text = pdf_text(blob, tmp_path)
    # The course's own institution and first signatory ...
    for value in COURSE.values():
        assert value in text, value
    assert SETUP["signatory_name"] not in text and SETUP["issuer_name"] not in text
    # ... the site-wide place and second signatory for what the course left empty ...
    assert "Denpasar" in text and SETUP["signatory2_name"] in text
    # ... and the QR still leads to the certificate's verify page.
    assert qr_text(blob, tmp_path) == [services.verify_url(cert.code)]

    # Another course keeps the site-wide set-up.
    assert services.effective_texts(services.layered_settings(
        None, services.current_settings()))["signatory_name"] == SETUP["signatory_name"]


def test_fallback_order_course_then_site_then_environment(app, as_admin, course):
    texts = services.effective_texts(services.layered_settings(
        services.current_course_settings(course.id), services.current_settings()))
    assert texts["place"] == app.config["CERT_PLACE"]  # nothing saved: the environment

    as_admin.post("/admin/certificate", data={"place": "Mataram", "issuer_name": "Perpusnas"},
                  content_type="multipart/form-data")
    course_set_up(as_admin, place="Sumbawa Besar")
    texts = services.effective_texts(services.layered_settings(
        services.current_course_settings(course.id), services.current_settings()))
    assert texts["place"] == "Sumbawa Besar"  # the course
    assert texts["issuer_name"] == "Perpusnas"  # the site-wide set-up
    assert texts["signatory_name"] == app.config["CERT_SIGNATORY_NAME"]  # the environment
    page = as_admin.get(URL).text
    assert "Perpusnas (the site-wide set-up)" in page
    assert f"{app.config['CERT_SIGNATORY_NAME']} (from CERT_SIGNATORY_NAME)" in page


def test_logos_and_signatures_are_taken_as_units(as_admin, course):
    as_admin.post("/admin/certificate", content_type="multipart/form-data", data={
        **SETUP, "signature": upload("ttd.png", png(200, 80)),
        "logo1": upload("a.png", png(60, 60)), "logo2": upload("b.png", png(60, 60)),
        "stamp": upload("stempel.png", png(90, 90))})
    course_set_up(as_admin, logo1=upload("ntb.png", png(70, 70, (1, 2, 3))))
    merged = services.layered_settings(services.current_course_settings(course.id),
                                       services.current_settings())
    site = services.current_settings()
    assert merged["logo1"] != site.logo1 and merged["logo2"] is None  # only the course's logos
    assert merged["stamp"] == site.stamp  # the stamp falls back on its own
    assert merged["signature"] == site.signature  # the site-wide signatory, whole

    # A course signatory never prints above the site-wide signature.
    course_set_up(as_admin, signatory_name="Lalu Ahmad", signatory_role="Kepala Dinas")
    merged = services.layered_settings(services.current_course_settings(course.id),
                                       services.current_settings())
    assert merged["signatory_name"] == "Lalu Ahmad" and merged["signature"] is None


def test_saving_is_audited_in_the_course_log(as_admin, admin_user, course):
    course_set_up(as_admin, **COURSE, stamp=upload("stempel.png", png(90, 90)))
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "certificate.course_settings_changed"))
    assert event.scope == f"course:{SLUG}" and event.actor_id == admin_user.id
    assert {"signatory_name", "stamp"} <= set(event.detail["changed"])
    assert "Changed the course&#39;s certificate set-up" in as_admin.get(
        f"/author/{SLUG}/audit").text


@pytest.mark.parametrize("data, phrase", [
    ({"signatory_name": "Lalu Ahmad"}, "Isi nama dan jabatan penanda tangan ini"),
    ({"signature": upload("ttd.png", png(200, 80))}, "Tanda tangan memerlukan nama"),
    ({"signatory_name": "A", "signatory_role": "B", "signature": upload("ttd.gif", b"GIF89a"
                                                                          + b"\0" * 40)},
     "bukan gambar PNG atau JPEG"),
    ({"logo1": upload("logo.png", png(4001, 20))}, "ukuran yang tidak bisa dipakai"),
])
def test_invalid_course_set_ups_are_refused_in_indonesian(app, admin_user, course, data, phrase):
    client = app.test_client()
    login(client, admin_user, in_english=False)
    response = course_set_up(client, **data)
    assert response.status_code == 400
    assert phrase in response.text
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_only_administrators_set_up_a_course_certificate_not_its_editors(
        app, make_user, participant, course):
    editor = make_user("trainer", email="penyunting@contoh.id")
    make_editor(editor, course)
    workspace = login(app.test_client(), editor).get(f"/author/{SLUG}/")
    assert workspace.status_code == 200 and URL not in workspace.text  # no Certificate tab
    for who in (editor, participant):
        client = app.test_client()
        login(client, who)
        assert client.get(URL).status_code == 403
        assert course_set_up(client, **COURSE).status_code == 403
        assert client.post(f"{URL}/preview", data=COURSE,
                           content_type="multipart/form-data").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_unknown_course_is_not_found(as_admin):
    assert as_admin.get("/admin/certificate/courses/tidak-ada").status_code == 404


def test_preview_shows_the_course_title_and_its_values_and_saves_nothing(as_admin, course,
                                                                        tmp_path):
    response = as_admin.post(f"{URL}/preview", data=COURSE, content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert course.title_id in text and COURSE["signatory_name"] in text
    assert db.session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_placeholder_warning_counts_course_signatories(as_admin, course):
    # The site-wide signatory is still the placeholder and the course uses it.
    assert "Certificates are still signed by a placeholder" in as_admin.get("/admin/").text
    page = as_admin.get("/admin/certificate").text
    assert "placeholder-warning" in page and f'href="{URL}"' in page
    assert "placeholder-warning" in as_admin.get(URL).text
    # Every published course names its own signatory: the placeholder signs nothing.
    course_set_up(as_admin, **COURSE)
    assert "Certificates are still signed by a placeholder" not in as_admin.get("/admin/").text
    assert "placeholder-warning" not in as_admin.get("/admin/certificate").text
    assert "placeholder-warning" not in as_admin.get(URL).text
    assert "cert-placeholders" not in as_admin.get("/").text


def test_the_course_tabs_and_the_set_up_page_link_to_it(as_admin, course):
    assert f'href="{URL}"' in as_admin.get(f"/author/{SLUG}/").text
    assert f'href="{URL}"' in as_admin.get("/admin/certificate").text


def test_a_certificate_issued_before_the_course_set_up_keeps_its_signatory(
        app, as_admin, participant, course, tmp_path):
    complete_course(app, participant, tmp_path)
    cert = db.session.scalar(select(Certificate))
    assert cert.course_settings_id is None
    course_set_up(as_admin, **COURSE)
    text = pdf_text(services._render(cert), tmp_path)
    assert COURSE["signatory_name"] not in text


def test_the_certificate_tab_of_a_course_not_yet_published_says_so(app, as_admin, make_user):
    new_course = {"slug": "kursus-baru", "title_id": "Kursus Baru", "title_en": "New Course",
                  "summary_id": "Ringkasan.", "summary_en": "Summary.", "area": "ict",
                  "hours": "3", "enrolment": "open", "version": "1.0.0",
                  "first_module_title": "Pendahuluan"}
    assert as_admin.post("/author/new", data=new_course).status_code == 302
    page = as_admin.get("/admin/certificate/courses/kursus-baru")
    assert page.status_code == 200 and "This course is not published yet" in page.text
    assert "<h1>Certificate of New Course</h1>" in page.text
    trainer = login(app.test_client(), make_user("trainer", email="mt@contoh.id"))
    assert trainer.get("/admin/certificate/courses/kursus-baru").status_code == 403
