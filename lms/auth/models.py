"""User accounts, roles and library affiliation."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class Role(enum.StrEnum):
    """What a user may do. Stored as its value."""

    PARTICIPANT = "participant"
    TRAINER = "trainer"
    ADMIN = "admin"


class LibraryLevel(enum.StrEnum):
    """Administrative level of the library a user works for."""

    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"
    DESA = "desa"


class User(UserMixin, db.Model):
    """A person with a login. Emails are stored lower-cased and are unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    library_name: Mapped[str | None] = mapped_column(String(200))
    library_level: Mapped[str | None] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(String(13))
    regency_code: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on password change and deactivation so remember-me cookies and reset links die.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, onupdate=clock.now
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """Session identity includes the session version, so bumping it logs out everywhere."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of the roles; admins hold every role."""
        return self.role == Role.ADMIN or self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_trainer(self) -> bool:
        return self.role in (Role.TRAINER, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
