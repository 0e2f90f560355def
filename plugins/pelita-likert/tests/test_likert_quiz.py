"""The installed plugin end to end: a pack with a Likert question imports, a learner answers it
through the real quiz pages, and the attempt is stored, graded and summarised for trainers.

Needs `pelita-likert` installed (`make install`, or `pip install -e plugins/pelita-likert`):
the app finds it through its `pelita.plugins` entry point like any other installation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pelita_likert.report import aggregate, quiz_responses
from sqlalchemy import select

from lms.courses.models import Course, Quiz
from lms.courses.services.importer import import_packs, load_packs
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuestionResponse, QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts

COURSE = """\
slug = "refleksi"
version = "1"
area = "ict"
hours = 1
modules = ["satu"]

[title]
id = "Refleksi Fasilitator"
en = "Facilitator Reflection"
"""

MODULE = '+++\ntitle = "Satu"\n+++\n# Satu\n\nIsi modul.\n'

QUIZ = """\
module = "satu"
kind = "module"
pass_mark = 50
attempts = 0
shuffle_questions = false

[title]
id = "Penilaian Diri"
en = "Self-assessment"

[[questions]]
id = "pilih"
type = "true_false"
text = "Perpustakaan desa melayani warga."
answer = true

[[questions]]
id = "diri"
type = "likert"
text = "Seberapa setuju Anda?"
statements = ["Saya percaya diri mengajarkan literasi digital.",
              "Saya dapat memandu pencarian informasi."]
