"""Cohorts: creating, members one by one and by CSV, invitations, deadlines, grading, events."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms import clock, events
from lms.audit import AuditEvent
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.cohorts import services
from lms.cohorts.models import Cohort, CohortMember, CohortTrainer
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.services import run_pending
from lms.learning.models import Enrollment
from lms.notifications import Notification
from lms.quizzes.models import QuestionResponse, QuizAttempt, RubricScore
from lms.quizzes.services import grading as quiz_grading
from tests.helpers.cohorts import (
    PRACTICAL,
    accept_new,
    add_joined,
    cohort_course,
    make_cohort,
    submit_practical,
)
from tests.helpers.db import count
from tests.helpers.pages import emailed_link, english, field_error, login
from tests.helpers.people import make_editor
from tests.helpers.quizzes import import_pack, quiz_by_slug, write_pack

# --------------------------------------------------------------------------- creating


def test_trainer_creates_a_cohort_event_and_audit(app, client, make_user, tmp_path):
    trainer = make_user("trainer")
    colleague = make_user("trainer", full_name="Rekan Pelatih")
    course = cohort_course(tmp_path)
    received = []

    def on_created(sender, **data):
        received.append((sender, data))

    events.cohort_created.connect(on_created, sender=app, weak=False)
    try:
        login(client, trainer)
        page = client.get("/cohorts/new").get_data(as_text=True)
        assert "Rekan Pelatih" in page and "Quiz Test Course" in page
        bad = client.post("/cohorts/new", data={"name": "  ", "starts_on": "2026-03-01",
                                                "ends_on": "2026-02-01"})
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert "This field is required." in text
        assert "The end date cannot be before the start date." in text
        assert received == [] and count(Cohort) == 0

        done = client.post("/cohorts/new", data={
            "name": "Replikasi Fasilitator 2026 – Angkatan 1", "description": "Jawa Barat",
            "starts_on": "2026-02-01", "ends_on": "2026-04-30",
            "courses": str(course.id), "trainers": str(colleague.id)})
        assert done.status_code == 302
    finally:
        events.cohort_created.disconnect(on_created, sender=app)
    cohort = db.session.scalar(select(Cohort))
    assert done.headers["Location"].endswith(f"/cohorts/{cohort.id}")
    assert cohort.name == "Replikasi Fasilitator 2026 – Angkatan 1"
    assert services.trainer_ids(cohort) == {trainer.id, colleague.id}
    assert [cc.deadline for cc in services.cohort_courses(cohort)] == [date(2026, 4, 30)]
    [(sender, data)] = received
    assert sender is app
    assert set(data) == set(events.EVENT_DATA["cohort-created"])
    assert data == {"cohort_id": cohort.id, "name": cohort.name, "created_by_id": trainer.id,
                    "starts_on": "2026-02-01", "ends_on": "2026-04-30",
                    "course_ids": [course.id], "course_slugs": ["kursus-angkatan"],
                    "trainer_ids": [trainer.id, colleague.id]}
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.created"))
    assert row.actor_id == trainer.id and row.scope == f"cohort:{cohort.id}"
    listing = client.get("/cohorts").get_data(as_text=True)
    assert cohort.name in listing
    # The colleague sees it too; the nav item is there for trainers.
    login(client, colleague)
    page = client.get("/cohorts").get_data(as_text=True)
    assert cohort.name in page and 'href="/cohorts"' in page


def test_participants_and_other_trainers_are_refused(client, make_user, participant,
                                                     tmp_path):
    owner, stranger = make_user("trainer"), make_user("trainer")
    cohort = make_cohort(owner, cohort_course(tmp_path))
    member = add_joined(owner, cohort, participant)
    pages = [f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/import",
             f"/cohorts/{cohort.id}/members/add", f"/cohorts/{cohort.id}/deadlines",
             f"/cohorts/{cohort.id}/grading"]
    login(client, participant)
    for url in ["/cohorts", "/cohorts/new", *pages]:
        assert client.get(url).status_code == 403, url
    assert 'href="/cohorts"' not in client.get("/").get_data(as_text=True)
    login(client, stranger)
    assert cohort.name not in client.get("/cohorts").get_data(as_text=True)
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/cohorts/{cohort.id}/members/{member.id}/remove").status_code == 403
    assert client.get("/cohorts/9999").status_code == 404
    assert count(CohortMember) == 1
    with pytest.raises(ServiceError):
        services.add_member(stranger, cohort, email="x@contoh.id", full_name="X")


# --------------------------------------------------------------------------- members


def test_an_existing_account_is_invited_and_joins_only_by_accepting(
        client, make_user, participant, tmp_path, mail):
    trainer = make_user("trainer")
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer, course)
    login(client, participant)
    client.post(f"/courses/{course.slug}/enrol")  # a cohort course: not on their own
    assert count(Enrollment) == 0

    login(client, trainer)
    bad = client.post(f"/cohorts/{cohort.id}/members/add", data={"email": "bukan-email"})
    assert bad.status_code == 422
    done = client.post(f"/cohorts/{cohort.id}/members/add",
                       data={"email": participant.email, "full_name": "Nama dari Pelatih"})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "1 person was invited" in page  # as for a new address
    assert "/invite/" not in page  # the link goes to the person's mailbox only
    assert participant.full_name not in page  # the account's own name is not revealed
    again = client.post(f"/cohorts/{cohort.id}/members/add",
                        data={"email": participant.email, "full_name": "Lagi"})
    assert again.status_code == 422
    assert "already invited to or a member of the cohort" in again.get_data(as_text=True)

    # Nothing happens to the account before the person says yes.
    assert count(Enrollment) == 0
    overview = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Nama dari Pelatih" in overview and participant.full_name not in overview
    assert "Invitation not accepted yet" in overview and "0%" not in overview
    assert mail == []  # queued with the change, sent by a worker: the page does not wait
    assert count(Job, Job.kind == "cohorts.send_mail", Job.status == "queued") == 1
    assert run_pending() == 1
    assert [m["To"] for m in mail] == [participant.email]
    assert "You are invited to join the cohort Angkatan Uji" in mail[0].get_content()
    assert "/invite/" in mail[0].get_content()
    audit_rows = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.scope == f"cohort:{cohort.id}")).all()
    assert sorted(audit_rows) == ["cohort.created", "cohort.member_invited"]

    login(client, participant)
    home = client.get("/").get_data(as_text=True)
    assert "Cohort invitations" in home and "Angkatan Uji" in home and "My cohorts" not in home
    assert "You are invited to join the cohort “Angkatan Uji”" in home
    member = db.session.scalar(select(CohortMember))
    assert client.post(f"/cohorts/invitations/{member.id}/accept", csrf=False).status_code == 400
    joined = client.post(f"/cohorts/invitations/{member.id}/accept")
    assert joined.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "You joined the cohort Angkatan Uji" in home
    assert "My cohorts" in home and "Cohort invitations" not in home
    enrollment = db.session.scalar(select(Enrollment))
    assert (enrollment.user_id, enrollment.course_id, enrollment.status) == (
        participant.id, course.id, "active")
    # The course is open to the member now.
    assert client.get(f"/courses/{course.slug}/modules/satu").status_code == 200
    note = db.session.scalar(select(Notification))
    assert client.post("/notifications/read", data={"id": str(note.id)}).status_code == 302
    assert client.post("/notifications/read", data={"id": "1"}, csrf=False).status_code == 400

    login(client, trainer)
    overview = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert participant.full_name in overview and "0%" in overview
    assert count(AuditEvent, AuditEvent.action == "cohort.member_joined",
                 AuditEvent.actor_id == participant.id) == 1
    # Removing keeps the enrolment and its progress.
    assert client.post(f"/cohorts/{cohort.id}/members/{member.id}/remove").status_code == 302
    assert count(CohortMember) == 0 and count(Enrollment, Enrollment.status == "active") == 1
    assert count(AuditEvent, AuditEvent.action == "cohort.member_removed") == 1


def test_declining_an_invitation_withdraws_it_and_changes_nothing(
        client, make_user, participant, tmp_path):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email=participant.email, full_name="Peserta")
    stranger = make_user()
    login(client, stranger)  # someone else cannot answer it
    client.post(f"/cohorts/invitations/{added.member.id}/accept")
    assert db.session.get(CohortMember, added.member.id).accepted_at is None
    login(client, participant)
    assert client.post(f"/cohorts/invitations/{added.member.id}/decline").status_code == 302
    assert "You declined the invitation" in client.get("/").get_data(as_text=True)
    assert count(CohortMember) == 0 and count(Enrollment) == 0
    assert count(AuditEvent, AuditEvent.action == "cohort.invitation_declined") == 1


def test_the_invitation_link_of_an_existing_account_asks_it_to_log_in_and_answer(
        client, make_user, participant, tmp_path):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    link = services.add_member(trainer, cohort, email=participant.email,
                               full_name="Peserta").link.removeprefix("http://localhost")
    english(client)
    anonymous = client.get(link).get_data(as_text=True)
    assert "Log in to answer" in anonymous and "password" not in anonymous.lower()
    other = make_user()
    login(client, other)
    assert "for another account" in client.get(link).get_data(as_text=True)
    login(client, participant)
    page = client.get(link).get_data(as_text=True)
    assert "Accept and join" in page and "Decline" in page
    member = db.session.scalar(select(CohortMember))
    assert client.post(f"/cohorts/invitations/{member.id}/accept").status_code == 302
    db.session.refresh(member)
    assert member.joined
    assert client.get(link).status_code == 400  # answered: the link is spent


def test_adding_people_never_reveals_whether_an_address_has_an_account(
        client, make_user, participant, tmp_path):
    """The form, its errors, the result and the CSV preview are the same for an address that
    has an account and one that has none."""
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    login(client, trainer)
    no_name = [client.post(f"/cohorts/{cohort.id}/members/add", data={"email": email})
               for email in (participant.email, "tidak-ada@contoh.id")]
    assert [r.status_code for r in no_name] == [422, 422]
    assert field_error(no_name[0].text, "full_name") == field_error(no_name[1].text, "full_name")
    csv = (f"name,email\nSatu,{participant.email}\nDua,tidak-ada@contoh.id\n").encode()
    preview = client.post(f"/cohorts/{cohort.id}/import",
                          data={"file": (io.BytesIO(csv), "daftar.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert preview.count("Will be invited") == 2
    assert "2 people will be invited" in preview
    assert "Existing account" not in preview and "New account" not in preview
    assert participant.full_name not in preview
    results = [client.post(f"/cohorts/{cohort.id}/members/add",
                           data={"email": email, "full_name": name}).get_data(as_text=True)
               for email, name in ((participant.email, "Satu"), ("tidak-ada@contoh.id", "Dua"))]
    for page, name in zip(results, ("Satu", "Dua"), strict=True):
        assert "1 person was invited" in page and name in page and "/invite/" not in page



def test_a_new_person_is_invited_and_accepts(client, auth, make_user, tmp_path, mail):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    login(client, trainer)
    missing = client.post(f"/cohorts/{cohort.id}/members/add", data={"email": "baru@contoh.id"})
    assert missing.status_code == 422
    assert "This field is required." in field_error(missing.text, "full_name")
    done = client.post(f"/cohorts/{cohort.id}/members/add", data={
        "email": "Baru@Contoh.id", "full_name": "Ani Baru", "library_name": "TBM Ani",
        "province_code": "32", "regency_code": "32.04"})
    assert done.status_code == 200
    assert "/invite/" not in done.get_data(as_text=True)  # never shown to the trainer
    user = db.session.scalar(select(User).where(User.email == "baru@contoh.id"))
    assert user.full_name == "Ani Baru" and user.regency_code == "32.04"
    assert mail == [] and run_pending() == 1
    assert "/invite/" in mail[-1].get_content() and mail[-1]["To"] == "baru@contoh.id"
    link = emailed_link(mail[-1], "/invite/")
    # The link in the email is the one the trainer saw (both valid); it is made when sent.
    assert services.member_for_invitation(
        re.search(r"/invite/(\S+)", mail[-1].get_content()).group(1)).user.email == "baru@contoh.id"
    assert count(Enrollment, Enrollment.user_id == user.id) == 0  # enrolled on accepting
    auth.logout()
    # No password works before accepting.
    assert "Log out" not in client.get("/").get_data(as_text=True)
    for guess in ["", "!invited:", user.password_hash]:
        auth.login("baru@contoh.id", guess)
        assert client.get("/cohorts").status_code == 302  # still anonymous: sent to log in

    english(client)
    page = client.get(link)
    assert page.status_code == 200 and "Angkatan Uji" in page.get_data(as_text=True)
    weak = client.post(link, data={"full_name": "Ani Baru", "password": "123",
                                   "confirm": "123"})
    assert weak.status_code == 422
    ok = client.post(link, data={"full_name": "Ani Baru, S.Pd.", "password": "kata-sandi-ani-77",
                                 "confirm": "kata-sandi-ani-77"})
    assert ok.status_code == 302
    assert "Welcome, Ani Baru, S.Pd." in client.get("/").get_data(as_text=True)
    member = db.session.scalar(select(CohortMember))
    db.session.refresh(member)
    assert member.invitation == "accepted" and member.accepted_at is not None
    assert count(Enrollment, Enrollment.user_id == user.id) == 1

    auth.logout()
    used = client.get(link)
    assert used.status_code == 400
    assert "already been used" in used.get_data(as_text=True)
    assert client.get("/invite/not-a-token").status_code == 400
    auth.login("baru@contoh.id", "kata-sandi-ani-77")
    assert "Ani Baru" in client.get("/").get_data(as_text=True)


def test_an_expired_or_renewed_invitation_is_refused(app, client, auth, make_user, tmp_path,
                                                     clock):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email="lama@contoh.id", full_name="Lama")
    clock.advance(days=-15)
    old = services.invitation_link(added.member).removeprefix("http://localhost")
    clock.advance(days=15)
    english(client)
    expired = client.get(old)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)

    fresh = added.link.removeprefix("http://localhost")
    assert client.get(fresh).status_code == 200
    clock.advance(minutes=5)
    login(client, trainer)
    renewed = client.post(f"/cohorts/{cohort.id}/members/{added.member.id}/invitation")
    assert renewed.status_code == 302
    assert "A new invitation was emailed to lama@contoh.id" in client.get(
        renewed.headers["Location"]).get_data(as_text=True)
    db.session.refresh(added.member)
    new_link = services.invitation_link(added.member).removeprefix("http://localhost")
    assert new_link != fresh
    auth.logout()
    assert client.get(fresh).status_code == 400  # the old link died with the renewal
    assert client.get(new_link).status_code == 200
    assert count(AuditEvent, AuditEvent.action == "cohort.invitation_renewed") == 1


def test_an_invitation_cannot_take_over_an_account_whose_password_was_set(
        client, auth, make_user, tmp_path, mail):
    """An invited person who set a password with "Forgot password" owns the account: the
    invitation link, which the trainer sees, must not set it again, nor can the trainer get a
    new one."""
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email="ani@contoh.id", full_name="Ani")
    link = added.link.removeprefix("http://localhost")
    # Ani ignores the invitation and uses "Forgot password" instead.
    client.post("/reset", data={"email": "ani@contoh.id"})
    run_pending()  # the reset email is sent by the worker
    reset = emailed_link(mail[-1], "/reset/")
    assert client.post(reset, data={"new_password": "sandi-milik-ani-9",
                                    "confirm": "sandi-milik-ani-9"}).status_code == 302
    auth.logout()
    assert client.get(link).status_code == 400  # the password change killed the link
    taken = client.post(link, data={"full_name": "Ani", "password": "punya-pelatih-1",
                                    "confirm": "punya-pelatih-1"})
    assert taken.status_code == 400
    login(client, trainer)
    renewed = client.post(f"/cohorts/{cohort.id}/members/{added.member.id}/invitation")
    assert renewed.headers["Location"].endswith(f"/cohorts/{cohort.id}")  # no new link
    overview = client.get(f"/cohorts/{cohort.id}").text
    assert "This person has already accepted the invitation." in overview
    assert count(AuditEvent, AuditEvent.action == "cohort.invitation_renewed") == 0
    assert auth_services.authenticate("ani@contoh.id", "sandi-milik-ani-9") is not None
    assert auth_services.authenticate("ani@contoh.id", "punya-pelatih-1") is None


def test_an_invitation_does_not_log_in_as_an_account_promoted_since(
        client, make_user, admin_user, tmp_path):
    """An invited account an administrator made a trainer or admin before it was accepted is no
    longer a participant's account: the trainer's invitation link must not open it."""
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email="budi@contoh.id", full_name="Budi")
    auth_services.set_role(admin_user, added.user, "admin")
    link = added.link.removeprefix("http://localhost")
    assert client.get(link).status_code == 400
    taken = client.post(link, data={"full_name": "Budi", "password": "punya-pelatih-2",
                                    "confirm": "punya-pelatih-2"})
    assert taken.status_code == 400
    assert auth_services.authenticate("budi@contoh.id", "punya-pelatih-2") is None


def test_a_member_of_another_cohort_is_not_found_in_this_one(client, make_user, tmp_path):
    """Removing (or re-inviting) a member id of another cohort through a cohort one trains is
    refused as "not found" and changes nothing."""
    trainer, other_trainer = make_user("trainer"), make_user("trainer")
    course = cohort_course(tmp_path)
    mine = make_cohort(trainer, course)
    theirs = make_cohort(other_trainer, course, name="Angkatan Lain")
    added = services.add_member(other_trainer, theirs, email="c@contoh.id", full_name="C")
    login(client, trainer)
    member_id = added.member.id
    assert client.post(f"/cohorts/{mine.id}/members/{member_id}/remove").status_code == 404
    assert client.post(f"/cohorts/{mine.id}/members/{member_id}/invitation").status_code == 404
    assert client.post(f"/cohorts/{theirs.id}/members/{member_id}/remove").status_code == 403
    assert db.session.get(CohortMember, member_id) is not None


# --------------------------------------------------------------------------- CSV import


def _upload(client, cohort, text: str | bytes, name="peserta.csv"):
    from io import BytesIO

    data = text.encode("utf-8-sig") if isinstance(text, str) else text
    return client.post(f"/cohorts/{cohort.id}/import",
                       data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")


def _state():
    return (count(User), count(CohortMember), count(Enrollment), count(AuditEvent),
            count(Notification), count(Job))


def test_csv_preview_writes_nothing_and_confirm_writes_everything(client, make_user,
                                                                 participant, tmp_path, mail):
    trainer = make_user("trainer")
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer, course)
    login(client, trainer)
    before = _state()
    csv_text = ("nama;email;perpustakaan;provinsi;kabupaten/kota\r\n"
                f"Peserta Lama;{participant.email.upper()};;;\r\n"
                "Rina Baru;rina@contoh.id;Perpustakaan Desa Mekar;Jawa Barat;Kab. Bandung\r\n"
                "Tono Baru;tono@contoh.id;TBM Tono;51;\r\n")
    preview = _upload(client, cohort, csv_text)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "3 people will be invited" in html and html.count("Will be invited") == 3
    assert participant.full_name not in html  # the list's own name, never the account's
    assert "Kabupaten Bandung, Jawa Barat" in html
    assert _state() == before and mail == []  # nothing written, nobody mailed

    token = re.search(r'name="data" type="hidden" value="([^"]+)"', html).group(1)
    tampered = client.post(f"/cohorts/{cohort.id}/import/confirm", data={"data": token[:-2] + "xx"})
    assert tampered.status_code == 302 and _state() == before

    done = client.post(f"/cohorts/{cohort.id}/import/confirm", data={"data": token})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "3 people were invited" in page and "/invite/" not in page
    members = db.session.scalars(select(User.email).join(
        CohortMember, CohortMember.user_id == User.id)).all()
    assert sorted(members) == sorted([participant.email, "rina@contoh.id", "tono@contoh.id"])
    rina = db.session.scalar(select(User).where(User.email == "rina@contoh.id"))
    assert (rina.library_name, rina.province_code, rina.regency_code) == (
        "Perpustakaan Desa Mekar", "32", "32.04")
    assert count(Enrollment, Enrollment.course_id == course.id) == 0  # enrolled on accepting
    assert count(AuditEvent, AuditEvent.action == "cohort.member_invited") == 3
    assert count(AuditEvent, AuditEvent.action == "cohort.members_imported") == 1
    assert mail == [] and run_pending() == 3
    assert len(mail) == 3
    # Confirming the same list again invites nobody twice.
    again = _upload(client, cohort, csv_text).get_data(as_text=True)
    assert "3 already invited or in the cohort" in again
    assert "Add these participants" not in again


def test_csv_with_errors_names_row_and_column_and_cannot_be_confirmed(client, make_user,
                                                                      tmp_path):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    login(client, trainer)
    before = _state()
    bad = _upload(client, cohort, "name,email,province,regency\n"
                                  "Ani,ani@contoh.id,Bali,Kabupaten Bandung\n"
                                  "Ani Lagi,ani@contoh.id,,\n"
                                  "Budi,budi-at-contoh,,\n")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Row 2, column regency: “Kabupaten Bandung” is not in the province of this row." in html
    assert "Row 3, column email: “ani@contoh.id” already appears in row 2." in html
    assert "Row 4, column email: “budi-at-contoh” is not a valid email address." in html
    assert "Add these participants" not in html
    no_header = _upload(client, cohort, "nama\nAni\n").get_data(as_text=True)
    assert "Row 1, column email:" in no_header
    nothing = client.post(f"/cohorts/{cohort.id}/import", data={},
                          content_type="multipart/form-data")
    assert nothing.status_code == 422
    excel = _upload(client, cohort, b"PK\x03\x04...", name="Peserta.XLSX")
    assert excel.status_code == 422 and "Save as" in excel.get_data(as_text=True)
    assert _state() == before


def test_import_is_one_transaction(app, make_user, participant, tmp_path, monkeypatch):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    before = _state()
    calls = []
    real_add = services._add

    def failing_add(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(services, "_add", failing_add)
    data = b"name,email\nSatu,satu@contoh.id\nDua,dua@contoh.id\n"
    with pytest.raises(RuntimeError):
        services.import_members(trainer, cohort, data)
    assert _state() == before
    with pytest.raises(ServiceError):  # a list with errors is refused whole
        services.import_members(trainer, cohort, b"name,email\nSatu,satu@contoh.id\n,x\n")
    assert _state() == before


def test_a_csv_with_a_giant_cell_is_a_problem_not_a_server_error(client, make_user, tmp_path):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    login(client, trainer)
    data = b"name,email\n" + b"A" * 200_000 + b",a@contoh.id\n"
    response = _upload(client, cohort, data)
    assert response.status_code == 422
    assert "cannot be read as a CSV list" in response.text
    assert "Add these participants" not in response.text


# --------------------------------------------------------------------------- deadlines


def test_deadlines_show_on_the_learner_dashboard(client, make_user, participant, tmp_path):
    trainer = make_user("trainer")
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = services.create_cohort(trainer, name="Angkatan 2", course_ids=[first.id, second.id])
    add_joined(trainer, cohort, participant)
    today = clock.today()
    login(client, trainer)
    bad = client.post(f"/cohorts/{cohort.id}/deadlines",
                      data={f"deadline-{first.id}": "31/12/2026"})
    assert bad.status_code == 422 and "Enter a date such as 2026-12-31." in bad.get_data(as_text=True)
    ok = client.post(f"/cohorts/{cohort.id}/deadlines", data={
        f"deadline-{first.id}": (today - timedelta(days=2)).isoformat(),
        f"deadline-{second.id}": (today + timedelta(days=5)).isoformat()})
    assert ok.status_code == 302
    row = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "cohort.deadlines_changed"))
    assert set(row.detail["deadlines"]) == {"kursus-satu", "kursus-dua"}
    assert "overdue" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)

    login(client, participant)
    home = client.get("/").get_data(as_text=True)
    section = home[home.index('id="my-deadlines"'):]
    assert "Overdue by 2 days" in section and "5 days left" in section
    assert section.index("kursus-satu") < section.index("kursus-dua")  # soonest first


# --------------------------------------------------------------------------- grading


def test_cohort_grading_queue_rubric_and_notification(client, make_user, participant,
                                                      tmp_path):
    trainer = make_user("trainer")
    outsider = make_user(full_name="Bukan Anggota")
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer, course)
    add_joined(trainer, cohort, participant)
    db.session.add(Enrollment(user_id=outsider.id, course_id=course.id))
    db.session.commit()
    quiz = quiz_by_slug(course, "tugas")
    mine = submit_practical(participant, quiz, "Rencana peserta angkatan.")
    submit_practical(outsider, quiz, "Rencana orang lain.")

    login(client, trainer)
    everyone = client.get("/quizzes/grading").get_data(as_text=True)
    # Learners outside cohorts are graded by the course's editors, which this trainer is not.
    assert participant.full_name in everyone and "Bukan Anggota" not in everyone
    make_editor(trainer, course)
    everyone = client.get("/quizzes/grading").get_data(as_text=True)
    assert participant.full_name in everyone and "Bukan Anggota" in everyone
    filtered = client.get(f"/quizzes/grading?cohort={cohort.id}")
    assert filtered.headers["Location"].endswith(f"/cohorts/{cohort.id}/grading")
    queue = client.get(f"/cohorts/{cohort.id}/grading").get_data(as_text=True)
    assert participant.full_name in queue and "Bukan Anggota" not in queue
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == mine.id))
    url = f"/quizzes/grading/{response.id}?cohort={cohort.id}"
    assert f'href="{url}"' in queue
    page = client.get(url).get_data(as_text=True)
    assert "Rencana peserta angkatan." in page
    assert "<strong>1. Relevansi</strong>" in page  # the rubric, rendered
    assert 'name="c1"' in page and 'name="c2"' in page and 'name="points"' not in page

    missing = client.post(url, data={"c1": "3", "comment": ""})
    assert missing.status_code == 422
    out_of_range = client.post(url, data={"c1": "3", "c2": "9"})
    assert out_of_range.status_code == 422
    done = client.post(url, data={"c1": "3", "c2": "2", "comment": "Libatkan lansia."})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/cohorts/{cohort.id}/grading")

    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, mine.id)
    assert attempt.status == "graded" and attempt.score == 62.5  # (3 + 2) / 8
    scores = db.session.scalar(select(RubricScore)).scores
    assert [(s["criterion"], s["score"], s["max"]) for s in scores] == [
        ("Relevansi", 3, 4), ("Inklusi dan etika", 2, 4)]
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.graded"))
    assert row.actor_id == trainer.id and row.detail["criteria"] == [3, 2]
    again = client.get(url).get_data(as_text=True)  # the saved scores are shown again
    assert re.search(r'<option selected value="3">3</option>|<option value="3" selected>', again)

    login(client, participant)
    home = client.get("/").get_data(as_text=True)
    assert "Your answer in “Practical Assignment” has been graded: 62.5%." in home
    assert f'href="/attempts/{mine.id}/review"' in home


def test_a_trainer_of_another_cohort_cannot_use_its_grading_links(client, make_user,
                                                                  participant, tmp_path):
    owner, stranger = make_user("trainer"), make_user("trainer")
    course = cohort_course(tmp_path)
    cohort = make_cohort(owner, course)
    add_joined(owner, cohort, participant)
    attempt = submit_practical(participant, quiz_by_slug(course, "tugas"))
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id))
    login(client, stranger)
    assert client.get(f"/quizzes/grading/{response.id}?cohort={cohort.id}").status_code == 403


def test_a_cohort_members_answer_is_graded_only_by_the_cohorts_trainers(
        client, make_user, participant, tmp_path):
    """Dropping `?cohort=` from the grading link must not let a trainer of another cohort grade
    (or read) a cohort member's work — not even an editor of the course; answers of learners in
    no cohort are graded by the course's editors, and admins grade everything."""
    owner, stranger = make_user("trainer"), make_user("trainer", full_name="Pelatih Lain")
    outsider = make_user(full_name="Bukan Anggota")
    course = cohort_course(tmp_path)
    cohort = make_cohort(owner, course)
    add_joined(owner, cohort, participant)
    make_editor(stranger, course)
    db.session.add(Enrollment(user_id=outsider.id, course_id=course.id))
    db.session.commit()
    quiz = quiz_by_slug(course, "tugas")
    mine = submit_practical(participant, quiz, "Rencana peserta angkatan.")
    other = submit_practical(outsider, quiz, "Rencana orang lain.")
    response_of = {a.id: db.session.scalar(select(QuestionResponse.id).where(
        QuestionResponse.attempt_id == a.id)) for a in (mine, other)}

    login(client, stranger)
    queue = client.get("/quizzes/grading").get_data(as_text=True)
    assert "Bukan Anggota" in queue and participant.full_name not in queue
    url = f"/quizzes/grading/{response_of[mine.id]}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"c1": "4", "c2": "4"}).status_code == 403
    assert client.get(f"/quizzes/grading/{response_of[other.id]}").status_code == 200
    db.session.expire_all()
    assert db.session.get(QuizAttempt, mine.id).status == "submitted"

    login(client, owner)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"c1": "4", "c2": "4"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, mine.id).status == "graded"


