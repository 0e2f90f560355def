"""Non-scored question types (self-assessment, survey): `QuestionType.scored = False`.

A small fake type, registered in each test's app, stands for any plugin with no right answer:
learners see "Answered", never "Correct"; it stays out of the maximum marks and the percentage
(worth `default_points = 0`); a quiz made only of such questions counts as passed once
submitted; the editor's points help says the type's default; GIFT export skips it.
"""

from __future__ import annotations

import pytest
from markupsafe import Markup
from sqlalchemy import select

from lms.courses.services.importer import load_packs
from lms.extensions import db
from lms.learning.progress import progress_for
from lms.quizzes.base import Grade, QuestionType, first_text
from lms.quizzes.models import QuestionResponse, QuizAttempt
from tests.helpers.pages import english
from tests.helpers.quizzes import (
    answers_form,
    attempt_id_from,
    enrol,
    import_pack,
    quiz_by_slug,
    write_pack,
)


class Opinion(QuestionType):
    """A one-line survey answer: no right answer, worth nothing unless given points."""

    name = "pendapat"
    label = "Opinion (survey)"
    scored = False
    default_points = 0

    def normalise_response(self, q, raw):
        text = first_text(raw)
        return text.strip()[:200] if text else None

    def grade(self, q, response):
        # Deliberately the scored-style grade: the engine turns it into "answered".
        return Grade.from_fraction(1.0) if isinstance(response, str) and response else (
            Grade.unanswered())

    def render(self, q, *, field, response=None, order=None, disabled=False, gettext=str):
        return Markup(
            '<div class="pq" id="{f}-q"><label for="{f}">{t}</label>'
            '<input type="text" id="{f}" name="{f}" value="{v}"{d}></div>'
        ).format(f=field, t=q.get("text", ""), v=response or "",
                 d=Markup(" disabled") if disabled else Markup(""))


@pytest.fixture
def opinion(app):
    app.extensions["pelita_question_types"].register(Opinion)
    return Opinion


HEAD = """\
module = "satu"
kind = "module"
pass_mark = 80
attempts = 0
shuffle_questions = false
shuffle_options = false

[title]
id = "Kuis Pendapat"
en = "Opinion Quiz"
"""

CHOICE = """
[[questions]]
id = "q1"
type = "single_choice"
text = "Ibu kota Indonesia?"
options = [
  { id = "a", text = "Jakarta", correct = true },
  { id = "b", text = "Bandung", correct = false },
]
"""

OPINION = """
[[questions]]
id = "s1"
type = "pendapat"
text = "Apa pendapat Anda tentang modul ini?"
"""


def take(client, quiz, answers: dict[str, str]) -> QuizAttempt:
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    client.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, answers))
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def setup(tmp_path, user, quiz_text):
    course = import_pack(write_pack(tmp_path, quizzes={"pendapat": quiz_text}))
    enrol(user, course)
    return course, quiz_by_slug(course, "pendapat")


def test_review_says_answered_and_the_score_ignores_the_survey(opinion, client, auth,
                                                               participant, tmp_path):
    _course, quiz = setup(tmp_path, participant, HEAD + CHOICE + OPINION)
    auth.login(participant.email)
    english(client)
    attempt = take(client, quiz, {"q1": "a", "s1": "Sangat berguna."})
    assert attempt.status == "graded"
    assert (attempt.score, attempt.points, attempt.max_points) == (100.0, 1.0, 1.0)
    row = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id, QuestionResponse.question_id == "s1"))
    assert (row.state, row.fraction) == ("answered", 1.0)

    html = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert html.count('class="quiz-state quiz-state--answered">Answered</p>') == 1
    assert html.count(">Correct</p>") == 1  # only the choice question
    assert html.count("Marks: ") == 1  # no "Marks: 0 of 0" for the survey
    assert "Your answer is recorded." in html and "does not count towards your score" in html
    assert "100% (1 / 1)" in html
    assert "quiz-review--answered" in html


