"""Exactly-once course completion when the last two modules are finished at the same instant
on two connections (two instances, two tabs). PostgreSQL only: SQLite in memory is one
shared connection, so it cannot race.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms import events
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Enrollment
from tests.helpers.packs import import_folder, make_pack

ROUNDS = 8


@pytest.fixture
def pg_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def slow_counting(monkeypatch):
    """Widen the race: counting takes 50 ms, so without the row lock taken first both
    requests would count before either commits, and each would miss the other's module."""
    real = learning.progress_for
    gate = threading.Event()

    def slow(*args, **kwargs):
        gate.wait(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(learning, "progress_for", slow)


def _together(app, *calls) -> list:
    """Run each call in its own thread, app context and database connection, all released at
    the same instant by a barrier; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        with app.app_context():
            try:
                prepare, act = calls[i]
                state = prepare()
                barrier.wait(10)
                results[i] = act(state)
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _finish_module(user_id: int, course_id: int, module_id: int):
    def prepare():
        return (db.session.get(User, user_id), db.session.get(Course, course_id),
                db.session.get(Module, module_id))
    return prepare, lambda loaded: learning.mark_module_done(*loaded)


def _completed(user_id: int, course_id: int) -> tuple[bool, int]:
    """(is the enrolment complete, how many certificates the learner holds)."""
    db.session.expire_all()
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id))
    return enrollment.completed_at is not None, db.session.scalar(
        select(func.count(Certificate.id)).where(Certificate.user_id == user_id))


def test_the_last_two_modules_finished_at_once_complete_the_course_exactly_once(
        app, pg_only, make_user, tmp_path, slow_counting):
    import_folder(make_pack(tmp_path, "kursus-balapan", modules=3))
    course = db.session.scalar(select(Course).where(Course.slug == "kursus-balapan"))
    modules = list(db.session.scalars(select(Module).where(Module.course_id == course.id)
                                      .order_by(Module.id)))
    completed: list[int] = []

    def heard(_sender, **payload):
        completed.append(payload["user_id"])

    events.course_completed.connect(heard)
    try:
        for round_ in range(ROUNDS):
            learner = make_user(email=f"balapan{round_}@perpus.id")
            learning.enrol(learner, course)
            learning.mark_module_done(learner, course, modules[0])
            results = _together(app, *[_finish_module(learner.id, course.id, m.id)
                                       for m in modules[1:]])
            assert all(isinstance(r, bool) for r in results), results
            assert sorted(results) == [False, True], f"round {round_}: {results}"
            assert _completed(learner.id, course.id) == (True, 1), f"round {round_}"
    finally:
        events.course_completed.disconnect(heard)
    learners = db.session.scalars(select(User.id).where(User.email.like("balapan%"))).all()
    assert sorted(completed) == sorted(learners)  # one "course completed" event each


def test_the_last_module_and_the_last_quiz_finished_at_once_complete_the_course_exactly_once(
        app, pg_only, make_user, tmp_path, slow_counting):
    """One instance marks the last module done while another grades the last quiz: the quiz
    engine's completion check (`complete_if_due`) updates no enrolment before counting, so
    only the row lock taken first makes the two see each other."""
    from lms.quizzes.models import QuizAttempt
    from lms.quizzes.services import attempts as quiz_attempts
    from tests.helpers.quizzes import basic_quiz, enrol, import_pack, quiz_by_slug, write_pack

    course = import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    course_id, quiz = course.id, quiz_by_slug(course, "kuis")
    module_id = db.session.scalar(select(Module.id).where(Module.course_id == course_id))
    for round_ in range(ROUNDS):
        learner = make_user(email=f"kuis{round_}@perpus.id")
        enrol(learner, course)
        attempt = quiz_attempts.start_or_resume(learner, quiz)
        quiz_attempts.save_responses(attempt, {"q1": "a", "q2": True, "q3": "id"})
        submit = (lambda attempt_id=attempt.id: db.session.get(QuizAttempt, attempt_id),
                  lambda loaded: quiz_attempts.submit(loaded).score)
        results = _together(app, _finish_module(learner.id, course_id, module_id), submit)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert _completed(learner.id, course_id) == (True, 1), f"round {round_}: completion lost"
