"""Real concurrency on PostgreSQL: many simultaneous starts and submits of one attempt.

SQLite in memory is one shared connection, so these tests run only against PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Quiz
from lms.extensions import db
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.quizzes import setup_quiz

THREADS = 8


@pytest.fixture
def pg_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _run_together(app, fn) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = fn()
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_simultaneous_starts_create_one_attempt(app, pg_only, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    user_id, quiz_id = participant.id, quiz.id
    db.session.commit()

    def start():
        return quiz_attempts.start_or_resume(db.session.get(User, user_id),
                                        db.session.get(Quiz, quiz_id)).id

    ids = _run_together(app, start)
    assert all(isinstance(i, int) for i in ids), ids
    assert len(set(ids)) == 1
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_simultaneous_submits_grade_once(app, pg_only, participant, tmp_path, monkeypatch):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt = quiz_attempts.start_or_resume(participant, quiz)
    quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True})
    attempt_id = attempt.id
    graded = []
    real = quiz_attempts.grade_attempt

    def counting(a, version, t):
        graded.append(a.id)
        return real(a, version, t)

    monkeypatch.setattr(quiz_attempts, "grade_attempt", counting)

    def submit():
        return quiz_attempts.submit(db.session.get(QuizAttempt, attempt_id)).score

    scores = _run_together(app, submit)
    assert graded == [attempt_id]
    assert len(set(scores)) == 1 and round(scores[0], 2) == 66.67


def test_simultaneous_numbered_saves_keep_the_newest_edit(app, pg_only, participant, tmp_path):
    """Eight saves of one answer from one device race; whatever their order, edit 8 stays."""
    from werkzeug.datastructures import MultiDict

    from lms.quizzes.models import QuestionResponse

    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = quiz_attempts.start_or_resume(participant, quiz).id
    numbers = iter(range(1, THREADS + 1))

    def save():
        n = next(numbers)
        form = MultiDict({"shown": "q2", "q2": f"jawaban {n}", "sync_client": "perangkat-a",
                          "sync_seq-q2": str(n)})
        return n, quiz_attempts.save_answers(db.session.get(QuizAttempt, attempt_id), form).acked

    results = _run_together(app, save)
    assert all(isinstance(r, tuple) for r in results), results
    db.session.expire_all()
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.attempt_id == attempt_id))
    assert (row.response, row.client_seq) == (f"jawaban {THREADS}", THREADS)
    # Each save is acknowledged with its own number or a newer one, never an older one.
    assert all(acked["q2"] >= n for n, acked in results)
