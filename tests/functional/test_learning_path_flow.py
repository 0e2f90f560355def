"""A learning path with no dead ends (issue 17, item 6), walked as a learner through the real
pages and services: the completion moment after passing the final (review page, course page,
Beranda), breadcrumbs back from quiz pages, "next: the final exam" after the last module, pass or
not with the pass mark on the review, option feedback under its option, "Start" vs "Continue",
numbers and dates in the reader's language, accessible names, passwords kept on the no-JS
regency refresh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.paths import services as path_services
from lms.quizzes.models import QuizAttempt
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import english, login
from tests.helpers.quizzes import answers_form, attempt_id_from, enrol, quiz_by_slug

COURSE = """\
slug = "jalur-satu"
version = "1.0"
area = "ict"
hours = 4
modules = ["satu", "dua"]

[title]
id = "Literasi Digital Dasar"
en = "Basic Digital Literacy"

[completion]
modules = "all"
final_min_score = 70
"""

MODULE = """\
+++
title = "{title}"
title_en = "{title_en}"
minutes = 10
+++
# Bagian {title}

Isi modul.
"""

FINAL = """\
kind = "final"
pass_mark = 70
attempts = 0
shuffle_questions = false
shuffle_options = false

[title]
id = "Ujian Akhir"
en = "Final Exam"

[[questions]]
id = "f1"
type = "single_choice"
text = "Apa langkah pertama sebelum meneruskan pesan berantai?"
feedback = "Selalu periksa sumbernya."
options = [
  { id = "a", text = "Langsung meneruskan", correct = false, feedback = "Belum diperiksa." },
  { id = "b", text = "Memeriksa sumber resmi", correct = true, feedback = "Tepat sekali." },
]

[[questions]]
id = "f2"
type = "short_answer"
text = "Domain situs pemerintah: .go.___"
answers = [{ text = "id", credit = 100 }]
"""

MODULE_QUIZ = """\
module = "satu"
kind = "module"
pass_mark = 50
attempts = 0

[title]
id = "Kuis Modul Satu"
en = "Module One Quiz"

[[questions]]
id = "m1"
type = "true_false"
text = "Kata sandi boleh dibagikan."
answer = false
"""

PATH = """\
slug = "jalur-fasilitator"
version = "1.0"
courses = ["jalur-satu", "jalur-dua"]

[title]
id = "Jalur Fasilitator"
en = "Facilitator Path"

