"""Issuing, revoking, re-issuing and looking up certificates: the only code that writes them.

Completion issues the certificate inside the completion transaction (`issue_for_completion`
adds it to the session without committing). The PDF is rendered once and stored; it is rendered
again only when the certificate design changes (`pdf_design_version`), by `flask lms
render-certificates` (the background step for a whole cohort) or, as a fallback, on download.
"""

from __future__ import annotations

import calendar
import errno
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from lms import access, audit, clock, events, notifications, storage
from lms.auth.models import User
from lms.certificates import codes, signing
from lms.certificates.models import (
    REQUEST_APPROVED,
    REQUEST_PENDING,
    REQUEST_REJECTED,
    Certificate,
    CertificateRequest,
    CertificateSettings,
)
from lms.certificates.pdf import (
    CertificateData,
    image_data_uri,
    pdf_design_version,
    render_certificate_pdf,
)
from lms.courses.models import Course
from lms.errors_domain import PermissionDenied, ServiceError
from lms.events import emit_after_commit
from lms.extensions import db
from lms.i18n import lazy_gettext as _l

log = logging.getLogger("pelita.certificates")


def _static_dir() -> Path:
    return Path(current_app.static_folder)


# The signing key cannot be created (its folder is read-only, full, missing...): what the
# person whose request needed it is told, with a 503 (lms/errors.py).
KEY_UNAVAILABLE = _l(
    "Certificates cannot be signed or checked right now: the server cannot create its signing "
    "key, because its storage folder cannot be written to. Nothing has been lost. The "
    "administrators see the problem on their page; try again later.")
# The key file exists but is not a key this server can read (emptied, damaged, another format).
KEY_UNREADABLE = _l(
    "Certificates cannot be signed or checked right now: the server's signing key cannot be "
    "read. Nothing has been lost. The administrators see the problem on their page; try again "
    "later.")


def signing_key():
    """The institution's Ed25519 key, created in the instance folder at deploy time (`flask lms
    ensure-keys`) or on first use, and cached per process. Raises `storage.StorageUnavailable`
    (logged once per episode) when it is missing and cannot be created."""
    cache = current_app.extensions.setdefault("pelita_signing", {})
    path = current_app.config["CREDENTIAL_KEY_PATH"]
    if cache.get("path") != path:
        existed = Path(path).exists()
        try:
            cache["key"] = signing.load_or_create_key(path)
        except OSError as err:
            raise storage.unavailable(Path(path).parent, err, KEY_UNAVAILABLE) from err
        except ValueError as err:  # not a key: say so (the admin's page shows the reason)
            problem = OSError(errno.EINVAL, f"the file exists but is not a readable Ed25519 "
                                            f"private key ({err})")
            raise storage.unavailable(Path(path).parent, problem, KEY_UNREADABLE) from err
        if not existed:
            storage.writable_again(Path(path).parent)
        cache["path"] = path
    return cache["key"]


def key_problem() -> str | None:
    """None when the signing key can be read (or was just created); else the system's reason,
    for the administrator's health page."""
    try:
        signing_key()
    except storage.StorageUnavailable as err:
        return f"{current_app.config['CREDENTIAL_KEY_PATH']}: {err.error.strerror or err.error}"
    return None


def public_keys() -> list:
    """Keys whose signatures the verify page accepts (the current one; add old ones on rotation)."""
    return [signing_key()]


def verify_url(code: str) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{code}"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _unique_code() -> str:
    while True:
        code = codes.generate_code()
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def standing_certificate(user_id: int, course_id: int) -> Certificate | None:
    """The learner's current (not revoked, not superseded) certificate for a course."""
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id,
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None)))


def _build(user: User, course: Course, *, completed_at: datetime, score: float | None,
           issued_by: User | None, reason: str, holder_name: str | None = None) -> Certificate:
    from lms.courses.queries import syllabus

    version = course.current_version
    manifest = version.manifest
    settings = manifest.get("certificate", {})
    setup = current_settings()
    course_setup = current_course_settings(course.id)
    layered = layered_settings(course_setup, setup)
    texts = effective_texts(layered)
    # Certificate dates are calendar dates where the issuer signs (CERT_PLACE, Jakarta: WIB);
    # the credential carries the exact instants (`_credential`).
    completed_on = clock.local_date(completed_at)
    months = int(settings.get("valid_months") or 0)
    cert = Certificate(
        code=_unique_code(), user_id=user.id, course_id=course.id,
        course_version_id=version.id, holder_name=holder_name or user.full_name,
        course_title_id=course.title_id, course_title_en=course.title_en,
        content_version=str(manifest.get("version", "")),
        hours=_course_hours(course),
        modules=[item.title for item in syllabus(course)],
        completed_on=completed_on, score=score, show_score=bool(settings.get("show_score")),
        issuer_name=texts["issuer_name"], place=texts["place"],
        # A signatory set at /admin/certificate (site-wide or for the course) signs every
        # certificate (their signature image is printed above the name); without one, a trainer
        # issuing by hand signs as before.
        signatory_name=(issued_by.full_name if issued_by and issued_by.is_trainer
                        and not _value(layered, "signatory_name")
                        else texts["signatory_name"]),
        signatory_role=texts["signatory_role"],
        settings_id=setup.id if setup else None,
        course_settings_id=course_setup.id if course_setup else None,
        issued_by_id=issued_by.id if issued_by else None, issue_reason=reason,
        expires_on=_add_months(completed_on, months) if months else None,
        issued_at=clock.now(),
    )
    cert.credential = _credential(cert, user)
    return cert


