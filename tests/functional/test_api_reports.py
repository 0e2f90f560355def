"""The reports through the API (issue 20): a cohort's dashboard figures (on its members), its
gradebook, a quiz's question statistics and the programme roll-up — each checked against the
report pages' own queries for one seeded case, and refused to the people the pages refuse.

The world (the clock starts on 26 November 2026):

    one course (quiz "kuis": three questions, pass 60, grading highest; one module)
    cohort "Angkatan Laporan" of the trainer: Ani, Budi, Citra joined.
        Ani   day 0: all right (100 %), module done: the course completed.
        Budi  day 0: all wrong (0 %): failed the quiz, so stuck.
        Citra nothing.
    another trainer with a cohort of their own (no course), an admin, an outside learner.

The reports are read on day 20.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select

from lms import clock as app_clock
from lms.courses.models import Module
from lms.extensions import db
from lms.learning import services as learning
from lms.quizzes import queries as quiz_queries
from lms.reports import dashboard
from lms.reports import queries as report_queries
from lms.reports import services as report_services
from tests.helpers.api import api
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import answer, basic_quiz, import_pack, quiz_by_slug, write_pack

RIGHT = {"q1": "a", "q2": True, "q3": "id"}
ALL_WRONG = {"q1": "b", "q2": False, "q3": "xx"}


@dataclass
class World:
    trainer: object
    other_trainer: object
    admin: object
    ani: object
    budi: object
    citra: object
    cohort: object
    course: object
    quiz: object



@pytest.fixture
def world(app, make_user, tmp_path, clock) -> World:
    trainer = make_user("trainer", full_name="Pelatih Laporan")
    other_trainer = make_user("trainer", full_name="Pelatih Lain")
    admin = make_user("admin", full_name="Admin Program")
    ani = make_user(full_name="Ani Lestari", province_code="32", regency_code="32.04")
    budi = make_user(full_name="Budi Santoso", province_code="32", regency_code="32.73")
    citra = make_user(full_name="Citra Dewi", province_code="35", regency_code="35.24")
    course = import_pack(write_pack(tmp_path, slug="kursus-laporan",
                                    quizzes={"kuis": basic_quiz()}))
    cohort = join_cohort(trainer, [ani, budi, citra], course, name="Angkatan Laporan")
    join_cohort(other_trainer, make_user(full_name="Peserta Lain"), name="Angkatan Lain")
    quiz = quiz_by_slug(course, "kuis")
    answer(ani, quiz, RIGHT)
    learning.mark_module_done(ani, course, db.session.scalar(
        select(Module).where(Module.course_id == course.id)))
    answer(budi, quiz, ALL_WRONG)
    clock.advance(days=20)
    return World(trainer, other_trainer, admin, ani, budi, citra, cohort, course, quiz)


def _page_rows(world, days=dashboard.DEFAULT_INACTIVE_DAYS):
    """The cohort dashboard page's rows (its queries and rules, as reports.views reads them)."""
    from lms.cohorts import services as cohort_services

    courses = cohort_services.cohort_courses(world.cohort)
    members = [m for m in cohort_services.members_of(world.cohort) if m.joined]
    rows, _columns = report_queries.dashboard_rows(members, courses, app_clock.today())
    dashboard.mark_inactive(rows, app_clock.now(), days)
    return {r.user_id: r for r in rows}


# --------------------------------------------------------------------------- dashboard


