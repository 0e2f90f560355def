"""The programme roll-up (/reports/programme): each figure by province and by regency/city on a
world where the right answer is known, the CSV read back, the targets (form, validation,
audit, command line), who may open it, and a query count that does not grow with people."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit import AuditEvent
from lms.auth.models import User
from lms.cascade.models import FieldActivity
from lms.certificates import services as cert_services
from lms.clock import aware as clock_aware
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Enrollment
from lms.quizzes.services import attempts
from lms.reports.models import RegionTarget
from tests.helpers.db import count
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import field_error, login
from tests.helpers.quizzes import answers_form, setup_quiz

JABAR, JATIM = "Jawa Barat", "Jawa Timur"


def _course(tmp_path, slug, modules):
    import_folder(make_pack(tmp_path, slug, modules=modules))
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _modules(course):
    return list(db.session.scalars(select(Module).where(Module.course_id == course.id)
                                   .order_by(Module.slug)))


@pytest.fixture
def world(app, make_user, admin_user, clock, tmp_path):
    """Two courses (A: one module, B: two) and these people (today is 26 November 2026):

    u1  32 / 32.04  A: completed today (certificate issued on completion)
    u2  32 / 32.04  A and B, last activity 40 days ago; a certificate in B, revoked
    u3  32 / 32.73  B, withdrawn; a certificate in A issued by hand
    u6  32 / —      B, never opened
    u4  35 / 35.24  A, opened today
    u5  — / —       A: completed today (certificate)
    f1  32 / 32.04  role "facilitator"
    t1  32 / 32.04  a trainer enrolled in A, who completed it: staff are not counted
    """
    a, b = _course(tmp_path, "kursus-a", 1), _course(tmp_path, "kursus-b", 2)
    (a1,), (b1, _b2) = _modules(a), _modules(b)
    people = {
        "u1": make_user(province_code="32", regency_code="32.04"),
        "u2": make_user(province_code="32", regency_code="32.04"),
        "u3": make_user(province_code="32", regency_code="32.73"),
        "u6": make_user(province_code="32", regency_code=None),
        "u4": make_user(province_code="35", regency_code="35.24"),
        "u5": make_user(province_code=None, regency_code=None),
        "f1": make_user("facilitator", province_code="32", regency_code="32.04"),
        "t1": make_user("trainer", province_code="32", regency_code="32.04"),
    }
    p = people
    for who, course in [("u1", a), ("u2", a), ("u2", b), ("u3", b), ("u6", b), ("u4", a),
                        ("u5", a), ("t1", a)]:
        learning.enrol(p[who], course)
    learning.mark_module_done(p["u1"], a, a1)
    learning.mark_module_done(p["u5"], a, a1)
    learning.mark_module_done(p["t1"], a, a1)
    learning.record_visit(p["u4"], a, a1)
    now = clock.value
    clock.set(now - timedelta(days=40))
    learning.record_visit(p["u2"], a, a1)
    learning.record_visit(p["u2"], b, b1)
    clock.set(now)
    learning.unenrol(p["u3"], b)
    revoked = cert_services.issue_manually(admin_user, p["u2"], b, "Bimtek luring")
    cert_services.revoke(admin_user, revoked, "Salah orang")
    cert_services.issue_manually(admin_user, p["u3"], a, "Bimtek luring")
    return {"people": people, "a": a, "b": b}


def table(html: str, table_id: str = "programme-rollup") -> dict[str, list[str]]:
    """A table's rows as {row header text: [cell texts]} (the totals row included)."""
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert body, f"no table {table_id}"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            name = re.sub(r'<span class="muted">.*?</span>|<[^>]+>', "", head.group(1)).strip()
            rows[name] = [re.sub(r"<[^>]+>", "", c).strip()
                          for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


# Columns of the page without village counts: enrolled, active, completed, certified,
# facilitators, facilitator target, % of target, village target.


def test_rollup_by_province_counts_each_figure(client, world, admin_user):
    login(client, admin_user)
    html = client.get("/reports/programme").get_data(as_text=True)
    rows = table(html)
    assert rows[JABAR] == ["3", "1", "1", "2", "1", "—", "—", "0", "—", "—"]
    assert rows[JATIM] == ["1", "1", "0", "0", "0", "—", "—", "0", "—", "—"]
    assert rows["Unknown region"] == ["1", "1", "1", "1", "0", "—", "—", "0", "—", "—"]
    assert rows["Total"] == ["5", "3", "2", "3", "1", "—", "—", "0", "—", "—"]
    assert rows["Bali"] == ["0", "0", "0", "0", "0", "—", "—", "0", "—", "—"]  # every province listed
    assert list(rows)[-2:] == ["Unknown region", "Total"]
    # The chart shows certified people by region, with the same figures as the table.
    chart = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "Jawa Barat" in chart and ">2<" in chart and "Jawa Timur" not in chart


def test_drilling_into_a_province_counts_by_regency(client, world, admin_user):
    login(client, admin_user)
    rows = table(client.get("/reports/programme?province=32").get_data(as_text=True))
    assert rows["Kabupaten Bandung"] == ["2", "1", "1", "1", "1", "—", "—", "0", "—", "—"]
    assert rows["Kota Bandung"] == ["0", "0", "0", "1", "0", "—", "—", "0", "—", "—"]
    assert rows["Unknown region"] == ["1", "0", "0", "0", "0", "—", "—", "0", "—", "—"]
    assert rows["Total"] == ["3", "1", "1", "2", "1", "—", "—", "0", "—", "—"]
    assert "Kabupaten Lamongan" not in rows  # another province's regency
    assert client.get("/reports/programme?province=99").status_code == 404


def test_a_course_filter_counts_that_course_only(client, world, admin_user):
    login(client, admin_user)
    b = world["b"].id
    rows = table(client.get(f"/reports/programme?course={b}").get_data(as_text=True))
    # B: u2 (active 40 days ago, certificate revoked) and u6 (never opened); u3 withdrew.
    assert rows[JABAR] == ["2", "0", "0", "0", "1", "—", "—", "0", "—", "—"]
    assert rows[JATIM] == ["0", "0", "0", "0", "0", "—", "—", "0", "—", "—"]
    assert "Unknown region" not in rows
    assert client.get("/reports/programme?course=999999").status_code == 404


def test_sorting_by_a_figure_keeps_unknown_and_totals_last(client, world, admin_user):
    login(client, admin_user)
    html = client.get("/reports/programme?sort=enrolled&order=desc").get_data(as_text=True)
    names = list(table(html))
    assert names[:2] == [JABAR, JATIM]
    assert names[-2:] == ["Unknown region", "Total"]


def _csv(response) -> tuple[str, list[list[str]]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return delimiter, list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_csv_in_english_reads_back_the_same_figures(client, world, admin_user):
    login(client, admin_user)
    client.post("/reports/programme/targets", data={
        "region": "32", "villages_target": "40", "facilitators_target": "3"})
    response = client.get("/reports/programme.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    delimiter, rows = _csv(response)
    assert delimiter == ","
    assert rows[0] == ["Kemendagri code", "Region", "Participants enrolled", "Active (30 days)",
                       "Completed a course", "Certified", "Facilitators certified",
                       "Facilitator target", "Facilitators, percent of target",
                       "Village libraries reached", "Village target",
                       "Villages, percent of target"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[JABAR] == ["32", JABAR, "3", "1", "1", "2", "1", "3", "33.3", "0", "40",
                              "0.0"]
    assert by_name["Unknown region"] == ["", "Unknown region", "1", "1", "1", "1", "0", "", "",
                                         "0", "", ""]
    assert rows[-1] == ["", "Total", "5", "3", "2", "3", "1", "3", "33.3", "0", "40", "0.0"]


def test_csv_in_indonesian_uses_semicolons_and_a_decimal_comma(client, world, admin_user):
    login(client, admin_user)
    client.post("/reports/programme/targets?province=32", data={
        "region": "32.04", "villages_target": "12", "facilitators_target": "3"})
    client.post("/language", data={"lang": "id", "next": "/"})
    delimiter, rows = _csv(client.get("/reports/programme.csv?province=32"))
    assert delimiter == ";"
    assert rows[0][:3] == ["Kode Kemendagri", "Wilayah", "Peserta terdaftar"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["32.04"][2:] == ["2", "1", "1", "1", "1", "3", "33,3", "0", "12", "0,0"]
    assert rows[-1][1:3] == ["Total", "3"]


def test_a_region_name_that_looks_like_a_formula_is_defused(client, world, admin_user):
    """A code the region list does not know is shown as the code; were it "=SUM(A1)", a
    spreadsheet would run it."""
    user = world["people"]["u4"]
    user.province_code = "=SUM(A1)"
    db.session.commit()
    login(client, admin_user)
    _d, rows = _csv(client.get("/reports/programme.csv"))
    assert ["'=SUM(A1)", "'=SUM(A1)", "1"] in [r[:3] for r in rows]
    assert not any(cell.startswith("=") for r in rows for cell in r)


# --------------------------------------------------------------------------- targets


def test_an_admin_sets_a_target_and_the_table_shows_the_percentage(client, world, admin_user):
    login(client, admin_user)
    page = client.get("/reports/programme/targets")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    response = client.post("/reports/programme/targets", data={
        "region": "32", "villages_target": "1.200", "facilitators_target": "4"})
    assert response.status_code == 302
    target = db.session.scalar(select(RegionTarget).where(RegionTarget.region_code == "32"))
    assert (target.villages_target, target.facilitators_target) == (1200, 4)
    assert target.updated_by_id == admin_user.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.target_set"))
    assert event.actor_id == admin_user.id and event.target == "region:32"
    assert event.detail["after"] == {"villages": 1200, "facilitators": 4}
    assert "Jawa Barat (32): villages — → 1200" in event.detail["note"]
    rows = table(client.get("/reports/programme").get_data(as_text=True))
    assert rows[JABAR][4:] == ["1", "4", "25.0%", "0", "1,200", "0.0%"]
    assert rows["Total"][4:] == ["1", "4", "25.0%", "0", "1,200", "0.0%"]
    listed = table(client.get("/reports/programme/targets").get_data(as_text=True), "targets")
    assert listed[JABAR][:2] == ["1,200", "4"]
    # Saving the same numbers again changes nothing and records nothing.
    client.post("/reports/programme/targets", data={
        "region": "32", "villages_target": "1200", "facilitators_target": "4"})
    assert count(AuditEvent, AuditEvent.action == "report.target_set") == 1
    # The audit log names the action.
    assert "Set a programme target" in client.get("/admin/audit").get_data(as_text=True)


def test_a_regency_target_is_set_from_the_province_page(client, world, admin_user):
    login(client, admin_user)
    response = client.post("/reports/programme/targets?province=32", data={
        "region": "32.04", "villages_target": "10", "facilitators_target": ""})
    assert response.status_code == 302
    rows = table(client.get("/reports/programme?province=32").get_data(as_text=True))
    assert rows["Kabupaten Bandung"][4:] == ["1", "—", "—", "0", "10", "0.0%"]
    assert rows["Total"][-2:] == ["10", "0.0%"]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"region": "32", "villages_target": "-3"}, "villages_target",
     "Enter a whole number, 0 or more."),
    ({"region": "32", "villages_target": "dua puluh"}, "villages_target",
     "Enter a whole number, 0 or more."),
    ({"region": "32", "villages_target": "1,5"}, "villages_target",
     "Enter a whole number, 0 or more."),
    ({"region": "32", "villages_target": ""}, "villages_target", "This field is required."),
    ({"region": "32", "villages_target": "5", "facilitators_target": "-1"},
     "facilitators_target", "Enter a whole number, 0 or more."),
    ({"region": "99", "villages_target": "5"}, "region", "Choose a region from the list."),
    ({"region": "32.04", "villages_target": "5"}, "region", "Choose a region from the list."),
])
def test_the_targets_form_refuses_what_is_not_a_target(client, world, admin_user, data, field,
                                                       message):
    login(client, admin_user)
    response = client.post("/reports/programme/targets", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    assert count(RegionTarget) == 0 and count(AuditEvent,
                                              AuditEvent.action == "report.target_set") == 0


def test_the_targets_form_speaks_indonesian(client, world, admin_user):
    login(client, admin_user)
    client.post("/language", data={"lang": "id", "next": "/"})
    response = client.post("/reports/programme/targets",
                           data={"region": "99", "villages_target": "-3"})
    html = response.get_data(as_text=True)
    assert field_error(html, "region") == "Pilih wilayah dari daftar."
    assert field_error(html, "villages_target") == "Isi bilangan bulat, 0 atau lebih."


def test_the_targets_form_needs_its_csrf_token(client, world, admin_user):
    login(client, admin_user)
    response = client.post("/reports/programme/targets", csrf=False,
                           data={"region": "32", "villages_target": "5"})
    assert response.status_code in (400, 422)
    assert count(RegionTarget) == 0


def test_the_command_line_sets_a_target_through_the_same_service(app, runner):
    result = runner.invoke(args=["lms", "set-target", "32.04", "15", "--facilitators", "2"])
    assert result.exit_code == 0, result.output
    assert "Kabupaten Bandung (32.04): 15 village libraries, 2 facilitators" in result.output
    result = runner.invoke(args=["lms", "set-target", "32.04", "20"])  # facilitators kept
    assert "20 village libraries, 2 facilitators" in result.output
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.target_set").order_by(AuditEvent.id)))
    assert [e.actor_id for e in events] == [None, None]
    assert events[1].detail["before"] == {"villages": 15, "facilitators": 2}
    refused = runner.invoke(args=["lms", "set-target", "99.99", "5"])
    assert refused.exit_code != 0 and "Unknown region" in refused.output
    negative = runner.invoke(args=["lms", "set-target", "32", "-5"])
    assert negative.exit_code != 0
    assert count(RegionTarget) == 1


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/reports/programme", "/reports/programme?province=32",
                                  "/reports/programme.csv", "/reports/programme/targets"])
