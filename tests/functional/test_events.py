"""Learning events fire after commit, never after a rollback, and a failing handler stays contained."""

from __future__ import annotations

import json
import logging

import pytest
from blinker import Signal
from sqlalchemy import func, select

from lms import events
from lms.auth.models import User
from lms.events import emit_after_commit
from lms.extensions import db


@pytest.fixture
def listen(app):
    """listen(signal, fn=None) -> list of (sender, data) the handler saw; disconnected afterwards."""
    connected: list[tuple[Signal, object]] = []

    def connect(signal, fn=None):
        seen = []

        def handler(sender, **data):
            seen.append((sender, data))
            if fn is not None:
                fn(sender, **data)

        signal.connect(handler, sender=app, weak=False)
        connected.append((signal, handler))
        return seen

    yield connect
    for signal, handler in connected:
        signal.disconnect(handler)


def test_every_event_is_a_named_signal_with_documented_data():
    names = {signal.name for signal in events.ALL_SIGNALS}
    assert names == set(events.EVENT_DATA)
    assert len(events.ALL_SIGNALS) == len(set(events.ALL_SIGNALS)) == 11


def test_every_event_is_documented_for_plugin_authors():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text("utf-8")
    for signal in events.ALL_SIGNALS:
        assert f"`{signal.name}`" in doc, f"docs/plugins.md does not document {signal.name}"
        for key in events.EVENT_DATA[signal.name]:
            assert f"`{key}`" in doc, f"docs/plugins.md does not document {signal.name}.{key}"


def test_an_event_waits_for_the_commit(app, listen):
    seen = listen(events.enrolled)
    emit_after_commit(events.enrolled, user_id=1, course_id=2, course_slug="k", reenrolled=False)
    db.session.flush()
    assert seen == []
    db.session.commit()
    assert seen == [(app, {"user_id": 1, "course_id": 2, "course_slug": "k", "reenrolled": False})]
    db.session.commit()  # sent once only
    assert len(seen) == 1


def test_a_rolled_back_transaction_emits_nothing(app, listen):
    seen = listen(events.enrolled)
    emit_after_commit(events.enrolled, user_id=1)
    db.session.rollback()
    db.session.commit()
    assert seen == []


def test_a_closed_session_drops_its_events(app, listen):
    seen = listen(events.enrolled)
    emit_after_commit(events.enrolled, user_id=1)
    db.session.close()
    db.session.commit()
    assert seen == []


def test_a_raising_handler_is_logged_and_the_others_still_run(app, listen, caplog):
    def boom(sender, **data):
        raise RuntimeError("handler broke")

    listen(events.module_completed, boom)
    seen = listen(events.module_completed)
    emit_after_commit(events.module_completed, user_id=7)
    with caplog.at_level(logging.ERROR, logger="pelita.events"):
        db.session.commit()  # does not raise
    assert seen == [(app, {"user_id": 7})]
    assert "handler broke" in caplog.text and "module-completed" in caplog.text


def test_a_handler_may_use_the_database_and_commit(app, listen, make_user):
    user = make_user()
    counts = []

    def count(sender, **data):
        counts.append(db.session.scalar(select(func.count(User.id))))
        db.session.get(User, user.id).library_name = "Diubah oleh handler"
        db.session.commit()

    listen(events.course_completed, count)
    emit_after_commit(events.course_completed, user_id=user.id)
    db.session.commit()
    assert counts == [1]
    db.session.expire_all()
    assert db.session.get(User, user.id).library_name == "Diubah oleh handler"


def test_a_handler_failing_mid_write_leaves_the_session_usable(app, listen, make_user):
    user = make_user()

    def broken_write(sender, **data):
        db.session.add(User(email=user.email, password_hash="x", full_name="Duplikat", role="participant"))
        db.session.flush()  # IntegrityError: the email is taken

    listen(events.course_completed, broken_write)
    emit_after_commit(events.course_completed, user_id=user.id)
    db.session.commit()
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_events_queued_by_a_handler_are_sent_too(app, listen):
    second = listen(events.certificate_issued)

    def chain(sender, **data):
        emit_after_commit(events.certificate_issued, certificate_id=1)
        db.session.commit()

    listen(events.course_completed, chain)
    emit_after_commit(events.course_completed, user_id=1)
    db.session.commit()
    assert second == [(app, {"certificate_id": 1})]


def test_another_apps_handlers_do_not_hear(app, listen):
    other = []

    def elsewhere(sender, **data):
        other.append(data)

    events.enrolled.connect(elsewhere, sender=object(), weak=False)
    try:
        emit_after_commit(events.enrolled, user_id=1)
        db.session.commit()
    finally:
        events.enrolled.disconnect(elsewhere)
    assert other == []


def test_registration_emits_plain_data(app, listen, make_user):
    seen = listen(events.user_registered)
    user = make_user(locale="en")
    [(sender, data)] = seen
    assert data == {"user_id": user.id, "role": "participant", "locale": "en",
                    "library_level": "desa", "province_code": "32", "regency_code": "32.04"}
    assert set(data) == set(events.EVENT_DATA["user-registered"])
    json.dumps(data)