statements_en = ["I am confident teaching digital literacy.", "I can guide an information search."]
"""


def write_pack(root: Path, quiz: str = QUIZ) -> Path:
    pack = root / "refleksi"
    (pack / "modules").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "course.toml").write_text(COURSE, encoding="utf-8")
    (pack / "modules" / "01-satu.md").write_text(MODULE, encoding="utf-8")
    (pack / "quizzes" / "diri.toml").write_text(quiz, encoding="utf-8")
    return pack


@pytest.fixture
def quiz(app, participant, tmp_path):
    packs, problems = load_packs([write_pack(tmp_path)])
    assert problems == []
    import_packs(packs)
    course = db.session.scalar(select(Course).where(Course.slug == "refleksi"))
    db.session.add(Enrollment(user_id=participant.id, course_id=course.id))
    db.session.commit()
    return db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))


def test_the_plugin_is_loaded_and_registers_its_type(app):
    record = next(r for r in app.extensions["pelita_plugins"] if r.name == "likert")
    assert record.status == "loaded", record.error
    assert record.question_types == ["likert"]


def test_a_pack_with_a_bad_likert_question_names_the_field(app, tmp_path):
    _packs, problems = load_packs([write_pack(tmp_path, QUIZ + "scale = 12\n")])
    assert any("scale" in str(p) and "diri.toml" in str(p) for p in problems), problems


def test_a_learner_answers_through_the_quiz_pages(logged_in, participant, quiz):
    started = logged_in.post(f"/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    attempt = db.session.get(QuizAttempt, attempt_id)
    position = attempt.question_ids.index("diri")
    field = quiz_rules.field_name(position)

    page = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    # Indonesian (the default): the plugin's own catalogue translates the default labels.
    assert "Saya percaya diri mengajarkan literasi digital." in page
    assert ">Sangat setuju</label>" in page and ">Sangat tidak setuju</label>" in page
    logged_in.post("/language", data={"lang": "en", "next": "/"})
    page = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "I am confident teaching digital literacy." in page
    assert "<legend" in page and f'name="{field}-1"' in page
    assert ">Strongly agree</label>" in page  # the default labels, in the learner's language

    tf = quiz_rules.field_name(attempt.question_ids.index("pilih"))
    saved = logged_in.post(f"/attempts/{attempt_id}/save",
                           data={tf: "true", f"{field}-0": "0:5", f"{field}-1": "1:2"})
    assert saved.status_code == 302
    again = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="0:5" checked' in again and 'value="1:2" checked' in again

    submitted = logged_in.post(f"/attempts/{attempt_id}/submit")
    assert submitted.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "graded"
    assert attempt.score == 100.0 and attempt.max_points == 1.0  # the self-assessment is 0 points
    row = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt_id, QuestionResponse.question_id == "diri"))
    assert row.response == {"0": 5, "1": 2}
    assert (row.fraction, row.state) == (1.0, "answered")
    review = logged_in.get(f"/attempts/{attempt_id}/review")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    # The self-assessment says "Answered", never "Correct", and has no marks line; the score
    # counts only the true/false question.
    assert html.count('class="quiz-state quiz-state--answered">Answered</p>') == 1
    assert html.count(">Correct</p>") == 1 and html.count("Marks: ") == 1
    assert "does not count towards your score" in html
    assert "100% (1 / 1)" in html

    definition = quiz_queries.question_definition(attempt, "diri")
    first, second = aggregate(definition, quiz_responses(quiz.id, "diri"))
    assert first.counts == [0, 0, 0, 0, 1] and second.counts == [0, 1, 0, 0, 0]


def test_junk_form_values_save_nothing(logged_in, participant, quiz):
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    field = quiz_rules.field_name(attempt.question_ids.index("diri"))
    logged_in.post(f"/attempts/{attempt.id}/save",
                   data={f"{field}-0": "0:99", f"{field}-1": "<b>", "shown": field})
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "diri"))
    assert row.response is None


def _answer(user, quiz, values: dict[str, int]) -> None:
    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, {"diri": values, "pilih": "true"})
    quiz_attempts.submit(db.session.get(QuizAttempt, attempt.id))


def test_editors_see_the_distribution_with_constant_queries(client, auth, make_user,
                                                            trainer_user, participant, quiz,
                                                            count_queries):
    from lms.courses.models import Course
    from tests.helpers.people import make_editor

    _answer(participant, quiz, {"0": 5, "1": 4})
    auth.login(trainer_user.email)
    assert client.get(f"/p/likert/quizzes/{quiz.id}/").status_code == 403  # not their course
    make_editor(trainer_user, db.session.get(Course, quiz.course_id))
    client.post("/language", data={"lang": "en", "next": "/"})
    with count_queries() as one:
        page = client.get(f"/p/likert/quizzes/{quiz.id}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "I am confident teaching digital literacy." in html
    assert "5. Strongly agree" in html and "5.0" in html
    for _ in range(3):
        learner = make_user()
        db.session.add(Enrollment(user_id=learner.id, course_id=quiz.course_id))
        db.session.commit()
        _answer(learner, quiz, {"0": 1})
    with count_queries() as four:
        html = client.get(f"/p/likert/quizzes/{quiz.id}/").get_data(as_text=True)
    assert len(four) == len(one)
    assert "2.0" in html  # (5 + 1 + 1 + 1) / 4 learners on the first statement
    assert client.get("/p/likert/quizzes/999999/").status_code == 404


def test_learners_cannot_see_the_report(logged_in, quiz):
    assert logged_in.get(f"/p/likert/quizzes/{quiz.id}/").status_code == 403


def test_a_cohort_trainer_sees_only_the_members_answers(client, auth, make_user, participant,
                                                       quiz):
    from lms.courses.models import Course
    from tests.helpers.people import join_cohort

    trainer = make_user("trainer")
    outsider = make_user()
    db.session.add(Enrollment(user_id=outsider.id, course_id=quiz.course_id))
    db.session.commit()
    join_cohort(trainer, participant, db.session.get(Course, quiz.course_id))
    _answer(participant, quiz, {"0": 5})
    _answer(outsider, quiz, {"0": 1})
    auth.login(trainer.email)
    client.post("/language", data={"lang": "en", "next": "/"})
    html = client.get(f"/p/likert/quizzes/{quiz.id}/").get_data(as_text=True)
    assert "5.0" in html and "3.0" not in html  # the member's answer alone, not the mean of two


def test_the_quiz_editor_says_empty_points_mean_zero(client, auth, admin_user, quiz):
    auth.login(admin_user.email)
    client.post("/language", data={"lang": "en", "next": "/"})
    assert client.get("/author/refleksi/quizzes").status_code == 200  # opens the workspace
    page = client.get("/author/refleksi/quizzes/diri/questions/new?type=likert")
    assert page.status_code == 200
    assert "Empty means 0: this question has no right answer" in page.get_data(as_text=True)
    assert "Empty means 1." not in page.get_data(as_text=True)


def test_the_preview_says_answered(client, auth, admin_user, quiz):
    auth.login(admin_user.email)
    client.post("/language", data={"lang": "en", "next": "/"})
    assert client.get("/author/refleksi/quizzes").status_code == 200
    graded = client.post("/author/refleksi/quizzes/diri/preview",
                         data={"q0": "true", "q1-0": "0:4"})
    assert graded.status_code == 200
    html = graded.get_data(as_text=True)
    assert ">Answered</p>" in html and html.count(">Correct</p>") == 1
    assert html.count("Marks: 1 of 1") == 2  # the true/false question and the quiz total