def test_an_unanswered_survey_is_not_answered_and_costs_nothing(opinion, client, auth,
                                                                participant, tmp_path):
    _course, quiz = setup(tmp_path, participant, HEAD + CHOICE + OPINION)
    auth.login(participant.email)
    english(client)
    attempt = take(client, quiz, {"q1": "a", "s1": "   "})  # blank: not an answer
    assert (attempt.score, attempt.max_points) == (100.0, 1.0)
    html = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert ">Not answered</p>" in html and ">Answered</p>" not in html
    assert "Your answer is recorded." not in html


def test_a_quiz_of_only_survey_questions_passes_once_submitted(opinion, client, auth,
                                                               participant, tmp_path):
    course, quiz = setup(tmp_path, participant, HEAD + OPINION)
    auth.login(participant.email)
    english(client)
    assert not progress_for(participant.id, [course])[course.id].passed_quiz_ids
    attempt = take(client, quiz, {"s1": "Cukup jelas."})
    assert (attempt.status, attempt.score, attempt.max_points) == ("graded", 100.0, 0.0)
    assert progress_for(participant.id, [course])[course.id].passed_quiz_ids == {quiz.id}
    review = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "No marks: nothing in this quiz is scored." in review and "Marks: " not in review
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Answers recorded" in page and "Passed" in page


def test_points_given_on_purpose_are_earned_for_answering(opinion, client, auth, participant,
                                                          tmp_path):
    _course, quiz = setup(tmp_path, participant, HEAD + CHOICE + OPINION + "points = 2\n")
    auth.login(participant.email)
    english(client)
    skipped = take(client, quiz, {"q1": "a"})
    assert (skipped.points, skipped.max_points) == (1.0, 3.0)
    html = client.get(f"/attempts/{skipped.id}/review").get_data(as_text=True)
    assert "Marks: 0 of 2" in html and ">Not answered</p>" in html
    answered = take(client, quiz, {"q1": "b", "s1": "Perlu contoh."})
    assert (answered.points, answered.max_points) == (2.0, 3.0)
    html = client.get(f"/attempts/{answered.id}/review").get_data(as_text=True)
    assert ">Answered</p>" in html and "Marks: 2 of 2" in html
    assert "Your answer is recorded." not in html  # it does count: the marks line says so


def test_negative_points_are_refused_at_import(opinion, tmp_path):
    pack = write_pack(tmp_path, quizzes={"pendapat": HEAD + OPINION + "points = -1\n"})
    _packs, problems = load_packs([pack])
    assert any("points" in str(p) for p in problems), problems


def test_the_editor_points_help_says_the_type_default(opinion, client, auth, admin_user,
                                                      tmp_path, english_messages):
    setup(tmp_path, admin_user, HEAD + CHOICE + OPINION)
    auth.login(admin_user.email)
    english(client)
    assert client.get("/author/quiz-uji/quizzes").status_code == 200  # opens the workspace
    base = "/author/quiz-uji/quizzes/pendapat/questions"
    survey = client.get(f"{base}/new?type=pendapat")
    assert survey.status_code == 200
    text = survey.get_data(as_text=True)
    assert "Empty means 0: this question has no right answer" in text
    assert "Empty means 1." not in text
    choice = client.get(f"{base}/new?type=true_false").get_data(as_text=True)
    assert "Empty means 1." in choice and "Empty means 0" not in choice


def test_gift_export_skips_survey_questions(opinion, runner, participant, tmp_path):
    _course, quiz = setup(tmp_path, participant, HEAD + CHOICE + OPINION)
    result = runner.invoke(args=["lms", "export-gift", str(quiz.id)])
    assert result.exit_code == 0, result.output
    assert "// Question 's1' of type 'pendapat' skipped: it has no right answer" in result.stdout
    assert "Ibu kota Indonesia?" in result.stdout
    assert "s1: type 'pendapat' is not scored" in result.stderr