def _course_hours(course: Course) -> int:
    """The lesson hours a certificate of the course prints (`[certificate] hours`, else the
    course's)."""
    settings = ((course.current_version.manifest if course.current_version else None)
                or {}).get("certificate") or {}
    return int(settings.get("hours") or course.hours)


def _credential(cert: Certificate, user: User) -> dict:
    base = current_app.config["BASE_URL"]
    claims = {
        "id": verify_url(cert.code), "code": cert.code, "holder_name": cert.holder_name,
        "holder_email": user.email,
        "achievement_id": f"{base}/courses/{cert_course_slug(cert)}",
        "achievement_name": cert.course_title_id,
        "achievement_description": cert.course_title_en,
        "criteria": "; ".join(cert.modules), "hours": cert.hours,
        # Valid from the moment of issue (never a local date read as midnight UTC, which put
        # validFrom up to nine hours in the future); valid until the end of the expiry day.
        "valid_from": cert.issued_at,
        "valid_until": clock.end_of_day(cert.expires_on) if cert.expires_on else None,
        "name": f"Sertifikat: {cert.course_title_id}",
    }
    issuer = {"id": base, "name": cert.issuer_name, "url": base}
    return signing.build_credential(claims, issuer, signing_key(), created=cert.issued_at)


def cert_course_slug(cert: Certificate) -> str:
    course = db.session.get(Course, cert.course_id)
    return course.slug if course else ""


def issue_for_completion(user: User, course: Course, completed_at: datetime,
                         score: float | None = None) -> Certificate | None:
    """Add the course certificate to the caller's transaction (no commit); once per course."""
    settings = course.current_version.manifest.get("certificate", {})
    if not settings.get("enabled", True) or standing_certificate(user.id, course.id):
        return None
    cert = _build(user, course, completed_at=completed_at, score=score, issued_by=None, reason="")
    db.session.add(cert)
    _queue_render(cert)
    # The learner's completion moment on Beranda, until they mark it read.
    notifications.notify(user.id, notifications.COURSE_COMPLETED,
                         {"course": {"id": course.title("id"), "en": course.title("en")},
                          "code": cert.code}, url=f"/courses/{course.slug}")
    _emit_issued(cert)
    return cert


def _emit_issued(cert: Certificate) -> None:
    emit_after_commit(events.certificate_issued, certificate_id=cert.id, code=cert.code,
                      user_id=cert.user_id, course_id=cert.course_id,
                      course_slug=cert_course_slug(cert), issued_by_id=cert.issued_by_id,
                      reason=cert.issue_reason or "")


def _queue_render(cert: Certificate) -> None:
    """Render the PDF in the background worker, queued in the same transaction as the issue."""
    from lms.jobs.services import enqueue

    db.session.flush()
    enqueue("certificates.render", {"certificate_id": cert.id},
            dedupe_key=f"certificates.render:{cert.id}")


def _cert_params(actor: User, holder_name: str, course: Course, code: str, reason: str) -> dict:
    """What a notification about a certificate says, in both languages where it matters."""
    return {"actor": actor.full_name, "holder": holder_name, "code": code, "reason": reason,
            "course": {"id": course.title("id"), "en": course.title("en")}}


