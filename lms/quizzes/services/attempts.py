"""Quiz attempts: start, save, upload, submit and close — the only code that writes
`QuizAttempt`, `QuestionResponse` and `ResponseFile` rows while an attempt is open. Each public
function is one transaction. Concurrency rules:

* one in-progress attempt per learner and quiz is a partial unique index; a losing concurrent
  start catches the IntegrityError and returns the winner's attempt;
* saves are upserts on (attempt_id, question_id) guarded by a conditional UPDATE of the
  attempt (`WHERE status = 'in_progress'`), which also row-locks it against a concurrent submit
  and serialises saves of one attempt; a background save numbers each answer per device, and a
  stale number never overwrites a newer answer from the same device (`save_answers`);
* submit flips the status with the same conditional UPDATE, so only one request ever grades
  (`lms.quizzes.services.grading.grade_attempt`).
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms import clock, events
from lms.auth.models import User
from lms.courses.models import Course, Quiz, QuizVersion
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.learning.services import note_activity
from lms.quizzes import uploads
from lms.quizzes.errors import (
    AttemptClosed,
    AttemptLimitReached,
    ModuleLocked,
    NotEnrolled,
    QuizClosed,
    QuizError,
    QuizNotOpen,
    QuizUnavailable,
    UploadRefused,
)
from lms.quizzes.models import (
    IN_PROGRESS,
    MAX_FILES_PER_QUESTION,
    SUBMITTED,
    QuestionResponse,
    QuizAttempt,
    ResponseFile,
)
from lms.quizzes.queries import (
    accepts_uploads,
    attempt_questions,
    current_version,
    deadline_passed,
    definitions,
    grace,
    in_progress_attempt,
    is_enrolled,
    registry,
    response_file,
    size_text,
    upload_max_bytes,
)
from lms.quizzes.registry import UnknownQuestionType
from lms.quizzes.rules import QuizRules, build_layout, field_name, rules_of
from lms.quizzes.services.grading import emit_attempt, grade_attempt

log = logging.getLogger("pelita.quizzes")


def module_locked(user: User, course: Course, version: QuizVersion) -> bool:
    """True if `version` is a module quiz whose module is still locked for `user`.

    Only sequential courses lock modules (`lms.courses.queries.locked_modules`); trainers are
    never locked out.
    """
    if user.is_trainer or not course.sequential:
        return False
    if version.kind != "module" or version.module_id is None:
        return False
    from lms.courses.queries import locked_modules, syllabus
    from lms.learning.progress import progress_for

    progress = progress_for(user.id, [course])[course.id]
    return version.module_id in locked_modules(
        syllabus(course), progress.done_module_ids, course.sequential
    )


def check_can_start(
    user: User,
    quiz: Quiz,
    version: QuizVersion | None,
    *,
    attempts: list[QuizAttempt] | None = None,
) -> QuizRules:
    """Raise the reason a new attempt cannot start (enrolment, locked module, dates, limit).

    `attempts` are the learner's attempts at the quiz if the caller already loaded them (they
    are counted instead of queried again).
    """
    if version is None:
        raise QuizUnavailable(_l("This quiz is no longer part of its course."))
    course = db.session.get(Course, quiz.course_id)
    if course is None or (course.status != "published" and not user.is_trainer
                          and not is_enrolled(user, quiz.course_id)):
        # An archived course left the catalogue; its enrolled learners keep access.
        raise QuizUnavailable(_l("This course is not available."))
    if not user.is_trainer and not is_enrolled(user, quiz.course_id):
        raise NotEnrolled(_l("Enrol in the course first to take this quiz."))
    if module_locked(user, course, version):
        raise ModuleLocked(
            _l("This quiz opens once you have finished the modules before its module.")
        )
    r = rules_of(version)
    t = clock.now()
    if r.opens_at and t < r.opens_at:
        raise QuizNotOpen(_l("This quiz is not open yet."))
    if r.closes_at and t >= r.closes_at:
        raise QuizClosed(_l("This quiz has closed; no new attempts can be started."))
    if r.attempts:
        if attempts is not None:
            used = len(attempts)
        else:
            used = db.session.scalar(
                select(func.count(QuizAttempt.id)).where(
                    QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id
                )
            )
        if used >= r.attempts:
            raise AttemptLimitReached(
                _l(
                    "You have used all %(num)d attempts allowed for this quiz.",
                    num=r.attempts,
                )
            )
    return r


def start_or_resume(user: User, quiz: Quiz, *, rng: random.Random | None = None) -> QuizAttempt:
    """The learner's in-progress attempt, or a new one if the rules allow it."""
    close_overdue(user_id=user.id, quiz_id=quiz.id)
    existing = in_progress_attempt(user.id, quiz.id)
    if existing is not None:
        return existing
    version = current_version(quiz)
    r = check_can_start(user, quiz, version)
    rng = rng or random.SystemRandom()
    for _try in range(3):
        number = (
            db.session.scalar(
                select(func.max(QuizAttempt.number)).where(
                    QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id
                )
            )
            or 0
        ) + 1
        started = clock.now()
        deadline = None
        if r.time_limit_minutes:
            deadline = started + timedelta(minutes=r.time_limit_minutes)
            if r.closes_at and deadline > r.closes_at:
                deadline = r.closes_at
        elif r.closes_at:
            deadline = r.closes_at
        attempt = QuizAttempt(
            user_id=user.id,
            quiz_id=quiz.id,
            quiz_version_id=version.id,
            number=number,
            status=IN_PROGRESS,
            needs_manual_grading=False,
            started_at=started,
            deadline_at=deadline,
            layout=build_layout(version, r, rng, registry()),
        )
        db.session.add(attempt)
        try:
            note_activity(user.id, quiz.course_id)  # flushes the insert: a clash raises here
            db.session.commit()
            return attempt
        except IntegrityError:
            # Another tab or a double click won: return its attempt.
            db.session.rollback()
            existing = in_progress_attempt(user.id, quiz.id)
            if existing is not None:
                return existing
            r = check_can_start(user, quiz, version)  # a number clash: count again, retry
    raise QuizError(_l("The attempt could not be started; please try again."))


