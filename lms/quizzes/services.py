"""Quiz attempts: start, save, submit, time-limit closing, grading, re-grading, grades.

The only code that writes `QuizAttempt` and `QuestionResponse` rows. Each public function is
one transaction. Concurrency rules:

* one in-progress attempt per learner and quiz is a partial unique index; a losing concurrent
  start catches the IntegrityError and returns the winner's attempt;
* saves are upserts on (attempt_id, question_id) guarded by a conditional UPDATE of the
  attempt (`WHERE status = 'in_progress'`), which also row-locks it against a concurrent submit
  and serialises saves of one attempt; a background save numbers each answer per device, and a
  stale number never overwrites a newer answer from the same device (`save_answers`);
* submit flips the status with the same conditional UPDATE, so only one request ever grades.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from lms import clock, events
from lms.auth.models import User
from lms.courses.models import Course, Quiz, QuizVersion
from lms.errors_domain import PermissionDenied, ServiceError
from lms.events import emit_after_commit
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes import uploads
from lms.quizzes.base import Grade
from lms.quizzes.models import (
    GRADED,
    IN_PROGRESS,
    MAX_FILES_PER_QUESTION,
    SUBMITTED,
    QuestionResponse,
    QuizAttempt,
    ResponseFile,
)
from lms.quizzes.registry import QuestionTypeRegistry, UnknownQuestionType

log = logging.getLogger("pelita.quizzes")

# --------------------------------------------------------------------------- errors


class QuizError(ServiceError):
    """Base class of quiz-engine errors."""


class QuizUnavailable(QuizError):
    """The quiz has no current version (removed from its course) or the course is archived."""


class NotEnrolled(QuizError):
    """The learner is not enrolled in the quiz's course."""


class ModuleLocked(QuizError):
    """The quiz belongs to a module the learner has not unlocked yet (sequential course)."""


class QuizNotOpen(QuizError):
    """The quiz is not open yet."""


class QuizClosed(QuizError):
    """The quiz has closed."""


class AttemptLimitReached(QuizError):
    """Every allowed attempt has been used."""


class AttemptClosed(QuizError):
    """The attempt is no longer in progress (submitted, or its time ran out)."""


class GradingError(QuizError):
    """A manual grade is out of range or not for an essay awaiting grading."""


class UploadRefused(QuizError):
    """A file cannot be added to (or removed from) an answer: size, type, count, question."""


# --------------------------------------------------------------------------- clock and settings


def grace() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("QUIZ_GRACE_SECONDS", 60)))


IMMEDIATELY_AFTER = timedelta(minutes=2)
REVIEW_ITEMS = (
    "response",
    "correctness",
    "marks",
    "specific_feedback",
    "general_feedback",
    "right_answer",
)
REVIEW_MOMENTS = ("during", "immediately_after", "later_while_open", "after_close")
_OPEN_DEFAULT = tuple(i for i in REVIEW_ITEMS if i != "right_answer")
DEFAULT_REVIEW = {
    "during": (),
    "immediately_after": _OPEN_DEFAULT,
    "later_while_open": _OPEN_DEFAULT,
    "after_close": REVIEW_ITEMS,
}
GRADING_METHODS = ("highest", "average", "first", "last")