def _check_issue(actor: User, user: User, course: Course, reason: str) -> str:
    """The issuing rules (lms/access.py `issue_certificate`); returns the cleaned reason."""
    if user.id == actor.id:
        raise PermissionDenied(_l("You cannot issue a certificate to yourself."))
    if not access.can_issue_certificate(actor, user, course):
        raise PermissionDenied(_l("You can issue certificates only for courses you edit or to "
                                  "members of the cohorts you train."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_l("Give the reason for issuing this certificate."), "reason")
    if standing_certificate(user.id, course.id):
        raise ServiceError(_l("This learner already has a certificate for this course."))
    return reason


def approval_required() -> bool:
    """Whether a manual issue needs a second person's approval (four eyes)."""
    return bool(current_app.config.get("CERT_MANUAL_ISSUE_APPROVAL"))


def issue_manually(trainer: User, user: User, course: Course, reason: str) -> Certificate:
    """An editor of the course, a trainer of the learner's cohort or an admin issues a
    certificate by hand (never to themselves), with a reason; audited, the admins notified, all
    in one transaction. When approval is switched on, use `request_issue` instead."""
    reason = _check_issue(trainer, user, course, reason)
    if approval_required():
        raise PermissionDenied(_l("Manual certificates need an administrator's approval here: "
                                  "send a request instead."))
    try:
        cert = _issue_by_hand(trainer, user, course, reason, approved_by=None)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("This learner already has a certificate for this course.")) from None
    return cert


def _issue_by_hand(actor: User, user: User, course: Course, reason: str, *,
                   approved_by: User | None) -> Certificate:
    """Add a hand-issued certificate, its audit entry and notifications (no commit)."""
    cert = _build(user, course, completed_at=clock.now(), score=None, issued_by=actor,
                  reason=reason)
    db.session.add(cert)
    _queue_render(cert)
    detail = {"holder": user.email, "holder_name": cert.holder_name, "course": course.slug,
              "code": cert.code, "reason": reason}
    if approved_by is not None:
        detail["approved_by"] = approved_by.email
    audit.record("certificate.issued_manually", actor=approved_by or actor,
                 scope=f"course:{course.slug}", target=f"certificate:{cert.code}", detail=detail)
    params = _cert_params(actor, cert.holder_name, course, cert.code, reason)
    notifications.notify_admins(notifications.CERT_ISSUED, params,
                                url=f"/certificates/{cert.code}/manage",
                                except_user_id=(approved_by or actor).id)
    notifications.notify(user.id, notifications.MY_CERT_ISSUED, params, url="/certificates/")
    _emit_issued(cert)
    db.session.flush()
    # In this transaction: a learning path may now grant a role (the cascade listens).
    events.course_credential_gained.send(None, user_id=user.id, course_id=course.id)
    return cert


def request_issue(trainer: User, user: User, course: Course, reason: str) -> CertificateRequest:
    """With approval on: ask the administrators to issue a certificate by hand (audited)."""
    reason = _check_issue(trainer, user, course, reason)
    request = CertificateRequest(user_id=user.id, course_id=course.id, requested_by_id=trainer.id,
                                 reason=reason, status=REQUEST_PENDING)
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("A request for this learner and course is already waiting for "
                              "approval.")) from None
    audit.record("certificate.requested", actor=trainer, scope=f"course:{course.slug}",
                 target=f"user:{user.id}",
                 detail={"holder": user.email, "course": course.slug, "reason": reason,
                         "request": request.id})
    notifications.notify_admins(notifications.CERT_REQUESTED,
                                _cert_params(trainer, user.full_name, course, "", reason),
                                url="/certificates/requests", except_user_id=trainer.id)
    db.session.commit()
    return request


def pending_requests() -> list[CertificateRequest]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(CertificateRequest).where(CertificateRequest.status == REQUEST_PENDING)
        .options(selectinload(CertificateRequest.user), selectinload(CertificateRequest.course),
                 selectinload(CertificateRequest.requested_by))
        .order_by(CertificateRequest.requested_at, CertificateRequest.id)))


def requests_of(trainer: User, limit: int = 50) -> list[CertificateRequest]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(CertificateRequest).where(CertificateRequest.requested_by_id == trainer.id)
        .options(selectinload(CertificateRequest.user), selectinload(CertificateRequest.course))
        .order_by(CertificateRequest.requested_at.desc(), CertificateRequest.id.desc())
        .limit(limit)))