[summary]
id = "Dua kursus."
en = "Two courses."
"""


def write_course(root: Path, *, final: bool = True) -> Path:
    pack = root / "jalur-satu"
    (pack / "modules").mkdir(parents=True, exist_ok=True)
    (pack / "quizzes").mkdir(exist_ok=True)
    (pack / "course.toml").write_text(COURSE, encoding="utf-8")
    (pack / "modules" / "01-satu.md").write_text(
        MODULE.format(title="Modul Satu", title_en="Module One"), encoding="utf-8")
    (pack / "modules" / "02-dua.md").write_text(
        MODULE.format(title="Modul Dua", title_en="Module Two"), encoding="utf-8")
    (pack / "quizzes" / "kuis-satu.toml").write_text(MODULE_QUIZ, encoding="utf-8")
    if final:
        (pack / "quizzes" / "ujian-akhir.toml").write_text(FINAL, encoding="utf-8")
    return pack


@pytest.fixture
def course(app, tmp_path, participant):
    """The course (module quiz + final) and a second course, in one path; the learner enrolled."""
    import_folder(write_course(tmp_path / "courses"), make_pack(tmp_path / "courses", "jalur-dua"))
    (tmp_path / "paths").mkdir()
    (tmp_path / "paths" / "jalur-fasilitator.toml").write_text(PATH, encoding="utf-8")
    sources, problems = path_services.load_paths([tmp_path / "paths"])
    assert not problems
    path_services.import_paths(sources)
    from lms.courses.queries import course_by_slug

    found = course_by_slug("jalur-satu")
    enrol(participant, found)
    return found


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def take(client, quiz, answers: dict[str, str]) -> tuple[int, object]:
    """Start, answer and submit a quiz through the pages; (attempt id, submit response)."""
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    form = {**answers_form(attempt, answers), "page": "1", "action": "save"}
    assert client.post(f"/attempts/{attempt_id}/save", data=form).status_code == 302
    return attempt_id, client.post(f"/attempts/{attempt_id}/submit", follow_redirects=True)


def finish_modules(client, slug="jalur-satu"):
    for module in ("satu", "dua"):
        assert client.post(f"/courses/{slug}/modules/{module}/done").status_code == 302


def completion_section(html: str) -> str:
    match = re.search(r'<section class="completion".*?</section>', html, re.S)
    return match.group(0) if match else ""


# --------------------------------------------------------------------------- completion moment


def test_passing_the_final_shows_the_completion_moment_on_review_course_page_and_beranda(
        client, participant, course):
    login(client, participant)
    finish_modules(client)
    _attempt, _response = take(client, quiz_by_slug(course, "kuis-satu"), {"m1": "false"})
    course_page = client.get("/courses/jalur-satu").text
    assert completion_section(course_page) == ""  # not completed yet: the final is left

    attempt_id, response = take(client, quiz_by_slug(course, "ujian-akhir"),
                                {"f1": "b", "f2": "id"})
    # The flash says the learner passed, and the review shows the moment with its links.
    assert "You passed." in response.text
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == participant.id))
    assert cert is not None and cert.pdf_design is None  # rendered later by the worker
    for html in (response.text, client.get(f"/attempts/{attempt_id}/review").text,
                 client.get("/courses/jalur-satu").text, client.get("/").text):
        moment = completion_section(html)
        assert "Congratulations! Your certificate has been issued." in moment
        assert f'href="/certificates/{cert.code}.pdf"' in moment
        assert f'href="/verify/{cert.code}"' in moment
        assert "the PDF is being prepared" in moment
        # What comes next in the path: the second course.
        assert "Next in the learning path “Facilitator Path”:" in text_of(moment)
        assert 'href="/courses/jalur-dua"' in moment

    # The PDF link works (rendered on demand if the worker has not yet run).
    pdf = client.get(f"/certificates/{cert.code}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    db.session.expire_all()
    assert "the PDF is being prepared" not in completion_section(client.get("/").text)

    # Beranda keeps it until the learner hides it; the course page keeps it for good.
    home = client.get("/").text
    note_id = re.search(r'name="id" value="(\d+)"', completion_section(home)).group(1)
    client.post("/notifications/read", data={"id": note_id})
    assert completion_section(client.get("/").text) == ""
    assert completion_section(client.get("/courses/jalur-satu").text)


def test_an_earlier_failed_attempt_shows_no_completion_moment(client, participant, course):
    login(client, participant)
    finish_modules(client)
    take(client, quiz_by_slug(course, "kuis-satu"), {"m1": "false"})
    failed_id, failed = take(client, quiz_by_slug(course, "ujian-akhir"), {"f1": "a", "f2": "x"})
    assert "Not passed yet: the pass mark is 70%." in failed.text
    assert completion_section(failed.text) == ""
    passed_id, _ = take(client, quiz_by_slug(course, "ujian-akhir"), {"f1": "b", "f2": "id"})
    assert completion_section(client.get(f"/attempts/{passed_id}/review").text)
    assert completion_section(client.get(f"/attempts/{failed_id}/review").text) == ""


def test_the_last_course_of_the_path_says_the_path_is_completed(client, participant, course):
    from lms.courses.queries import course_by_slug

    second = course_by_slug("jalur-dua")
    enrol(participant, second)
    login(client, participant)
    for module in ("modul-1", "modul-2", "modul-3"):
        client.post(f"/courses/jalur-dua/modules/{module}/done")
    finish_modules(client)
    take(client, quiz_by_slug(course, "kuis-satu"), {"m1": "false"})
    take(client, quiz_by_slug(course, "ujian-akhir"), {"f1": "b", "f2": "id"})
    moment = text_of(completion_section(client.get("/courses/jalur-satu").text))
    assert "You have completed every course of the learning path “Facilitator Path”." in moment


def test_the_completion_moment_in_indonesian(client, participant, course):
    login(client, participant, in_english=False)
    finish_modules(client)
    take(client, quiz_by_slug(course, "kuis-satu"), {"m1": "false"})
    _attempt, response = take(client, quiz_by_slug(course, "ujian-akhir"),
                              {"f1": "b", "f2": "id"})
    assert "Anda lulus." in response.text
    assert "Selamat! Sertifikat Anda sudah terbit." in completion_section(response.text)
    assert "Lulus — nilai lulus 70%" in text_of(response.text)


def test_beranda_queries_do_not_grow_with_completion_moments(
        app, client, participant, tmp_path, count_queries):
    """Each completed course adds a moment to Beranda, read from what the page loads anyway."""
    from lms.courses.queries import course_by_slug

    slugs = ["cepat-satu", "cepat-dua", "cepat-tiga"]
    import_folder(*(make_pack(tmp_path, slug, modules=1) for slug in slugs))
    for slug in slugs:
        enrol(participant, course_by_slug(slug))
    login(client, participant)
    counts = []
    for slug in slugs[:2]:
        client.post(f"/courses/{slug}/modules/modul-1/done")  # completes the course
        client.get("/")
        with count_queries() as queries:
            html = client.get("/").text
        counts.append(len(queries))
        assert html.count('<section class="completion"') == len(counts)
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- breadcrumbs


def crumbs(html: str) -> list[tuple[str | None, str]]:
    nav = re.search(r'<nav aria-label="Breadcrumb" class="breadcrumb">\s*<ol>(.*?)</ol>', html, re.S)
    assert nav, "no breadcrumb"
    items = re.findall(r"<li>(.*?)</li>", nav.group(1), re.S)
    out = []
    for item in items:
        link = re.search(r'<a href="([^"]+)">(.*?)</a>', item)
        if link:
            out.append((link.group(1), link.group(2)))
        else:
            assert 'aria-current="page"' in item
            out.append((None, text_of(item)))
    return out


def test_breadcrumbs_lead_from_quiz_attempt_and_review_back_to_module_and_course(
        client, participant, course):
    login(client, participant)
    module_quiz = quiz_by_slug(course, "kuis-satu")
    top = [("/courses/", "Courses"), ("/courses/jalur-satu", "Basic Digital Literacy")]
    module = ("/courses/jalur-satu/modules/satu", "Module One")
    assert crumbs(client.get(f"/quizzes/{module_quiz.id}").text) == [
        *top, module, (None, "Module One Quiz")]
    attempt_id = attempt_id_from(client.post(f"/quizzes/{module_quiz.id}/start"))
    quiz_link = (f"/quizzes/{module_quiz.id}", "Module One Quiz")
    assert crumbs(client.get(f"/attempts/{attempt_id}").text) == [
        *top, module, quiz_link, (None, "Attempt 1")]
    assert crumbs(client.get(f"/attempts/{attempt_id}/finish").text)[-1] == (
        None, "Submit your attempt")
    client.post(f"/attempts/{attempt_id}/submit")
    assert crumbs(client.get(f"/attempts/{attempt_id}/review").text) == [
        *top, module, quiz_link, (None, "Review of attempt 1")]
    # The final belongs to no module: course, then the quiz.
    final = quiz_by_slug(course, "ujian-akhir")
    assert crumbs(client.get(f"/quizzes/{final.id}").text) == [*top, (None, "Final Exam")]
    # The course and module pages use the same trail.
    assert crumbs(client.get("/courses/jalur-satu").text) == [
        ("/courses/", "Courses"), (None, "Basic Digital Literacy")]
    assert crumbs(client.get("/courses/jalur-satu/modules/dua").text) == [
        *top, (None, "Module Two")]


# --------------------------------------------------------------------------- after the last module


def test_the_last_module_points_to_the_final_exam(client, participant, course):
    login(client, participant)
    final = quiz_by_slug(course, "ujian-akhir")
    last = client.get("/courses/jalur-satu/modules/dua").text
    assert re.search(rf'<a rel="next" class="pager__final" href="/quizzes/{final.id}">'
                     r"Next: the final exam →</a>", last)
    first = client.get("/courses/jalur-satu/modules/satu").text
    assert "Next: the final exam" not in first and 'href="/courses/jalur-satu/modules/dua"' in first


def test_without_a_final_the_last_module_leads_back_to_the_course(
        app, client, participant, tmp_path):
    import_folder(write_course(tmp_path, final=False))
    from lms.courses.queries import course_by_slug

    enrol(participant, course_by_slug("jalur-satu"))
    login(client, participant)
    last = client.get("/courses/jalur-satu/modules/dua").text
    assert "Next: the final exam" not in last
    assert '<a class="pager__course" href="/courses/jalur-satu">Back to the course →</a>' in last


# --------------------------------------------------------------------------- the review


def test_review_shows_pass_mark_and_feedback_under_the_chosen_option(client, participant, course):
    login(client, participant)
    final = quiz_by_slug(course, "ujian-akhir")
    attempt_id, _ = take(client, final, {"f1": "a", "f2": "id"})
    html = client.get(f"/attempts/{attempt_id}/review").text
    score = text_of(re.search(r'<dd class="quiz-score">(.*?)</dd>', html, re.S).group(1))
    assert score == "50% (1 / 2) — Not passed yet — pass mark 70%"
    # The chosen option's feedback sits inside that option, tied to its input; the general
    # feedback stays below the question; no detached copy of the option feedback.
    option = re.search(r'<div class="pq-option"><input type="radio"[^>]*value="a"[^>]*>.*?</div>',
                       html, re.S).group(0)
    assert "Belum diperiksa." in option and 'aria-describedby="' in option
    assert html.count("Belum diperiksa.") == 1
    assert "Tepat sekali." not in html  # feedback of an option not chosen
    assert '<p class="quiz-feedback quiz-general">Selalu periksa sumbernya.</p>' in html

    passed_id, _ = take(client, final, {"f1": "b", "f2": "id"})
    html = client.get(f"/attempts/{passed_id}/review").text
    assert "100% (2 / 2) — Passed — pass mark 70%" in text_of(html)


# --------------------------------------------------------------------------- Start / Continue


def test_start_before_anything_is_done_continue_after(client, participant, course):
    login(client, participant)
    assert "Start: Module One" in client.get("/courses/jalur-satu").text
    home = text_of(client.get("/").text)
    assert "Start : Basic Digital Literacy" in home and "Continue" not in home
    catalogue = text_of(client.get("/courses/").text)
    assert "Start : Basic Digital Literacy" in catalogue
    client.get("/courses/jalur-satu/modules/satu")  # opened, not yet done
    assert "Continue: Module One" in client.get("/courses/jalur-satu").text
    assert "Continue : Basic Digital Literacy" in text_of(client.get("/").text)
    assert "Continue : Basic Digital Literacy" in text_of(client.get("/courses/").text)


def test_start_and_continue_in_indonesian(client, participant, course):
    login(client, participant, in_english=False)
    assert "Mulai: Modul Satu" in client.get("/courses/jalur-satu").text
    client.post("/courses/jalur-satu/modules/satu/done")
    assert "Lanjutkan" in client.get("/").text


# --------------------------------------------------------------------------- numbers and dates


def test_numbers_and_dates_follow_the_language(client, participant, course, clock):
    login(client, participant, in_english=False)
    final = quiz_by_slug(course, "ujian-akhir")
    # A score with a decimal (set by hand: the final's two questions give whole numbers).
    attempt_id, _ = take(client, final, {"f1": "a", "f2": "x"})
    attempt = db.session.get(QuizAttempt, attempt_id)
    attempt.score = 9.5
    db.session.commit()
    review = text_of(client.get(f"/attempts/{attempt_id}/review").text)
    assert "9,5% (0 / 2)" in review and "9.5" not in review and "9,5 %" not in review
    assert "9,5%" in text_of(client.get(f"/quizzes/{final.id}").text)  # the attempts table
    english(client)
    assert "9.5% (0 / 2)" in text_of(client.get(f"/attempts/{attempt_id}/review").text)

    # Certificate dates: no ISO date on Beranda or "My certificates".
    attempt.score = 0
    db.session.commit()
    finish_modules(client)
    take(client, quiz_by_slug(course, "kuis-satu"), {"m1": "false"})
    take(client, final, {"f1": "b", "f2": "id"})
    home = client.get("/").text
    assert "2026-11-26" not in home and "Nov 26, 2026" in home
    client.post("/language", data={"lang": "id", "next": "/"})
    assert "26 Nov 2026" in client.get("/certificates/").text
    assert "2026-11-26" not in client.get("/certificates/").text


def test_percent_and_date_filters_unit(app):
    from datetime import date

    from lms import l10n

    assert l10n.percent(9.5, "id") == "9,5%" and l10n.percent(9.5, "en") == "9.5%"
    assert l10n.percent(66.666, "id") == "66,7%" and l10n.percent(100, "en") == "100%"
    assert l10n.percent(None) == "" and l10n.percent("62.5 %", "id") == "62.5 %"
    assert l10n.date_text(date(2026, 12, 6), locale="id") == "6 Des 2026"
    assert l10n.date_text("2026-12-06", "long", locale="id") == "6 Desember 2026"
    assert l10n.date_text(date(2026, 12, 6), locale="en") == "Dec 6, 2026"


# --------------------------------------------------------------------------- accessible names


def test_heading_permalinks_are_hidden_from_accessible_names(client, participant, course):
    login(client, participant)
    html = client.get("/courses/jalur-satu/modules/satu").text
    anchors = re.findall(r'<a class="headerlink"[^>]*>', html)
    assert anchors
    assert all('aria-hidden="true"' in a and 'tabindex="-1"' in a for a in anchors)


def test_answer_boxes_are_named_by_their_question(client, participant, course):
    login(client, participant)
    final = quiz_by_slug(course, "ujian-akhir")
    attempt_id = attempt_id_from(client.post(f"/quizzes/{final.id}/start"))
    html = client.get(f"/attempts/{attempt_id}").text
    box = re.search(r'<input type="text" name="(q\d+)"[^>]*>', html)
    field = box.group(1)
    assert f'aria-labelledby="{field}-label {field}-text"' in box.group(0)
    assert f'<label for="{field}-input" id="{field}-label">Answer</label>' in html
    assert f'id="{field}-text"' in html and "Domain situs pemerintah" in html


# --------------------------------------------------------------------------- passwords kept


REGISTER = {
    "full_name": "Ni Luh Putu Ayu", "email": "niluh@contoh.id",
    "password": "perpustakaan-desa-maju", "confirm": "perpustakaan-desa-maju",
    "library_name": "Perpustakaan Desa Tegallalang", "library_level": "desa",
    "province_code": "51", "regency_code": "",
}


def test_the_no_js_regency_refresh_keeps_both_passwords(client):
    response = client.post("/register", data={**REGISTER, "load_regencies": "1"})
    assert response.status_code == 200 and "Kabupaten Gianyar" in response.text
    for name in ("password", "confirm"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.text).group(0)
        assert 'value="perpustakaan-desa-maju"' in field and 'type="password"' in field
    assert "no-store" in response.headers["Cache-Control"]
    # Elsewhere a password is never written back into the page, e.g. after a refused form.
    refused = client.post("/register", data={**REGISTER, "email": "bukan-email", "submit": "1"})
    field = re.search(r'<input[^>]*name="password"[^>]*>', refused.text).group(0)
    assert "perpustakaan-desa-maju" not in field
    # Sending the form as shown (regency chosen) registers with the kept password.
    done = client.post("/register", data={**REGISTER, "regency_code": "51.04", "submit": "1"})
    assert done.status_code == 302
