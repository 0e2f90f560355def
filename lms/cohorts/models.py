"""Cohorts, their courses (with deadlines), trainers and members.

Written only by `lms.cohorts.services`. A member's enrolments are ordinary `Enrollment` rows, so
leaving a cohort never touches progress.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.courses.models import Course
from lms.extensions import db

# Cohort.kind — stored, set once at creation from the creator's role:
#   "training"     run by master trainers (and admins) for facilitator candidates;
#   "replication"  run by a certified facilitator for village library staff, limited to courses
#                  marked `replication = true` and to facilitators as its trainers.
TRAINING = "training"
REPLICATION = "replication"
COHORT_KINDS = (TRAINING, REPLICATION)

ACTIVE = "active"
ARCHIVED = "archived"
COHORT_STATUSES = (ACTIVE, ARCHIVED)

# CohortMember.invitation — nobody is in a cohort without saying yes:
#   "invited"  a new account the trainer created, waiting for the person to set a password
#              through the invitation link (which accepts the membership);
#   "pending"  an existing account, asked to join: the person accepts or declines on Beranda
#              (or through the emailed link); until then the cohort's trainers have no rights
#              over their work and see no progress of theirs;
#   "accepted" a member (`accepted_at` is set): enrolled in the cohort's courses.
INVITED = "invited"
PENDING = "pending"
ACCEPTED = "accepted"
WAITING = (INVITED, PENDING)


class Cohort(db.Model):
    """An angkatan, e.g. "Replikasi Fasilitator 2026 – Angkatan 1"."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    kind: Mapped[str] = mapped_column(String(20), default=TRAINING, server_default=TRAINING)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)

    created_by: Mapped[User | None] = relationship()
    courses: Mapped[list[CohortCourse]] = relationship(
        back_populates="cohort", order_by="CohortCourse.position")
    # Read only, and loaded only with the cohort by `services.cohort_for_overview` (one statement
    # for the overview page); lms/access.py then reads the trainers from it.
    trainer_links: Mapped[list[CohortTrainer]] = relationship(viewonly=True)


class CohortCourse(db.Model):
    """A course the cohort takes, with its deadline (a date in Asia/Jakarta, optional)."""

    __tablename__ = "cohort_courses"
    __table_args__ = (UniqueConstraint("cohort_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[date | None] = mapped_column(Date)

    cohort: Mapped[Cohort] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship()


class CohortTrainer(db.Model):
    """A master trainer who runs the cohort (sees its members and grades their work)."""

    __tablename__ = "cohort_trainers"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship()


class CohortMember(db.Model):
    """A participant of the cohort — a member once `accepted_at` is set (see the states above)."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invitation: Mapped[str] = mapped_column(String(20), default=PENDING)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The name the trainer typed: shown to the trainer until the person joins, so the cohort
    # pages never reveal the name (or the existence) of an account the person has not shared.
    invited_name: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    cohort: Mapped[Cohort] = relationship()

    @property
    def joined(self) -> bool:
        return self.accepted_at is not None

    @property
    def shown_name(self) -> str:
        """The name a trainer sees: the person's own once joined, else what the trainer typed."""
        if self.joined:
            return self.user.full_name
        return self.invited_name or self.user.email
