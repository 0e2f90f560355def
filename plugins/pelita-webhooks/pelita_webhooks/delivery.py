"""From a learning event to a signed HTTP POST.

`forward(event, data)` runs in the process that committed the work (a learner's request, the
CLI, the worker): it enqueues one `webhooks.deliver` job per endpoint that wants the event, in
its own transaction, and never raises. The worker runs `deliver_job(payload)`, which POSTs:

    body     {"id": <delivery uuid>, "event": <name>, "occurred_at": <ISO 8601 UTC>, "data": {...}}
    headers  X-Pelita-Event, X-Pelita-Delivery (the id), X-Pelita-Timestamp (Unix seconds),
             X-Pelita-Signature: sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" with the secret>

2xx = delivered. 410 Gone and the other 4xx answers except 408 and 429 = failed for good
(PermanentJobError: the receiver refused this delivery; retrying cannot help). Anything else
(5xx, 408, 429, redirects, timeouts, refused connections) raises, so the job system retries
with exponential backoff until `WEBHOOKS_MAX_ATTEMPTS` (default 8) attempts are used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from flask import current_app

from lms import clock
from lms.extensions import db
from lms.jobs.registry import PermanentJobError
from pelita_webhooks import store

log = logging.getLogger("pelita.webhooks")

JOB_KIND = "webhooks.deliver"
TIMEOUT_SECONDS = 5
DEFAULT_MAX_ATTEMPTS = 8
USER_AGENT = "Pelita-Webhooks/0.1"
RETRYABLE_4XX = {408, 429}


class DeliveryFailed(RuntimeError):
    """The receiver did not accept the delivery this time: the job system tries again later."""


@dataclass
class Result:
    status: int
    body: str = ""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Pelita-Signature value: `sha256=` and the hex HMAC of `{timestamp}.{body}`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(payload: dict) -> bytes:
    document = {"id": payload["delivery_id"], "event": payload["event"],
                "occurred_at": payload["occurred_at"], "data": payload.get("data") or {}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def max_attempts() -> int:
    return max(1, int(current_app.config.get("WEBHOOKS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def job_payload(endpoint: store.Endpoint, event: str, data: dict) -> dict:
    return {"endpoint_id": endpoint.id, "delivery_id": str(uuid.uuid4()), "event": event,
            "occurred_at": clock.now().isoformat(timespec="seconds"), "data": data}


# --------------------------------------------------------------------------- events -> jobs


def forward(event: str, data: dict) -> int:
    """Enqueue one delivery per endpoint wanting `event` and commit; never raises. Returns how many."""
    from lms.jobs.services import enqueue

    try:
        wanted = [e for e in store.endpoints() if e.wants(event)]
        for endpoint in wanted:
            enqueue(JOB_KIND, job_payload(endpoint, event, data), max_attempts=max_attempts())
        db.session.commit()
        return len(wanted)
    except Exception:  # noqa: BLE001 - a webhook must never break the learner's request
        log.exception("could not queue the webhooks for event %r", event)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database itself is gone: nothing more to do
            log.exception("rollback failed after a webhook enqueue error")
        return 0


def make_receiver(event: str):
    """A signal receiver forwarding `event` (blinker passes the sender and the event data)."""

    def receiver(sender, **data):
        forward(event, data)

    receiver.__qualname__ = f"forward[{event}]"
    receiver.__name__ = receiver.__qualname__
    return receiver


# --------------------------------------------------------------------------- HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: never re-send the body elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST and return the status; raises DeliveryFailed / PermanentJobError when not 2xx."""
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - http(s) only: store.check_url
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Result(response.status, response.read(1024).decode("utf-8", "replace"))
    except urllib.error.HTTPError as err:
        with err:  # holds the open response: close it
            text = _snippet(err)
        message = f"HTTP {err.code} from {url}" + (f": {text}" if text else "")
        if err.code == 410 or (400 <= err.code < 500 and err.code not in RETRYABLE_4XX):
            raise PermanentJobError(message + " (not retried)") from None
        raise DeliveryFailed(message) from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DeliveryFailed(f"could not reach {url}: {reason}") from None


def _snippet(err: urllib.error.HTTPError) -> str:
    try:
        return " ".join(err.read(300).decode("utf-8", "replace").split())[:200]
    except Exception:  # noqa: BLE001 - the body is only a hint
        return ""


def send(endpoint: store.Endpoint, payload: dict) -> Result:
    """Sign and POST one delivery to `endpoint` now."""
    body = body_of(payload)
    timestamp = str(clock.timestamp())
    return post(endpoint.url, body, {
        "X-Pelita-Event": payload["event"],
        "X-Pelita-Delivery": payload["delivery_id"],
        "X-Pelita-Timestamp": timestamp,
        "X-Pelita-Signature": sign(endpoint.secret, timestamp, body),
    })


def deliver_job(payload: dict) -> None:
    """The `webhooks.deliver` job: send the delivery, or raise for the job system to handle."""
    if not isinstance(payload, dict) or not {"endpoint_id", "delivery_id", "event",
                                             "occurred_at"} <= payload.keys():
        raise PermanentJobError(f"not a webhook delivery: {payload!r}")
    endpoint = store.get_endpoint(payload["endpoint_id"])
    if endpoint is None:
        raise PermanentJobError(f"the endpoint {payload['endpoint_id']} was removed")
    result = send(endpoint, payload)
    log.info("webhook %s %s delivered to %s: HTTP %s", payload["delivery_id"], payload["event"],
             endpoint.url, result.status)


def send_test(endpoint: store.Endpoint) -> Result:
    """Send a `ping` delivery now (the CLI); raises like `post`."""
    payload = job_payload(endpoint, store.TEST_EVENT,
                          {"message": "A test from Pelita: your endpoint receives webhooks."})
    return send(endpoint, payload)


def queue_test(actor, endpoint: store.Endpoint) -> None:
    """Queue a `ping` delivery to `endpoint` (the admin page's "Send a test"), audited. Commits."""
    from lms import audit
    from lms.jobs.services import enqueue

    enqueue(JOB_KIND, job_payload(endpoint, store.TEST_EVENT,
                                  {"message": "A test from Pelita: your endpoint receives webhooks."}),
            max_attempts=max_attempts())
    audit.record("webhooks.test_queued", actor=actor, scope=store.SCOPE,
                 target=f"webhook:{endpoint.id}", detail={"url": endpoint.url})
    db.session.commit()