# --------------------------------------------------------------------------- speed


def test_overview_runs_a_constant_number_of_queries(client, make_user, tmp_path,
                                                    count_queries):
    trainer = make_user("trainer")
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = services.create_cohort(trainer, name="Angkatan Besar",
                                    course_ids=[first.id, second.id])
    services.add_member(trainer, cohort, email="a1@contoh.id", full_name="A Satu")
    login(client, trainer)
    url = f"/cohorts/{cohort.id}"

    def measure():
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        return len(q)

    measure()  # the courses' outlines are read once per process (lms/courses/queries.py)
    small = measure()
    # the login; the cohort with its courses, trainers and grading count; the members; their
    # done modules and scores; their enrolments; the history (docs/performance.md)
    assert small <= 6
    for i in range(2, 8):
        services.add_member(trainer, cohort, email=f"a{i}@contoh.id", full_name=f"A {i}")
    assert measure() == small
    assert "A 7" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    with count_queries() as q:
        assert client.get("/cohorts").status_code == 200
    assert len(q) <= small
    assert count(CohortTrainer) == 1


def test_progress_matrix_agrees_with_the_one_progress_rule(make_user, participant, tmp_path):
    from lms.courses.models import Module
    from lms.learning import services as learning
    from lms.learning.progress import progress_for, progress_matrix

    trainer = make_user("trainer")
    other = make_user()
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = services.create_cohort(trainer, name="Angkatan", course_ids=[first.id, second.id])
    for person in (participant, other):
        add_joined(trainer, cohort, person)
    module = db.session.scalar(select(Module).where(Module.course_id == first.id))
    learning.mark_module_done(participant, first, module)
    attempt = submit_practical(participant, quiz_by_slug(first, "tugas"))
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id))
    quiz_grading.grade_answer(trainer, response, criterion_scores=[4, 4])
    matrix = progress_matrix([participant.id, other.id], [first, second])
    for person in (participant, other):
        expected = progress_for(person.id, [first, second])
        for course in (first, second):
            got, want = matrix[(person.id, course.id)], expected[course.id]
            assert (got.done, got.total, got.percent, got.completed, got.enrolled) == (
                want.done, want.total, want.percent, want.completed, want.enrolled)
    assert matrix[(participant.id, first.id)].completed  # module done + practical passed
    assert matrix[(other.id, first.id)].percent == 0