def collect_responses(attempt: QuizAttempt, form: Any) -> dict[str, Any]:
    """Normalised responses by question id for the questions present in a submitted form.

    `form` is a MultiDict-like object (`getlist`). A question counts as present when one of its
    field names is in the form or its field is listed in `shown` (so clearing an answer saves
    the empty response too).
    """
    shown = set(form.getlist("shown")) if hasattr(form, "getlist") else set()
    reg = registry()
    out: dict[str, Any] = {}
    for pos, q, _order in attempt_questions(attempt):
        try:
            qtype = reg.get(q.get("type"))
        except UnknownQuestionType:
            continue
        if not qtype.is_question:
            continue
        fname = field_name(pos)
        names = qtype.field_names(q, fname)
        if fname not in shown and not any(n in form for n in names):
            continue
        raw = [v for n in names for v in form.getlist(n)]
        try:
            out[str(q.get("id"))] = qtype.normalise_response(q, raw)
        except Exception:  # noqa: BLE001 - a broken plug-in must not lose the other answers
            current_app.logger.exception("normalise_response failed for %s", q.get("id"))
    return out


def _upsert_statement(rows: list[dict]):
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    stmt = insert(QuestionResponse).values(rows)
    return stmt.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"response": stmt.excluded.response, "saved_at": stmt.excluded.saved_at,
              "client_id": stmt.excluded.client_id, "client_seq": stmt.excluded.client_seq},
    )


_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


_MAX_SEQ = 2**53 - 1  # what a JavaScript number holds exactly


def sync_marks(form: Any) -> tuple[str | None, dict[str, int]]:
    """(device id, {field: edit number}) sent with a save; (None, {}) when absent or malformed."""
    if not hasattr(form, "get"):
        return None, {}
    client = form.get("sync_client") or ""
    if not _CLIENT_ID.fullmatch(client):
        return None, {}
    seqs: dict[str, int] = {}
    for key in form:
        if not key.startswith("sync_seq-"):
            continue
        value = form.get(key) or ""
        if value.isdigit() and int(value) <= _MAX_SEQ:
            seqs[key.removeprefix("sync_seq-")] = int(value)
    return client, seqs


def _check_open(attempt: QuizAttempt, t: datetime) -> None:
    """Refuse changes to a finished attempt or one whose time (and grace) is over."""
    if attempt.status != IN_PROGRESS:
        raise AttemptClosed(_l("This attempt has been submitted; answers can no longer change."))
    if deadline_passed(attempt, t):
        db.session.rollback()
        close_overdue(attempt_id=attempt.id)
        raise AttemptClosed(
            _l("The time for this attempt is over; answers saved before the deadline are kept.")
        )


