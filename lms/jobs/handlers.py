"""The built-in job handlers. Imported by `lms.jobs`, so every process that loads the models
(web app, CLI, worker) knows them. Services are imported inside the functions to keep this
module free of import cycles; each handler is idempotent (it checks before it changes).
"""

from __future__ import annotations

import logging

from lms.jobs.registry import PermanentJobError, job_handler

log = logging.getLogger("pelita.jobs")


def _int(payload: dict, key: str) -> int:
    try:
        return int(payload[key])
    except (KeyError, TypeError, ValueError):
        raise PermanentJobError(f"payload needs an integer {key!r}: {payload!r}") from None


@job_handler("certificates.render")
def render_certificate(payload: dict) -> None:
    """{"certificate_id": N}: render and store the PDF if it is missing or outdated."""
    from lms.certificates import services as cert_services
    from lms.certificates.models import Certificate
    from lms.extensions import db

    cert_id = _int(payload, "certificate_id")
    cert = db.session.get(Certificate, cert_id)
    if cert is None:
        raise PermanentJobError(f"certificate {cert_id} does not exist")
    cert_services.pdf_for(cert)  # renders and commits only if missing or outdated


@job_handler("certificates.render_stale")
def render_stale_certificates(payload: dict) -> None:
    """{"limit": N} (optional): render missing or outdated PDFs, at most N.

    With a limit and a full batch, queue the next batch, so a whole cohort is rendered in
    short jobs (a restart loses at most one batch) rather than one long one.
    """
    from lms.certificates import services as cert_services
    from lms.jobs.services import enqueue

    limit = _int(payload, "limit") if payload.get("limit") is not None else None
    rendered = cert_services.render_stale(limit)
    log.info("rendered %s certificate PDF(s)", rendered)
    if limit and rendered >= limit:
        enqueue("certificates.render_stale", {"limit": limit})  # commits with this job's done mark


@job_handler("quizzes.close_overdue")
def close_overdue_attempts(payload: dict) -> None:
    """{} (or user_id / quiz_id / attempt_id to narrow it): grade attempts past their deadline."""
    from lms.quizzes.services import attempts as quiz_attempts

    filters = {key: _int(payload, key) for key in ("user_id", "quiz_id", "attempt_id")
               if payload.get(key) is not None}
    closed = quiz_attempts.close_overdue(**filters, raise_errors=False)
    if closed:
        log.info("closed %s overdue quiz attempt(s)", closed)


@job_handler("cohorts.send_mail")
def send_cohort_mail(payload: dict) -> None:
    """{"member_id": N, "kind": "invitation"}: email a person invited to a cohort.

    Skipped when the invitation was withdrawn or accepted meanwhile. ("added" is the kind of
    jobs queued before cohort invitations needed the person's consent; sent as an invitation.)"""
    from lms.cohorts import services as cohort_services

    kind = payload.get("kind")
    if kind not in (cohort_services.INVITATION, "added"):
        raise PermanentJobError(f"payload needs kind 'invitation': {payload!r}")
    kind = cohort_services.INVITATION
    if not cohort_services.send_member_mail(_int(payload, "member_id"), kind):
        log.info("cohort email %s to member %s: nothing to send", kind, payload.get("member_id"))


@job_handler("cohorts.deadline_reminders")
def send_deadline_reminders(payload: dict) -> None:
    """{}: notify cohort members whose course deadline is at most 3 days away (once each)."""
    from lms.cohorts import services as cohort_services

    sent = cohort_services.remind_deadlines()
    if sent:
        log.info("sent %s cohort deadline reminder(s)", sent)


@job_handler("notifications.email")
def email_notification(payload: dict) -> None:
    """{"notification_id": N}: mail a dashboard notification to its reader."""
    from lms import notifications

    if not notifications.send_email(_int(payload, "notification_id")):
        log.info("notification email %s: nothing to send", payload.get("notification_id"))


@job_handler("auth.send_reset_mail")
def send_reset_mail(payload: dict) -> None:
    """{"email": "...", "locale": "id"}: email a password-reset link if an active account uses
    the address (queued for every request, so the page reveals nothing)."""
    from lms.auth import services as auth_services

    email = payload.get("email")
    if not isinstance(email, str):
        raise PermanentJobError(f"payload needs an email: {payload!r}")
    if not auth_services.send_reset_mail(email, payload.get("locale")):
        log.info("password reset: no active account for the address, nothing sent")