def parse_time(value: Any) -> datetime | None:
    """A quiz date setting (ISO 8601 text or datetime) as aware UTC; a date-only value means
    midnight WIB, and a time without a zone is read as WIB (UTC+7)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.WIB)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class QuizRules:
    """A quiz version's settings with their defaults applied."""

    pass_mark: float = 70.0
    attempts: int = 0
    grading: str = "highest"
    time_limit_minutes: int = 0
    shuffle_questions: bool = False
    shuffle_options: bool = True
    draw: int = 0
    # {category: N}: N questions drawn from each category (see `draw_questions`).
    draw_categories: Mapping[str, int] = field(default_factory=dict)
    per_page: int = 0
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    review: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Mapping[str, Any] | None) -> QuizRules:
        s = settings or {}

        def num(key, default, cast=int):
            v = s.get(key, default)
            try:
                return cast(v) if v is not None else default
            except (TypeError, ValueError):
                return default

        review = {m: frozenset(DEFAULT_REVIEW[m]) for m in REVIEW_MOMENTS}
        raw = s.get("review")
        if isinstance(raw, Mapping):
            for moment in REVIEW_MOMENTS:
                items = raw.get(moment)
                if isinstance(items, list | tuple):
                    review[moment] = frozenset(str(i) for i in items if i in REVIEW_ITEMS)
        grading = s.get("grading", "highest")
        draw_categories = {}
        raw_draw = s.get("draw_categories")
        if isinstance(raw_draw, Mapping):
            draw_categories = {
                str(name): int(n) for name, n in raw_draw.items()
                if isinstance(n, int) and not isinstance(n, bool) and n > 0
            }
        return cls(
            pass_mark=num("pass_mark", 70.0, float),
            attempts=max(0, num("attempts", 0)),
            grading=grading if grading in GRADING_METHODS else "highest",
            time_limit_minutes=max(0, num("time_limit_minutes", 0)),
            shuffle_questions=bool(s.get("shuffle_questions", False)),
            shuffle_options=bool(s.get("shuffle_options", True)),
            draw=max(0, num("draw", 0)),
            draw_categories=draw_categories,
            per_page=max(0, num("per_page", 0)),
            opens_at=parse_time(s.get("opens_at")),
            closes_at=parse_time(s.get("closes_at")),
            review=review,
        )


def rules(version: QuizVersion) -> QuizRules:
    return QuizRules.of(version.settings)


def registry() -> QuestionTypeRegistry:
    return current_app.extensions["pelita_question_types"]


# --------------------------------------------------------------------------- queries


def current_version(quiz: Quiz) -> QuizVersion | None:
    """The quiz as it is in its course's current version (None if removed from the course)."""
    course = db.session.get(Course, quiz.course_id)
    if course is None or course.current_version_id is None:
        return None
    return db.session.scalar(
        select(QuizVersion).where(
            QuizVersion.quiz_id == quiz.id, QuizVersion.version_id == course.current_version_id
        )
    )


def attempts_of(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.number)
        )
    )


def in_progress_attempt(user_id: int, quiz_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status == IN_PROGRESS,
        )
    )


def is_enrolled(user: User, course_id: int) -> bool:
    return (
        db.session.scalar(
            select(Enrollment.id).where(
                Enrollment.user_id == user.id,
                Enrollment.course_id == course_id,
                Enrollment.status == "active",
            )
        )
        is not None
    )


def definitions(version: QuizVersion) -> dict[str, dict]:
    """Question definitions of a version by id."""
    return {str(q.get("id")): q for q in version.questions if isinstance(q, dict)}


def attempt_questions(attempt: QuizAttempt) -> list[tuple[int, dict, list[str] | None]]:
    """(position, definition as shown, option order) for each question of the attempt."""
    defs = definitions(attempt.quiz_version)
    out = []
    for pos, item in enumerate(attempt.layout.get("questions", [])):
        q = defs.get(str(item["id"]))
        if q is not None:
            out.append((pos, q, item.get("order")))
    return out


def field_name(position: int) -> str:
    """The form field name of the question at `position` in the attempt."""
    return f"q{position}"


def deadline_passed(attempt: QuizAttempt, at: datetime | None = None) -> bool:
    """True once the deadline plus the grace period is over (saves are refused)."""
    deadline = clock.aware(attempt.deadline_at)
    return deadline is not None and (at or clock.now()) > deadline + grace()


# --------------------------------------------------------------------------- start


def _category(q: dict) -> str:
    category = q.get("category")
    return category if isinstance(category, str) else ""


def draw_questions(questions: list[dict], r: QuizRules, rng: random.Random) -> list[dict]:
    """The questions an attempt shows, in their authored order.

    Each category of `draw_categories` gives a random N of its questions (all of them if it
    has fewer); `draw` then picks N of the remaining questions (those in no listed category),
    0 meaning all of them.
    """
    chosen: set[int] = set()
    rest = questions
    if r.draw_categories:
        rest = []
        by_category: dict[str, list[dict]] = {}
        for q in questions:
            if _category(q) in r.draw_categories:
                by_category.setdefault(_category(q), []).append(q)
            else:
                rest.append(q)
        for name, n in r.draw_categories.items():
            pool = by_category.get(name, [])
            chosen.update(map(id, rng.sample(pool, min(n, len(pool)))))
    if r.draw and r.draw < len(rest):
        chosen.update(map(id, rng.sample(rest, r.draw)))
    else:
        chosen.update(map(id, rest))
    return [q for q in questions if id(q) in chosen]