def _open_request(admin: User, request: CertificateRequest, status: str) -> None:
    """Check the decision may be made, then claim the request for it in one conditional UPDATE
    (`WHERE status = 'pending'`): of two decisions at the same moment only one goes through."""
    if not access.can_manage_certificate(admin):
        raise PermissionDenied(_l("Only an administrator can decide on a certificate request."))
    if admin.id in (request.requested_by_id, request.user_id):
        raise PermissionDenied(_l("Someone else must decide on a request you sent or that is "
                                  "about your own certificate."))
    claimed = db.session.execute(
        update(CertificateRequest)
        .where(CertificateRequest.id == request.id, CertificateRequest.status == REQUEST_PENDING)
        .values(status=status, decided_by_id=admin.id, decided_at=clock.now())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ServiceError(_l("This request was already decided."))
    db.session.refresh(request)


def approve_request(admin: User, request: CertificateRequest) -> Certificate:
    """The second pair of eyes: issue the requested certificate (one transaction). The
    requester's rights are checked again: they may have lost them since they asked."""
    _open_request(admin, request, REQUEST_APPROVED)
    user = db.session.get(User, request.user_id)
    course = db.session.get(Course, request.course_id)
    requester = db.session.get(User, request.requested_by_id)
    if not access.can_issue_certificate(requester, user, course):
        db.session.rollback()
        raise PermissionDenied(_l("The sender of this request may no longer issue this "
                                  "certificate."))
    if standing_certificate(user.id, course.id):
        db.session.rollback()
        raise ServiceError(_l("This learner already has a certificate for this course."))
    try:
        cert = _issue_by_hand(requester, user, course, request.reason, approved_by=admin)
        request.certificate_id = cert.id
        notifications.notify(requester.id, notifications.CERT_REQUEST_DECIDED,
                             {**_cert_params(admin, user.full_name, course, cert.code, ""),
                              "approved": True}, url=f"/verify/{cert.code}", email=True)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("This learner already has a certificate for this course.")) from None
    return cert


def reject_request(admin: User, request: CertificateRequest, note: str) -> None:
    note = " ".join((note or "").split())
    if not note:
        raise ServiceError(_l("Say why the request is not approved."), "note")
    _open_request(admin, request, REQUEST_REJECTED)
    course = db.session.get(Course, request.course_id)
    user = db.session.get(User, request.user_id)
    request.decision_note = note
    audit.record("certificate.request_rejected", actor=admin, scope=f"course:{course.slug}",
                 target=f"user:{user.id}",
                 detail={"holder": user.email, "course": course.slug, "note": note,
                         "request": request.id})
    notifications.notify(request.requested_by_id, notifications.CERT_REQUEST_DECIDED,
                         {**_cert_params(admin, user.full_name, course, "", note),
                          "approved": False}, url="/certificates/issue", email=True)
    db.session.commit()


def revoke(admin: User, cert: Certificate, reason: str) -> None:
    """An admin revokes a certificate; the verify page then says so, with date and reason.
    Audited, the holder and the other admins notified, in one transaction."""
    if not access.can_manage_certificate(admin, cert):
        raise PermissionDenied(_l("Only an administrator can revoke certificates."))
    if not (reason or "").strip():
        raise ServiceError(_l("Give the reason for revoking this certificate."), "reason")
    if cert.revoked_at is not None:
        raise ServiceError(_l("This certificate is already revoked."))
    if cert.superseded_at is not None:
        raise ServiceError(_l("This certificate was replaced: revoke the current one instead."))
    cert.revoked_at = clock.now()
    cert.revoked_by_id = admin.id
    cert.revoke_reason = reason.strip()
    course = db.session.get(Course, cert.course_id)
    audit.record("certificate.revoked", actor=admin, scope=f"course:{course.slug}",
                 target=f"certificate:{cert.code}",
                 detail={"holder": cert.user.email, "holder_name": cert.holder_name,
                         "course": course.slug, "code": cert.code, "reason": cert.revoke_reason})
    params = _cert_params(admin, cert.holder_name, course, cert.code, cert.revoke_reason)
    notifications.notify_admins(notifications.CERT_REVOKED, params,
                                url=f"/verify/{cert.code}", except_user_id=admin.id)
    notifications.notify(cert.user_id, notifications.MY_CERT_REVOKED, params,
                         url=f"/verify/{cert.code}", email=True)
    emit_after_commit(events.certificate_revoked, certificate_id=cert.id, code=cert.code,
                      user_id=cert.user_id, course_id=cert.course_id,
                      course_slug=course.slug, revoked_by_id=admin.id,
                      reason=cert.revoke_reason)
    db.session.commit()


