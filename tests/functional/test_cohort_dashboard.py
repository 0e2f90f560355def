"""The trainer's cohort dashboard, a participant's record and the gradebook (issue 18).

One known cohort, built through the real services: two courses taken by three members.

    course 1 "kursus-satu": module satu, quiz "kuis" (grading average; pass 60, raised to 70
                            by the course's default `min_module_quiz_score`),
                            practical "tugas" (grading last, pass 63, graded by the trainer)
    course 2 "kursus-dua":  module satu, quiz "kuis" (grading first, passes at 70)

    Ani   (Kabupaten Bandung)  day 0: everything. course 1 kuis 33.3, 100, 100 (average 77.8),
          tugas graded 4/4 with a comment (100); course 2 kuis 100 then 0 (first: 100), both
          modules: both courses completed, two certificates.
    Budi  (Kota Bandung)       day 10: course 1 kuis 0 (failed: stuck), tugas submitted and
          waiting for a grade; course 2 kuis 33.3 then 100 (first: 33.3, not passed), module
          done (50 %); a certificate for course 2 issued by hand and revoked.
    Citra (Kota Cimahi)        nothing.

The pages are read on day 20 (16 December 2026).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.certificates import services as cert_services
from lms.cohorts import services as cohort_services
from lms.courses.models import Module
from lms.extensions import db
from lms.learning import services as learning
from lms.quizzes.models import QuestionResponse
from lms.quizzes.services import attempts as quiz_attempts
from lms.quizzes.services import grading as quiz_grading
from tests.helpers.cohorts import PRACTICAL, add_joined, submit_practical
from tests.helpers.pages import login
from tests.helpers.quizzes import (
    answer,
    basic_quiz,
    import_pack,
    quiz_by_slug,
    set_settings,
    write_pack,
)

# Responses by question id (as the attempt service stores them).
RIGHT = {"q1": "a", "q2": True, "q3": "id"}  # 100 %
ONE_RIGHT = {"q1": "a", "q2": False, "q3": "xx"}  # 1 of 3: 33.3 %
ALL_WRONG = {"q1": "b", "q2": False, "q3": "xx"}  # 0 %


# --------------------------------------------------------------------------- the world


def _course(tmp_path, slug, quizzes):
    pack = write_pack(tmp_path / slug, slug=slug, quizzes=quizzes)
    toml = pack / "course.toml"
    toml.write_text('enrolment = "cohort"\n' + toml.read_text())
    return import_pack(pack)



def module_done(user, course):
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    learning.mark_module_done(user, course, module)


@dataclass
class World:
    trainer: object
    other_trainer: object
    admin: object
    ani: object
    budi: object
    citra: object
    outsider: object
    cohort: object
    first: object
    second: object


@pytest.fixture
def world(app, make_user, tmp_path, clock) -> World:
    trainer = make_user("trainer", full_name="Pelatih Utama")
    other_trainer = make_user("trainer", full_name="Pelatih Lain")
    admin = make_user("admin", full_name="Admin Program")
    ani = make_user(full_name="Ani Lestari", library_name="Perpustakaan Desa Sukamaju",
                    regency_code="32.04")
    budi = make_user(full_name="Budi Santoso", library_name="Taman Baca Melati",
                     regency_code="32.73")
    citra = make_user(full_name="Citra Dewi", library_name="Perpustakaan Kecamatan",
                      regency_code="32.77")
    outsider = make_user(full_name="Orang Luar")
    first = _course(tmp_path, "kursus-satu", {"kuis": basic_quiz(grading="average"),
                                              "tugas": PRACTICAL})
    second = _course(tmp_path, "kursus-dua", {"kuis": basic_quiz(grading="first")})
    cohort = cohort_services.create_cohort(trainer, name="Angkatan Dasbor",
                                           course_ids=[first.id, second.id])
    for person in (ani, budi, citra):
        add_joined(trainer, cohort, person)
    # Invited but never joined: not a member, never shown.
    cohort_services.add_member(trainer, cohort, email=outsider.email, full_name="Orang Luar")

    # Day 0: Ani does everything.
    answer(ani, quiz_by_slug(first, "kuis"), ONE_RIGHT)
    answer(ani, quiz_by_slug(first, "kuis"), RIGHT)
    answer(ani, quiz_by_slug(first, "kuis"), RIGHT)
    module_done(ani, first)
    attempt = submit_practical(ani, quiz_by_slug(first, "tugas"))
    response = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id))
    quiz_grading.grade_answer(trainer, response, criterion_scores=[4, 4],
                              comment="Rencana yang sangat baik.")
    answer(ani, quiz_by_slug(second, "kuis"), RIGHT)
    answer(ani, quiz_by_slug(second, "kuis"), ALL_WRONG)
    module_done(ani, second)

    # Day 10: Budi.
    clock.advance(days=10)
    answer(budi, quiz_by_slug(first, "kuis"), ALL_WRONG)
    submit_practical(budi, quiz_by_slug(first, "tugas"))
    answer(budi, quiz_by_slug(second, "kuis"), ONE_RIGHT)
    answer(budi, quiz_by_slug(second, "kuis"), RIGHT)
    module_done(budi, second)
    cert = cert_services.issue_manually(admin, budi, second, "Pelatihan luring")
    cert_services.revoke(admin, cert, "Diterbitkan keliru")

    # Day 20: the trainer reads the reports.
    clock.advance(days=10)
    return World(trainer, other_trainer, admin, ani, budi, citra, outsider, cohort, first,
                 second)


# --------------------------------------------------------------------------- reading pages


class Tables(HTMLParser):
    """The rows of a table (by id) as lists of cell texts, with each row's attributes."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            if self.depth or attrs.get("id") == self.table_id:
                self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append(([], attrs))
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1][0].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str, with_attrs=False):
    parser = Tables(table_id)
    parser.feed(html)
    rows = parser.rows[1:]  # without the header row
    return rows if with_attrs else [cells for cells, _attrs in rows]