def test_a_trainer_reads_the_cohort_dashboard_figures_on_its_members(app, world):
    client = api(app, world.trainer, "read")
    url = f"/api/v1/cohorts/{world.cohort.id}/members"
    items = {m["name"]: m for m in client.get(url).json["items"]}
    assert set(items) == {"Ani Lestari", "Budi Santoso", "Citra Dewi"}
    ani, budi, citra = items["Ani Lestari"], items["Budi Santoso"], items["Citra Dewi"]
    assert (ani["completed"], ani["percent"], ani["stuck"]) == (True, 100, False)
    assert ani["courses"][0]["progress"]["completed"] is True
    assert ani["courses"][0]["certificate"] == "issued"  # issued on completion
    assert (budi["stuck"], budi["quizzes_failed"], budi["completed"]) == (True, 1, False)
    assert citra["last_activity"] is None and citra["inactive"] is True
    # Day 20: everyone has been idle for 14 days or more; with 30 days, nobody.
    assert all(m["inactive"] for m in items.values())
    assert ani["idle_days"] == 20
    # The same figures as the page's rows.
    rows = _page_rows(world)
    for m in items.values():
        row = rows[m["user_id"]]
        assert (m["percent"], m["stuck"], m["completed"], m["inactive"], m["idle_days"],
                m["quizzes_passed"], m["quizzes_failed"], m["certificates"]) == \
            (row.progress, row.stuck, row.completed, row.inactive, row.idle_days,
             row.quizzes_passed, row.quizzes_failed, row.certificates)
        seen = datetime.fromisoformat(m["last_activity"]) if m["last_activity"] else None
        assert seen == row.last_activity
    relaxed = client.get(f"{url}?inactive_days=30").json["items"]
    assert not any(m["inactive"] for m in relaxed if m["name"] != "Citra Dewi")
    stuck = client.get(f"{url}?status=stuck").json
    assert [m["name"] for m in stuck["items"]] == ["Budi Santoso"] and stuck["total"] == 1
    for bad in ("inactive_days=0", "inactive_days=lama", "inactive_days=²", "status=lost"):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 422
        assert response.json["error"]["field"] == bad.split("=")[0]


def refused_to_others(app, world, url: str, outsiders, missing: str | None = None) -> None:
    """An admin reads `url`; `outsiders` get 403; the trainer's token without the read scope gets
    403 insufficient_scope; `missing` (an unknown id) is 404."""
    assert api(app, world.admin, "read").get(url).status_code == 200
    for person in outsiders:
        assert api(app, person, "read").get(url).status_code == 403
    no_scope = api(app, world.trainer, "write").get(url)
    assert no_scope.status_code == 403 and no_scope.json["error"]["code"] == "insufficient_scope"
    if missing is not None:
        assert api(app, world.trainer, "read").get(missing).status_code == 404


def test_the_dashboard_figures_are_refused_to_others(app, world):
    refused_to_others(app, world, f"/api/v1/cohorts/{world.cohort.id}/members",
                      (world.other_trainer, world.ani), missing="/api/v1/cohorts/99999/members")


# --------------------------------------------------------------------------- gradebook


def test_a_trainer_reads_the_gradebook_in_pages(app, world):
    client = api(app, world.trainer, "read")
    url = f"/api/v1/cohorts/{world.cohort.id}/gradebook"
    whole = client.get(url).json
    assert [q["quiz_id"] for q in whole["quizzes"]] == [world.quiz.id]
    column = whole["quizzes"][0]
    assert (column["course"], column["grading"], column["kind"]) == \
        ("kursus-laporan", "highest", "module")
    grades = {r["name"]: r["grades"][0] for r in whole["items"]}
    assert (grades["Ani Lestari"]["grade"], grades["Ani Lestari"]["passed"]) == (100.0, True)
    assert (grades["Budi Santoso"]["grade"], grades["Budi Santoso"]["passed"]) == (0.0, False)
    assert grades["Citra Dewi"] == {"quiz_id": world.quiz.id, "grade": None, "passed": False,
                                    "needs_grading": False, "attempts": 0}
    # The page's cells.
    course_list = [world.course]
    columns = report_queries.quiz_columns(course_list)
    cells = report_queries.grade_cells([r["user_id"] for r in whole["items"]], columns,
                                       course_list)
    assert column["pass_mark"] == columns[0].pass_mark
    for r in whole["items"]:
        cell = cells[(r["user_id"], world.quiz.id)]
        assert (r["grades"][0]["grade"], r["grades"][0]["passed"],
                r["grades"][0]["attempts"]) == (cell.grade, cell.passed, cell.attempts)
    first = client.get(f"{url}?per_page=2").json
    assert len(first["items"]) == 2 and first["total"] == 3 and first["quizzes"]
    second = client.get(first["next"].removeprefix("http://localhost")).json
    assert len(second["items"]) == 1 and second["next"] is None
    again = client.get(url, headers={"If-None-Match": client.get(url).headers["ETag"]})
    assert again.status_code == 304


