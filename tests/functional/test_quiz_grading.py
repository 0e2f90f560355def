"""Essay grading queue, re-grading after a fixed answer key, grading methods, course progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit import AuditEvent
from lms.courses.models import Course
from lms.errors_domain import PermissionDenied
from lms.extensions import db
from lms.learning.progress import progress_for, quiz_scores
from lms.quizzes import queries as quiz_queries
from lms.quizzes.models import QuestionResponse, QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from lms.quizzes.services import grading as quiz_grading
from tests.helpers.pages import english
from tests.helpers.people import make_editor
from tests.helpers.quizzes import (
    ESSAY_QUIZ,
    RIGHT,
    answers_form,
    attempt_id_from,
    basic_quiz,
    enrol,
    import_pack,
    quiz_by_slug,
    set_settings,
    setup_quiz,
    write_pack,
)


def test_essay_waits_in_the_queue_until_a_trainer_grades_it(client, auth, make_user, tmp_path):
    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"esai": ESSAY_QUIZ}))
    enrol(learner, course)
    quiz = quiz_by_slug(course, "esai")
    auth.login(learner.email)
    english(client)
    attempt_id = attempt_id_from(client.post(f"/quizzes/{quiz.id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    client.post(f"/attempts/{attempt_id}/save",
                data=answers_form(attempt, {"e1": "a", "e2": "Fasilitator mendampingi warga."}))
    client.post(f"/attempts/{attempt_id}/submit")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "submitted" and attempt.needs_manual_grading
    assert quiz_scores(learner.id, [quiz.id]) == {}
    assert "Waiting for grading" in client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert client.get("/quizzes/grading").status_code == 403  # learners cannot grade
    auth.logout()

    trainer = make_user("trainer")
    auth.login(trainer.email)
    english(client)
    queue = client.get("/quizzes/grading").get_data(as_text=True)
    assert learner.full_name not in queue  # not theirs: neither an editor nor the cohort trainer
    essay = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "e2"))
    assert client.get(f"/quizzes/grading/{essay.id}").status_code == 403
    make_editor(trainer, course)  # the course's editors grade learners outside cohorts
    queue = client.get("/quizzes/grading").get_data(as_text=True)
    assert learner.full_name in queue
    page = client.get(f"/quizzes/grading/{essay.id}").get_data(as_text=True)
    assert "Fasilitator mendampingi warga." in page and "Tiga poin" in page
    too_many = client.post(f"/quizzes/grading/{essay.id}", data={"points": "4", "comment": ""})
    assert too_many.status_code == 422
    assert "Give a score between 0 and 3." in too_many.get_data(as_text=True)
    done = client.post(f"/quizzes/grading/{essay.id}",
                       data={"points": "2", "comment": "Tambahkan contoh."})
    assert done.status_code == 302
    assert "Nothing waits for grading." in client.get("/quizzes/grading").get_data(as_text=True)
    auth.logout()

    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "graded" and not attempt.needs_manual_grading
    assert attempt.score == 75.0  # (1 + 2) of (1 + 3)
    auth.login(learner.email)
    review = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "75%" in review and "Tambahkan contoh." in review
    assert quiz_scores(learner.id, [quiz.id]) == {quiz.id: 75.0}


def test_only_those_who_oversee_the_learner_grade_essays(app, make_user, tmp_path):
    learner, other_trainer = make_user(), make_user("trainer")
    admin = make_user("admin")
    course = import_pack(write_pack(tmp_path, quizzes={"esai": ESSAY_QUIZ}))
    enrol(learner, course)
    attempt = quiz_attempts.start_or_resume(learner, quiz_by_slug(course, "esai"))
    quiz_attempts.save_responses(attempt, {"e2": "teks"})
    quiz_attempts.submit(attempt)
    assert quiz_queries.grading_queue(other_trainer) == []
    essay = quiz_queries.grading_queue(admin)[0][1]
    for person in (learner, other_trainer):
        with pytest.raises(PermissionDenied):
            quiz_grading.grade_answer(person, essay, points=1)
    assert quiz_grading.grade_answer(admin, essay, points=1).status == "graded"


def test_regrade_shows_before_and_after_when_a_key_is_fixed(client, auth, make_user, tmp_path):
    learner = make_user()
    pack = write_pack(tmp_path, quizzes={"kuis": basic_quiz(right="b")})  # wrong key
    course = import_pack(pack)
    enrol(learner, course)
    quiz = quiz_by_slug(course, "kuis")
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True, "q3": "id"})
    quiz_attempts.submit(attempt)
    assert round(attempt.score, 2) == 66.67

    write_pack(tmp_path, version="2", quizzes={"kuis": basic_quiz(right="a")})  # fixed
    import_pack(pack)
    trainer = make_user("trainer")
    auth.login(trainer.email)
    english(client)
    assert client.post(f"/quizzes/{quiz.id}/regrade").status_code == 403  # not an editor
    make_editor(trainer, course)
    page = client.post(f"/quizzes/{quiz.id}/regrade")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "66.7%" in html and "100%" in html
    assert "1 score changed." in html
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.score == 100.0
    assert attempt.quiz_version_id != attempt.graded_version_id  # shown v1, graded with v2
    # The learner's own view keeps the layout of the version they saw.
    assert attempt.layout["questions"][0]["id"] == "q1"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quiz.regraded"))
    assert audit.actor_id == trainer.id and audit.detail["changed"] == 1


def test_regrade_is_for_trainers_only(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    assert logged_in.post(f"/quizzes/{quiz.id}/regrade").status_code == 403


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", 100.0), ("average", (100 / 3 + 100 + 200 / 3) / 3), ("first", 100 / 3),
    ("last", 200 / 3),
])
def test_grades_for_each_grading_method(app, participant, tmp_path, method, expected):
    course, quiz = setup_quiz(tmp_path, participant)
    for answers in ({"q1": "a"}, RIGHT | {"q2": True}, {"q1": "a", "q2": True}):
        attempt = quiz_attempts.start_or_resume(participant, quiz)
        quiz_attempts.save_responses(attempt, answers)
        quiz_attempts.submit(attempt)
    quiz_attempts.start_or_resume(participant, quiz)  # an unfinished attempt does not count
    set_settings(quiz, grading=method)
    grades = quiz_scores(participant.id, [quiz.id])
    assert grades[quiz.id] == pytest.approx(expected)
    assert quiz_scores(participant.id, [quiz.id]) == grades
    assert quiz_scores(participant.id + 1, [quiz.id]) == {}


def test_a_passed_quiz_raises_course_progress(logged_in, participant, tmp_path):
    course, quiz = setup_quiz(tmp_path, participant)
    course = db.session.get(Course, course.id)
    before = progress_for(participant.id, [course])[course.id]
    assert before.quizzes_total == 1 and before.quizzes_passed == 0
    attempt_id = attempt_id_from(logged_in.post(f"/quizzes/{quiz.id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    logged_in.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, RIGHT))
    logged_in.post(f"/attempts/{attempt_id}/submit")
    db.session.expire_all()
    after = progress_for(participant.id, [db.session.get(Course, course.id)])[course.id]
    assert after.quizzes_passed == 1 and quiz.id in after.passed_quiz_ids
    assert after.done > before.done


def test_a_failed_quiz_does_not_count(app, participant, tmp_path):
    course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a"})
    quiz_attempts.submit(attempt)
    progress = progress_for(participant.id, [db.session.get(Course, course.id)])[course.id]
    assert progress.quizzes_passed == 0


def test_export_gift_command(app, runner, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    result = runner.invoke(args=["lms", "export-gift", str(quiz.id)])
    assert result.exit_code == 0, result.output
    assert "Ibu kota Indonesia?" in result.output and "=Jakarta" in result.output
    missing = runner.invoke(args=["lms", "export-gift", "999"])
    assert missing.exit_code != 0


def test_the_regrade_page_names_only_learners_the_editor_oversees(client, make_user, tmp_path):
    from tests.helpers.pages import login

    """Re-grading covers every attempt, but an editor does not see the scores of a cohort's
    members (their cohort's trainers do): those are counted, not listed."""
    from tests.helpers.people import join_cohort

    editor, cohort_trainer = make_user("trainer"), make_user("trainer")
    alone, member = make_user(full_name="Belajar Sendiri"), make_user(full_name="Anggota Angkatan")
    pack = write_pack(tmp_path, quizzes={"kuis": basic_quiz(right="b")})
    course = import_pack(pack)
    enrol(alone, course)
    join_cohort(cohort_trainer, member, course)
    quiz = quiz_by_slug(course, "kuis")
    for learner in (alone, member):
        attempt = quiz_attempts.start_or_resume(learner, quiz)
        quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True, "q3": "id"})
        quiz_attempts.submit(attempt)
    write_pack(tmp_path, version="2", quizzes={"kuis": basic_quiz(right="a")})
    import_pack(pack)
    make_editor(editor, course)
    login(client, editor)
    page = client.post(f"/quizzes/{quiz.id}/regrade").get_data(as_text=True)
    assert "2 attempts were re-graded" in page
    assert "Belajar Sendiri" in page and "Anggota Angkatan" not in page
    assert "1 of them belongs to a learner in a cohort you do not train" in page