def dashboard(client, world, query="") -> str:
    response = client.get(f"/reports/cohorts/{world.cohort.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def names(html: str) -> list[str]:
    return [cells[0] for cells in table(html, "cohort-dashboard")]


# --------------------------------------------------------------------------- the dashboard


def test_dashboard_shows_each_joined_participant_with_known_figures(client, world):
    login(client, world.trainer)
    html = dashboard(client, world)
    rows = {cells[0]: cells for cells in table(html, "cohort-dashboard")}
    assert list(rows) == ["Ani Lestari", "Budi Santoso", "Citra Dewi"]  # not the invited one
    # name, library, regency, course 1, course 2, progress, last activity, quizzes passed,
    # certificates, attention
    ani, budi, citra = rows["Ani Lestari"], rows["Budi Santoso"], rows["Citra Dewi"]
    assert ani[1:6] == ["Perpustakaan Desa Sukamaju", "Kabupaten Bandung",
                        "Completed certificate issued", "Completed certificate issued", "100%"]
    assert ani[6] == "26 Nov 2026, 10:00 WIB" and ani[7:9] == ["3", "2"]
    assert budi[1:6] == ["Taman Baca Melati", "Kota Bandung", "0% no certificate",
                         "50% certificate revoked", "25%"]
    assert budi[6] == "6 Dec 2026, 10:00 WIB" and budi[7:9] == ["0", "0"]
    assert citra[3:9] == ["0% no certificate", "0% no certificate", "0%", "not yet", "0", "0"]
    assert "Orang Luar" not in html
    # Day 20 with the default 14 days: Ani (20 days) and Citra (joined 20 days ago) inactive.
    assert ani[9] == "Inactive for 20 days Completed every course"
    assert budi[9] == "Stuck"
    assert citra[9] == "Inactive for 20 days"
    marked = {cells[0]: attrs.get("class") for cells, attrs in
              table(html, "cohort-dashboard", with_attrs=True)}
    assert marked == {"Ani Lestari": "row--inactive", "Budi Santoso": None,
                      "Citra Dewi": "row--inactive"}


def test_dashboard_sorts_by_the_chosen_column(client, world):
    login(client, world.trainer)
    assert names(dashboard(client, world, "?sort=name&dir=desc")) == [
        "Citra Dewi", "Budi Santoso", "Ani Lestari"]
    assert names(dashboard(client, world, "?sort=progress&dir=desc")) == [
        "Ani Lestari", "Budi Santoso", "Citra Dewi"]
    assert names(dashboard(client, world, "?sort=progress&dir=asc")) == [
        "Citra Dewi", "Budi Santoso", "Ani Lestari"]
    html = dashboard(client, world, "?sort=last_activity&dir=desc")
    assert names(html) == ["Budi Santoso", "Ani Lestari", "Citra Dewi"]  # never active: last
    assert 'aria-sort="descending"' in html
    assert names(dashboard(client, world, "?sort=regency")) == [
        "Ani Lestari", "Budi Santoso", "Citra Dewi"]  # Kabupaten Bandung, Kota Bandung, Cimahi
    assert names(dashboard(client, world, "?sort=bogus&dir=sideways")) == [
        "Ani Lestari", "Budi Santoso", "Citra Dewi"]


def test_dashboard_filters_by_text_regency_and_status(client, world):
    login(client, world.trainer)
    assert names(dashboard(client, world, "?q=melati")) == ["Budi Santoso"]
    assert names(dashboard(client, world, "?q=ANI")) == ["Ani Lestari"]
    assert names(dashboard(client, world, "?regency=32.77")) == ["Citra Dewi"]
    assert names(dashboard(client, world, "?status=stuck")) == ["Budi Santoso"]
    assert names(dashboard(client, world, "?status=completed")) == ["Ani Lestari"]
    assert names(dashboard(client, world, "?status=inactive")) == ["Ani Lestari", "Citra Dewi"]
    html = dashboard(client, world, "?q=nobody")
    assert names(html) == [] and "No participant matches these filters." in html
    assert "0 of 3 participants shown." in html


def test_inactive_participants_follow_the_clock_and_the_chosen_days(client, world, clock):
    login(client, world.trainer)
    assert names(dashboard(client, world, "?status=inactive&inactive_days=25")) == []
    assert names(dashboard(client, world, "?status=inactive&inactive_days=5")) == [
        "Ani Lestari", "Budi Santoso", "Citra Dewi"]
    clock.advance(days=5)  # Budi: 15 days
    login(client, world.trainer)
    html = dashboard(client, world, "?status=inactive")
    assert names(html) == ["Ani Lestari", "Budi Santoso", "Citra Dewi"]
    assert "Inactive for 15 days" in html and "Inactive for 25 days" in html


def test_dashboard_charts_module_completions_per_week_with_a_table(client, world):
    login(client, world.trainer)
    html = dashboard(client, world)
    weeks = table(html, "weekly-completions")
    assert len(weeks) == 12 and weeks[-1] == ["14 Dec", "0"]
    figures = {week: n for week, n in weeks}
    assert figures["23 Nov"] == "2" and figures["30 Nov"] == "1"  # Ani's two, Budi's one
    assert sum(int(n) for n in figures.values()) == 3
    assert '<svg' in html and "<title>Modules completed per week</title>" in html


def test_dashboard_is_linked_from_the_cohort_and_the_reports_page(client, world):
    login(client, world.trainer)
    url = f"/reports/cohorts/{world.cohort.id}"
    assert f'href="{url}"' in client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    index = client.get("/reports/").get_data(as_text=True)
    assert f'href="{url}"' in index and "Angkatan Dasbor" in index
    # Another trainer's list does not name this cohort; an admin's does.
    mine = cohort_services.create_cohort(world.other_trainer, name="Angkatan Lain")
    login(client, world.other_trainer)
    index = client.get("/reports/").get_data(as_text=True)
    assert "Angkatan Lain" in index and "Angkatan Dasbor" not in index
    login(client, world.admin)
    index = client.get("/reports/").get_data(as_text=True)
    assert "Angkatan Lain" in index and "Angkatan Dasbor" in index
    assert mine.id != world.cohort.id


# --------------------------------------------------------------------------- participant record


def test_participant_record_shows_modules_attempts_feedback_and_certificates(client, world):
    login(client, world.trainer)
    url = f"/reports/cohorts/{world.cohort.id}/participants/{world.ani.id}"
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ani Lestari" in html and "Kabupaten Bandung" in html
    assert html.count("Completed") >= 2
    assert html.count('class="participant-modules"') == 2  # one module table per course
    attempts = re.findall(r'<tr data-attempt="(\d+)">(.*?)</tr>', html, re.S)
    assert len(attempts) == 6  # kuis ×3, tugas ×1, kuis (course 2) ×2
    texts = [" ".join(re.sub(r"<[^>]+>", " ", body).split()) for _id, body in attempts]
    assert texts[0].startswith("Quiz One 1 Graded 33.33% 26 Nov 2026, 10:00 WIB")
    assert texts[1].startswith("Quiz One 2 Graded 100% 26 Nov 2026, 10:00 WIB")
    assert texts[2].startswith("Quiz One 3 Graded 100%")
    assert texts[3].startswith("Practical Assignment 1 Graded 100%")
    for attempt_id, _body in attempts:
        assert f'href="/attempts/{attempt_id}/review"' in html
    assert "Grade: The average of the attempts: 77.78% · passed" in " ".join(
        re.sub(r"<[^>]+>", " ", html).split())
    # The trainer's grade: rubric scores and the comment, by whom.
    assert "Rencana yang sangat baik." in html
    assert "graded by Pelatih Utama" in html
    assert "Relevansi: 4/4" in html and "Inklusi dan etika: 4/4" in html
    certs = re.findall(r'href="/certificates/(PLT-[^"]+)\.pdf"', html)
    assert len(certs) == 2
    # The links work for the trainer: the review page.
    assert client.get(f"/attempts/{attempts[0][0]}/review").status_code == 200


def test_participant_record_links_evidence_and_shows_waiting_and_revoked(client, world, tmp_path):
    from tests.helpers.quizzes import PDF, UPLOAD_QUIZ

    course = _course(tmp_path, "kursus-bukti", {"tugas": UPLOAD_QUIZ})
    cohort_services.update_cohort(
        world.trainer, world.cohort, name=world.cohort.name,
        course_ids=[world.first.id, world.second.id, course.id],
        trainer_ids=[world.trainer.id])
    quiz = quiz_by_slug(course, "tugas")
    attempt = quiz_attempts.start_or_resume(world.budi, quiz)
    quiz_attempts.save_responses(attempt, {"p1": "a", "p2": "Rencana saya."})
    evidence = quiz_attempts.add_response_file(attempt, "p2", "rencana.pdf", PDF)
    quiz_attempts.submit(attempt)
    login(client, world.trainer)
    html = client.get(f"/reports/cohorts/{world.cohort.id}/participants/{world.budi.id}"
                      ).get_data(as_text=True)
    link = f"/attempts/{attempt.id}/files/{evidence.id}"
    assert f'href="{link}"' in html and "rencana.pdf" in html
    assert client.get(link).data == PDF
    assert "needs grading" in html and "revoked" in html
    assert "No answer of this participant has been graded by hand yet." in html


# --------------------------------------------------------------------------- gradebook


def test_gradebook_applies_each_quizs_grading_method(client, world):
    login(client, world.trainer)
    html = client.get(f"/reports/cohorts/{world.cohort.id}/gradebook").get_data(as_text=True)
    rows = {cells[0]: cells[1:] for cells in table(html, "gradebook")}
    assert rows["Ani Lestari"] == ["77.78% · passed", "100% · passed", "100% · passed"]
    assert rows["Budi Santoso"] == ["0% · not passed", "needs grading", "33.33% · not passed"]
    assert rows["Citra Dewi"] == ["no attempt"] * 3
    assert "Orang Luar" not in html
    assert html.count("Grade: The average of the attempts") == 1
    assert html.count("Grade: The last attempt") == 1
    assert html.count("Grade: The first attempt") == 1


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", "100% · passed"), ("first", "33.33% · not passed"),
    ("last", "100% · passed"), ("average", "77.78% · passed")])
