"""Certificates: issued once on completion, downloadable, verifiable by anyone, revocable."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms import clock as app_clock
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login


@pytest.fixture
def completed(logged_in, tmp_path):
    """A participant who completed a two-module course (no quizzes), and their certificate."""
    import_folder(make_pack(tmp_path, "kursus-sertifikat", modules=2))
    logged_in.post("/courses/kursus-sertifikat/enrol")
    logged_in.post("/courses/kursus-sertifikat/modules/modul-1/done")
    logged_in.post("/courses/kursus-sertifikat/modules/modul-2/done")
    cert = db.session.scalar(select(Certificate))
    assert cert is not None
    return cert


def certificate_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate))


def test_completion_issues_one_certificate_with_the_claims(completed, participant, logged_in):
    assert re.fullmatch(r"PLT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", completed.code)
    assert completed.holder_name == participant.full_name
    assert completed.hours == 4 and completed.modules == ["Modul modul-1", "Modul modul-2"]
    # Marking again, or re-checking, never issues a second one.
    logged_in.post("/courses/kursus-sertifikat/modules/modul-2/done")
    assert certificate_count() == 1
    home = logged_in.get("/").text
    assert completed.code in home and f"/certificates/{completed.code}.pdf" in home


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_download_contains_name_course_and_code(completed, logged_in, participant, tmp_path):
    response = logged_in.get(f"/certificates/{completed.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    squashed = " ".join(text.split())
    assert participant.full_name in squashed
    assert "Kursus Uji kursus-sertifikat" in squashed
    assert completed.code in squashed
    # Rendered once and stored: a second download serves the same bytes.
    assert logged_in.get(f"/certificates/{completed.code}.pdf").data == response.data


def test_others_cannot_download_my_certificate(app, completed, make_user):
    stranger = make_user()
    other = app.test_client()
    other.post("/login", data={"email": stranger.email, "password": "kata-sandi-kuat-42"})
    assert other.get(f"/certificates/{completed.code}.pdf").status_code == 403


def test_verify_page_shows_valid_and_the_claims_without_private_data(client, completed, participant):
    html = client.get(f"/verify/{completed.code}").text
    assert "Sah" in html and "Valid" in html
    assert participant.full_name in html and "Kursus Uji kursus-sertifikat" in html
    assert "Modul modul-2" in html and "4 JP" in html
    assert participant.email not in html
    data = client.get(f"/verify/{completed.code}.json").get_json()
    assert data["status"] == "valid" and data["holder_name"] == participant.full_name
    assert participant.email not in json.dumps(data)


def test_verify_form_accepts_sloppy_typing(client, completed):
    sloppy = completed.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = client.get("/verify", query_string={"code": sloppy})
    assert response.headers["Location"] == f"/verify/{completed.code}"


def test_mistyped_code_differs_from_unknown_code(client, completed):
    from lms.certificates.codes import check_symbol, format_code

    symbols = completed.code.replace("PLT", "").replace("-", "")
    swapped = symbols[1] + symbols[0] + symbols[2:]
    if swapped == symbols:
        swapped = symbols[:2] + symbols[3] + symbols[2] + symbols[4:]
    mistyped = client.get(f"/verify/{format_code(swapped)}")
    assert mistyped.status_code == 400 and "salah ketik" in mistyped.text.lower()
    payload = "00000000" if symbols[:8] != "00000000" else "11111111"
    unknown = client.get(f"/verify/{format_code(payload + check_symbol(payload))}")
    assert unknown.status_code == 404 and "Tidak ada sertifikat" in unknown.text


def test_revoked_expired_and_superseded_statuses(app, client, auth, completed, admin_user):
    auth.logout()  # the fixture left the learner logged in on this client
    auth.login(admin_user.email)
    response = client.post(f"/certificates/{completed.code}/manage",
                           data={"action": "reissue", "reissue-holder_name": "Peserta Uji Satu, S.Pd.",
                                 "reissue-reason": "Gelar ditambahkan atas permintaan peserta"})
    new_code = re.search(r"/certificates/(PLT-[^/]+)/manage", response.headers["Location"]).group(1)
    old = client.get(f"/verify/{completed.code}").text
    assert "Diganti" in old and f"/verify/{new_code}" in old
    new = client.get(f"/verify/{new_code}").text
    assert "Sah" in new and "Peserta Uji Satu, S.Pd." in new

    client.post(f"/certificates/{new_code}/manage",
                data={"action": "revoke", "revoke-reason": "Data kelulusan tidak benar"})
    revoked = client.get(f"/verify/{new_code}").text
    assert "Dicabut" in revoked and "Data kelulusan tidak benar" in revoked
    assert app_clock.today().isoformat()[:4] in revoked

    cert = db.session.scalar(select(Certificate).where(Certificate.code == new_code))
    cert.revoked_at = None
    cert.expires_on = app_clock.today() - timedelta(days=1)
    db.session.commit()
    assert "Kedaluwarsa" in client.get(f"/verify/{new_code}").text


def test_revoke_needs_admin_and_a_reason(app, client, auth, completed, make_user, admin_user):
    trainer = make_user("trainer")
    auth.logout()
    auth.login(trainer.email)
    assert client.post(f"/certificates/{completed.code}/manage",
                       data={"action": "revoke", "revoke-reason": "x"}).status_code == 403
    auth.logout()
    auth.login(admin_user.email)
    client.post(f"/certificates/{completed.code}/manage", data={"action": "revoke", "revoke-reason": "  "})
    db.session.expire_all()
    assert db.session.get(Certificate, completed.id).revoked_at is None


def test_participant_cannot_issue(logged_in):
    assert logged_in.get("/certificates/issue").status_code == 403


def test_signed_credential_verifies_and_tampering_fails(logged_in, client, completed, runner, tmp_path):
    body = logged_in.get(f"/certificates/{completed.code}.credential.json").data
    document = json.loads(body)
    assert document["credentialSubject"]["name"] == completed.holder_name
    ok = client.post("/verify/credential", data={"file": (io.BytesIO(body), "kredensial.json")},
                     content_type="multipart/form-data")
    assert ok.status_code == 200 and "Tanda tangan sah" in ok.text
    document["credentialSubject"]["name"] = "Orang Lain"
    forged = json.dumps(document).encode()
    bad = client.post("/verify/credential", data={"file": (io.BytesIO(forged), "k.json")},
                      content_type="multipart/form-data")
    assert "Tidak sah" in bad.text and "Orang Lain" not in bad.text

    good_file, bad_file = tmp_path / "ok.json", tmp_path / "bad.json"
    good_file.write_bytes(body)
    bad_file.write_bytes(forged)
    assert runner.invoke(args=["lms", "verify-credential", str(good_file)]).exit_code == 0
    assert runner.invoke(args=["lms", "verify-credential", str(bad_file)]).exit_code == 1


def check_file(client, body: bytes):
    return client.post("/verify/credential", data={"file": (io.BytesIO(body), "kredensial.json")},
                       content_type="multipart/form-data")


def check_cli(runner, tmp_path, body: bytes):
    path = tmp_path / "kredensial-cli.json"
    path.write_bytes(body)
    return runner.invoke(args=["lms", "verify-credential", str(path)])


def test_a_credential_with_a_key_written_twice_is_refused(logged_in, client, completed, runner,
                                                          tmp_path):
    """"name":"Forged","name":"Real": Python reads the last, other readers the first, so the
    signature cannot say which holder it vouches for."""
    document = json.loads(logged_in.get(f"/certificates/{completed.code}.credential.json").data)
    real = json.dumps(document)
    holder = json.dumps(document["credentialSubject"]["name"])
    forged = real.replace(f'"name": {holder}', f'"name": "Orang Palsu", "name": {holder}', 1)
    assert forged != real
    assert "Tanda tangan sah" in check_file(client, real.encode()).text

    response = check_file(client, forged.encode())
    assert response.status_code == 422
    assert "Tanda tangan sah" not in response.text and "Orang Palsu" not in response.text
    assert "menyebut kolom &#34;name&#34; dua kali" in response.text
    result = check_cli(runner, tmp_path, forged.encode())
    assert result.exit_code == 1 and 'the key "name" appears twice' in result.output


@pytest.mark.parametrize("value, shown, english", [
    (float("nan"), "memuat NaN, yang bukan angka dalam JSON", "NaN is not a JSON number"),
    (float("inf"), "memuat Infinity, yang bukan angka", "Infinity is not a JSON number"),
    (float("-inf"), "memuat -Infinity, yang bukan angka", "-Infinity is not a JSON number"),
    (2**53 + 1, "memuat angka 9007199254740993, yang tidak dibaca sama",
     "9007199254740993 is outside I-JSON's safe range"),
])
def test_numbers_json_readers_disagree_on_are_refused_with_a_clear_message(
        logged_in, client, completed, runner, tmp_path, value, shown, english):
    document = json.loads(logged_in.get(f"/certificates/{completed.code}.credential.json").data)
    document["credentialSubject"]["achievement"]["creditsAvailable"] = value
    body = json.dumps(document).encode()
    response = check_file(client, body)
    assert response.status_code == 422 and shown in response.text
    assert "Tidak sah" not in response.text  # refused before any signature is checked
    result = check_cli(runner, tmp_path, body)
    assert result.exit_code == 1 and english in result.output


def test_why_a_credential_fails_is_said_in_the_readers_language(logged_in, client, completed,
                                                                 runner, tmp_path):
    document = json.loads(logged_in.get(f"/certificates/{completed.code}.credential.json").data)
    document["credentialSubject"]["name"] = "Orang Lain"
    body = json.dumps(document).encode()
    page = check_file(client, body).text
    assert ("Berkas ini tidak dapat dipercaya: tanda tangannya tidak cocok: berkas atau tanda "
            "tangannya diubah setelah ditandatangani") in page
    assert "signature does not match" not in page
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    english = check_file(client, body).text
    assert ("This file cannot be trusted: the signature does not match: the file or its "
            "signature was changed after it was signed") in english
    result = check_cli(runner, tmp_path, body)
    assert result.exit_code == 1
    assert "NOT VALID: signature does not match: the credential or its proof was altered" in (
        result.output)


def test_every_reason_code_has_a_translated_message():
    from lms.certificates import signing
    from lms.verify import views

    assert set(views.REASON_MESSAGES) == set(signing.REASONS)
    assert set(views.PARSE_MESSAGES) == set(signing.PARSE_REASONS)


def status_then_signature(html: str) -> tuple[str, str]:
    """The certificate-status box and the signature box of a checked file, in page order."""
    status_at = html.rfind("<section", 0, html.find('id="certificate-status"'))
    signature_at = html.rfind("<section", 0, html.find('id="signature-result"'))
    assert 0 <= status_at < signature_at, "the certificate's status must come before the signature"
    return html[status_at:signature_at], html[signature_at:html.find("</section>", signature_at)]


def test_a_revoked_certificates_file_says_so_above_its_genuine_signature(
        logged_in, client, completed, admin_user, runner, tmp_path, clock):
    from lms.certificates import services

    body = logged_in.get(f"/certificates/{completed.code}.credential.json").data
    status, signature = status_then_signature(check_file(client, body).text)
    assert "Sah" in status and completed.code in status
    assert "Tanda tangan sah" in signature
    standing = check_cli(runner, tmp_path, body)
    assert standing.exit_code == 0 and "Status: valid" in standing.output

    clock.advance(minutes=5)
    services.revoke(admin_user, completed, "Data kelulusan tidak benar")
    revoked_on = app_clock.today().isoformat()
    response = check_file(client, body)
    assert response.status_code == 200
    status, signature = status_then_signature(response.text)
    assert "verdict--revoked" in status and "Dicabut" in status
    assert f"dicabut pada {revoked_on}" in status and "Data kelulusan tidak benar" in status
    assert "Tanda tangan sah" in signature and "tidak berlaku lagi" in signature
    assert "verdict--valid" not in signature  # no green box under a revoked certificate

    result = check_cli(runner, tmp_path, body)
    assert result.exit_code == 1
    assert (f"REVOKED: the signature is valid, but certificate {completed.code} was revoked on "
            f"{revoked_on} because: Data kelulusan tidak benar") in result.output
    offline = runner.invoke(args=["lms", "verify-credential", "--offline",
                                  str(tmp_path / "kredensial-cli.json")])
    assert offline.exit_code == 0 and "VALID:" in offline.output
    assert ("whether the certificate was revoked or replaced can only be checked online"
            in offline.output)
    assert f"http://localhost/verify/{completed.code}" in offline.output


def test_a_replaced_certificates_file_points_to_the_new_one(logged_in, client, completed,
                                                            admin_user, runner, tmp_path):
    from lms.certificates import services

    body = logged_in.get(f"/certificates/{completed.code}.credential.json").data
    new = services.reissue(admin_user, completed, "Nama diperbaiki", "Peserta Uji, S.Pd.")
    status, signature = status_then_signature(check_file(client, body).text)
    assert "Diganti" in status and f'href="/verify/{new.code}"' in status
    assert "Tanda tangan sah" in signature
    result = check_cli(runner, tmp_path, body)
    assert result.exit_code == 1
    assert f"SUPERSEDED: the signature is valid, but certificate {completed.code} was replaced " \
           f"by {new.code}" in result.output


def test_an_expired_certificates_file_shows_expired_in_both_boxes(app, client, participant, runner,
                                                                  tmp_path, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))
    logged_in = login(client, participant, in_english=False)  # at that hour: a fresh login
    pack = make_pack(tmp_path, "kursus-kedaluwarsa", modules=1)
    with (pack / "course.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[certificate]\nvalid_months = 12\n")
    import_folder(pack)
    logged_in.post("/courses/kursus-kedaluwarsa/enrol")
    logged_in.post("/courses/kursus-kedaluwarsa/modules/modul-1/done")
    cert = db.session.scalar(select(Certificate))
    body = logged_in.get(f"/certificates/{cert.code}.credential.json").data
    clock.set(datetime(2028, 1, 10, 3, 0, tzinfo=UTC))
    anyone = app.test_client()  # the learner's session has long expired: anyone checks the file
    status, signature = status_then_signature(check_file(anyone, body).text)
    assert "Kedaluwarsa" in status and "2027-12-05" in status
    assert "Asli, tetapi saat ini tidak berlaku" in signature
    assert "masa berlakunya berakhir pada 2027-12-05T16:59:59Z" in signature
    result = check_cli(runner, tmp_path, body)
    assert result.exit_code == 1
    assert f"EXPIRED: the signature is valid, but certificate {cert.code} expired on 2027-12-05" \
        in result.output


def test_an_altered_file_never_shows_a_certificates_status(logged_in, client, completed):
    """The code in a file whose signature fails is not evidence of anything: no status box."""
    document = json.loads(logged_in.get(f"/certificates/{completed.code}.credential.json").data)
    document["credentialSubject"]["name"] = "Orang Lain"
    html = check_file(client, json.dumps(document).encode()).text
    assert 'id="certificate-status"' not in html and "Tidak sah" in html


def test_public_key_is_published(client):
    keys = client.get("/.well-known/pelita-credential-keys.json").get_json()
    assert keys["keys"][0]["id"].startswith("z6Mk")
    assert keys["keys"][0]["jwk"]["crv"] == "Ed25519"


def test_footer_links_to_verification(client):
    assert 'href="/verify"' in client.get("/").text


def test_unknown_codes_are_rate_limited_but_a_real_scan_never_is(limited_app, tmp_path):
    from lms.auth.services import create_user
    from lms.certificates.codes import check_symbol, format_code
    from lms.courses.models import Course, Module
    from lms.learning.services import enrol, mark_module_done

    import_folder(make_pack(tmp_path, "kursus-batas", modules=1))
    user = create_user(email="pemegang@contoh.id", full_name="Pemegang Sertifikat",
                       password="kata-sandi-kuat-42", role="participant")
    course = db.session.scalar(select(Course))
    enrol(user, course)
    mark_module_done(user, course, db.session.scalar(select(Module)))
    real = db.session.scalar(select(Certificate)).code

    client = limited_app.test_client()
    unknown = [format_code(f"{i:08d}" + check_symbol(f"{i:08d}")) for i in range(22)]
    statuses = [client.get(f"/verify/{code}").status_code for code in unknown]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
    # A genuine certificate (a QR scan) still verifies from the same client, again and again.
    for _ in range(25):
        assert client.get(f"/verify/{real}").status_code == 200


def test_a_replaced_certificate_cannot_be_revoked(client, auth, completed, admin_user):
    auth.logout()
    auth.login(admin_user.email)
    client.post(f"/certificates/{completed.code}/manage",
                data={"action": "reissue", "reissue-reason": "Nama diperbaiki"})
    client.post(f"/certificates/{completed.code}/manage",
                data={"action": "revoke", "revoke-reason": "Salah sasaran"})
    db.session.expire_all()
    old = db.session.get(Certificate, completed.id)
    assert old.revoked_at is None and old.superseded_by_id is not None
    assert "Diganti" in client.get(f"/verify/{completed.code}").text


def test_revocation_date_is_the_date_in_indonesia(app):
    from datetime import UTC, datetime

    from lms.clock import local_date

    # 20:00 UTC on 31 December is already 1 January in Jakarta.
    assert local_date(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_the_pdf_is_rendered_by_the_background_worker(completed, runner):
    from lms.jobs.models import Job

    job = db.session.scalar(select(Job).where(Job.kind == "certificates.render"))
    assert job is not None and job.payload == {"certificate_id": completed.id}
    assert completed.pdf_design is None  # not rendered inside the learner's request
    result = runner.invoke(args=["lms", "worker", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    cert = db.session.get(Certificate, completed.id)
    assert cert.pdf_design and cert.pdf.startswith(b"%PDF")


@pytest.mark.parametrize("hour, minute", [(0, 30), (6, 59), (17, 0), (23, 30)])
def test_a_credential_is_valid_from_the_moment_it_is_issued_at_any_hour(
        client, participant, runner, tmp_path, clock, hour, minute):
    """Issued at 07:30 WIB (00:30 UTC) or at 06:30 WIB the next day (23:30 UTC): the credential is
    valid at once, through the upload form and the CLI; the pages show the date in Indonesia."""
    from datetime import UTC, datetime

    issued = clock.set(datetime(2026, 12, 5, hour, minute, tzinfo=UTC))
    logged_in = login(client, participant, in_english=False)  # at that hour: a fresh login
    import_folder(make_pack(tmp_path, "kursus-jam", modules=1))
    logged_in.post("/courses/kursus-jam/enrol")
    logged_in.post("/courses/kursus-jam/modules/modul-1/done")
    cert = db.session.scalar(select(Certificate))
    assert cert.completed_on == app_clock.local_date(issued)  # 23:30 UTC is the 6th in Jakarta
    body = logged_in.get(f"/certificates/{cert.code}.credential.json").data
    document = json.loads(body)
    assert document["validFrom"] == issued.strftime("%Y-%m-%dT%H:%M:%SZ")

    checked = client.post("/verify/credential", data={"file": (io.BytesIO(body), "k.json")},
                          content_type="multipart/form-data")
    assert checked.status_code == 200 and "Tanda tangan sah" in checked.text
    assert "belum berlaku" not in checked.text.lower()
    path = tmp_path / "kredensial.json"
    path.write_bytes(body)
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 0, result.output

    clock.advance(seconds=-1)  # a second before it was issued it was not yet valid
    early = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert early.exit_code == 1 and "not yet valid" in early.output


def test_an_expiring_credential_is_valid_through_its_last_day_in_indonesia(
        client, participant, runner, tmp_path, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2026, 12, 5, 18, 0, tzinfo=UTC))  # 01:00 WIB on 6 December
    logged_in = login(client, participant, in_english=False)  # at that hour: a fresh login
    pack = make_pack(tmp_path, "kursus-masa", modules=1)
    with (pack / "course.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[certificate]\nvalid_months = 12\n")
    import_folder(pack)
    logged_in.post("/courses/kursus-masa/enrol")
    logged_in.post("/courses/kursus-masa/modules/modul-1/done")
    cert = db.session.scalar(select(Certificate))
    assert cert.completed_on == date(2026, 12, 6) and cert.expires_on == date(2027, 12, 6)
    document = json.loads(logged_in.get(f"/certificates/{cert.code}.credential.json").data)
    assert document["validUntil"] == "2027-12-06T16:59:59Z"  # 23:59:59 WIB on its last day
    path = tmp_path / "k.json"
    path.write_text(json.dumps(document))
    clock.set(datetime(2027, 12, 6, 16, 59, 0, tzinfo=UTC))
    assert runner.invoke(args=["lms", "verify-credential", str(path)]).exit_code == 0
    clock.set(datetime(2027, 12, 6, 17, 0, 0, tzinfo=UTC))  # 7 December in Jakarta
    late = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert late.exit_code == 1 and "expired" in late.output