def test_editing_a_cohort_adds_courses_trainers_and_archives(client, make_user, participant,
                                                             tmp_path):
    trainer, colleague = make_user("trainer"), make_user("trainer")
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = make_cohort(trainer, first)
    add_joined(trainer, cohort, participant)
    login(client, trainer)
    form = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert 'value="Angkatan Uji"' in form
    none = client.post(f"/cohorts/{cohort.id}/edit", data={"name": "Angkatan Uji", "status": "active",
                                                         "courses": str(first.id)})
    assert none.status_code == 422
    assert "A cohort needs at least one trainer." in none.get_data(as_text=True)
    ok = client.post(f"/cohorts/{cohort.id}/edit", data=MultiDict([
        ("name", "Angkatan Uji 2"), ("status", "active"), ("courses", str(first.id)),
        ("courses", str(second.id)), ("trainers", str(trainer.id)),
        ("trainers", str(colleague.id)), ("csrf_token", client.csrf_token())]))
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).name == "Angkatan Uji 2"
    assert services.trainer_ids(cohort) == {trainer.id, colleague.id}
    assert count(Enrollment, Enrollment.user_id == participant.id,
                 Enrollment.course_id == second.id) == 1  # members join the added course
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.updated"))
    assert row.detail["courses_added"] == ["kursus-dua"] and row.detail["name"] == "Angkatan Uji 2"
    # Archived: gone from the member's home page; the trainer who left it loses access.
    ok = client.post(f"/cohorts/{cohort.id}/edit", data={
        "name": "Angkatan Uji 2", "status": "archived", "courses": str(second.id),
        "trainers": str(colleague.id)})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/cohorts")
    assert client.get(f"/cohorts/{cohort.id}").status_code == 403
    assert count(Enrollment, Enrollment.course_id == first.id) == 1  # progress kept
    login(client, participant)
    assert "My cohorts" not in client.get("/").get_data(as_text=True)