def test_gradebook_follows_a_changed_grading_method(client, world, method, expected):
    set_settings(quiz_by_slug(world.first, "kuis"), grading=method)
    login(client, world.trainer)
    html = client.get(f"/reports/cohorts/{world.cohort.id}/gradebook").get_data(as_text=True)
    rows = {cells[0]: cells[1:] for cells in table(html, "gradebook")}
    assert rows["Ani Lestari"][0] == expected


def _csv_rows(response, delimiter):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")),
                           delimiter=delimiter))


def test_gradebook_csv_in_english(client, world):
    login(client, world.trainer)
    rows = _csv_rows(client.get(f"/reports/cohorts/{world.cohort.id}/gradebook.csv"), ",")
    assert rows[0][:5] == ["Name", "Email", "Library", "Regency or city", "Last activity"]
    assert rows[0][5:7] == ["Quiz Test Course · Quiz One: grade (%)",
                            "Quiz Test Course · Quiz One: status"]
    by_name = {r[0]: r for r in rows[1:]}
    assert list(by_name) == ["Ani Lestari", "Budi Santoso", "Citra Dewi"]
    ani, budi = by_name["Ani Lestari"], by_name["Budi Santoso"]
    assert ani[2:5] == ["Perpustakaan Desa Sukamaju", "Kabupaten Bandung", "2026-11-26"]
    assert ani[5:] == ["77.78", "Passed", "100", "Passed", "100", "Passed"]
    assert budi[5:] == ["0", "Not passed", "", "Needs grading", "33.33", "Not passed"]
    assert by_name["Citra Dewi"][4:] == [""] * 7