def _lock_open(attempt: QuizAttempt, t: datetime) -> None:
    """Lock the attempt row (PostgreSQL) and check it is still open, in one statement."""
    locked = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == IN_PROGRESS)
        .values(last_saved_at=t)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        db.session.rollback()
        raise AttemptClosed(_l("This attempt has been submitted; answers can no longer change."))


@dataclass(frozen=True)
class SavedAnswers:
    """What a save did: the question ids written, and per field the edit number now stored."""

    saved: list[str]
    # field name -> the edit number the server holds from the sending device for that field
    # (the one sent, or a newer one already stored). Only fields sent with an edit number.
    acked: dict[str, int]


def save_answers(attempt: QuizAttempt, form_values: Any) -> SavedAnswers:
    """Save every question of the form (upsert), never replacing a newer value from the same device.

    A form with `sync_client` and `sync_seq-<field>` (the page's background save) numbers each
    answer; an answer whose number is lower than the one stored from the same device is stale (it
    was overtaken on the way) and is skipped but still acknowledged with the stored number, so a
    repeated or late request changes nothing and tells the page what the server holds. Answers
    without a number (a plain form post) are always written, keeping the stored device and number.

    Refused once the attempt is finished or its deadline plus the grace period has passed;
    earlier saves are kept either way. Saves of one attempt are serialised by `_lock_open`
    (a row lock on PostgreSQL, the write lock on SQLite), so the stored numbers read below are
    the latest.
    """
    responses = (
        form_values
        if isinstance(form_values, dict) and not hasattr(form_values, "getlist")
        else collect_responses(attempt, form_values)
    )
    client, seqs = sync_marks(form_values)
    t = clock.now()
    _check_open(attempt, t)
    _lock_open(attempt, t)
    field_of = {qid: field_name(pos) for pos, qid in enumerate(attempt.question_ids)}
    held = {
        qid: (cid, seq)
        for qid, cid, seq in db.session.execute(
            select(QuestionResponse.question_id, QuestionResponse.client_id,
                   QuestionResponse.client_seq)
            .where(QuestionResponse.attempt_id == attempt.id,
                   QuestionResponse.question_id.in_(list(responses)))
        )
    }
    rows, acked = [], {}
    for qid, resp in responses.items():
        if qid not in field_of:
            continue
        fname = field_of[qid]
        held_client, held_seq = held.get(qid, (None, None))
        seq = seqs.get(fname)
        if seq is None:  # no number: write it, and keep what the stored number says
            rows.append({"attempt_id": attempt.id, "question_id": qid, "response": resp,
                         "saved_at": t, "client_id": held_client, "client_seq": held_seq})
            continue
        if held_client == client and held_seq is not None and held_seq > seq:
            acked[fname] = held_seq  # stale: this device already stored a newer value
            continue
        rows.append({"attempt_id": attempt.id, "question_id": qid, "response": resp,
                     "saved_at": t, "client_id": client, "client_seq": seq})
        acked[fname] = seq
    if rows:
        db.session.execute(_upsert_statement(rows))
        note_activity(attempt.user_id, _course_of(attempt))
    db.session.commit()
    return SavedAnswers(saved=[r["question_id"] for r in rows], acked=acked)


def _course_of(attempt: QuizAttempt):
    """The attempt's course id, as SQL (no extra query on the save path)."""
    return select(Quiz.course_id).where(Quiz.id == attempt.quiz_id).scalar_subquery()


def save_responses(attempt: QuizAttempt, form_values: Any) -> list[str]:
    """`save_answers`, returning the question ids written."""
    return save_answers(attempt, form_values).saved


def _refusal(err: uploads.FileRefused) -> UploadRefused:
    name = err.filename
    if err.reason == "empty":
        return UploadRefused(_l("%(name)s is empty; choose the file again.", name=name))
    if err.reason == "too_large":
        return UploadRefused(_l(
            "%(name)s is larger than %(max)s. Make it smaller (compress a photo, or save the "
            "document as PDF) and upload it again.", name=name, max=size_text(upload_max_bytes())))
    if err.reason == "mismatch" and err.kind is not None:
        return UploadRefused(_l(
            "%(name)s is not really a %(kind)s file, so it was not uploaded. Save it again in "
            "one of the allowed formats: %(types)s.",
            name=name, kind=err.kind.label, types=uploads.LABELS))
    return UploadRefused(_l(
        "%(name)s cannot be uploaded: only these file types are allowed: %(types)s.",
        name=name, types=uploads.LABELS))