def test_setup_creates_the_demo_cohort_once(app, runner, client, auth):
    assert runner.invoke(args=["lms", "setup"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    [cohort] = db.session.scalars(select(Cohort)).all()
    assert cohort.name == services.DEMO_COHORT
    # The demo participant and the demo facilitator (trained in it) are members.
    assert len(services.cohort_courses(cohort)) == 5 and len(services.members_of(cohort)) == 2
    auth.login("trainer@pelita.test", "latih-fasilitator-2026")
    english(client)
    assert services.DEMO_COHORT in client.get("/cohorts").get_data(as_text=True)
    # The cascade has something to show: the facilitator's activity waits for the trainer.
    from lms.cascade.models import FieldActivity

    [activity] = db.session.scalars(select(FieldActivity)).all()
    assert activity.confirmed_at is None and activity.village_code == "32.04.05.2001"
    tree = client.get("/cascade/tree").get_data(as_text=True)
    assert "Sri Wahyuni" in tree
    assert "Confirm this activity" in client.get(
        f"/cascade/activities/{activity.id}").get_data(as_text=True)


def test_cohort_grading_queue_runs_a_constant_number_of_queries(client, make_user, tmp_path,
                                                                count_queries):
    trainer = make_user("trainer")
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer, course)
    quiz = quiz_by_slug(course, "tugas")

    def submit_new_member(n):
        user = make_user(full_name=f"Anggota {n}")
        add_joined(trainer, cohort, user)
        submit_practical(user, quiz)

    submit_new_member(1)
    login(client, trainer)

    def measure():
        with count_queries() as q:
            page = client.get(f"/cohorts/{cohort.id}/grading")
        assert page.status_code == 200
        return len(q), page.get_data(as_text=True)

    small, _page = measure()
    for n in range(2, 5):
        submit_new_member(n)
    big, page = measure()
    assert big == small and "4 answers wait for a grade." in page


# --------------------------------------------------------------------------- rubric pass rule

RULED = PRACTICAL.replace('''- 1: Merugikan warga.
''', '''- 1: Merugikan warga.

**Aturan lulus:** rata-rata kedua skor ≥ 2,5 dan **tidak ada kriteria bernilai 1**.
''')


def test_a_criterion_below_the_rubrics_minimum_fails_whatever_the_average(
        client, make_user, participant, tmp_path):
    trainer = make_user("trainer")
    pack = write_pack(tmp_path, slug="kursus-aturan", quizzes={"tugas": RULED})
    toml = pack / "course.toml"
    toml.write_text('enrolment = "cohort"\n' + toml.read_text())
    course = import_pack(pack)
    cohort = make_cohort(trainer, course)
    add_joined(trainer, cohort, participant)
    quiz = quiz_by_slug(course, "tugas")
    attempt = submit_practical(participant, quiz)
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id))
    url = f"/quizzes/grading/{response.id}?cohort={cohort.id}"
    login(client, trainer)
    page = client.get(url).get_data(as_text=True)
    # Said before saving, in the hint tied to each criterion and in the failing choice.
    assert page.count("A score below 2 means the assignment is not passed, whatever the "
                      "average.") == 2
    assert 'aria-describedby="c1-desc"' in page
    assert '<option value="1">1 (not passed)</option>' in page
    assert '<option value="4">4</option>' in page

    assert client.post(url, data={"c1": "4", "c2": "1"}).status_code == 302
    db.session.expire_all()
    graded = db.session.get(QuizAttempt, attempt.id)
    # (4 + 1) / 8 = 62.5 %, but capped below the pass mark of 63 all the same: 62 %.
    assert graded.status == "graded" and graded.score == 62.0
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.graded"))
    assert row.detail["below_minimum"] == ["Inklusi dan etika"]
    assert db.session.scalar(select(RubricScore)).scores[1]["score"] == 1  # as the trainer gave
    from lms.learning.progress import progress_for

    assert quiz.id not in progress_for(participant.id, [course])[course.id].passed_quiz_ids

    # A high average with one 1 is still not passed; every criterion at 2 or more passes.
    second = submit_practical(participant, quiz)
    response2 = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == second.id))
    quiz_grading.grade_answer(trainer, response2, criterion_scores=[4, 2])
    assert db.session.get(QuizAttempt, second.id).score == 75.0
    assert quiz.id in progress_for(participant.id, [course])[course.id].passed_quiz_ids


