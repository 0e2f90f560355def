"""The plugin API's reads and writes (lms.plugins): plain frozen copies instead of ORM objects,
the access rule in quiz_responses, jobs of a kind, enqueue with a dedupe key, transaction(),
audit_record and register_question_type."""

from __future__ import annotations

import dataclasses
from datetime import UTC

import pytest
from sqlalchemy import select

from lms import plugins as api
from lms.audit import AuditEvent
from lms.courses.models import Course, Quiz
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.packs import import_folder, make_pack

QUIZ = """\
module = "modul-1"
kind = "module"
pass_mark = 50
attempts = 0
shuffle_questions = false

[title]
id = "Kuis Satu"
en = "Quiz One"

[[questions]]
id = "benar"
type = "true_false"
text = "Perpustakaan desa melayani warga."
answer = true

[[questions]]
id = "isian"
type = "short_answer"
text = "Ibu kota Indonesia?"
answers = [{ text = "Jakarta" }]
"""


@pytest.fixture
def quiz(app, tmp_path):
    pack = make_pack(tmp_path, modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "kuis-satu.toml").write_text(QUIZ, encoding="utf-8")
    import_folder(pack)
    return db.session.scalar(select(Quiz).where(Quiz.slug == "kuis-satu"))


def _answer(user, quiz, values: dict) -> int:
    db.session.add(Enrollment(user_id=user.id, course_id=quiz.course_id))
    db.session.commit()
    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, values)
    quiz_attempts.submit(db.session.get(QuizAttempt, attempt.id))
    return attempt.id


def test_current_quiz_is_a_frozen_copy_of_the_current_version(quiz, count_queries):
    course = db.session.get(Course, quiz.course_id)
    with count_queries() as queries:
        view = api.current_quiz(quiz.id)
    assert len(queries) == 1
    assert isinstance(view, api.QuizView)
    assert (view.id, view.slug, view.course_id) == (quiz.id, "kuis-satu", course.id)
    assert view.version_id == course.current_version_id and view.kind == "module"
    assert view.title("en") == "Quiz One" and view.title("jv") == "Kuis Satu"
    assert [q["id"] for q in view.questions] == ["benar", "isian"]
    assert view.settings["pass_mark"] == 50
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.slug = "lain"
    view.questions[0]["text"] = "changed by a plugin"  # its own copy: nothing else changes
    assert api.current_quiz(quiz.id).questions[0]["text"] == "Perpustakaan desa melayani warga."
    assert api.current_quiz(999_999) is None


def test_quiz_attempt_and_quiz_responses(quiz, make_user, admin_user, participant):
    other = make_user()
    attempt_id = _answer(participant, quiz, {"benar": True, "isian": "Jakarta"})
    _answer(other, quiz, {"benar": False})
    view = api.quiz_attempt(attempt_id)
    assert isinstance(view, api.AttemptView)
    assert (view.user_id, view.quiz_id, view.number, view.status) == (
        participant.id, quiz.id, 1, "graded")
    assert view.question_ids == ("benar", "isian") and view.score == 100.0
    assert view.responses == {"benar": True, "isian": "Jakarta"}
    assert view.closed_by == "learner" and view.submitted_at.tzinfo == UTC
    assert api.quiz_attempt(999_999) is None

    everyone = api.quiz_responses(quiz.id, ["benar", "isian"])
    assert sorted(everyone["benar"]) == [False, True] and everyone["isian"] == ["Jakarta"]
    assert api.quiz_responses(quiz.id, ["benar"], viewer=admin_user)["benar"] != []
    # A learner oversees nobody's work, not even through this read.
    assert api.quiz_responses(quiz.id, ["benar"], viewer=other) == {"benar": []}
    assert api.quiz_responses(quiz.id, []) == {}


@pytest.fixture
def ping_job():
    api.job_handler("apitest.ping")(lambda payload: None)
    yield "apitest.ping"
    from lms.jobs.registry import registry

    registry.remove("apitest.ping")


def test_enqueue_in_a_transaction_and_jobs_of_kind(app, ping_job):
    with api.transaction():
        assert api.enqueue(ping_job, {"n": 1}) is True
        assert api.enqueue(ping_job, {"n": 2}, dedupe_key="apitest:once") is True
        assert api.enqueue(ping_job, {"n": 3}, dedupe_key="apitest:once") is False
    jobs = api.jobs_of_kind(ping_job)
    assert [job.payload["n"] for job in jobs] == [2, 1]  # newest first
    assert all(isinstance(job, api.JobView) and job.status == "queued" for job in jobs)
    assert jobs[0].created_at.tzinfo == UTC and jobs[0].max_attempts == 5
    assert [job.payload["n"] for job in api.jobs_of_kind(ping_job, limit=1)] == [2]
    assert api.jobs_of_kind("apitest.none") == []


def test_transaction_commits_or_rolls_everything_back(app, admin_user):
    settings = api.plugin_settings("apitest")
    with pytest.raises(RuntimeError), api.transaction():
        settings.set("colour", "red")
        api.audit_record("apitest.changed", actor=admin_user, scope="plugin:apitest")
        raise RuntimeError("the plugin changed its mind")
    assert settings.get("colour") is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.scope == "plugin:apitest")) is None
    with api.transaction():
        settings.set("colour", "teal")
        assert api.audit_record("apitest.changed", actor=admin_user, scope="plugin:apitest",
                                target="colour", detail={"to": "teal"}) is None
    db.session.rollback()  # nothing left to lose: it was committed
    assert settings.get("colour") == "teal"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.scope == "plugin:apitest"))
    assert (event.action, event.actor_id, event.target, event.detail) == (
        "apitest.changed", admin_user.id, "colour", {"to": "teal"})


def test_register_question_type_refuses_a_taken_name(app):
    class Opinion(api.QuestionType):
        name = "apitest-opinion"
        scored = False
        default_points = 0

        def grade(self, q, response):
            return api.Grade.answered() if response else api.Grade.unanswered()

    registered = api.register_question_type(app, Opinion)
    assert isinstance(registered, Opinion)
    assert "apitest-opinion" in app.extensions["pelita_question_types"]
    with pytest.raises(api.PluginError, match="already registered"):
        api.register_question_type(app, Opinion)
    with pytest.raises(api.PluginError, match="true_false"):
        api.register_question_type(app, type("Twin", (api.QuestionType,), {"name": "true_false"}))
    with pytest.raises(api.PluginError, match="not a QuestionType"):
        api.register_question_type(app, object)
