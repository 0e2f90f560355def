"""Quiz attempts and the responses saved in them. Written only by `lms.quizzes.services`.

An attempt points at the stable `Quiz` and records the `QuizVersion` it was made against plus
its `layout` (question ids in the order shown and each question's option order), so a later
content version never changes what a learner saw. At most one attempt per learner and quiz is
in progress: a partial unique index enforces it in the database, whatever two tabs do.

`ResponseFile` holds evidence a learner uploads to an essay question with `allow_upload = true`
(at most `MAX_FILES_PER_QUESTION` per question; the bytes are loaded only when downloaded).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.courses.models import Quiz, QuizVersion
from lms.extensions import db

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"  # finished, waiting for a trainer to grade essays
GRADED = "graded"
ATTEMPT_STATUSES = (IN_PROGRESS, SUBMITTED, GRADED)


class QuizAttempt(db.Model):
    """One learner's attempt at a quiz, frozen to the version and layout it showed."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        Index(
            "uq_quiz_attempts_one_in_progress",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        Index("ix_quiz_attempts_status_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    # The version whose definitions graded the attempt (differs after a re-grade).
    graded_version_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    needs_manual_grading: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How the attempt ended: "learner", "deadline" (closed by the server) or None.
    closed_by: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)  # percent, 0-100
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    # {"questions": [{"id": "q1", "order": ["b", "a", "c"] | null}, ...]} exactly as shown.
    layout: Mapped[dict] = mapped_column(JSON)

    user: Mapped[User] = relationship()
    quiz: Mapped[Quiz] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship(foreign_keys=[quiz_version_id])
    graded_version: Mapped[QuizVersion | None] = relationship(foreign_keys=[graded_version_id])
    responses: Mapped[list[QuestionResponse]] = relationship(
        back_populates="attempt", order_by="QuestionResponse.id"
    )

    @property
    def finished(self) -> bool:
        return self.status != IN_PROGRESS

    @property
    def question_ids(self) -> list[str]:
        return [str(item["id"]) for item in self.layout.get("questions", [])]


class QuestionResponse(db.Model):
    """The latest saved answer to one question of an attempt, and how it was graded."""

    __tablename__ = "question_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(100))
    response: Mapped[object | None] = mapped_column(JSON(none_as_null=True))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # Which device saved this value in the background (a random id the page keeps in the
    # browser) and that device's edit number for it: a save arriving late with a lower number
    # from the same device never replaces a newer value (`services.save_answers`). None when
    # saved by a plain form post without JavaScript.
    client_id: Mapped[str | None] = mapped_column(String(40))
    client_seq: Mapped[int | None] = mapped_column(BigInteger)
    fraction: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str | None] = mapped_column(String(20))
    feedback: Mapped[list | None] = mapped_column(JSON)
    manual_points: Mapped[float | None] = mapped_column(Float)
    manual_comment: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manually_graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    attempt: Mapped[QuizAttempt] = relationship(back_populates="responses")
    graded_by: Mapped[User | None] = relationship(foreign_keys=[graded_by_id])


MAX_FILES_PER_QUESTION = 3


class ResponseFile(db.Model):
    """A file uploaded as (part of) the answer to an essay question of an attempt."""

    __tablename__ = "response_files"
    __table_args__ = (Index("ix_response_files_attempt_question", "attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    question_id: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))  # sanitised, as shown and downloaded
    mimetype: Mapped[str] = mapped_column(String(100))  # from the file's content, not the browser
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    attempt: Mapped[QuizAttempt] = relationship()


class RubricScore(db.Model):
    """The per-criterion scores a trainer gave an answer graded with a criteria rubric."""

    __tablename__ = "rubric_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("question_responses.id"), unique=True)
    # [{"criterion": "Relevansi", "score": 3, "max": 4}, ...] in the rubric's order.
    scores: Mapped[list] = mapped_column(JSON)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
