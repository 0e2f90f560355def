"""Facilitators: the role given on certification on a path that grants it (audited, never a
downgrade), by an admin, and what a facilitator may do — replication cohorts of courses marked
for replication, their own cohorts only, no certificates, no authoring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms import access
from lms.audit import AuditEvent
from lms.cohorts import services as cohort_services
from lms.cohorts.models import Cohort
from lms.errors_domain import ServiceError
from lms.extensions import db
from tests.helpers.cascade import complete, course, facilitator_path
from tests.helpers.cohorts import add_joined
from tests.helpers.pages import login


@pytest.fixture
def path_courses(app, tmp_path):
    with_cert = course(tmp_path, "kursus-sertifikat")
    no_cert = course(tmp_path, "kursus-orientasi", certificate=False)
    facilitator_path(tmp_path, [with_cert, no_cert])
    return with_cert, no_cert


def _events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_certified_on_the_path_becomes_facilitator_and_it_is_audited(path_courses, participant):
    with_cert, no_cert = path_courses
    complete(participant, with_cert)
    db.session.refresh(participant)
    assert participant.role == "participant"  # one course of two: not yet
    complete(participant, no_cert)  # issues no certificate: its completion counts
    db.session.refresh(participant)
    assert participant.role == "facilitator"
    assert participant.is_facilitator and not participant.is_trainer
    [event] = _events("account.role_granted")
    assert event.actor_id is None and event.target == f"user:{participant.id}"
    assert event.detail["to"] == "facilitator" and event.detail["path"] == "fasilitator-uji"


def test_a_revoked_certificate_does_not_count(path_courses, participant, admin_user):
    from lms.certificates import services as certs

    with_cert, no_cert = path_courses
    complete(participant, with_cert)
    certs.revoke(admin_user, certs.standing_certificate(participant.id, with_cert.id), "Salah")
    complete(participant, no_cert)
    db.session.refresh(participant)
    assert participant.role == "participant"


def test_people_certified_before_the_path_granted_the_role_get_it_from_the_command(
        app, tmp_path, runner, make_user, trainer_user):
    with_cert = course(tmp_path, "kursus-sertifikat")
    no_cert = course(tmp_path, "kursus-orientasi", certificate=False)
    done, halfway = make_user("participant"), make_user("participant")
    for learner in (done, trainer_user):
        complete(learner, with_cert)
        complete(learner, no_cert)
    complete(halfway, with_cert)
    facilitator_path(tmp_path, [with_cert, no_cert])  # the path now grants the role
    db.session.refresh(done)
    assert done.role == "participant"  # nothing happened by itself

    result = runner.invoke(args=["lms", "grant-path-roles"])
    assert result.exit_code == 0, result.output
    assert f"{done.email}: facilitator" in result.output
    assert "1 account(s) given a role." in result.output
    db.session.expire_all()
    assert (done.role, halfway.role, trainer_user.role) == ("facilitator", "participant",
                                                             "trainer")
    [event] = _events("account.role_granted")
    assert event.target == f"user:{done.id}" and event.detail["path"] == "fasilitator-uji"
    again = runner.invoke(args=["lms", "grant-path-roles"])
    assert "0 account(s) given a role." in again.output


def test_a_trainer_is_never_downgraded(path_courses, trainer_user):
    for c in path_courses:
        complete(trainer_user, c)
    db.session.refresh(trainer_user)
    assert trainer_user.role == "trainer"
    assert _events("account.role_granted") == []


def test_an_admin_makes_someone_a_facilitator_on_the_users_page(client, admin_user, participant):
    login(client, admin_user)
    response = client.post(f"/admin/users/{participant.id}/role", data={"role": "facilitator"})
    assert response.status_code == 302
    db.session.refresh(participant)
    assert participant.role == "facilitator"
    [event] = _events("account.role_changed")
    assert event.detail["from"] == "participant" and event.detail["to"] == "facilitator"


@pytest.fixture
def cascade_world(app, tmp_path, make_user, trainer_user):
    replicable = course(tmp_path, "kursus-replikasi", replication=True)
    master_only = course(tmp_path, "kursus-fasda")
    facilitator = make_user("facilitator", full_name="Fasda Uji")
    training = cohort_services.create_cohort(trainer_user, name="Angkatan Fasda",
                                             course_ids=[master_only.id])
    return facilitator, replicable, master_only, training


def test_a_facilitator_creates_replication_cohorts_of_replication_courses_only(
        client, cascade_world):
    facilitator, replicable, master_only, _training = cascade_world
    login(client, facilitator)
    page = client.get("/cohorts/new").get_data(as_text=True)
    assert "replication cohort" in page
    assert replicable.title_en in page or replicable.title_id in page
    assert f'value="{master_only.id}"' not in page
    with pytest.raises(ServiceError):
        cohort_services.create_cohort(facilitator, name="Replikasi", course_ids=[master_only.id])
    response = client.post("/cohorts/new", data={"name": "Replikasi Desa Depok",
                                                 "courses": [str(replicable.id)]})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Replikasi Desa Depok"))
    assert cohort.kind == "replication"
    assert client.get(f"/cohorts/{cohort.id}").status_code == 200
    # a master trainer's cohort stays a training cohort
    assert _training.kind == "training"


def test_a_facilitator_runs_only_their_own_cohorts_and_never_issues_or_authors(
        client, cascade_world, make_user):
    facilitator, replicable, _m, training = cascade_world
    other = make_user("facilitator", full_name="Fasda Lain")
    theirs = cohort_services.create_cohort(other, name="Replikasi Lain",
                                           course_ids=[replicable.id])
    login(client, facilitator)
    assert client.get(f"/cohorts/{training.id}").status_code == 403
    assert client.get(f"/cohorts/{theirs.id}").status_code == 403
    assert client.get("/certificates/issue").status_code == 403
    assert client.get("/author/").status_code in (403, 404)
    listed = client.get("/cohorts").get_data(as_text=True)
    assert "Replikasi Lain" not in listed and "Angkatan Fasda" not in listed


def test_a_facilitator_oversees_the_members_of_their_cohort_in_its_courses(
        cascade_world, make_user):
    facilitator, replicable, master_only, _t = cascade_world
    staff = make_user(full_name="Pengelola Perpusdes")
    cohort = cohort_services.create_cohort(facilitator, name="Replikasi",
                                           course_ids=[replicable.id])
    add_joined(facilitator, cohort, staff)
    assert access.oversees(facilitator, staff.id, replicable.id)
    assert not access.oversees(facilitator, staff.id, master_only.id)
    assert not access.can_issue_certificate(facilitator, staff, replicable)


def test_a_facilitator_cannot_be_made_a_trainer_of_a_training_cohort(cascade_world,
                                                                      trainer_user):
    facilitator, _r, master_only, training = cascade_world
    with pytest.raises(ServiceError):
        cohort_services.update_cohort(trainer_user, training, name=training.name,
                                      course_ids=[master_only.id],
                                      trainer_ids=[trainer_user.id, facilitator.id])