def reissue(admin: User, cert: Certificate, reason: str, holder_name: str | None = None) -> Certificate:
    """Replace a certificate (e.g. a corrected name); the old code then points to the new one.
    Audited, the holder and the other admins notified, in one transaction."""
    if not access.can_manage_certificate(admin, cert):
        raise PermissionDenied(_l("Only an administrator can re-issue certificates."))
    if not (reason or "").strip():
        raise ServiceError(_l("Give the reason for re-issuing this certificate."), "reason")
    if cert.revoked_at is not None or cert.superseded_at is not None:
        raise ServiceError(_l("Only a standing certificate can be re-issued."))
    user = db.session.get(User, cert.user_id)
    course = db.session.get(Course, cert.course_id)
    name = " ".join((holder_name or "").split()) or user.full_name
    new = _build(user, course, completed_at=clock.start_of_day(cert.completed_on),
                 score=cert.score, issued_by=admin, reason=reason.strip(), holder_name=name)
    # Keep what the learner earned: same completion date, hours and modules as the original.
    new.hours, new.modules, new.course_version_id = cert.hours, cert.modules, cert.course_version_id
    new.content_version, new.expires_on = cert.content_version, cert.expires_on
    new.credential = _credential(new, user)
    cert.superseded_at = clock.now()  # first, so the one-standing-certificate index lets the new in
    db.session.flush()
    db.session.add(new)
    db.session.flush()
    cert.superseded_by_id = new.id
    _queue_render(new)
    audit.record("certificate.reissued", actor=admin, scope=f"course:{course.slug}",
                 target=f"certificate:{new.code}",
                 detail={"holder": user.email, "holder_name": name, "course": course.slug,
                         "code": new.code, "previous_code": cert.code,
                         "previous_name": cert.holder_name, "reason": new.issue_reason})
    params = _cert_params(admin, name, course, new.code, new.issue_reason)
    notifications.notify_admins(notifications.CERT_REISSUED, params,
                                url=f"/verify/{new.code}", except_user_id=admin.id)
    notifications.notify(user.id, notifications.MY_CERT_ISSUED, params, url="/certificates/",
                         email=True)
    emit_after_commit(events.certificate_reissued, certificate_id=new.id, code=new.code,
                      previous_certificate_id=cert.id, previous_code=cert.code,
                      user_id=new.user_id, course_id=new.course_id, course_slug=course.slug,
                      reissued_by_id=admin.id, reason=new.issue_reason or "")
    db.session.commit()
    return new


# --- lookups ----------------------------------------------------------------------------

@dataclass
class Lookup:
    state: str  # found | not_found | mistyped | malformed
    code: str | None = None
    certificate: Certificate | None = None


def lookup(text: str) -> Lookup:
    """Check the code's shape and check symbol before touching the database."""
    checked = codes.check_code(text)
    if checked.state != "ok":
        return Lookup(checked.state, checked.code)
    cert = db.session.scalar(select(Certificate).where(Certificate.code == checked.code))
    return Lookup("found" if cert else "not_found", checked.code, cert)


def certificate_code_of(claims: dict) -> str | None:
    """The certificate code a credential names: its `certificateCode`, else the code at the end
    of its id when that is this installation's verify URL."""
    code = claims.get("code")
    if isinstance(code, str) and code:
        return code
    ident, prefix = claims.get("id"), verify_url("")
    if isinstance(ident, str) and ident.startswith(prefix) and len(ident) > len(prefix):
        return ident[len(prefix):]
    return None


def lookup_credential(claims: dict) -> Certificate | None:
    """The certificate a (genuinely signed) credential is the file of, to show its current
    status: a file stays genuine after its certificate is revoked or replaced."""
    code = certificate_code_of(claims)
    return lookup(code).certificate if code else None


# --- files ------------------------------------------------------------------------------

def template_name_for(course: Course | None) -> str:
    """The design a course asks for in course.toml (`[certificate] template`), "default" if none."""
    if course is None or course.current_version is None:
        return "default"
    settings = (course.current_version.manifest or {}).get("certificate") or {}
    name = settings.get("template") or "default"
    return name if isinstance(name, str) else "default"


def resolve_template(name: str):
    """The registered design called `name`; an unknown one falls back to the built-in design
    (logged once per process, never an error for the learner)."""
    from lms.plugin_api.hooks import certificate_templates

    templates = certificate_templates(current_app)
    if name in templates:
        return templates[name]
    warned = current_app.extensions.setdefault("pelita_unknown_templates", set())
    if name not in warned:
        warned.add(name)
        log.warning("certificate template %r is not installed; using the built-in design "
                    "(known: %s)", name, ", ".join(sorted(templates)))
    return templates["default"]


def unknown_templates(packs) -> list[str]:
    """Warnings for course packs whose `[certificate] template` is not installed (for
    `flask lms validate` / `import`: the certificate would use the built-in design)."""
    from lms.plugin_api.hooks import certificate_templates

    known = certificate_templates(current_app)
    return [f"warning: {pack.slug}: certificate template {pack.certificate.template!r} is not "
            f"installed; the built-in design will be used (installed: {', '.join(sorted(known))})"
            for pack in packs if pack.certificate.template not in known]


def _template_of(cert: Certificate):
    return resolve_template(template_name_for(db.session.get(Course, cert.course_id)))