def test_a_rubric_without_a_stated_minimum_keeps_the_average(make_user, participant, tmp_path):
    trainer = make_user("trainer")
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer, course)
    add_joined(trainer, cohort, participant)
    attempt = submit_practical(participant, quiz_by_slug(course, "tugas"))
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id))
    quiz_grading.grade_answer(trainer, response, criterion_scores=[4, 1])
    assert db.session.get(QuizAttempt, attempt.id).score == 62.5


# --------------------------------------------------------------------------- deadline reminders


def test_deadline_reminders_are_sent_once_per_member_course_and_deadline(
        client, make_user, participant, tmp_path):
    from lms import notifications
    from lms.jobs.services import enqueue

    trainer = make_user("trainer")
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = services.create_cohort(trainer, name="Angkatan Pengingat",
                                    course_ids=[first.id, second.id])
    done_already = make_user(full_name="Sudah Selesai")
    for person in (participant, done_already):
        add_joined(trainer, cohort, person)
    finished = db.session.scalar(select(Enrollment).where(
        Enrollment.user_id == done_already.id, Enrollment.course_id == first.id))
    finished.completed_at = finished.enrolled_at
    # An archived cohort with the same deadline reminds nobody.
    archived = services.create_cohort(trainer, name="Angkatan Lama", course_ids=[first.id])
    stranger = make_user()
    add_joined(trainer, archived, stranger)
    archived.status = "archived"
    db.session.commit()
    today = clock.today()
    in_three = today + timedelta(days=3)
    services.set_deadlines(trainer, cohort, {first.id: in_three,
                                             second.id: today + timedelta(days=4)})
    services.set_deadlines(trainer, archived, {first.id: in_three})
    assert run_pending() == 3  # the three "added to a cohort" emails

    def reminders():
        return db.session.execute(
            select(Notification.user_id, Notification.params).where(
                Notification.kind == notifications.DEADLINE_SOON)
            .order_by(Notification.id)).all()

    assert services.remind_deadlines(today - timedelta(days=1)) == 0  # 4 days away: not yet
    enqueue("cohorts.deadline_reminders", {})
    db.session.commit()
    assert run_pending() == 1  # the periodic job
    sent = reminders()
    assert [(u, p["course"]["id"], p["deadline"]) for u, p in sent] == [
        (participant.id, "Kursus Kuis Uji", in_three.isoformat())]
    # Again, by the job or directly: nothing more (a day later, the second course is due).
    enqueue("cohorts.deadline_reminders", {})
    db.session.commit()
    assert run_pending() == 1 and len(reminders()) == 1
    assert services.remind_deadlines(today + timedelta(days=1)) == 2  # both members
    assert services.remind_deadlines(today + timedelta(days=1)) == 0
    one, two = (cc.id for cc in services.cohort_courses(cohort))
    assert sorted((u, p["cohort_course"]) for u, p in reminders()) == sorted([
        (participant.id, one), (participant.id, two), (done_already.id, two)])
    # A deadline moved is a new deadline: reminded again, once. A past one is not.
    services.set_deadlines(trainer, cohort, {first.id: today + timedelta(days=2)})
    assert services.remind_deadlines(today) == 1 and services.remind_deadlines(today) == 0
    services.set_deadlines(trainer, cohort, {first.id: today - timedelta(days=1)})
    assert services.remind_deadlines(today) == 0
    assert {u for u, _p in reminders()} == {participant.id, done_already.id}
    assert stranger.id not in {u for u, _p in reminders()}

    login(client, participant)
    home = client.get("/").get_data(as_text=True)
    assert (f"Reminder: the deadline of “Quiz Test Course” (cohort Angkatan Pengingat) is "
            f"{in_three:%b} {in_three.day}, {in_three.year}.") in home  # a date, in English
    assert 'href="/courses/kursus-satu"' in home