def _build_layout(version: QuizVersion, r: QuizRules, rng: random.Random) -> dict:
    questions = draw_questions([q for q in version.questions if isinstance(q, dict)], r, rng)
    if r.shuffle_questions:
        rng.shuffle(questions)
    reg = registry()
    items = []
    for q in questions:
        order = None
        try:
            qtype = reg.get(q.get("type"))
            keys = qtype.shuffle_keys(q)
        except UnknownQuestionType:
            keys = None
        if keys:
            # Ordering and matching are always scrambled: their display order is the answer.
            if r.shuffle_options or q.get("type") in ("ordering", "matching"):
                original = list(keys)
                keys = list(keys)
                rng.shuffle(keys)
                # For these two, showing the items in their authored order gives the answer away.
                while q.get("type") in ("ordering", "matching") and keys == original \
                        and len(set(map(str, keys))) > 1:
                    rng.shuffle(keys)
            order = [str(k) for k in keys]
        items.append({"id": str(q.get("id")), "order": order})
    return {"questions": items}


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
    r = rules(version)
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
            layout=_build_layout(version, r, rng),
        )
        db.session.add(attempt)
        try:
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


# --------------------------------------------------------------------------- save


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


# The page's background save names its device and numbers each edit (see lms/static/js/quiz.js):
# `sync_client=<device id>` and `sync_seq-<field>=<edit number>` per question field.
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
    db.session.commit()
    return SavedAnswers(saved=[r["question_id"] for r in rows], acked=acked)


def save_responses(attempt: QuizAttempt, form_values: Any) -> list[str]:
    """`save_answers`, returning the question ids written."""
    return save_answers(attempt, form_values).saved


def saved_responses(attempt: QuizAttempt) -> dict[str, QuestionResponse]:
    return {
        r.question_id: r
        for r in db.session.scalars(
            select(QuestionResponse).where(QuestionResponse.attempt_id == attempt.id)
        )
    }


# --------------------------------------------------------------------------- uploaded files


def upload_max_bytes() -> int:
    """The largest file a learner may upload (config `QUIZ_UPLOAD_MAX_BYTES`, default 5 MB)."""
    return int(current_app.config.get("QUIZ_UPLOAD_MAX_BYTES", uploads.DEFAULT_MAX_BYTES))


def size_text(size: int) -> str:
    """A file size for people: "5 MB", "1.2 MB", "340 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def accepts_uploads(q: Any) -> bool:
    """True for an essay question with `allow_upload = true`."""
    return isinstance(q, dict) and q.get("type") == "essay" and q.get("allow_upload") is True


def response_files(attempt: QuizAttempt) -> dict[str, list[ResponseFile]]:
    """The attempt's uploaded files by question id, oldest first (their bytes not loaded)."""
    out: dict[str, list[ResponseFile]] = {}
    for row in db.session.scalars(
        select(ResponseFile)
        .where(ResponseFile.attempt_id == attempt.id)
        .order_by(ResponseFile.uploaded_at, ResponseFile.id)
    ):
        out.setdefault(row.question_id, []).append(row)
    return out


def file_counts(attempt: QuizAttempt) -> dict[str, int]:
    """How many files each question of the attempt has."""
    rows = db.session.execute(
        select(ResponseFile.question_id, func.count(ResponseFile.id))
        .where(ResponseFile.attempt_id == attempt.id)
        .group_by(ResponseFile.question_id)
    ).all()
    return {qid: n for qid, n in rows}


def response_file(attempt: QuizAttempt, file_id: int, *, with_data: bool = False) -> ResponseFile | None:
    """One file of the attempt (None if it belongs to another attempt or does not exist)."""
    query = select(ResponseFile).where(
        ResponseFile.id == file_id, ResponseFile.attempt_id == attempt.id
    )
    if with_data:
        query = query.options(undefer(ResponseFile.data))
    return db.session.scalar(query)


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


# --------------------------------------------------------------------------- grading


@dataclass
class QuestionResult:
    """One question's grade within an attempt."""

    question_id: str
    points: float
    earned: float
    fraction: float
    state: str
    feedback: list[str]


