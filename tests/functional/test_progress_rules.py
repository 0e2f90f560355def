"""Progress edge cases across the quiz engine: a quiz failed after it was passed."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning.progress import progress_for
from lms.learning.services import mark_module_done
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.quizzes import RIGHT, setup_quiz

ALL_RIGHT = RIGHT | {"q2": True}  # the service takes responses by question id


def take(user, quiz, answers):
    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, answers)
    quiz_attempts.submit(attempt)


def progress(user, course_id):
    db.session.expire_all()
    return progress_for(user.id, [db.session.get(Course, course_id)])[course_id]


def test_failing_a_retake_keeps_the_pass_with_the_highest_grade(app, participant, tmp_path):
    course, quiz = setup_quiz(tmp_path, participant, grading="highest")
    take(participant, quiz, ALL_RIGHT)
    take(participant, quiz, {"q1": "b"})
    assert quiz.id in progress(participant, course.id).passed_quiz_ids


def test_failing_a_retake_counts_when_the_last_attempt_is_graded(app, participant, tmp_path):
    course, quiz = setup_quiz(tmp_path, participant, grading="last")
    take(participant, quiz, ALL_RIGHT)
    take(participant, quiz, {"q1": "b"})
    assert quiz.id not in progress(participant, course.id).passed_quiz_ids


def test_a_completed_course_stays_completed_after_a_failed_retake(app, participant, tmp_path):
    course, quiz = setup_quiz(tmp_path, participant, grading="last")
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    mark_module_done(participant, db.session.get(Course, course.id), module)
    take(participant, quiz, ALL_RIGHT)  # passing the last item completes the course (and issues it)
    assert progress(participant, course.id).completed
    take(participant, quiz, {"q1": "b"})
    p = progress(participant, course.id)
    assert p.completed and p.percent == 100

