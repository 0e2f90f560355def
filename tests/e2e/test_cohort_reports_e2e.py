"""The cohort dashboard, a participant's record and the gradebook in a real browser: axe-core
finds no WCAG 2.2 A/AA violation (on a phone-sized screen), and the dashboard's filters work
without JavaScript-only controls (a GET form)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import MultiDict

from lms.auth.models import Role
from lms.auth.services import create_user, register_participant
from lms.cohorts import services as cohort_services
from lms.extensions import db
from lms.quizzes import rules as quiz_rules
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.browser import log_in
from tests.helpers.cohorts import PRACTICAL, add_joined
from tests.helpers.quizzes import basic_quiz, import_pack, quiz_by_slug, write_pack

TRAINER = ("pelatih@contoh.id", "lentera-biru-sembilan")


@pytest.fixture
def cohort_id(live_server, tmp_path):
    with live_server.app.app_context():
        trainer = create_user(email=TRAINER[0], full_name="Pelatih Angkatan",
                              password=TRAINER[1], role=Role.TRAINER)
        learners = [register_participant(
            full_name=name, email=f"p{i}@contoh.id", password="kopi-pagi-di-lembah-baliem",
            library_name=library, library_level="desa", province_code="32",
            regency_code=regency)
            for i, (name, library, regency) in enumerate([
                ("Ani Lestari", "Perpustakaan Desa Sukamaju", "32.04"),
                ("Budi Santoso", "Taman Baca Melati", "32.73")])]
        pack = write_pack(tmp_path, slug="kursus-laporan",
                          quizzes={"kuis": basic_quiz(), "tugas": PRACTICAL})
        course = import_pack(pack)
        cohort = cohort_services.create_cohort(trainer, name="Angkatan Laporan",
                                               course_ids=[course.id])
        for person in learners:
            add_joined(trainer, cohort, person)
        attempt = quiz_attempts.start_or_resume(learners[0], quiz_by_slug(course, "kuis"))
        quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True, "q3": "id"})
        quiz_attempts.submit(attempt)
        practical = quiz_attempts.start_or_resume(learners[1], quiz_by_slug(course, "tugas"))
        quiz_attempts.save_responses(practical, MultiDict({quiz_rules.field_name(0): "Rencana."}))
        quiz_attempts.submit(practical)
        ids = cohort.id, learners[0].id
        db.session.remove()
    return ids


def test_cohort_report_pages_have_no_wcag_violations(page, cohort_id, axe):
    cohort, learner = cohort_id
    log_in(page, TRAINER[0], TRAINER[1])
    found = []
    for url in ["/reports/", f"/reports/cohorts/{cohort}",
                f"/reports/cohorts/{cohort}/participants/{learner}",
                f"/reports/cohorts/{cohort}/gradebook"]:
        page.goto(url)
        found += axe(page)
    page.goto(f"/reports/cohorts/{cohort}")
    page.get_by_label("Nama atau perpustakaan memuat").fill("melati")
    page.get_by_role("button", name="Tampilkan").click()
    rows = page.locator("#cohort-dashboard tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Budi Santoso")
    found += axe(page)
    assert found == []
