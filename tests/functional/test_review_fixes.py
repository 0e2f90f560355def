"""Defects found in the review of the authoring, cohort and plugin work (one test per defect)."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from lms.auth import services as auth_services
from lms.auth.models import User
from lms.cohorts import services
from lms.extensions import db
from lms.jobs.services import run_pending
from tests.helpers.cohorts import cohort_course, make_cohort
from tests.helpers.pages import login


def _reset_link(mail) -> str:
    return re.search(r"http://localhost(/reset/\S+)", mail[-1].get_content()).group(1)


def test_an_invitation_cannot_take_over_an_account_whose_password_was_set(
        client, make_user, tmp_path, mail):
    """An invited person who set a password with "Forgot password" owns the account: a renewed
    (or still unexpired) invitation link, which the trainer sees, must not set it again."""
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    added = services.add_member(trainer, cohort, email="ani@contoh.id", full_name="Ani")
    link = added.link.removeprefix("http://localhost")
    # Ani ignores the invitation and uses "Forgot password" instead.
    client.post("/reset", data={"email": "ani@contoh.id"})
    run_pending()  # the reset email is sent by the worker
    reset = _reset_link(mail)
    assert client.post(reset, data={"new_password": "sandi-milik-ani-9",
                                    "confirm": "sandi-milik-ani-9"}).status_code == 302
    client.post("/logout")
    assert client.get(link).status_code == 400  # the password change killed the link
    login(client, trainer)
    renewed = client.post(f"/cohorts/{cohort.id}/members/{added.member.id}/invitation")
    found = re.search(r'value="(http://localhost/invite/[^"]+)"', renewed.get_data(as_text=True))
    client.post("/logout")
    if found:
        new_link = found.group(1).removeprefix("http://localhost")
        assert client.get(new_link).status_code == 400
        taken = client.post(new_link, data={"full_name": "Ani", "password": "punya-pelatih-1",
                                            "confirm": "punya-pelatih-1"})
        assert taken.status_code == 400
    user = db.session.scalar(select(User).where(User.email == "ani@contoh.id"))
    db.session.refresh(user)
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


BIG = "99999999999999999999999"


def test_ids_too_large_for_the_database_are_not_found_not_server_errors(client, make_user):
    """An id in a URL or a form that no database column can hold (a typo, a scanner) is a 404
    or 400, never a 500 (SQLite: OverflowError; PostgreSQL: integer out of range)."""
    trainer = make_user("trainer")
    login(client, trainer)
    for url in (f"/cohorts/{BIG}", f"/cohorts/{BIG}/grading", "/cohorts/2147483648",
                f"/quizzes/grading/{BIG}", f"/quizzes/grading?cohort={BIG}"):
        assert client.get(url, follow_redirects=True).status_code == 404, url
    assert client.post(f"/cohorts/{BIG}/members/1/remove").status_code == 404
    assert client.post("/notifications/read", data={"id": BIG}).status_code == 400


def test_a_csv_with_a_giant_cell_is_a_problem_not_a_server_error(client, make_user,
                                                                   tmp_path):
    trainer = make_user("trainer")
    cohort = make_cohort(trainer, cohort_course(tmp_path))
    login(client, trainer)
    data = b"name,email\n" + b"A" * 200_000 + b",a@contoh.id\n"
    response = client.post(f"/cohorts/{cohort.id}/import",
                           data={"file": (io.BytesIO(data), "peserta.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "cannot be read as a CSV list" in response.get_data(as_text=True)
    assert "Add these participants" not in response.get_data(as_text=True)


def test_a_cohort_members_answer_is_graded_only_by_the_cohorts_trainers(
        client, make_user, participant, tmp_path):
    """Dropping `?cohort=` from the grading link must not let a trainer of another cohort grade
    (or read) a cohort member's work — not even an editor of the course; answers of learners in
    no cohort are graded by the course's editors, and admins grade everything."""
    from lms.learning.models import Enrollment
    from lms.quizzes.models import QuestionResponse, QuizAttempt
    from tests.helpers.cohorts import submit_practical
    from tests.helpers.people import make_editor
    from tests.helpers.quizzes import quiz_by_slug

    owner, stranger = make_user("trainer"), make_user("trainer", full_name="Pelatih Lain")
    outsider = make_user(full_name="Bukan Anggota")
    course = cohort_course(tmp_path)
    cohort = make_cohort(owner, course)
    added = services.add_member(owner, cohort, email=participant.email, full_name="Peserta")
    services.join(participant, added.member.id)
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


def test_a_member_of_another_cohort_is_not_found_in_this_one(client, make_user, tmp_path):
    """Removing (or re-inviting) a member id of another cohort through a cohort one trains is
    refused as "not found" and changes nothing."""
    from lms.cohorts.models import CohortMember

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