# --------------------------------------------------------------------------- emails by the queue


def test_cohort_emails_go_through_the_job_queue(client, auth, make_user, participant, tmp_path,
                                                mail, monkeypatch):
    from lms.cohorts import services as cohort_services

    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    calls = []

    def broken_smtp(*args):
        calls.append(args)
        raise OSError("SMTP server not answering")

    monkeypatch.setattr(cohort_services, "send_mail", broken_smtp)
    login(client, trainer)
    done = client.post(f"/cohorts/{cohort.id}/members/add", data={
        "email": "lambat@contoh.id", "full_name": "Surat Lambat"})
    assert done.status_code == 200 and calls == []  # the trainer's request sends nothing
    member = db.session.scalar(select(CohortMember))
    link = services.invitation_link(member).removeprefix("http://localhost")  # as emailed
    job = db.session.scalar(select(Job).where(Job.kind == "cohorts.send_mail"))
    assert job.status == "queued" and job.payload["kind"] == "invitation"
    assert run_pending() == 1 and len(calls) == 1
    db.session.refresh(job)
    assert job.status == "queued" and "SMTP server not answering" in job.last_error  # retried

    # Accepted before the retry: the invitation email is not sent any more.
    monkeypatch.undo()
    auth.logout()
    assert client.post(link, data={"full_name": "Surat Lambat", "password": "kata-sandi-ani-77",
                                   "confirm": "kata-sandi-ani-77"}).status_code == 302
    job.run_after = job.created_at
    db.session.commit()
    assert run_pending() == 1 and mail == []
    db.session.refresh(job)
    assert job.status == "done"

    # A failed change queues no email.
    with pytest.raises(ServiceError):
        services.add_member(trainer, cohort, email="lambat@contoh.id")
    assert count(Job, Job.kind == "cohorts.send_mail") == 1