def _grade_question(
    reg: QuestionTypeRegistry, q: dict, row: QuestionResponse | None, has_files: bool = False
) -> tuple[Grade, float, bool]:
    """(grade, max points, counts) for one question and its saved response.

    Uploaded files answer a manually graded question even without text (`has_files`).
    """
    try:
        qtype = reg.get(q.get("type"))
    except UnknownQuestionType:
        return Grade.unanswered(), 0.0, False
    if not qtype.is_question:
        return Grade.unanswered(), 0.0, False
    points = qtype.points(q)
    response = row.response if row is not None else None
    try:
        grade = qtype.grade(q, response) if response is not None else Grade.unanswered()
    except Exception:  # noqa: BLE001 - a broken plug-in grades 0, never a 500
        current_app.logger.exception("grading failed for question %s", q.get("id"))
        grade = Grade.unanswered()
    if has_files and grade.state == "unanswered" and not qtype.auto_graded:
        grade = Grade(0.0, [], "needs_grading")
    if grade.state == "needs_grading" and row is not None and row.manual_points is not None:
        fraction = min(1.0, max(0.0, row.manual_points / points)) if points else 1.0
        grade = Grade.from_fraction(fraction)
    if not qtype.scored:  # no right answer: "answered", earning only the points given on purpose
        grade = grade.as_answered()
    return grade, points, True


def grade_response(q: dict, response: Any) -> Grade:
    """Grade one response now without storing anything (feedback during an attempt)."""
    row = QuestionResponse(response=response)
    return _grade_question(registry(), q, row)[0]


def _grade_attempt(attempt: QuizAttempt, version: QuizVersion, t: datetime,
                   graded_by_id: int | None = None) -> None:
    """Grade every question of the attempt against `version`'s definitions (in the session).

    Questions the version no longer has are graded with the definitions the attempt showed.
    """
    reg = registry()
    defs = definitions(version)
    shown = definitions(attempt.quiz_version)
    rows = saved_responses(attempt)
    with_files = file_counts(attempt)
    total = earned = 0.0
    waiting = False
    for qid in attempt.question_ids:
        q = defs.get(qid) or shown.get(qid)
        if q is None:
            continue
        row = rows.get(qid)
        grade, points, counts = _grade_question(reg, q, row, with_files.get(qid, 0) > 0)
        if not counts:
            continue
        total += points
        earned += grade.fraction * points
        if grade.state == "needs_grading":
            waiting = True
        if row is None:
            row = QuestionResponse(attempt_id=attempt.id, question_id=qid, response=None, saved_at=t)
            db.session.add(row)
        row.fraction = grade.fraction
        row.state = grade.state
        row.feedback = list(grade.feedback)
    attempt.graded_version_id = version.id
    attempt.points = round(earned, 7)
    attempt.max_points = total
    attempt.score = round(100.0 * earned / total, 5) if total else 100.0
    attempt.needs_manual_grading = waiting
    if waiting:
        attempt.status = SUBMITTED
        attempt.graded_at = None
    else:
        attempt.status = GRADED
        attempt.graded_at = attempt.graded_at or t
        _emit_attempt(events.quiz_attempt_graded, attempt, score=attempt.score,
                      points=attempt.points, max_points=attempt.max_points,
                      graded_by_id=graded_by_id)
        # A passing grade may complete the course: same transaction, certificate included.
        from lms.learning.services import complete_if_due

        db.session.flush()
        complete_if_due(attempt.user_id, db.session.get(Quiz, attempt.quiz_id).course_id)


def _emit_attempt(signal, attempt: QuizAttempt, **extra: Any) -> None:
    quiz = db.session.get(Quiz, attempt.quiz_id)
    emit_after_commit(signal, user_id=attempt.user_id, attempt_id=attempt.id,
                      attempt_number=attempt.number, quiz_id=attempt.quiz_id, quiz_slug=quiz.slug,
                      course_id=quiz.course_id, **extra)


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
    _emit_attempt(events.quiz_attempt_submitted, attempt, closed_by=closed_by)
    _grade_attempt(attempt, attempt.quiz_version, t)
    return True