def test_the_gradebook_is_refused_to_others(app, world):
    refused_to_others(app, world, f"/api/v1/cohorts/{world.cohort.id}/gradebook",
                      (world.other_trainer, world.budi))


# --------------------------------------------------------------------------- question statistics


def test_a_trainer_reads_a_quizs_question_statistics(app, world):
    client = api(app, world.trainer, "read")
    url = f"/api/v1/quizzes/{world.quiz.id}/statistics"
    data = client.get(url).json
    assert (data["attempts"], data["grading"], data["learners"], data["waiting"]) == \
        ("graded", "highest", 2, 0)
    assert data["test"]["attempts"] == 2 and data["test"]["mean"] == pytest.approx(50.0)
    assert [q["number"] for q in data["questions"]] == [1, 2, 3]
    assert [q["facility"] for q in data["questions"]] == pytest.approx([50.0, 50.0, 50.0])
    assert sum(data["bands"]) == 2
    # The page's figures.
    stats = report_queries.quiz_statistics(world.trainer,
                                           quiz_queries.current_quiz(world.quiz.id), "graded")
    page = {i.question_id: i for i in stats.report.items}
    for q in data["questions"]:
        item = page[q["question_id"]]
        assert (q["attempts"], q["facility"], q["sd"], q["discrimination"], q["efficiency"],
                q["random_guess"], q["flags"]) == \
            (item.attempts, item.facility, item.sd, item.discrimination, item.efficiency,
             item.random_guess, list(item.flags))
    assert data["test"]["cic"] == stats.report.test.cic
    assert client.get(f"{url}?attempts=first").json["attempts"] == "first"
    bad = client.get(f"{url}?attempts=best")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "attempts"


def test_question_statistics_are_refused_to_others(app, world):
    refused_to_others(app, world, f"/api/v1/quizzes/{world.quiz.id}/statistics",
                      (world.other_trainer, world.ani), missing="/api/v1/quizzes/99999/statistics")


# --------------------------------------------------------------------------- programme


def test_an_admin_reads_the_programme_rollup_with_targets(app, world):
    report_services.set_target(world.admin, "32", 40, 4)
    report_services.set_target(world.admin, "32.04", 10, None)
    client = api(app, world.admin, "read", "admin")
    data = client.get("/api/v1/admin/programme").json
    assert data["province"] is None
    rows = {r["code"]: r for r in data["rows"]}
    jabar = rows["32"]
    assert (jabar["villages_target"], jabar["facilitators_target"]) == (40, 4)
    assert jabar["counts"]["completed"] >= 1 and rows["35"]["counts"]["enrolled"] >= 1
    # The page's roll-up, figure by figure.
    page = report_queries.programme_rollup(None, None, unknown_label="Unknown region",
                                           total_label="Total")
    assert [r["code"] for r in data["rows"]] == [r.code for r in page.rows]
    for mine, theirs in zip(data["rows"], page.rows, strict=True):
        assert mine["counts"] == {f: theirs.count(f) for f in mine["counts"]}
        assert mine["villages_percent"] == theirs.villages_percent
    assert data["total"]["counts"]["enrolled"] == page.total.count("enrolled")

    one = client.get("/api/v1/admin/programme?province=32").json
    assert one["province"] == "32" and one["province_villages_target"] == 40
    regencies = {r["code"]: r for r in one["rows"]}
    assert regencies["32.04"]["villages_target"] == 10
    assert regencies["32.04"]["counts"]["completed"] == 1  # Ani
    page = report_queries.programme_rollup("32", None)
    assert [(r["code"], r["counts"]["enrolled"]) for r in one["rows"]] == \
        [(r.code, r.count("enrolled")) for r in page.rows]
    by_course = client.get(f"/api/v1/admin/programme?course={world.course.id}")
    assert by_course.status_code == 200 and by_course.json["course_id"] == world.course.id
    for bad in ("province=99", "province=32.04", "course=99999", "course=satu", "course=²"):
        response = client.get(f"/api/v1/admin/programme?{bad}")
        assert response.status_code == 404, bad
        assert response.json["error"]["field"] == bad.split("=")[0]