def test_a_renewed_invitation_is_emailed_with_the_new_link(client, make_user, tmp_path,
                                                          mail, clock):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email="ulang@contoh.id", full_name="Ulang")
    assert run_pending() == 1 and len(mail) == 1
    clock.advance(minutes=5)
    login(client, trainer)
    renewed = client.post(f"/cohorts/{cohort.id}/members/{added.member.id}/invitation")
    assert renewed.status_code == 302 and len(mail) == 1
    assert run_pending() == 1 and len(mail) == 2
    token = re.search(r"/invite/(\S+)", mail[-1].get_content()).group(1)
    assert services.member_for_invitation(token).id == added.member.id
    old = re.search(r"/invite/(\S+)", mail[0].get_content()).group(1)
    with pytest.raises(ServiceError):
        services.member_for_invitation(old)


# --------------------------------------------------------------------------- overview rendering


def test_overview_translates_its_labels_once_not_per_member(app, client, make_user,
                                                            tmp_path, monkeypatch):
    from jinja2 import pass_eval_context

    trainer = make_user("trainer")
    cohort = services.create_cohort(trainer, name="Angkatan Label",
                                    course_ids=[cohort_course(tmp_path).id])
    services.add_member(trainer, cohort, email="l1@contoh.id", full_name="L Satu")
    login(client, trainer)
    calls = []
    real = app.jinja_env.globals["gettext"]

    @pass_eval_context
    def counting(eval_ctx, string, /, **kwargs):
        calls.append(string)
        return real(eval_ctx, string, **kwargs)

    monkeypatch.setitem(app.jinja_env.globals, "gettext", counting)
    monkeypatch.setitem(app.jinja_env.globals, "_", counting)

    def render():
        calls.clear()
        page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
        return len(calls), page

    render()  # the menu is translated once per language and role (templating.cached_fragment)
    small, page = render()
    assert calls and "New invitation link" in page and "L Satu" in page
    for i in range(2, 8):
        services.add_member(trainer, cohort, email=f"l{i}@contoh.id", full_name=f"L {i}")
    big, page = render()
    assert big == small
    assert page.count("New invitation link") == 7 and page.count(">Remove<") == 7
    assert page.count(f'value="{client.csrf_token()}"') >= 14


