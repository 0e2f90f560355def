"""Time limits with a frozen clock, closing overdue attempts, and review options per moment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms import clock as app_clock
from lms.extensions import db
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuestionResponse, QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.pages import english
from tests.helpers.quizzes import (
    QUIZ_START,
    RIGHT,
    answers_form,
    attempt_id_from,
    set_settings,
    setup_quiz,
)


@pytest.fixture
def clock(app, clock):
    """The app's frozen clock, at 02:00 UTC (09:00 WIB) on 26 November 2026. Learners here come
    back hours later; the shared-computer idle logout is not what these tests are about."""
    app.config["IDLE_TIMEOUT_MINUTES"] = 0
    clock.set(QUIZ_START)
    return clock


def _start(client, quiz) -> QuizAttempt:
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    return db.session.get(QuizAttempt, attempt_id)


def test_saves_are_refused_after_deadline_and_grace_but_earlier_answers_stay(
        logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant, time_limit=10)
    english(logged_in)
    attempt = _start(logged_in, quiz)
    assert app_clock.aware(attempt.deadline_at) == clock.value.replace(minute=10)
    page = logged_in.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "10 minute(s) left" in page
    assert "09:10 WIB" in page  # 02:10 UTC shown in the learner's zone (West Java)

    clock.advance(minutes=5)
    logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, {"q1": "a"}))
    clock.advance(minutes=5, seconds=30)  # past the deadline, within the 60 s grace period
    ok = logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, {"q2": "true"}),
                        headers={"X-Requested-With": "fetch"})
    assert ok.status_code == 200
    clock.advance(seconds=31)  # grace is over
    late = logged_in.post(f"/attempts/{attempt.id}/save",
                          data=answers_form(attempt, {"q3": "id", "q1": "b"}),
                          headers={"X-Requested-With": "fetch"})
    assert late.status_code == 409
    assert late.get_json()["closed"] is True

    db.session.expire_all()
    rows = {r.question_id: r.response for r in db.session.scalars(select(QuestionResponse))}
    assert rows["q1"] == "a" and rows["q2"] is True
    assert rows.get("q3") is None
    closed = db.session.get(QuizAttempt, attempt.id)
    assert closed.status == "graded" and closed.closed_by == "deadline"
    assert round(closed.score, 2) == 66.67


def test_a_form_save_after_the_deadline_explains_and_shows_the_review(
        logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant, time_limit=5)
    english(logged_in)
    attempt = _start(logged_in, quiz)
    clock.advance(minutes=7)
    response = logged_in.post(f"/attempts/{attempt.id}/save",
                              data=answers_form(attempt, {"q1": "a"}), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The time for this attempt is over" in html
    assert "closed when the time ran out" in html


def test_close_overdue_grades_attempts_of_learners_who_never_return(
        app, runner, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant, time_limit=10)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True, "q3": "id"})
    clock.advance(minutes=10, seconds=30)
    assert quiz_attempts.close_overdue() == 0  # still within the grace period
    clock.advance(minutes=1)
    result = runner.invoke(args=["lms", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "closed 1 overdue attempt(s)" in result.output
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.status == "graded"
    assert attempt.score == 100.0
    assert attempt.closed_by == "deadline"
    assert quiz_attempts.close_overdue() == 0  # nothing left, nothing graded twice


def test_opening_the_quiz_page_closes_an_overdue_attempt(logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant, time_limit=10)
    attempt = _start(logged_in, quiz)
    clock.advance(hours=3)
    assert logged_in.get(f"/quizzes/{quiz.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == "graded"


def test_quiz_dates(logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    set_settings(quiz, opens_at="2026-11-26T10:00:00+07:00", closes_at="2026-11-26T12:00")
    html = logged_in.post(f"/quizzes/{quiz.id}/start", follow_redirects=True).get_data(as_text=True)
    assert "This quiz is not open yet." in html
    clock.advance(hours=1, minutes=30)  # 03:30 UTC = 10:30 WIB
    attempt = _start(logged_in, quiz)
    assert app_clock.aware(attempt.deadline_at).hour == 5  # closes 12:00 WIB = 05:00 UTC
    logged_in.post(f"/attempts/{attempt.id}/submit")
    clock.advance(hours=2)
    html = logged_in.post(f"/quizzes/{quiz.id}/start", follow_redirects=True).get_data(as_text=True)
    assert "This quiz has closed" in html


REVIEW = {
    "during": ["correctness"],
    "immediately_after": ["marks"],
    "later_while_open": ["response", "right_answer"],
    "after_close": ["general_feedback", "specific_feedback"],
}


def test_review_options_at_each_moment(logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    set_settings(quiz, review=REVIEW, closes_at="2026-11-26T12:00:00+07:00")
    attempt = _start(logged_in, quiz)
    logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, {"q1": "b"}))

    during = logged_in.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Incorrect" in during and "Marks:" not in during

    logged_in.post(f"/attempts/{attempt.id}/submit")
    review_url = f"/attempts/{attempt.id}/review"
    after = logged_in.get(review_url).get_data(as_text=True)
    assert "Marks: 0 of 1" in after and "0%" in after
    assert 'value="b" checked' not in after and "Incorrect" not in after
    assert "The right answer is" not in after

    clock.advance(minutes=3)
    later = logged_in.get(review_url).get_data(as_text=True)
    assert 'value="b" checked' in later
    assert "The right answer is: Jakarta" in later
    assert "Marks:" not in later

    clock.advance(hours=4)  # past 12:00 WIB
    closed = logged_in.get(review_url).get_data(as_text=True)
    assert "Jakarta masih ibu kota." in closed  # general feedback
    assert "Bukan." in closed  # the chosen option's feedback
    assert 'value="b" checked' not in closed and "The right answer is" not in closed


def test_default_review_options(logged_in, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    attempt = _start(logged_in, quiz)
    logged_in.post(f"/attempts/{attempt.id}/save", data=answers_form(attempt, RIGHT))
    during = logged_in.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Correct" not in during  # nothing is revealed during the attempt by default
    logged_in.post(f"/attempts/{attempt.id}/submit")
    for minutes in (0, 30):
        clock.advance(minutes=minutes)
        html = logged_in.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
        assert "Correct" in html and "Marks: 1 of 1" in html and "100%" in html
        assert 'value="a" checked' in html and "Jakarta masih ibu kota." in html
        assert "The right answer is" not in html
    set_settings(quiz, closes_at="2026-11-26T09:15:00+07:00")
    html = logged_in.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "The right answer is: Jakarta" in html


def test_review_moment_rules(app, participant, tmp_path, clock):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    rules = quiz_rules.rules_of(attempt.quiz_version)
    assert quiz_rules.review_moment(attempt, rules) == "during"
    quiz_attempts.submit(attempt)
    assert quiz_rules.review_moment(attempt, rules) == "immediately_after"
    clock.advance(minutes=2, seconds=1)
    assert quiz_rules.review_moment(attempt, rules) == "later_while_open"


def test_the_last_attempt_opens_what_the_quiz_shows_after_it(app, participant, tmp_path, clock):
    """A quiz with three attempts shows the right answer once the learner has used all three
    (the shipped module quizzes do), not after the first or second."""
    _course, quiz = setup_quiz(tmp_path, participant, attempts=3)
    version = set_settings(quiz, review={
        "later_while_open": ["response", "correctness"],
        "after_last_attempt": ["response", "correctness", "right_answer"]})
    rules = quiz_rules.rules_of(version)
    seen = []
    for _ in range(3):
        attempt = quiz_attempts.start_or_resume(participant, quiz)
        quiz_attempts.submit(attempt)
        clock.advance(minutes=5)
        seen.append(quiz_rules.review_moment(attempt, rules, attempts_used=attempt.number))
    assert seen == ["later_while_open", "later_while_open", "after_last_attempt"]
    first = quiz_queries.attempts_of(participant.id, quiz.id)[0]
    assert "right_answer" in quiz_queries.review_options(first)  # every attempt, once none is left
    unlimited = quiz_rules.rules_of(set_settings(quiz, attempts=0))
    assert quiz_rules.review_moment(first, unlimited, attempts_used=3) == "later_while_open"