def _render(cert: Certificate, template=None) -> bytes:
    cfg = current_app.config
    setup = layered_settings(
        db.session.get(CertificateSettings, cert.course_settings_id)
        if cert.course_settings_id else None,
        db.session.get(CertificateSettings, cert.settings_id) if cert.settings_id else None)
    data = CertificateData(
        # The signature goes above its own signatory's name only (not above a trainer's who
        # issued by hand while the set-up names no signatory).
        **_artwork(setup, first_signatory_signs=setup is not None
                   and cert.signatory_name == effective_texts(setup)["signatory_name"]),
        holder_name=cert.holder_name, course_title_id=cert.course_title_id,
        course_title_en=cert.course_title_en, hours=cert.hours, completed_on=cert.completed_on,
        place=cert.place, code=cert.code, issuer_name=cert.issuer_name,
        signatory_name=cert.signatory_name, signatory_role=cert.signatory_role,
        score=cert.score if cert.show_score else None, expires_on=cert.expires_on,
        modules=list(cert.modules),
    )
    logo = Path(cfg["CERT_LOGO_PATH"]) if cfg.get("CERT_LOGO_PATH") else None
    template = template if template is not None else _template_of(cert)
    return render_certificate_pdf(data, static_dir=_static_dir(), verify_url=verify_url(cert.code),
                                  logo_path=logo, template_dir=template.folder)


# --------------------------------------------------------------------------- set-up

def current_settings() -> CertificateSettings | None:
    """The site-wide certificate set-up in force (the newest saved), or None if never saved."""
    return db.session.scalar(select(CertificateSettings)
                             .where(CertificateSettings.course_id.is_(None))
                             .order_by(CertificateSettings.id.desc()).limit(1))


def current_course_settings(course_id: int) -> CertificateSettings | None:
    """The course's own certificate set-up in force (its newest row), or None."""
    return db.session.scalar(select(CertificateSettings)
                             .where(CertificateSettings.course_id == course_id)
                             .order_by(CertificateSettings.id.desc()).limit(1))


def course_settings_ids() -> dict[int, int]:
    """course id -> id of the course's set-up in force, for every course that has one."""
    return dict(db.session.execute(
        select(CertificateSettings.course_id, func.max(CertificateSettings.id))
        .where(CertificateSettings.course_id.is_not(None))
        .group_by(CertificateSettings.course_id)).all())


def _value(setup, key: str):
    if setup is None:
        return None
    return setup.get(key) if isinstance(setup, dict) else getattr(setup, key)


# A signatory is one unit — name, position and signature image — and so are the logos (the
# issuing bodies): a course that names its own signatory prints its own position and signature
# (never the site-wide signature under another name), and a course with any logo of its own
# prints only its logos. The institution, the place and the stamp fall back one by one.
SIGNATORY_GROUPS = (("signatory_name", "signatory_role", "signature"),
                    ("signatory2_name", "signatory2_role", "signature2"))
LOGOS = ("logo1", "logo2", "logo3")


def layered_settings(course_setup, site_setup):
    """What a certificate of a course prints, before the CERT_* defaults: each field of the
    course's set-up, else the site-wide one's (signatories and logos as units, see above). Either
    may be a row, a dict of unsaved values or None; returns `site_setup` unchanged when the
    course has no set-up, else a dict."""
    if course_setup is None:
        return site_setup
    merged: dict = {}
    for key in ("issuer_name", "place", "stamp"):
        merged[key] = _value(course_setup, key) or _value(site_setup, key) or None
    for group in SIGNATORY_GROUPS:
        source = course_setup if (_value(course_setup, group[0]) or "").strip() else site_setup
        for key in group:
            merged[key] = _value(source, key) or None
    source = course_setup if any(_value(course_setup, key) for key in LOGOS) else site_setup
    for key in LOGOS:
        merged[key] = _value(source, key) or None
    return merged


def _env_texts() -> dict[str, str]:
    cfg = current_app.config
    return {"issuer_name": cfg["CERT_ISSUER_NAME"], "place": cfg["CERT_PLACE"],
            "signatory_name": cfg["CERT_SIGNATORY_NAME"],
            "signatory_role": cfg["CERT_SIGNATORY_ROLE"],
            "signatory2_name": "", "signatory2_role": ""}


def effective_texts(setup: CertificateSettings | dict | None) -> dict[str, str]:
    """The texts a certificate gets: each set one, else its CERT_* environment default."""
    texts = _env_texts()
    for key in texts:
        value = (setup.get(key) if isinstance(setup, dict) else getattr(setup, key, "")) or ""
        if value.strip():
            texts[key] = value.strip()
    return texts