# --------------------------------------------------------------------------- CSV export


def test_trainer_downloads_the_progress_table_as_csv(client, make_user, participant,
                                                     tmp_path, count_queries):
    import csv
    import io

    trainer = make_user("trainer")
    first = cohort_course(tmp_path / "a", slug="kursus-satu")
    second = cohort_course(tmp_path / "b", slug="kursus-dua")
    cohort = services.create_cohort(trainer, name="Angkatan Ekspor",
                                    course_ids=[first.id, second.id])
    add_joined(trainer, cohort, participant)
    accept_new(services.add_member(trainer, cohort, email="rumus@contoh.id",
                                   full_name="=HYPERLINK(1)", library_name="TBM Siti Ñandú",
                                   province_code="32", regency_code="32.04"))
    services.add_member(trainer, cohort, email="belum@contoh.id", full_name="Belum Menjawab")
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.user_id == participant.id, Enrollment.course_id == first.id))
    enrollment.completed_at = enrollment.enrolled_at
    db.session.commit()
    login(client, trainer)
    url = f"/cohorts/{cohort.id}/progress.csv"
    assert f'href="{url}"' in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)

    def download():
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        return len(q), response

    small, response = download()
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "library", "province", "regency",
                       "Quiz Test Course (%)", "Quiz Test Course completed on",
                       "Quiz Test Course (%)", "Quiz Test Course completed on"]
    by_email = {r[1]: r for r in rows[1:]}
    assert "belum@contoh.id" not in by_email  # nothing of a person who has not accepted
    formula = by_email["rumus@contoh.id"]
    assert formula[0] == "'=HYPERLINK(1)"  # never run as a formula
    assert formula[2:5] == ["TBM Siti Ñandú", "Jawa Barat", "Kabupaten Bandung"]
    assert formula[5:] == ["0", "", "0", ""]
    mine = by_email[participant.email]
    completed_on = enrollment.completed_at

    if completed_on.tzinfo is None:
        from datetime import UTC

        completed_on = completed_on.replace(tzinfo=UTC)
    assert mine[6] == clock.local_date(completed_on).isoformat() and mine[8] == ""

    # In Indonesian the columns are split by ";", as Excel set to Indonesian expects.
    client.post("/language", data={"lang": "id", "next": "/"})
    indonesian = list(csv.reader(io.StringIO(client.get(url).get_data().decode("utf-8-sig")),
                                 delimiter=";"))
    assert [len(r) for r in indonesian] == [len(r) for r in rows]
    assert indonesian[1:] == rows[1:]
    client.post("/language", data={"lang": "en", "next": "/"})

    for i in range(3, 8):
        accept_new(services.add_member(trainer, cohort, email=f"e{i}@contoh.id",
                                       full_name=f"E {i}"))
    big, response = download()
    assert big == small and len(list(csv.reader(io.StringIO(
        response.get_data().decode("utf-8-sig"))))) == 8

    login(client, make_user("trainer"))
    assert client.get(url).status_code == 403
    login(client, participant)
    assert client.get(url).status_code == 403


def test_the_overview_shows_an_invited_persons_chosen_name_nowhere(client, make_user, tmp_path):
    """Until a person joins, nothing on the overview follows from their own account: not the
    order of the list (sorted by the name the trainer typed), nor, once they decline, their
    name in the cohort's recent changes."""
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    aaron = make_user(full_name="Aaron Asli")
    zoe = make_user(full_name="Zoe Asli")
    services.add_member(trainer, cohort, email=aaron.email, full_name="Zzz Ketikan")
    services.add_member(trainer, cohort, email=zoe.email, full_name="Aaa Ketikan")
    login(client, trainer)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert page.index("Aaa Ketikan") < page.index("Zzz Ketikan")
    member = db.session.scalar(select(CohortMember).where(CohortMember.user_id == aaron.id))
    services.decline(aaron, member.id)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Declined the invitation" in page
    assert "Aaron Asli" not in page and "Zoe Asli" not in page
