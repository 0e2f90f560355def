"""Issued certificates. A certificate is never deleted: it is revoked or superseded."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.extensions import db

if TYPE_CHECKING:
    from lms.courses.models import Course


class Certificate(db.Model):
    """What a certificate claims, frozen at issue time, plus its status and rendered files."""

    __tablename__ = "certificates"
    __table_args__ = (
        # At most one standing (not revoked, not superseded) certificate per learner and course.
        Index("uq_certificates_standing", "user_id", "course_id", unique=True,
              sqlite_where=text("revoked_at IS NULL AND superseded_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL AND superseded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # canonical PLT-XXXX-XXXX-C
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title_id: Mapped[str] = mapped_column(String(300))
    course_title_en: Mapped[str] = mapped_column(String(300))
    content_version: Mapped[str] = mapped_column(String(60))
    hours: Mapped[int] = mapped_column(Integer)
    modules: Mapped[list] = mapped_column(JSON, default=list)
    completed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    show_score: Mapped[bool] = mapped_column(default=False)
    issuer_name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(100))
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_role: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issue_reason: Mapped[str] = mapped_column(Text, default="")  # manual issue / re-issue
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    credential: Mapped[dict] = mapped_column(JSON)  # the signed Open Badges 3.0 credential
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_design: Mapped[str | None] = mapped_column(String(64))
    # The certificate set-up (signatures, stamp, logos) it was issued with; None: issued before
    # any was saved (the CERT_* environment defaults and the default logo).
    settings_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_settings.id"))
    # The course's own set-up (`CertificateSettings.course_id`) in force at issue, if any: its
    # fields win over the site-wide row's (see services.layered_settings).
    course_settings_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_settings.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    def status(self, today: date) -> str:
        """valid | revoked | superseded | expired — revocation and replacement win over expiry."""
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_at is not None:
            return "superseded"
        if self.expires_on is not None and today > self.expires_on:
            return "expired"
        return "valid"

    def course_title(self, locale: str) -> str:
        return self.course_title_en if locale == "en" and self.course_title_en else self.course_title_id


class CertificateSettings(db.Model):
    """A certificate set-up: site-wide (`course_id` NULL, made at /admin/certificate) or one
    course's overrides (made at /admin/certificate/courses/<slug>). Rows are never changed: each
    save adds one and the newest of its kind is current, so a certificate keeps (by
    `settings_id` and `course_settings_id`) the signatures, stamp and logos it was issued with
    even when its PDF is rendered again. Empty fields of a course's row fall back to the
    site-wide row, and empty texts then to the CERT_* environment variables. Images are checked
    PNG/JPEG bytes."""

    __tablename__ = "certificate_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_role: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signatory2_name: Mapped[str] = mapped_column(String(200), default="")
    signatory2_role: Mapped[str] = mapped_column(String(200), default="")
    signature2: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    stamp: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo1: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo2: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo3: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    IMAGES = ("signature", "signature2", "stamp", "logo1", "logo2", "logo3")
    TEXTS = ("issuer_name", "place", "signatory_name", "signatory_role", "signatory2_name",
             "signatory2_role")


REQUEST_PENDING = "pending"
REQUEST_APPROVED = "approved"
REQUEST_REJECTED = "rejected"


class CertificateRequest(db.Model):
    """A manual issue waiting for a second person's approval (four eyes; switched on with
    `CERT_MANUAL_ISSUE_APPROVAL`). Approved requests point at the certificate they produced."""

    __tablename__ = "certificate_requests"
    __table_args__ = (
        # One open request per learner and course.
        Index("uq_certificate_requests_pending", "user_id", "course_id", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    status: Mapped[str] = mapped_column(String(20), default=REQUEST_PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