# The placeholders config.py ships when CERT_SIGNATORY_* are not set, by the environment
# variable that sets each ("Jakarta", the shipped place, is a real place and may stay).
PLACEHOLDERS = {"signatory_name": ("CERT_SIGNATORY_NAME", "Koordinator Master Trainer"),
                "signatory_role": ("CERT_SIGNATORY_ROLE", "Master Trainer TPBIS")}


def _placeholders_of(setup) -> list[str]:
    texts = effective_texts(setup)
    return [env for key, (env, value) in PLACEHOLDERS.items() if texts[key] == value]


def placeholder_fields() -> list[str]:
    """The environment variables whose shipped placeholder would still sign new certificates
    (neither `/admin/certificate` nor the environment set a real one) of some course: `/admin/`,
    the set-up page and the admin's Beranda warn while this is not empty. A course with its own
    signatory (per-course set-up) does not use the site-wide one, so once every published
    course has its own, the site-wide placeholder signs nothing (with no course yet, the
    site-wide set-up counts: the first course will use it). Three queries."""
    return placeholder_report()[0]


def placeholder_report() -> tuple[list[str], list[Course]]:
    """(the placeholder environment variables still printed, the published courses printing
    them, by title)."""
    site = current_settings()
    site_fields = _placeholders_of(site)
    newest = (select(func.max(CertificateSettings.id))
              .where(CertificateSettings.course_id.is_not(None))
              .group_by(CertificateSettings.course_id))
    overrides = {row.course_id: row for row in db.session.scalars(
        select(CertificateSettings).where(CertificateSettings.id.in_(newest)))}
    courses = db.session.scalars(select(Course).where(
        Course.status == "published", Course.current_version_id.is_not(None))
        .order_by(Course.title_id)).all()
    if not courses:
        return site_fields, []
    fields: list[str] = []
    affected = []
    for course in courses:
        found = (_placeholders_of(layered_settings(overrides[course.id], site))
                 if course.id in overrides else site_fields)
        if found:
            affected.append(course)
            fields += [env for env in found if env not in fields]
    return fields, affected


def placeholders_in_use() -> bool:
    return bool(placeholder_fields())


def _artwork(setup, *, first_signatory_signs: bool = True) -> dict:
    """The CertificateData fields of a set-up: second signatory and images as data: URIs."""
    if setup is None:
        return {}
    get = setup.get if isinstance(setup, dict) else lambda key: getattr(setup, key)
    texts = effective_texts(setup)
    return {
        "signatory2_name": texts["signatory2_name"],
        "signatory2_role": texts["signatory2_role"] if texts["signatory2_name"] else "",
        "signature_src": image_data_uri(get("signature")) if first_signatory_signs else "",
        "signature2_src": image_data_uri(get("signature2")) if texts["signatory2_name"] else "",
        "stamp_src": image_data_uri(get("stamp")),
        "logo_srcs": tuple(filter(None, (image_data_uri(get(k))
                                         for k in ("logo1", "logo2", "logo3")))),
    }


def save_settings(admin: User, texts: dict[str, str], images: dict[str, bytes | None]) -> \
        CertificateSettings:
    """Save a new site-wide certificate set-up (a new row; the old ones stay for the
    certificates issued with them). `images` holds only the images changed: bytes (checked
    PNG/JPEG) or None to remove; the others are carried over. Audited as
    certificate.settings_changed."""
    if not admin.is_admin:
        raise PermissionDenied(_l("Only an administrator can change the certificate set-up."))
    return _save(admin, None, texts, images)


def save_course_settings(actor: User, course: Course, texts: dict[str, str],
                         images: dict[str, bytes | None]) -> CertificateSettings:
    """Save a new set-up of one course's certificates (empty fields: the site-wide set-up).
    Like `save_settings`; a signature without its signatory's name here is dropped (that
    signatory comes from the site-wide set-up). Audited as certificate.course_settings_changed
    in the course's log."""
    if not access.can_set_up_course_certificate(actor, course):
        raise PermissionDenied(_l("Only an administrator can change a course's certificate "
                                  "set-up."))
    return _save(actor, course, texts, images)


