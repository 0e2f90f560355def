"""Attempts through the web pages: start, save, resume, submit once, limits, access."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuestionResponse, QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.pages import english
from tests.helpers.quizzes import (
    RIGHT,
    answers_form,
    attempt_id_from,
    enrol,
    set_settings,
    setup_quiz,
)


def _start(client, quiz):
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    return attempt_id_from(response)


def test_quiz_page_shows_rules_and_start_button(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant, attempts=2)
    page = logged_in.get(f"/quizzes/{quiz.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kuis Satu" in html
    assert "70%" in html  # pass mark 60, raised to 70 by the course rule for module quizzes
    assert f'action="/quizzes/{quiz.id}/start"' in html


def test_answers_survive_a_refresh(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    form = answers_form(attempt, {"q1": "b", "q3": "jawaban saya"})
    saved = logged_in.post(f"/attempts/{attempt_id}/save", data={**form, "action": "save"})
    assert saved.status_code == 302
    page = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="b" checked' in page
    assert 'value="jawaban saya"' in page


def test_resume_after_a_dropped_request(logged_in, participant, tmp_path):
    """The save arrived but the learner never saw the answer: a new GET shows everything."""
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    logged_in.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, {"q2": "true"}),
                   headers={"X-Requested-With": "fetch"})
    # The browser lost the connection; the learner opens the quiz again and continues.
    again = logged_in.post(f"/quizzes/{quiz.id}/start")
    assert attempt_id_from(again) == attempt_id
    page = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="true" checked' in page


def test_background_save_answers_json_with_the_csrf_header(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    form = answers_form(attempt, {"q1": "a"})
    response = logged_in.post(
        f"/attempts/{attempt_id}/save", data={**form, "shown": "q0"}, csrf=False,
        headers={"X-CSRFToken": logged_in.csrf_token(), "X-Requested-With": "fetch",
                 "Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["saved"] == ["q1"]
    without_token = logged_in.post(f"/attempts/{attempt_id}/save", data=form, csrf=False,
                                   headers={"X-Requested-With": "fetch"})
    assert without_token.status_code == 400


def test_clearing_an_answer_saves_the_empty_response(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    logged_in.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, {"q3": "id"}))
    logged_in.post(f"/attempts/{attempt_id}/save", data={"shown": quiz_rules.field_name(2)})
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "q3"))
    assert row.response is None


def test_double_submit_grades_once(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    logged_in.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, RIGHT))
    first = logged_in.post(f"/attempts/{attempt_id}/submit")
    db.session.expire_all()
    graded_at = db.session.get(QuizAttempt, attempt_id).graded_at
    second = logged_in.post(f"/attempts/{attempt_id}/submit")
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith(f"/attempts/{attempt_id}/review")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "graded"
    assert attempt.score == 100.0
    assert attempt.graded_at == graded_at
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    review = logged_in.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "100%" in review


def test_submit_service_is_idempotent(app, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a"})
    first = quiz_attempts.submit(attempt)
    graded_at, score = first.graded_at, first.score
    stale = db.session.get(QuizAttempt, attempt.id)
    again = quiz_attempts.submit(stale)
    assert (again.graded_at, again.score) == (graded_at, score)
    assert round(score, 2) == 33.33


def test_two_tabs_start_one_attempt(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    first = _start(logged_in, quiz)
    second = _start(logged_in, quiz)
    assert first == second
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_database_refuses_a_second_in_progress_attempt(app, participant, tmp_path):
    """Even if two requests pass the Python check at once, the partial index stops the second."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    _course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    db.session.add(QuizAttempt(user_id=participant.id, quiz_id=quiz.id,
                               quiz_version_id=attempt.quiz_version_id, number=2,
                               status="in_progress", layout=attempt.layout))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # A finished attempt does not block a new one.
    quiz_attempts.submit(attempt)
    assert quiz_attempts.start_or_resume(participant, quiz).number == 2