def submit(attempt: QuizAttempt) -> QuizAttempt:
    """Finish and grade the attempt once; a repeated submit returns the same result."""
    close_overdue(attempt_id=attempt.id)  # time ran out first: it was closed by the deadline
    try:
        _finish(attempt.id, "learner")
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


# --------------------------------------------------------------------------- manual grading


def grading_queue(viewer: User, *, cohort=None) -> list[tuple[QuizAttempt, QuestionResponse]]:
    """Answers waiting for a grade that `viewer` may grade (lms/access.py: the trainers of the
    learner's cohort, the course's editors for learners outside cohorts, admins), oldest
    submission first; with `cohort`, only its joined members' work in its courses. One query,
    learners and quiz versions loaded with it."""
    from sqlalchemy.orm import joinedload

    from lms import access

    query = (
        select(QuizAttempt, QuestionResponse)
        .join(QuestionResponse, QuestionResponse.attempt_id == QuizAttempt.id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.status == SUBMITTED,
            QuestionResponse.state == "needs_grading",
            QuestionResponse.manual_points.is_(None),
            QuizAttempt.user_id != viewer.id,
            access.oversees_clause(viewer, QuizAttempt.user_id, Quiz.course_id),
        )
        .options(joinedload(QuizAttempt.user), joinedload(QuizAttempt.quiz_version))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id, QuestionResponse.id)
    )
    if cohort is not None:
        from lms.cohorts.models import CohortCourse, CohortMember

        query = query.where(
            QuizAttempt.user_id.in_(select(CohortMember.user_id).where(
                CohortMember.cohort_id == cohort.id, CohortMember.accepted_at.is_not(None))),
            Quiz.course_id.in_(select(CohortCourse.course_id).where(
                CohortCourse.cohort_id == cohort.id)))
    return [(a, r) for a, r in db.session.execute(query).unique().all()]


def question_definition(attempt: QuizAttempt, question_id: str) -> dict | None:
    """The definition that grades `question_id` for this attempt."""
    version = attempt.graded_version or attempt.quiz_version
    return definitions(version).get(question_id) or definitions(attempt.quiz_version).get(
        question_id
    )


def grade_essay(trainer: User, response: QuestionResponse, points: float, comment: str = "") -> QuizAttempt:
    """A trainer's score and comment for an essay; grades the attempt when nothing else waits."""
    from lms import access

    attempt = response.attempt
    if not access.can_grade(trainer, attempt):
        raise PermissionDenied(_l("Only the trainers of the learner's cohort, or the course's "
                                  "editors for learners outside a cohort, can grade this answer."))
    if attempt.status == IN_PROGRESS:
        raise GradingError(_l("This attempt has not been submitted yet."))
    q = question_definition(attempt, response.question_id)
    if q is None:
        raise GradingError(_l("This question is no longer part of the quiz."))
    try:
        qtype = registry().get(q.get("type"))
    except UnknownQuestionType:
        raise GradingError(_l("This question is no longer part of the quiz.")) from None
    if qtype.auto_graded:
        raise GradingError(_l("This question is graded automatically."))
    maximum = qtype.points(q)
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value) or not 0 <= value <= maximum:
        raise GradingError(
            _l("Give a score between 0 and %(max)s.", max=f"{maximum:g}"), field="points"
        )
    t = clock.now()
    response.manual_points = value
    response.manual_comment = (comment or "").strip() or None
    response.graded_by_id = trainer.id
    response.manually_graded_at = t
    db.session.flush()
    version = attempt.graded_version or attempt.quiz_version
    _grade_attempt(attempt, version, t, graded_by_id=trainer.id)
    db.session.commit()
    return attempt


# --------------------------------------------------------------------------- re-grading


@dataclass
class RegradeResult:
    """An attempt's score before and after re-grading."""

    attempt_id: int
    user_id: int
    user_name: str
    number: int
    before: float | None
    after: float | None
    status: str

    @property
    def changed(self) -> bool:
        return (self.before is None) != (self.after is None) or (
            self.before is not None and abs(self.before - (self.after or 0)) > 1e-6
        )