def _save(actor: User, course: Course | None, texts: dict[str, str],
          images: dict[str, bytes | None]) -> CertificateSettings:
    previous = current_course_settings(course.id) if course else current_settings()
    images = dict(images)
    if course is not None:
        for name_key, _role, image_key in SIGNATORY_GROUPS:
            if not (texts.get(name_key) or "").strip():
                images[image_key] = None
    row = CertificateSettings(created_by_id=actor.id, created_at=clock.now(),
                              course_id=course.id if course else None)
    changed = []
    for key in CertificateSettings.TEXTS:
        value = (texts.get(key) or "").strip()
        setattr(row, key, value)
        if value != (getattr(previous, key) if previous else ""):
            changed.append(key)
    for key in CertificateSettings.IMAGES:
        if key in images:
            setattr(row, key, images[key] or None)
            if images[key] or (previous is not None and getattr(previous, key)):
                changed.append(key)
        else:
            setattr(row, key, getattr(previous, key) if previous else None)
    db.session.add(row)
    db.session.flush()
    if course is None:
        audit.record("certificate.settings_changed", actor=actor, scope="site",
                     target=f"certificate_settings:{row.id}", detail={"changed": changed})
    else:
        audit.record("certificate.course_settings_changed", actor=actor,
                     scope=f"course:{course.slug}", target=f"certificate_settings:{row.id}",
                     detail={"changed": changed})
    db.session.commit()
    return row


def preview_pdf(texts: dict[str, str], images: dict[str, bytes | None],
                course: Course | None = None) -> bytes:
    """A sample certificate with these (possibly unsaved) texts and images; images not given
    come from the saved set-up. With `course`: the values are the course's set-up, over the
    saved site-wide one, in the course's title and design. Writes nothing."""
    saved = current_course_settings(course.id) if course else current_settings()
    merged: dict = {key: (texts.get(key) or "") for key in CertificateSettings.TEXTS}
    for key in CertificateSettings.IMAGES:
        merged[key] = images[key] if key in images else (getattr(saved, key) if saved else None)
    if course is not None:
        for name_key, _role, image_key in SIGNATORY_GROUPS:
            if not merged[name_key].strip():
                merged[image_key] = None
        merged = layered_settings(merged, current_settings())
    values = effective_texts(merged)
    today = clock.today()
    data = CertificateData(
        **_artwork(merged),
        holder_name="Ni Luh Putu Ayu Saraswati",
        course_title_id=course.title_id if course else "Contoh Pelatihan Transformasi Perpustakaan",
        course_title_en=course.title_en if course else "Sample Library Transformation Training",
        hours=_course_hours(course) if course else 32, completed_on=today, place=values["place"],
        code="PLT-CONT-OHXX-0",
        issuer_name=values["issuer_name"], signatory_name=values["signatory_name"],
        signatory_role=values["signatory_role"], modules=["Modul contoh 1", "Modul contoh 2"],
    )
    template = resolve_template(template_name_for(course)) if course else None
    return render_certificate_pdf(data, static_dir=_static_dir(),
                                  verify_url=verify_url("PLT-CONT-OHXX-0"),
                                  template_dir=template.folder if template else None)


def current_design(template=None) -> str:
    """The design version of `template` (default: the built-in design), cached per process."""
    name = template.name if template is not None else "default"
    folder = template.folder if template is not None else None
    cache = current_app.extensions.setdefault("pelita_signing", {})
    key = "design" if folder is None and name == "default" else f"design:{name}"
    if key not in cache:
        cache[key] = pdf_design_version(_static_dir(), template_dir=folder, template_name=name)
    return cache[key]


def pdf_for(cert: Certificate) -> bytes:
    """The stored PDF; rendered and stored first if missing or made with an older design (or the
    course now asks for another design)."""
    template = _template_of(cert)
    design = current_design(template)
    if cert.pdf is None or cert.pdf_design != design:
        cert.pdf = _render(cert, template)
        cert.pdf_design = design
        db.session.commit()
    return cert.pdf


def render_stale(limit: int | None = None) -> int:
    """Render every certificate whose PDF is missing or outdated (the background batch step).

    Each course may use its own design, so "outdated" is decided per course.
    """
    course_ids = db.session.scalars(select(Certificate.course_id).distinct()).all()
    wanted = []
    for course_id in sorted(course_ids):
        template = resolve_template(template_name_for(db.session.get(Course, course_id)))
        wanted.append((course_id, template, current_design(template)))
    done = 0
    for course_id, template, design in wanted:
        stmt = select(Certificate).where(
            Certificate.course_id == course_id,
            (Certificate.pdf_design.is_(None)) | (Certificate.pdf_design != design),
        ).order_by(Certificate.id)
        if limit:
            stmt = stmt.limit(limit - done)
        for cert in db.session.scalars(stmt).all():
            cert.pdf = _render(cert, template)
            cert.pdf_design = design
            db.session.commit()
            done += 1
        if limit and done >= limit:
            break
    return done


_CERTIFICATES_OF = (  # built once: Beranda runs it on every view
    select(Certificate)
    .where(Certificate.user_id == bindparam("user_id"), Certificate.superseded_at.is_(None))
    .order_by(Certificate.issued_at.desc()))


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(_CERTIFICATES_OF, {"user_id": user_id}))
