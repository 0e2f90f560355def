"""Beranda per role (issue 21, item 4): a master trainer sees their cohorts, the participants
who are inactive or stuck, the grading queue, deadlines of the next 7 days, drafts with
unpublished changes and field activities to confirm; an admin sees the site's health, recent
audit entries and the certificate placeholders warning; a participant's Beranda is unchanged.

The clock is frozen at 2026-11-26 03:00 UTC (10:00 WIB, Thursday 26 November 2026)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms import audit
from lms.authoring.services import editing
from lms.cohorts.models import CohortCourse
from lms.extensions import db
from tests.helpers.cohorts import add_joined, cohort_course, make_cohort, submit_practical
from tests.helpers.pages import login
from tests.helpers.quizzes import quiz_by_slug

TODAY = date(2026, 11, 26)


def set_deadline(cohort, day):
    cc = db.session.scalar(select(CohortCourse).where(CohortCourse.cohort_id == cohort.id))
    cc.deadline = day
    db.session.commit()


@pytest.fixture
def world(tmp_path, make_user, trainer_user):
    """One course in one cohort of trainer_user, with Ani and Budi joined; another trainer
    with a cohort of their own (Dewi)."""
    course = cohort_course(tmp_path)
    cohort = make_cohort(trainer_user, course, name="Angkatan Bandung")
    ani = make_user(full_name="Ani Lestari")
    budi = make_user(full_name="Budi Santoso")
    add_joined(trainer_user, cohort, ani)
    add_joined(trainer_user, cohort, budi)
    other = make_user("trainer", full_name="Pelatih Lain")
    course2 = cohort_course(tmp_path / "dua", slug="kursus-lain")
    other_cohort = make_cohort(other, course2, name="Angkatan Bogor")
    dewi = make_user(full_name="Dewi Kartika")
    add_joined(other, other_cohort, dewi)
    return type("World", (), dict(course=course, cohort=cohort, ani=ani, budi=budi, other=other,
                                  other_cohort=other_cohort, dewi=dewi))


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_stuck_learner_shows_for_their_trainer_only(client, world, trainer_user):
    set_deadline(world.cohort, TODAY - timedelta(days=1))  # passed, course not completed
    set_deadline(world.other_cohort, TODAY - timedelta(days=1))
    login(client, trainer_user)
    html = home(client)
    assert "Cohorts I train" in html and "Angkatan Bandung" in html
    assert "Angkatan Bogor" not in html and "Dewi Kartika" not in html
    link = f"/reports/cohorts/{world.cohort.id}/participants/{world.ani.id}"
    assert f'href="{link}">Ani Lestari</a>' in html
    assert "stuck" in html
    assert "2 stuck" in html  # the cohort's row
    login(client, world.other)
    html = home(client)
    assert "Dewi Kartika" in html and "Ani Lestari" not in html


def test_inactive_after_14_days(client, world, trainer_user, clock):
    login(client, trainer_user)
    assert "Nobody is inactive or stuck." in home(client)
    clock.advance(days=13)
    login(client, trainer_user)  # a login lasts less than 13 days
    assert "Nobody is inactive or stuck." in home(client)
    clock.advance(days=1)
    login(client, trainer_user)
    html = home(client)
    assert "inactive for 14 days" in html and "Budi Santoso" in html
    assert f"/reports/cohorts/{world.cohort.id}?status=inactive" in html


def test_more_than_ten_link_to_the_filtered_dashboard(client, world, trainer_user, make_user,
                                                      clock):
    for n in range(11):
        add_joined(trainer_user, world.cohort, make_user(full_name=f"Anggota {n:02d}"))
    clock.advance(days=20)
    login(client, trainer_user)
    html = home(client)
    assert html.count("inactive for 20 days") == 10
    assert "and 3 more:" in html
    assert f"/reports/cohorts/{world.cohort.id}?status=inactive" in html


def test_grading_queue_count(client, world, trainer_user):
    login(client, trainer_user)
    assert "No answer waits for a grade." in home(client)
    tugas = quiz_by_slug(world.course, "tugas")
    submit_practical(world.ani, tugas)
    submit_practical(world.budi, tugas)
    html = home(client)
    assert "2 answers wait for your grade" in html and 'href="/quizzes/grading"' in html
    login(client, world.other)
    assert "No answer waits for a grade." in home(client)


@pytest.mark.parametrize(("days", "shown"), [(-1, False), (0, True), (7, True), (8, False)])
def test_deadlines_in_the_next_7_days(client, world, trainer_user, days, shown):
    set_deadline(world.cohort, TODAY + timedelta(days=days))
    login(client, trainer_user)
    html = home(client)
    assert ('id="trainer-deadlines"' in html) is shown
    if not shown:
        assert "No deadline in the next 7 days." in html


def test_deadline_window_follows_the_day_in_wib(client, world, trainer_user, clock):
    set_deadline(world.cohort, TODAY + timedelta(days=8))
    clock.set(clock.value.replace(hour=16, minute=59))  # 23:59 WIB, still the 26th
    login(client, trainer_user)
    assert 'id="trainer-deadlines"' not in home(client)
    clock.set(clock.value.replace(hour=17, minute=0))  # 00:00 WIB on the 27th
    assert 'id="trainer-deadlines"' in home(client)


def test_drafts_with_unpublished_changes(client, trainer_user):
    editing.create_course({"slug": "kursus-draf", "version": "0.1.0", "title_id": "Kursus Draf",
                           "title_en": "", "summary_id": "", "summary_en": ""},
                          "Modul Pertama", user=trainer_user)
    login(client, trainer_user)
    html = home(client)
    assert 'href="/author/kursus-draf/">Kursus Draf</a>' in html
    assert "Never published" in html


def test_admin_sees_health_audit_and_the_placeholders_warning(client, app, admin_user):
    audit.record("account.role_changed", actor=admin_user, target="budi@contoh.id")
    db.session.commit()
    login(client, admin_user)
    html = home(client)
    assert "Site health" in html and 'id="recent-audit"' in html
    assert 'id="cert-placeholders"' in html and "budi@contoh.id" in html
    assert "CERT_SIGNATORY_NAME" in html
    app.config.update(CERT_SIGNATORY_NAME="Dr. Sri Wahyuni", CERT_SIGNATORY_ROLE="Koordinator",
                      CERT_PLACE="Bandung")
    try:
        assert 'id="cert-placeholders"' not in home(client)
    finally:
        app.config.update(CERT_SIGNATORY_NAME="Koordinator Master Trainer",
                          CERT_SIGNATORY_ROLE="Master Trainer TPBIS", CERT_PLACE="Jakarta")


def test_admin_index_shows_the_same_health(client, admin_user):
    login(client, admin_user)
    assert client.get("/admin/").status_code == 200


def test_a_participant_sees_no_staff_part(client, world):
    login(client, world.ani)
    html = home(client)
    assert "My courses" in html
    assert "Cohorts I train" not in html and "Site health" not in html


def test_a_facilitator_sees_their_activities_link(client, make_user):
    facilitator = make_user("facilitator")
    login(client, facilitator)
    html = home(client)
    assert "My replication cohorts" in html and 'href="/cascade/activities/new"' in html
    assert "Every activity you recorded is confirmed." in html


def test_trainer_home_runs_a_constant_number_of_queries(client, tmp_path, make_user,
                                                        trainer_user, count_queries, clock):
    course = cohort_course(tmp_path)
    first = make_cohort(trainer_user, course, name="Angkatan 1")
    for n in range(3):
        add_joined(trainer_user, first, make_user(full_name=f"Satu {n}"))
    login(client, trainer_user)
    home(client)  # a course version's outline is read once per process (lms/courses/queries.py)
    with count_queries() as small:
        home(client)
    for c in range(2):
        cohort = make_cohort(trainer_user, course, name=f"Angkatan {c + 2}")
        for n in range(10):
            add_joined(trainer_user, cohort, make_user(full_name=f"Anggota {c}-{n}"))
    for n in range(7):
        add_joined(trainer_user, first, make_user(full_name=f"Satu lagi {n}"))
    set_deadline(first, TODAY + timedelta(days=2))
    with count_queries() as big:
        html = home(client)
    assert "Angkatan 3" in html
    assert len(big) == len(small)


# --------------------------------------------------------------------------- speed (issue 19)


def test_a_learners_beranda_runs_six_queries_however_much_they_take(
        client, tmp_path, make_user, trainer_user, participant, count_queries):
    """Beranda reads the learner's own rows in a fixed number of queries (issue 19: at most 6):
    more courses, cohorts with deadlines, invitations, done modules and notifications add rows,
    never statements. An N+1 (a query per course, cohort or invitation) fails here."""
    first = cohort_course(tmp_path / "satu", slug="kursus-satu")
    cohort = make_cohort(trainer_user, first, name="Angkatan Satu")
    add_joined(trainer_user, cohort, participant)
    set_deadline(cohort, TODAY + timedelta(days=3))
    login(client, participant)
    home(client)  # a version's outline is read once per process (lms/courses/queries.py)
    with count_queries() as small:
        page = home(client)
    assert "Angkatan Satu" in page
    for n, slug in enumerate(["kursus-dua", "kursus-tiga", "kursus-empat"], start=2):
        course = cohort_course(tmp_path / slug, slug=slug)
        more = make_cohort(trainer_user, course, name=f"Angkatan {n}")
        add_joined(trainer_user, more, participant)
        set_deadline(more, TODAY + timedelta(days=n))
    waiting = make_cohort(trainer_user, first, name="Angkatan Undangan")
    from lms.cohorts import services as cohort_services

    cohort_services.add_member(trainer_user, waiting, email=participant.email,
                               full_name=participant.full_name)
    home(client)
    with count_queries() as big:
        page = home(client)
    assert "Angkatan 4" in page and "Angkatan Undangan" in page
    assert len(big) == len(small), big.statements
    assert len(big) <= 6, big.statements