def test_quiz_submit_and_manual_grading_emit_their_events(app, listen, make_user, tmp_path):
    from lms.quizzes.models import QuestionResponse
    from lms.quizzes.services import attempts as quiz_attempts
    from lms.quizzes.services import grading as quiz_grading
    from tests.helpers.people import make_editor
    from tests.helpers.quizzes import (
        ESSAY_QUIZ,
        enrol,
        import_pack,
        quiz_by_slug,
        write_pack,
    )

    submitted, graded = listen(events.quiz_attempt_submitted), listen(events.quiz_attempt_graded)

    learner, trainer = make_user(), make_user("trainer")
    course = import_pack(write_pack(tmp_path, quizzes={"esai": ESSAY_QUIZ}))
    enrol(learner, course)
    quiz = quiz_by_slug(course, "esai")
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    quiz_attempts.save_responses(attempt, {"e1": "a", "e2": "Fasilitator mendampingi warga."})
    quiz_attempts.submit(attempt)
    base = {"user_id": learner.id, "attempt_id": attempt.id, "attempt_number": 1,
            "quiz_id": quiz.id, "quiz_slug": "esai", "course_id": course.id}
    assert [data for _, data in submitted] == [{**base, "closed_by": "learner"}]
    assert graded == []  # the essay waits for a trainer
    essay = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "e2"))
    make_editor(trainer, course)
    quiz_grading.grade_answer(trainer, essay, points=3)
    [(_, data)] = graded
    assert data == {**base, "score": data["score"], "points": data["points"],
                    "max_points": data["max_points"], "graded_by_id": trainer.id}
    assert data["score"] == 100.0 and set(data) == set(events.EVENT_DATA["quiz-attempt-graded"])
    json.dumps(data)
    assert all(set(d) == set(events.EVENT_DATA["quiz-attempt-submitted"]) for _, d in submitted)


def test_revoke_and_reissue_emit_their_events(app, listen, make_user, tmp_path):
    from lms.certificates import services as certificates
    from lms.courses.models import Course
    from tests.helpers.packs import import_folder, make_pack
    from tests.helpers.people import make_editor

    issued, revoked = listen(events.certificate_issued), listen(events.certificate_revoked)
    reissued = listen(events.certificate_reissued)
    learner, trainer, admin = make_user(), make_user("trainer"), make_user("admin")
    import_folder(make_pack(tmp_path))
    course = db.session.scalar(select(Course))
    make_editor(trainer, course)
    from lms.learning.services import start_enrollment

    start_enrollment(learner, course)  # a learner of the course the trainer edits
    db.session.commit()
    first = certificates.issue_manually(trainer, learner, course, "Ikut pelatihan tatap muka")
    [(_, data)] = issued
    assert data == {"certificate_id": first.id, "code": first.code, "user_id": learner.id,
                    "course_id": course.id, "course_slug": "kursus-uji",
                    "issued_by_id": trainer.id, "reason": "Ikut pelatihan tatap muka"}
    second = certificates.reissue(admin, first, "Nama salah", holder_name="Nama Benar")
    [(_, data)] = reissued
    assert data == {"certificate_id": second.id, "code": second.code,
                    "previous_certificate_id": first.id, "previous_code": first.code,
                    "user_id": learner.id, "course_id": course.id, "course_slug": "kursus-uji",
                    "reissued_by_id": admin.id, "reason": "Nama salah"}
    certificates.revoke(admin, second, "Kecurangan")
    [(_, data)] = revoked
    assert data == {"certificate_id": second.id, "code": second.code, "user_id": learner.id,
                    "course_id": course.id, "course_slug": "kursus-uji",
                    "revoked_by_id": admin.id, "reason": "Kecurangan"}
    assert len(issued) == 1  # a re-issue is its own event


def test_enrolment_and_reenrolment_emit_enrolled(app, listen, make_user, tmp_path):
    from lms.courses.models import Course
    from lms.learning import services as learning
    from tests.helpers.packs import import_folder, make_pack

    seen = listen(events.enrolled)
    learner = make_user()
    import_folder(make_pack(tmp_path))
    course = db.session.scalar(select(Course))
    learning.enrol(learner, course)
    learning.unenrol(learner, course)
    learning.enrol(learner, course)
    assert [d for _, d in seen] == [
        {"user_id": learner.id, "course_id": course.id, "course_slug": "kursus-uji",
         "reenrolled": False},
        {"user_id": learner.id, "course_id": course.id, "course_slug": "kursus-uji",
         "reenrolled": True},
    ]


def test_joining_a_cohort_emits_its_event_only_on_acceptance(app, listen, make_user, tmp_path):
    from lms.cohorts import services as cohorts
    from lms.courses.models import Course
    from tests.helpers.packs import import_folder, make_pack

    joined = listen(events.cohort_member_joined)
    learner, trainer = make_user(), make_user("trainer")
    import_folder(make_pack(tmp_path))
    course = db.session.scalar(select(Course))
    cohort = cohorts.create_cohort(trainer, name="Angkatan", course_ids=[course.id])
    added = cohorts.add_member(trainer, cohort, email=learner.email, full_name="Peserta")
    assert joined == []  # invited, not yet a member
    cohorts.join(learner, added.member.id)
    assert [data for _, data in joined] == [{"cohort_id": cohort.id, "user_id": learner.id}]
