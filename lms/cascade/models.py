"""Field activities: the trainings and mentoring visits a facilitator runs outside Pelita.

Written only by `lms.cascade.services`. The columns are plain on purpose: the programme
roll-up counts these rows by province and regency (`province_code`, `regency_code` are
denormalised from `village_code` and indexed) and "village libraries reached" is the number of
distinct `village_code`s.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.extensions import db


class FieldActivity(db.Model):
    """One training (bimtek) or mentoring visit at a village library."""

    __tablename__ = "field_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # training | mentoring (rules.KINDS)
    # The day it took place (a calendar date where it happened; never in the future).
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    # Kemendagri codes: the desa/kelurahan ("32.76.01.1006") and, denormalised, its province
    # ("32") and regency/city ("32.76").
    village_code: Mapped[str] = mapped_column(String(13), index=True)
    province_code: Mapped[str] = mapped_column(String(13), index=True)
    regency_code: Mapped[str] = mapped_column(String(13), index=True)
    library_name: Mapped[str] = mapped_column(String(200), default="")
    women: Mapped[int] = mapped_column(Integer, default=0)
    men: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    facilitator: Mapped[User] = relationship(foreign_keys=[facilitator_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    attachment: Mapped[FieldActivityFile | None] = relationship(
        back_populates="activity", uselist=False, cascade="all, delete-orphan")

    @property
    def participants(self) -> int:
        return self.women + self.men


class FieldActivityFile(db.Model):
    """The optional photo or attendance file of an activity (checked by content)."""

    __tablename__ = "field_activity_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("field_activities.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    activity: Mapped[FieldActivity] = relationship(back_populates="attachment")
