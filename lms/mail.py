"""Outgoing mail: logged in development, kept in memory in tests, sent by SMTP in production."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("pelita.mail")


def outbox() -> list[EmailMessage]:
    """Messages sent with the "memory" backend (tests read them from here)."""
    return current_app.extensions.setdefault("pelita_outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message through the configured backend."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    backend = cfg["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(msg)
    elif backend == "log":
        log.warning("Mail not sent (MAIL_BACKEND=log)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
    else:
        smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
