"""Who may issue a certificate by hand, revoke or re-issue one — and that each is recorded, the
administrators told, and (when switched on) approved by a second person."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateRequest
from lms.courses.models import Course
from lms.errors_domain import PermissionDenied
from lms.extensions import db
from lms.jobs.services import run_pending
from lms.notifications import Notification
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import field_error, login
from tests.helpers.people import join_cohort, make_editor

REASON = "Lulus bimtek tatap muka di Bandung"


@pytest.fixture
def course(app, tmp_path, participant):
    """A course the participant is enrolled in (outside any cohort)."""
    from lms.learning.services import start_enrollment

    import_folder(make_pack(tmp_path, "kursus-tatap-muka", modules=1))
    course = db.session.scalar(select(Course).where(Course.slug == "kursus-tatap-muka"))
    start_enrollment(participant, course)
    db.session.commit()
    return course


def issue(client, email, reason=REASON, course="kursus-tatap-muka"):
    return client.post("/certificates/issue",
                       data={"email": email, "course": course, "reason": reason})


def certificates() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate))


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_editor_issues_by_hand_recorded_and_the_admins_told(
        client, make_user, participant, admin_user, course, mail, english_messages):
    editor = make_user("trainer", full_name="Editor Kursus")
    make_editor(editor, course)
    login(client, editor)
    response = issue(client, participant.email)
    assert response.status_code == 302
    cert = db.session.scalar(select(Certificate))
    assert cert.issue_reason == REASON and cert.signatory_name == "Editor Kursus"
    (row,) = audit_rows("certificate.issued_manually")
    assert row.actor_id == editor.id
    assert row.detail == {"holder": participant.email, "holder_name": participant.full_name,
                          "course": "kursus-tatap-muka", "code": cert.code, "reason": REASON}
    to_admin = db.session.scalar(select(Notification).where(
        Notification.user_id == admin_user.id))
    assert "Editor Kursus issued certificate" in to_admin.text and REASON in to_admin.text
    assert run_pending() >= 1
    assert admin_user.email in [m["To"] for m in mail]
    again = issue(client, participant.email, reason="Lagi")
    assert again.status_code == 422 and certificates() == 1


def test_a_trainer_who_neither_edits_nor_trains_the_learner_cannot_issue(
        client, make_user, participant, course):
    trainer = make_user("trainer")
    login(client, trainer)
    page = client.get("/certificates/issue").text
    assert "There is no course you can issue certificates for yet" in page
    assert issue(client, participant.email).status_code == 422
    with pytest.raises(PermissionDenied):
        services.issue_manually(trainer, participant, course, REASON)
    assert certificates() == 0 and audit_rows("certificate.issued_manually") == []


def test_a_cohort_trainer_issues_to_members_only_and_the_answer_hides_accounts(
        client, make_user, participant, course):
    trainer = make_user("trainer")
    outsider = make_user()
    join_cohort(trainer, participant, course)
    login(client, trainer)
    outside = issue(client, outsider.email)
    nobody = issue(client, "tidak-ada@contoh.id")
    assert outside.status_code == nobody.status_code == 422
    assert field_error(outside.text, "email") == field_error(nobody.text, "email")
    assert certificates() == 0
    assert issue(client, participant.email).status_code == 302 and certificates() == 1


def test_an_invited_person_who_has_not_accepted_gives_the_trainer_no_right(
        client, make_user, participant, course):
    from lms.cohorts import services as cohort_services

    trainer = make_user("trainer")
    cohort = cohort_services.create_cohort(trainer, name="Angkatan", course_ids=[course.id])
    cohort_services.add_member(trainer, cohort, email=participant.email, full_name="X")
    with pytest.raises(PermissionDenied):
        services.issue_manually(trainer, participant, course, REASON)


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_nobody_issues_a_certificate_to_themselves(client, make_user, course, role):
    person = make_user(role)
    if role == "trainer":
        make_editor(person, course)
    login(client, person)
    response = issue(client, person.email)
    assert response.status_code == 422
    assert "yourself" in field_error(response.text, "email")
    assert certificates() == 0


def test_the_reason_is_required(client, make_user, participant, course):
    editor = make_user("trainer")
    make_editor(editor, course)
    login(client, editor)
    response = issue(client, participant.email, reason="   ")
    assert response.status_code == 422 and certificates() == 0


def test_revoke_and_reissue_are_recorded_and_told_to_holder_and_admins(
        client, make_user, participant, admin_user, course, mail, english_messages):
    other_admin = make_user("admin", full_name="Admin Kedua")
    cert = services.issue_manually(admin_user, participant, course, REASON)
    login(client, other_admin)
    client.post(f"/certificates/{cert.code}/manage",
                data={"action": "reissue", "reissue-reason": "Nama diperbaiki",
                      "reissue-holder_name": "Peserta Uji, S.Pd."})
    new = db.session.scalar(select(Certificate).where(Certificate.superseded_at.is_(None)))
    client.post(f"/certificates/{new.code}/manage",
                data={"action": "revoke", "revoke-reason": "Data kelulusan tidak benar"})
    (reissued,) = audit_rows("certificate.reissued")
    assert reissued.actor_id == other_admin.id
    assert reissued.detail["previous_code"] == cert.code and reissued.detail["code"] == new.code
    assert reissued.detail["reason"] == "Nama diperbaiki"
    (revoked,) = audit_rows("certificate.revoked")
    assert revoked.detail["reason"] == "Data kelulusan tidak benar"
    texts = [n.text for n in db.session.scalars(select(Notification).where(
        Notification.user_id == admin_user.id))]
    assert any("Admin Kedua re-issued" in t for t in texts)
    assert any("Admin Kedua revoked" in t for t in texts)
    holder = [n.text for n in db.session.scalars(select(Notification).where(
        Notification.user_id == participant.id))]
    assert any("was revoked: Data kelulusan tidak benar" in t for t in holder)
    run_pending()
    assert participant.email in [m["To"] for m in mail]


def test_with_four_eyes_a_manual_issue_waits_for_another_administrator(
        app, client, make_user, participant, admin_user, course, english_messages):
    app.config["CERT_MANUAL_ISSUE_APPROVAL"] = True
    editor = make_user("trainer", full_name="Editor Kursus")
    make_editor(editor, course)
    login(client, editor)
    assert "your request goes to the administrators" in client.get("/certificates/issue").text
    sent = issue(client, participant.email)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/certificates/requests")
    assert certificates() == 0
    request = db.session.scalar(select(CertificateRequest))
    assert request.status == "pending" and request.requested_by_id == editor.id
    assert audit_rows("certificate.requested")[0].actor_id == editor.id
    assert issue(client, participant.email).status_code == 422  # one open request at a time
    assert client.post("/certificates/requests",
                       data={"request_id": str(request.id), "action": "approve"}).status_code == 403

    # An admin cannot approve their own request: another admin must.
    own = services.request_issue(admin_user, make_user(), course, "Bimtek luring")
    with pytest.raises(PermissionDenied):
        services.approve_request(admin_user, own)

    client.post("/logout")
    login(client, admin_user)
    page = client.get("/certificates/requests").text
    assert participant.full_name in page and REASON in page
    assert "Your own request: another administrator decides on it." in page
    refused = client.post("/certificates/requests",
                          data={"request_id": str(request.id), "action": "reject", "note": ""})
    assert "Say why the request is not approved." in refused.text  # a refusal needs a reason
    db.session.refresh(request)
    assert request.status == "pending" and certificates() == 0
    client.post("/certificates/requests",
                data={"request_id": str(request.id), "action": "approve"})
    db.session.refresh(request)
    assert request.status == "approved" and request.decided_by_id == admin_user.id
    cert = db.session.get(Certificate, request.certificate_id)
    assert cert.user_id == participant.id and cert.issued_by_id == editor.id
    (row,) = audit_rows("certificate.issued_manually")
    assert row.actor_id == admin_user.id and row.detail["approved_by"] == admin_user.email
    told = db.session.scalar(select(Notification).where(
        Notification.user_id == editor.id,
        Notification.kind == "certificate_request_decided"))
    assert "approved your request" in told.text


def test_a_refused_request_tells_its_sender_why(app, make_user, participant, admin_user, course,
                                               english_messages):
    app.config["CERT_MANUAL_ISSUE_APPROVAL"] = True
    editor = make_user("trainer")
    make_editor(editor, course)
    request = services.request_issue(editor, participant, course, REASON)
    services.reject_request(admin_user, request, "Tidak ada daftar hadir")
    assert request.status == "rejected" and certificates() == 0
    told = db.session.scalar(select(Notification).where(Notification.user_id == editor.id))
    assert "Tidak ada daftar hadir" in told.text
    assert audit_rows("certificate.request_rejected")[0].detail["note"] == "Tidak ada daftar hadir"


def test_an_editor_issues_only_to_enrolled_learners_and_never_to_staff(
        client, make_user, participant, course):
    """Editing a course (which any trainer can start by creating one) is no licence to mint
    certificates for colleagues or strangers: the learner must be enrolled, outside cohorts,
    and not a trainer or admin; every refusal reads the same as an unknown address."""
    editor, colleague = make_user("trainer"), make_user("trainer")
    stranger = make_user()  # has an account, never enrolled
    make_editor(editor, course)
    for person in (colleague, stranger):
        with pytest.raises(PermissionDenied):
            services.issue_manually(editor, person, course, REASON)
    login(client, editor)
    answers = [issue(client, email) for email in
               (colleague.email, stranger.email, "tidak-ada@contoh.id")]
    assert {a.status_code for a in answers} == {422}
    assert len({field_error(a.text, "email") for a in answers}) == 1
    assert certificates() == 0
    assert issue(client, participant.email).status_code == 302  # enrolled: theirs to issue


def test_an_admin_decides_neither_their_own_request_nor_one_about_themselves(
        app, make_user, admin_user, course):
    app.config["CERT_MANUAL_ISSUE_APPROVAL"] = True
    other_admin = make_user("admin")
    editor = make_user("trainer")
    make_editor(editor, course)
    from lms.learning.services import start_enrollment

    start_enrollment(other_admin, course)
    db.session.commit()
    about_them = services.request_issue(admin_user, other_admin, course, REASON)
    with pytest.raises(PermissionDenied):
        services.approve_request(other_admin, about_them)
    assert certificates() == 0


def test_a_request_is_decided_once_and_its_senders_rights_are_checked_again(
        app, make_user, participant, admin_user, course, english_messages):
    from lms.authoring.services import drafts

    app.config["CERT_MANUAL_ISSUE_APPROVAL"] = True
    editor = make_user("trainer")
    make_editor(editor, course)
    request = services.request_issue(editor, participant, course, REASON)
    second_admin = make_user("admin")
    services.approve_request(admin_user, request)
    # A second admin decides from a page loaded before: the database decides, not the page.
    with pytest.raises(services.ServiceError, match="already decided"):
        services.reject_request(second_admin, request, "Terlambat")
    db.session.expire_all()
    assert db.session.get(CertificateRequest, request.id).status == "approved"
    assert certificates() == 1

    learner = make_user()
    from lms.learning.services import start_enrollment

    start_enrollment(learner, course)
    db.session.commit()
    second = services.request_issue(editor, learner, course, REASON)
    drafts.remove_editor(drafts.draft_for(course.slug), editor, user=admin_user)
    with pytest.raises(PermissionDenied):
        services.approve_request(admin_user, second)
    assert certificates() == 1
