"""Webhook endpoints (kept in the plugin's settings) and the services that change them.

Endpoints live in one plugin setting, `endpoints`: {endpoint id: {url, secret, events,
description, created_at}}. An empty `events` list means every event. Each change is one
transaction with its audit record (scope "plugin:webhooks"; the secret is never audited).
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app

from lms.plugins import ALL_SIGNALS, audit_record, clock, plugin_settings, transaction
from pelita_webhooks import addresses

PLUGIN = "webhooks"
SCOPE = "plugin:webhooks"
KEY = "endpoints"
MAX_URL = 500
MAX_ENDPOINTS = 50
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

EVENT_NAMES: tuple[str, ...] = tuple(signal.name for signal in ALL_SIGNALS)
TEST_EVENT = "ping"  # sent by "Send a test" and `flask lms webhooks send-test`


class WebhookError(ValueError):
    """A change was refused; the message is for the admin."""


@dataclass
class Endpoint:
    id: str
    url: str
    secret: str
    events: list[str] = field(default_factory=list)  # empty: every event
    description: str = ""
    created_at: str = ""

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events

    def as_json(self) -> dict:
        return {"url": self.url, "secret": self.secret, "events": list(self.events),
                "description": self.description, "created_at": self.created_at}


def _settings():
    return plugin_settings(PLUGIN)


def _raw() -> dict:
    value = _settings().get(KEY, {})
    return copy.deepcopy(value) if isinstance(value, dict) else {}


def endpoints() -> list[Endpoint]:
    """Every endpoint, oldest first (one query)."""
    out = []
    for endpoint_id, item in _raw().items():
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            out.append(Endpoint(id=endpoint_id, url=item["url"], secret=str(item.get("secret", "")),
                                events=[e for e in item.get("events") or [] if isinstance(e, str)],
                                description=str(item.get("description") or ""),
                                created_at=str(item.get("created_at") or "")))
    return sorted(out, key=lambda e: (e.created_at, e.id))


def get_endpoint(endpoint_id: str) -> Endpoint | None:
    return next((e for e in endpoints() if e.id == str(endpoint_id)), None)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def local_http_allowed() -> bool:
    """http:// to this machine only in development and tests (`WEBHOOKS_ALLOW_LOCAL_HTTP`)."""
    app = current_app
    value = app.config.get("WEBHOOKS_ALLOW_LOCAL_HTTP")
    return bool(app.debug or app.testing) if value is None else bool(value)


def check_url(url: str) -> str:
    """The URL, stripped, or WebhookError saying what to change (English msgid, translated)."""
    from flask_babel import gettext as _

    url = (url or "").strip()
    if not url:
        raise WebhookError(_("Enter the URL that should receive the webhooks."))
    if len(url) > MAX_URL:
        raise WebhookError(_("Use a URL of at most %(max)d characters.", max=MAX_URL))
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise WebhookError(_("This is not a valid URL.")) from None
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookError(_("Use a full URL starting with https://, e.g. "
                             "https://example.org/pelita-webhook."))
    if parts.username or parts.password:
        raise WebhookError(_("Do not put a user name or password in the URL; check the "
                             "signature instead."))
    if any(ch.isspace() for ch in url):
        raise WebhookError(_("This is not a valid URL."))
    if parts.scheme == "http":
        if host.lower() not in LOCAL_HOSTS or not local_http_allowed():
            raise WebhookError(_("Use https://. Plain http:// is accepted only for 127.0.0.1 "
                                 "or localhost on a development installation."))
    elif not local_http_allowed() and _is_local_ip(host):
        raise WebhookError(_("Webhooks cannot be sent to this machine or its local network."))
    return url


def _is_local_ip(host: str) -> bool:
    """A name of this machine, or a literal address that is not public (in any spelling).
    Names are resolved, and their addresses checked, when a delivery is sent."""
    name = host.lower().rstrip(".")
    if name in LOCAL_HOSTS or name.endswith(".localhost"):
        return True
    ip = addresses.parse_literal(host)
    return ip is not None and addresses.why_refused(ip) is not None


def _store(data: dict) -> None:
    _settings().set(KEY, data)


def add_endpoint(actor, url: str, event_names: list[str], description: str = ""
                 ) -> tuple[Endpoint, str]:
    """Add an endpoint; returns it and its secret (shown to the admin once). Commits."""
    from flask_babel import gettext as _

    url = check_url(url)
    unknown = [e for e in event_names if e not in EVENT_NAMES]
    if unknown:
        raise WebhookError(_("Unknown event: %(name)s", name=unknown[0]))
    data = _raw()
    if len(data) >= MAX_ENDPOINTS:
        raise WebhookError(_("At most %(max)d endpoints; remove one first.", max=MAX_ENDPOINTS))
    endpoint_id = secrets.token_hex(4)
    while endpoint_id in data:  # pragma: no cover - 32 random bits
        endpoint_id = secrets.token_hex(4)
    endpoint = Endpoint(id=endpoint_id, url=url, secret=new_secret(),
                        events=[e for e in EVENT_NAMES if e in event_names],
                        description=description.strip()[:200],
                        created_at=clock.now().isoformat(timespec="seconds"))
    data[endpoint_id] = endpoint.as_json()
    with transaction():
        _store(data)
        audit_record("webhooks.endpoint_added", actor=actor, scope=SCOPE,
                     target=f"webhook:{endpoint_id}",
                     detail={"url": url, "events": endpoint.events or ["*"]})
    return endpoint, endpoint.secret


def _existing(data: dict, endpoint_id: str) -> dict:
    from flask_babel import gettext as _

    item = data.get(str(endpoint_id))
    if not isinstance(item, dict):
        raise WebhookError(_("This endpoint does not exist (any more)."))
    return item


def remove_endpoint(actor, endpoint_id: str) -> None:
    """Remove an endpoint; its queued deliveries then fail without being sent. Commits."""
    data = _raw()
    item = _existing(data, endpoint_id)
    del data[str(endpoint_id)]
    with transaction():
        _store(data)
        audit_record("webhooks.endpoint_removed", actor=actor, scope=SCOPE,
                     target=f"webhook:{endpoint_id}", detail={"url": item.get("url")})


def regenerate_secret(actor, endpoint_id: str) -> str:
    """Give the endpoint a new secret (the old one stops working at once); returns it. Commits."""
    data = _raw()
    item = _existing(data, endpoint_id)
    item["secret"] = new_secret()
    with transaction():
        _store(data)
        audit_record("webhooks.secret_regenerated", actor=actor, scope=SCOPE,
                     target=f"webhook:{endpoint_id}", detail={"url": item.get("url")})
    return item["secret"]