def test_a_losing_concurrent_start_returns_the_winners_attempt(app, participant, tmp_path,
                                                               monkeypatch):
    _course, quiz = setup_quiz(tmp_path, participant)
    winner = quiz_attempts.start_or_resume(participant, quiz)
    winner_id = winner.id
    # Simulate the race: this request did not see the winner's attempt when it checked.
    real = quiz_queries.in_progress_attempt
    calls = {"n": 0}

    def blind_once(user_id, quiz_id):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(user_id, quiz_id)

    monkeypatch.setattr(quiz_attempts, "in_progress_attempt", blind_once)
    assert quiz_attempts.start_or_resume(participant, quiz).id == winner_id
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_attempt_limit_gives_a_clear_message(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant, attempts=1)
    english(logged_in)
    attempt_id = _start(logged_in, quiz)
    logged_in.post(f"/attempts/{attempt_id}/submit")
    refused = logged_in.post(f"/quizzes/{quiz.id}/start", follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "You have used all 1 attempts allowed for this quiz." in html
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_not_enrolled_cannot_start(client, auth, make_user, tmp_path):
    owner = make_user()
    _course, quiz = setup_quiz(tmp_path, owner)
    stranger = make_user()
    auth.login(stranger.email)
    english(client)
    html = client.post(f"/quizzes/{quiz.id}/start", follow_redirects=True).get_data(as_text=True)
    assert "Enrol in the course first" in html
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


def test_another_user_cannot_open_or_change_an_attempt(client, auth, make_user, tmp_path):
    owner = make_user()
    course, quiz = setup_quiz(tmp_path, owner)
    attempt = quiz_attempts.start_or_resume(owner, quiz)
    other = make_user()
    enrol(other, course)
    auth.login(other.email)
    assert client.get(f"/attempts/{attempt.id}").status_code == 403
    assert client.get(f"/attempts/{attempt.id}/review").status_code == 403
    assert client.post(f"/attempts/{attempt.id}/save",
                       data=answers_form(attempt, {"q1": "a"})).status_code == 403
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 403
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == "in_progress"
    assert db.session.scalar(select(func.count(QuestionResponse.id))) == 0


def test_the_courses_editor_views_a_learners_attempt_but_another_trainer_cannot(
        client, auth, make_user, tmp_path):
    from tests.helpers.people import make_editor

    owner = make_user()
    course, quiz = setup_quiz(tmp_path, owner)
    attempt = quiz_attempts.start_or_resume(owner, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a"})
    quiz_attempts.submit(attempt)
    trainer = make_user("trainer")
    auth.login(trainer.email)
    assert client.get(f"/attempts/{attempt.id}/review").status_code == 403
    make_editor(trainer, course)  # the editors oversee learners who take it outside cohorts
    review = client.get(f"/attempts/{attempt.id}/review")
    assert review.status_code == 200
    assert owner.full_name in review.get_data(as_text=True)


def test_confirmation_page_lists_unanswered_questions(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    finish = logged_in.post(f"/attempts/{attempt_id}/save",
                            data={**answers_form(attempt, {"q1": "a"}), "action": "finish"})
    assert finish.headers["Location"].endswith(f"/attempts/{attempt_id}/finish")
    html = logged_in.get(f"/attempts/{attempt_id}/finish").get_data(as_text=True)
    assert "Question 2" in html and "Question 3" in html
    assert "Question 1<" not in html


def test_one_question_per_page_and_navigation(logged_in, participant, tmp_path):
    from tests.helpers.quizzes import set_settings

    _course, quiz = setup_quiz(tmp_path, participant)
    set_settings(quiz, per_page=1)
    attempt_id = _start(logged_in, quiz)
    attempt = db.session.get(QuizAttempt, attempt_id)
    page1 = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'name="q0"' in page1 and 'name="q1"' not in page1
    nxt = logged_in.post(f"/attempts/{attempt_id}/save",
                         data={**answers_form(attempt, {"q1": "a"}), "page": "1",
                               "action": "next"})
    assert nxt.headers["Location"].endswith(f"/attempts/{attempt_id}?page=2")
    page2 = logged_in.get(f"/attempts/{attempt_id}?page=2").get_data(as_text=True)
    assert 'name="q1"' in page2 and 'name="q0"' not in page2
    assert "is-answered" in page2
    goto = logged_in.post(f"/attempts/{attempt_id}/save", data={"page": "2", "goto": "3"})
    assert goto.headers["Location"].endswith("?page=3")


def test_shuffled_layout_is_stable_within_the_attempt(app, participant, tmp_path):
    from tests.helpers.quizzes import set_settings

    _course, quiz = setup_quiz(tmp_path, participant)
    set_settings(quiz, shuffle_questions=True, shuffle_options=True, draw=2)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    layout = attempt.layout
    assert len(layout["questions"]) == 2
    again = quiz_attempts.start_or_resume(participant, quiz)
    assert again.layout == layout


def test_an_unknown_quiz_or_attempt_is_404(logged_in):
    assert logged_in.get("/quizzes/999").status_code == 404
    assert logged_in.get("/attempts/999").status_code == 404


def test_a_new_content_version_does_not_change_an_open_attempt(logged_in, participant, tmp_path):
    from tests.helpers.quizzes import import_pack, write_pack

    course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    changed = (
        "module = \"satu\"\nkind = \"module\"\n\n[title]\nid = \"Kuis Baru\"\n\n"
        "[[questions]]\nid = \"baru\"\ntype = \"true_false\"\ntext = \"Soal baru?\"\nanswer = true\n"
    )
    import_pack(write_pack(tmp_path, version="2", quizzes={"kuis": changed}))
    page = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Ibu kota Indonesia?" in page and "Soal baru?" not in page
    attempt = db.session.get(QuizAttempt, attempt_id)
    logged_in.post(f"/attempts/{attempt_id}/save", data=answers_form(attempt, RIGHT))
    logged_in.post(f"/attempts/{attempt_id}/submit")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).score == 100.0
    # New attempts use the new version.
    new = _start(logged_in, quiz)
    assert db.session.get(QuizAttempt, new).question_ids == ["baru"]
    assert course.id == quiz.course_id


def test_a_cleared_answer_is_stored_as_null(app, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a", "q2": None})
    stored = db.session.scalar(select(func.count(QuestionResponse.id)).where(
        QuestionResponse.response.is_not(None)))
    assert stored == 1


# --------------------------------------------------------------------------- background sync
# The quiz page's background save names its device (sync_client) and numbers each edit
# (sync_seq-<field>); see lms/static/js/quiz.js and docs/offline.md.

DEVICE = "perangkat-a1b2c3"


def _background(client, attempt_id, data, *, device=DEVICE):
    """A background save as quiz.js sends it: the CSRF token in a header, JSON wanted."""
    return client.post(
        f"/attempts/{attempt_id}/save", data={"sync_client": device, **data}, csrf=False,
        headers={"X-CSRFToken": client.csrf_token(), "X-Requested-With": "fetch",
                 "Accept": "application/json"})


def _stored(attempt_id, question_id):
    db.session.expire_all()
    return db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt_id, QuestionResponse.question_id == question_id))


def test_a_background_save_acknowledges_each_answer_with_its_edit_number(logged_in, participant,
                                                                        tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    response = _background(logged_in, attempt_id, {
        "shown": ["q0", "q2"], "q0": "b", "sync_seq-q0": "3", "q2": "id", "sync_seq-q2": "4"})
    assert response.status_code == 200
    assert response.get_json()["acked"] == {"q0": 3, "q2": 4}
    assert sorted(response.get_json()["saved"]) == ["q1", "q3"]
    row = _stored(attempt_id, "q1")
    assert (row.client_id, row.client_seq) == (DEVICE, 3)


def test_a_stale_save_arriving_late_never_overwrites_a_newer_answer(logged_in, participant,
                                                                   tmp_path):
    """Edit 4 was sent, timed out and stayed on the way; edit 5 overtook it."""
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    newer = _background(logged_in, attempt_id, {"shown": "q2", "q2": "id", "sync_seq-q2": "5"})
    assert newer.get_json()["acked"] == {"q2": 5}
    late = _background(logged_in, attempt_id, {"shown": "q2", "q2": "i", "sync_seq-q2": "4"})
    assert late.status_code == 200
    # Acknowledged with the newer number: the page may forget edit 4, the server has better.
    assert late.get_json() | {"saved_at": None} == {"saved": [], "acked": {"q2": 5},
                                                    "saved_at": None}
    row = _stored(attempt_id, "q3")
    assert (row.response, row.client_seq) == ("id", 5)


def test_repeating_a_background_save_changes_nothing(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    data = {"shown": ["q0", "q1"], "q0": "a", "sync_seq-q0": "7", "q1": "true", "sync_seq-q1": "8"}
    first = _background(logged_in, attempt_id, data)
    again = _background(logged_in, attempt_id, data)  # the answer to the first one was lost
    assert first.get_json()["acked"] == again.get_json()["acked"] == {"q0": 7, "q1": 8}
    db.session.expire_all()
    rows = db.session.scalars(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt_id).order_by(QuestionResponse.question_id)).all()
    assert [(r.question_id, r.response, r.client_seq) for r in rows] == [
        ("q1", "a", 7), ("q2", True, 8)]


def test_a_plain_post_or_another_device_always_writes(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    _background(logged_in, attempt_id, {"shown": "q2", "q2": "satu", "sync_seq-q2": "9"})
    # Without JavaScript: no numbers, the answer is written and the stored number kept...
    plain = logged_in.post(f"/attempts/{attempt_id}/save",
                           data={"shown": "q2", "q2": "dua", "action": "save"})
    assert plain.status_code == 302
    row = _stored(attempt_id, "q3")
    assert (row.response, row.client_id, row.client_seq) == ("dua", DEVICE, 9)
    # ...so an older edit of the first device arriving now still loses.
    _background(logged_in, attempt_id, {"shown": "q2", "q2": "lama", "sync_seq-q2": "8"})
    assert _stored(attempt_id, "q3").response == "dua"
    # Another device's numbers are its own: the last save to arrive wins.
    other = _background(logged_in, attempt_id, {"shown": "q2", "q2": "tiga", "sync_seq-q2": "1"},
                        device="perangkat-lain")
    assert other.get_json()["acked"] == {"q2": 1}
    row = _stored(attempt_id, "q3")
    assert (row.response, row.client_id, row.client_seq) == ("tiga", "perangkat-lain", 1)


def test_malformed_sync_marks_are_a_plain_save(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = _start(logged_in, quiz)
    bad_device = _background(logged_in, attempt_id,
                             {"shown": "q0", "q0": "a", "sync_seq-q0": "3"}, device="bukan id!")
    assert bad_device.get_json()["acked"] == {}
    assert bad_device.get_json()["saved"] == ["q1"]
    bad_numbers = _background(logged_in, attempt_id, {
        "shown": ["q0", "q1"], "q0": "b", "sync_seq-q0": "-1", "q1": "true",
        "sync_seq-q1": str(2**53)})
    assert bad_numbers.get_json()["acked"] == {}
    row = _stored(attempt_id, "q1")
    assert (row.response, row.client_id, row.client_seq) == ("b", None, None)


def test_the_attempt_page_tells_which_edit_the_server_holds(logged_in, participant, tmp_path):
    """For every page's questions, so the device can forget copies of other pages' answers."""
    _course, quiz = setup_quiz(tmp_path, participant)
    set_settings(quiz, per_page=1)
    attempt_id = _start(logged_in, quiz)
    _background(logged_in, attempt_id, {"shown": "q1", "q1": "true", "sync_seq-q1": "12"})
    logged_in.post(f"/attempts/{attempt_id}/save", data={"shown": "q2", "q2": "id"})  # no number
    page = logged_in.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert f"data-saved='{{\"q1\": [\"{DEVICE}\", 12]}}'" in page


def test_save_and_finish_carries_pending_answers_of_other_pages(logged_in, participant, tmp_path):
    """quiz.js adds answers kept on the device for other pages to the posted form."""
    _course, quiz = setup_quiz(tmp_path, participant)
    set_settings(quiz, per_page=1)
    attempt_id = _start(logged_in, quiz)
    finish = logged_in.post(f"/attempts/{attempt_id}/save", data={
        "page": "3", "action": "finish", "shown": ["q2", "q0"], "q2": "id", "q0": "a",
        "sync_client": DEVICE, "sync_seq-q2": "4", "sync_seq-q0": "2"})
    assert finish.headers["Location"].endswith(f"/attempts/{attempt_id}/finish")
    assert (_stored(attempt_id, "q1").response, _stored(attempt_id, "q1").client_seq) == ("a", 2)
    assert _stored(attempt_id, "q3").response == "id"
    confirm = logged_in.get(f"/attempts/{attempt_id}/finish").get_data(as_text=True)
    assert "Pertanyaan 2" in confirm and "Pertanyaan 1" not in confirm  # only q2 is unanswered