def test_the_programme_rollup_is_for_admins_with_the_admin_scope(app, world):
    url = "/api/v1/admin/programme"
    for person in (world.trainer, world.ani):
        response = api(app, person, "read").get(url)
        assert response.status_code == 403
    no_scope = api(app, world.admin, "read", "write").get(url)
    assert no_scope.status_code == 403 and no_scope.json["error"]["code"] == "insufficient_scope"


def test_the_report_endpoints_cost_the_same_queries_however_many_members(
        app, world, make_user, count_queries):
    from tests.helpers.cohorts import add_joined

    client = api(app, world.trainer, "read")
    urls = [f"/api/v1/cohorts/{world.cohort.id}/members",
            f"/api/v1/cohorts/{world.cohort.id}/gradebook",
            f"/api/v1/quizzes/{world.quiz.id}/statistics"]
    for url in urls:
        client.get(url)  # warm: a token's first use also notes the time
    small = []
    for url in urls:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        small.append(len(counted))
    for n in range(4):
        person = make_user(full_name=f"Peserta Tambahan {n}")
        add_joined(world.trainer, world.cohort, person)
        answer(person, world.quiz, RIGHT if n % 2 else ALL_WRONG)
    big = []
    for url in urls:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        big.append(len(counted))
    assert big == small


# --------------------------------------------------------------------------- the cascade tree


def test_a_master_trainer_reads_the_cascade_tree(app, tmp_path, make_user, trainer_user,
                                                 admin_user):
    from datetime import date

    from lms.cascade import queries as cascade_queries
    from lms.cascade import services as cascade_services
    from tests.helpers.cascade import (
        OTHER_VILLAGE,
        VILLAGE,
        course,
        record,
        seen,
        trained_facilitator,
    )

    active = make_user("facilitator", full_name="Ani Aktif")
    idle = make_user("facilitator", full_name="Budi Diam")
    trained_facilitator(trainer_user, [active, idle], course(tmp_path, "kursus-pohon"))
    first = record(active, village=VILLAGE, women=3, men=2, day=date(2026, 11, 1))
    record(active, village=OTHER_VILLAGE, women=1, men=1, day=date(2026, 11, 20))
    record(idle, village=OTHER_VILLAGE, women=2, men=2, day=date(2026, 9, 1))  # 86 days ago
    cascade_services.confirm_activity(trainer_user, first, seen(first)["seen"])

    client = api(app, trainer_user, "read")
    data = client.get("/api/v1/cascade/tree").json
    assert data["gap_days"] == 60
    [node] = data["trainers"]
    assert node["user_id"] == trainer_user.id
    ani, budi = node["facilitators"]
    assert (ani["name"], ani["gap"], ani["villages"]) == ("Ani Aktif", False, [])
    assert ani["figures"] == {"activities": 2, "women": 4, "men": 3, "participants": 7,
                              "villages": 1, "last": "2026-11-20"}  # confirmed villages only
    assert (budi["name"], budi["gap"]) == ("Budi Diam", True)
    opened = client.get(f"/api/v1/cascade/tree?facilitator={active.id}").json
    villages = opened["trainers"][0]["facilitators"][0]["villages"]
    [page_node] = cascade_queries.tree(trainer_user, date(2026, 11, 26), expand=active.id)
    assert [(v["code"], v["figures"]["activities"]) for v in villages] == \
        [(v.code, v.figures.activities) for v in page_node.facilitators[0].villages]
    assert villages[0]["name"]  # the village's name, as the page shows it
    bad = client.get("/api/v1/cascade/tree?facilitator=ani")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "facilitator"

    assert api(app, make_user("trainer"), "read").get("/api/v1/cascade/tree").json == \
        {"gap_days": 60, "trainers": []}
    admin = api(app, admin_user, "read").get("/api/v1/cascade/tree").json
    assert sum(t["figures"]["activities"] for t in admin["trainers"]) == 3
    assert api(app, active, "read").get("/api/v1/cascade/tree").status_code == 403
    no_scope = api(app, trainer_user, "write").get("/api/v1/cascade/tree")
    assert no_scope.status_code == 403 and no_scope.json["error"]["code"] == "insufficient_scope"