def test_gradebook_csv_in_indonesian_uses_semicolons_and_decimal_commas(client, world):
    login(client, world.trainer, in_english=False)
    rows = _csv_rows(client.get(f"/reports/cohorts/{world.cohort.id}/gradebook.csv"), ";")
    ani = next(r for r in rows if r[0] == "Ani Lestari")
    assert ani[5] == "77,78" and ani[4] == "2026-11-26"
    assert len(rows[0]) == 11 and rows[0][5] == "Kursus Kuis Uji · Kuis Satu: nilai (%)"
    html = client.get(f"/reports/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Tidak aktif selama 20 hari" in html and "Tersendat" in html


def test_gradebook_csv_defuses_formulas(client, world):
    world.citra.library_name = "=SUM(A1:A9)"
    db.session.commit()
    login(client, world.trainer)
    rows = _csv_rows(client.get(f"/reports/cohorts/{world.cohort.id}/gradebook.csv"), ",")
    assert next(r for r in rows if r[0] == "Citra Dewi")[2] == "'=SUM(A1:A9)"


def test_gradebook_xlsx_has_numeric_and_date_cells(client, world):
    login(client, world.trainer)
    response = client.get(f"/reports/cohorts/{world.cohort.id}/gradebook.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Name", "Email", "Library", "Regency or city", "Last activity"]
    by_name = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert list(by_name) == ["Ani Lestari", "Budi Santoso", "Citra Dewi"]
    ani = by_name["Ani Lestari"]
    assert ani[4].is_date and ani[4].value == datetime(2026, 11, 26)
    assert ani[5].data_type == "n" and ani[5].value == pytest.approx(700 / 9)
    assert ani[5].number_format == "0.0"
    assert ani[6].value == "Passed" and ani[6].data_type == "s"
    budi = by_name["Budi Santoso"]
    assert budi[5].value == 0 and budi[5].data_type == "n"
    assert budi[7].value is None and budi[8].value == "Needs grading"
    assert budi[9].value == pytest.approx(100 / 3)
    assert by_name["Citra Dewi"][4].value is None


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["", "/gradebook", "/gradebook.csv", "/gradebook.xlsx",
                                  "/participants/{ani}"])