def test_only_admins_open_the_rollup(client, make_user, trainer_user, participant, path):
    facilitator = make_user("facilitator")
    for person in (trainer_user, participant, facilitator):
        login(client, person)
        assert client.get(path).status_code == 403, (person.role, path)
    response = client.post("/reports/programme/targets",
                           data={"region": "32", "villages_target": "5"})
    assert response.status_code == 403
    assert count(RegionTarget) == 0


def test_the_reports_list_links_the_rollup_for_admins_only(client, trainer_user, admin_user):
    login(client, trainer_user)
    assert "/reports/programme" not in client.get("/reports/").get_data(as_text=True)
    login(client, admin_user)
    assert "/reports/programme" in client.get("/reports/").get_data(as_text=True)


# --------------------------------------------------------------------------- speed


def _add_people(n: int, course_id: int, start: int) -> None:
    """`n` learners over three provinces, each enrolled, half active, a third certified."""
    from lms import clock

    users = [User(email=f"bulk{start + i}@contoh.id", password_hash="x", full_name=f"B {i}",
                  role="participant", province_code=("32", "35", None)[i % 3],
                  regency_code=("32.04", "35.24", None)[i % 3]) for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    for i, u in enumerate(users):
        db.session.add(Enrollment(user_id=u.id, course_id=course_id,
                                  last_activity_at=clock.now() if i % 2 else None))
    db.session.commit()


def _page_queries(client, count_queries, path: str) -> int:
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return len(q)


def test_query_count_does_not_grow_with_people(client, world, admin_user, count_queries):
    login(client, admin_user)
    course = world["a"].id
    paths = ["/reports/programme", "/reports/programme?province=32",
             f"/reports/programme?course={course}", "/reports/programme.csv"]
    _add_people(5, course, 0)
    few = [_page_queries(client, count_queries, p) for p in paths]
    _add_people(50, course, 100)
    many = [_page_queries(client, count_queries, p) for p in paths]
    assert few == many
    assert max(many) <= 12  # login bookkeeping + one query per figure + targets + courses


# --------------------------------------------------------------------------- villages (cascade)


def test_villages_reached_counts_distinct_confirmed_villages(client, world, admin_user, clock):
    f1 = world["people"]["f1"]
    day = clock.value.date()

    def activity(village, regency, confirmed=True):
        return FieldActivity(
            facilitator_id=f1.id, activity_date=day, village_code=village,
            province_code=regency.split(".")[0], regency_code=regency, women=5, men=3,
            kind="training", topic="Literasi", confirmed_at=clock.value if confirmed else None)

    db.session.add_all([
        activity("32.04.01.2001", "32.04"), activity("32.04.01.2001", "32.04"),  # one village
        activity("32.04.01.2002", "32.04"), activity("32.04.01.2003", "32.04", confirmed=False),
        activity("35.24.01.2001", "35.24"),
    ])
    db.session.commit()
    login(client, admin_user)
    client.post("/reports/programme/targets", data={"region": "32", "villages_target": "8"})
    rows = table(client.get("/reports/programme").get_data(as_text=True))
    # enrolled, active, completed, certified, facilitators, target, %, villages, target, %
    assert rows[JABAR][7:] == ["2", "8", "25.0%"]
    assert rows[JATIM][7] == "1"
    assert rows["Total"][7] == "3"
    drill = table(client.get("/reports/programme?province=32").get_data(as_text=True))
    assert drill["Kabupaten Bandung"][7] == "2"


# --------------------------------------------------------------------------- who counts as active


def test_taking_a_quiz_is_activity_for_the_roll_up_and_the_dashboard(client, world, admin_user,
                                                                     make_user, clock, tmp_path):
    """A learner who only takes quizzes (never opens a module again) is active: starting,
    saving and submitting an attempt stamp the enrolment's last activity, at most once per
    `ACTIVITY_STEP` so saving every few seconds writes nothing more."""
    learner = make_user(province_code="35", regency_code="35.24")
    _course, quiz = setup_quiz(tmp_path / "kuis", learner)
    login(client, admin_user)
    before = table(client.get("/reports/programme").get_data(as_text=True))[JATIM][1]

    attempt = attempts.start_or_resume(learner, quiz)
    enrolment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == learner.id))
    assert clock_aware(enrolment.last_activity_at) == clock.value
    after = table(client.get("/reports/programme").get_data(as_text=True))[JATIM][1]
    assert int(after) == int(before) + 1

    clock.advance(minutes=3)
    attempts.save_responses(attempt, answers_form(attempt, {"q1": "b"}))
    db.session.refresh(enrolment)
    assert clock_aware(enrolment.last_activity_at) == clock.value - timedelta(minutes=3)
    clock.advance(minutes=10)
    attempts.submit(attempt)
    db.session.refresh(enrolment)
    assert clock_aware(enrolment.last_activity_at) == clock.value