def add_response_file(attempt: QuizAttempt, question_id: str, filename: str,
                      data: bytes) -> ResponseFile:
    """Store an uploaded file as part of the answer to an essay with `allow_upload = true`.

    Checks (each refusal a translated `UploadRefused`): the attempt is open, the question is
    in it and accepts files, the size (`QUIZ_UPLOAD_MAX_BYTES`), the type by its content (PDF,
    JPEG, PNG, WebP, DOCX, XLSX, ODT, TXT) matching the name's extension, at most
    `MAX_FILES_PER_QUESTION` files per question and no duplicate of a file already there.
    """
    t = clock.now()
    _check_open(attempt, t)
    q = definitions(attempt.quiz_version).get(str(question_id))
    if q is None or str(question_id) not in attempt.question_ids or not accepts_uploads(q):
        raise UploadRefused(_l("This question does not accept files."))
    try:
        checked = uploads.check_file(filename, data, max_bytes=upload_max_bytes())
    except uploads.FileRefused as err:
        raise _refusal(err) from None
    digest = hashlib.sha256(data).hexdigest()
    _lock_open(attempt, t)  # also serialises concurrent uploads to this attempt
    existing = db.session.execute(
        select(ResponseFile.sha256).where(
            ResponseFile.attempt_id == attempt.id, ResponseFile.question_id == str(question_id)
        )
    ).scalars().all()
    if len(existing) >= MAX_FILES_PER_QUESTION:
        db.session.rollback()
        raise UploadRefused(_l(
            "%(name)s was not uploaded: a question takes at most %(num)d files. Remove one "
            "first.", name=checked.filename, num=MAX_FILES_PER_QUESTION))
    if digest in existing:
        db.session.rollback()
        raise UploadRefused(_l("%(name)s has already been uploaded to this question.",
                               name=checked.filename))
    row = ResponseFile(
        attempt_id=attempt.id, question_id=str(question_id), filename=checked.filename,
        mimetype=checked.mimetype, size=len(data), sha256=digest, data=data, uploaded_at=t,
    )
    db.session.add(row)
    db.session.commit()
    return row


def remove_response_file(attempt: QuizAttempt, file_id: int) -> str:
    """Delete an uploaded file while the attempt is open; returns its name."""
    t = clock.now()
    _check_open(attempt, t)
    row = response_file(attempt, file_id)
    if row is None:
        raise UploadRefused(_l("That file is no longer part of this attempt."))
    name = row.filename
    _lock_open(attempt, t)
    db.session.delete(row)
    db.session.commit()
    return name


def _finish(attempt_id: int, closed_by: str) -> bool:
    """Flip an in-progress attempt to submitted and grade it; False if it was already done."""
    t = clock.now()
    flipped = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == IN_PROGRESS)
        .values(status=SUBMITTED, submitted_at=t, closed_by=closed_by)
        .execution_options(synchronize_session=False)
    )
    if flipped.rowcount != 1:
        return False
    attempt = db.session.get(QuizAttempt, attempt_id, populate_existing=True)
    emit_attempt(events.quiz_attempt_submitted, attempt, closed_by=closed_by)
    grade_attempt(attempt, attempt.quiz_version, t)
    return True


def submit(attempt: QuizAttempt) -> QuizAttempt:
    """Finish and grade the attempt once; a repeated submit returns the same result."""
    close_overdue(attempt_id=attempt.id)  # time ran out first: it was closed by the deadline
    try:
        if _finish(attempt.id, "learner"):
            note_activity(attempt.user_id, _course_of(attempt))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(attempt)
    return attempt


def close_overdue(*, user_id: int | None = None, quiz_id: int | None = None,
                  attempt_id: int | None = None, raise_errors: bool = True) -> int:
    """Grade in-progress attempts whose deadline and grace period are over; returns how many.

    With `raise_errors=False` (the background job) an attempt that fails to grade is logged and
    skipped, so one broken attempt never keeps the others from being closed.
    """
    cutoff = clock.now() - grace()
    query = select(QuizAttempt.id).where(
        QuizAttempt.status == IN_PROGRESS,
        QuizAttempt.deadline_at.is_not(None),
        QuizAttempt.deadline_at < cutoff,
    )
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    if attempt_id is not None:
        query = query.where(QuizAttempt.id == attempt_id)
    closed = 0
    for aid in list(db.session.scalars(query)):
        try:
            if _finish(aid, "deadline"):
                closed += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            if raise_errors:
                raise
            log.exception("could not close overdue quiz attempt %s", aid)
    return closed