def test_only_the_cohorts_trainers_and_admins_open_the_reports(client, world, path):
    url = f"/reports/cohorts/{world.cohort.id}" + path.format(ani=world.ani.id)
    for person, status in ((world.other_trainer, 403), (world.ani, 403), (world.admin, 200),
                           (world.trainer, 200)):
        login(client, person)
        assert client.get(url).status_code == status, (person.full_name, url)
    assert client.get(f"/reports/cohorts/{world.cohort.id + 100}{path.format(ani=1)}"
                      ).status_code == 404


def test_participant_record_is_404_for_anyone_not_a_joined_member(client, world):
    login(client, world.trainer)
    base = f"/reports/cohorts/{world.cohort.id}/participants"
    assert client.get(f"{base}/{world.outsider.id}").status_code == 404  # invited, not joined
    assert client.get(f"{base}/{world.other_trainer.id}").status_code == 404
    assert client.get(f"{base}/999999").status_code == 404


# --------------------------------------------------------------------------- speed


def test_reports_run_a_constant_number_of_queries(client, world, make_user, count_queries):
    login(client, world.trainer)
    pages = [f"/reports/cohorts/{world.cohort.id}", f"/reports/cohorts/{world.cohort.id}/gradebook",
             f"/reports/cohorts/{world.cohort.id}/gradebook.csv",
             f"/reports/cohorts/{world.cohort.id}/gradebook.xlsx",
             f"/reports/cohorts/{world.cohort.id}/participants/{world.ani.id}"]

    def measure():
        counts = []
        for url in pages:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(len(q))
        return counts

    small = measure()  # 3 members
    kuis = quiz_by_slug(world.first, "kuis")
    for n in range(27):
        person = make_user(full_name=f"Anggota {n:02d}")
        add_joined(world.trainer, world.cohort, person)
        answer(person, kuis, RIGHT if n % 2 else ONE_RIGHT)
        module_done(person, world.first)
    big = measure()  # 30 members
    assert big == small
    html = client.get(f"/reports/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert len(names(html)) == 30