def regrade(quiz_version: QuizVersion, *, actor: User) -> list[RegradeResult]:
    """Grade the quiz's finished attempts again against `quiz_version`'s definitions, in one
    transaction with its audit entry (`quiz.regraded`). Only an editor of the course or an admin.

    Manual essay scores are kept. Returns the score before and after for every attempt.
    """
    from lms import access, audit

    quiz = db.session.get(Quiz, quiz_version.quiz_id)
    if not access.can_regrade(actor, quiz):
        raise PermissionDenied(_l("Only the course's editors can re-grade its quizzes."))
    t = clock.now()
    results = []
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_version.quiz_id, QuizAttempt.status != IN_PROGRESS)
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    ).all()
    try:
        for attempt in attempts:
            before = attempt.score
            _grade_attempt(attempt, quiz_version, t)
            results.append(
                RegradeResult(
                    attempt.id, attempt.user_id, attempt.user.full_name, attempt.number,
                    before, attempt.score, attempt.status,
                )
            )
        course = db.session.get(Course, quiz.course_id)
        audit.record("quiz.regraded", actor=actor, scope=f"course:{course.slug}",
                     target=f"quiz:{quiz.slug}",
                     detail={"quiz_version": quiz_version.id, "attempts": len(results),
                             "changed": sum(1 for r in results if r.changed)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


# --------------------------------------------------------------------------- grades


def combine(method: str, scores: list[float]) -> float | None:
    """Apply a grading method to attempt scores listed in attempt order."""
    if not scores:
        return None
    if method == "average":
        return sum(scores) / len(scores)
    if method == "first":
        return scores[0]
    if method == "last":
        return scores[-1]
    return max(scores)


def counted_attempts(attempts: Iterable[QuizAttempt], method: str) -> list[QuizAttempt]:
    """The graded attempts (in attempt order) whose scores make the grade by `method`."""
    graded = sorted(
        (a for a in attempts if a.status == GRADED and a.score is not None),
        key=lambda a: a.number,
    )
    if method == "first":
        return graded[:1]
    if method == "last":
        return graded[-1:]
    return graded


def grade_of(attempts: Iterable[QuizAttempt], method: str) -> float | None:
    """The grade (percent) from one learner's already loaded attempts at one quiz; the same
    value `grades_for` computes with queries."""
    return combine(method, [float(a.score) for a in counted_attempts(attempts, method)])


def grades_for(user_id: int, quiz_ids: Iterable[int]) -> dict[int, float]:
    """The learner's grade (percent) per quiz over graded attempts, by each quiz's method."""
    ids = list(dict.fromkeys(quiz_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(QuizAttempt.quiz_id, QuizAttempt.score)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id.in_(ids),
            QuizAttempt.status == GRADED,
            QuizAttempt.score.is_not(None),
        )
        .order_by(QuizAttempt.quiz_id, QuizAttempt.number)
    ).all()
    if not rows:
        return {}
    by_quiz: dict[int, list[float]] = {}
    for quiz_id, score in rows:
        by_quiz.setdefault(quiz_id, []).append(float(score))
    methods = _grading_methods(list(by_quiz))
    return {
        qid: combine(methods.get(qid, "highest"), scores) for qid, scores in by_quiz.items()
    }


def _grading_methods(quiz_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(QuizVersion.quiz_id, QuizVersion.settings)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizVersion.quiz_id.in_(quiz_ids), QuizVersion.version_id == Course.current_version_id)
    ).all()
    return {qid: QuizRules.of(settings).grading for qid, settings in rows}


# --------------------------------------------------------------------------- review


def review_moment(attempt: QuizAttempt, r: QuizRules, at: datetime | None = None) -> str:
    """Which review moment applies to the attempt now."""
    t = at or clock.now()
    if attempt.status == IN_PROGRESS:
        return "during"
    if r.closes_at and t >= r.closes_at:
        return "after_close"
    submitted = clock.aware(attempt.submitted_at)
    if submitted is not None and t - submitted <= IMMEDIATELY_AFTER:
        return "immediately_after"
    return "later_while_open"


def review_options(
    attempt: QuizAttempt, at: datetime | None = None, *, version: QuizVersion | None = None
) -> frozenset[str]:
    """What the learner may see of this attempt now (quiz setting `review`).

    The settings come from the quiz's current version; pass it as `version` when it is already
    loaded (a page listing many attempts) to save a query per attempt.
    """
    version = version or current_version(attempt.quiz) or attempt.quiz_version
    r = rules(version)
    return r.review[review_moment(attempt, r, at)]
