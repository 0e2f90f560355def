"""User accounts, roles and library affiliation."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class Role(enum.StrEnum):
    """What a user may do. Stored as its value."""

    PARTICIPANT = "participant"
    # A certified regional facilitator (fasda): runs replication cohorts for village library
    # staff and records field activities. NOT a trainer: no authoring, no certificates by hand,
    # no master-trainer cohorts (see docs/security.md).
    FACILITATOR = "facilitator"
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
    # Bumped on password change and deactivation so every login, remember-me cookies and reset
    # links die.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, onupdate=clock.now
    )

    # The login (LoginSession) this object was loaded for in the current request: set by
    # `auth.services.start_session` and by the user loader. Not a column.
    login_token = None
    login_remembered = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """The identity Flask-Login keeps in the session and the remember-me cookie:
        `<id>:<session_version>:<login token>`. Ending the login (logout) or bumping the version
        (password change, deactivation) makes every copy of either cookie useless."""
        if not self.login_token:
            raise RuntimeError("log users in with lms.auth.sessions.log_in(), which starts a "
                               "server-side login, not with flask_login.login_user() alone")
        return f"{self.id}:{self.session_version}:{self.login_token}"

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of the roles; admins hold every role. Roles are not
        otherwise nested: a trainer does not hold `facilitator`, a facilitator not `trainer`."""
        return self.role == Role.ADMIN or self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_trainer(self) -> bool:
        return self.role in (Role.TRAINER, Role.ADMIN)

    @property
    def is_facilitator(self) -> bool:
        """A facilitator (exactly: trainers and admins are not facilitators, though admins pass
        every role check)."""
        return self.role == Role.FACILITATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginSession(db.Model):
    """One login on one device. Its token travels in the identity of the session cookie and of
    the remember-me cookie; only its SHA-256 is stored. Logging out deletes the row, so a copy of
    either cookie taken before stops working; "log out of every device" deletes them all."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "Remember me" was ticked: the idle rule does not apply to this login.
    remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # created_at + REMEMBER_COOKIE_DURATION: no login outlives its remember-me cookie.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# What a personal access token may do (docs/api.md): GET needs `read`, changes need `write`,
# administration needs `admin` *and* the admin role.
TOKEN_SCOPES = ("read", "write", "admin")
TOKEN_PREFIX = "pelita_"  # noqa: S105 - the public prefix of every token, not a secret


class PersonalAccessToken(db.Model):
    """A token a user created for the JSON API (`Authorization: Bearer pelita_…`). The token is
    shown once; only its SHA-256 is stored. `last_used_at` is written at most once a minute."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Space-separated, a subset of TOKEN_SCOPES in that order.
    scopes: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def live_at(self, t: datetime) -> bool:
        """Not revoked, and not expired at `t`."""
        if self.revoked_at is not None:
            return False
        expires = clock.aware(self.expires_at) if self.expires_at is not None else None
        return expires is None or expires > t
