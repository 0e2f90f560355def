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

Address pinning: `post` resolves the URL's host once, refuses (for good) a host with any
loopback, private, link-local, unique-local, multicast, reserved or unspecified address, in any
IPv4-in-IPv6 form (`addresses.why_refused`), and connects to exactly an address it checked: the
Host header, TLS SNI and certificate verification still use the host name. No proxy from the
environment is used and redirects are never followed, so nothing else picks the address.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from lms.plugins import PermanentJobError, audit_record, clock, enqueue, transaction
from pelita_webhooks import addresses, store

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
    try:
        with transaction():  # rolled back if anything fails
            wanted = [e for e in store.endpoints() if e.wants(event)]
            for endpoint in wanted:
                enqueue(JOB_KIND, job_payload(endpoint, event, data),
                        max_attempts=max_attempts())
        return len(wanted)
    except Exception:  # noqa: BLE001 - a webhook must never break the learner's request
        log.exception("could not queue the webhooks for event %r", event)
        return 0


def make_receiver(event: str):
    """A signal receiver forwarding `event` (blinker passes the sender and the event data)."""

    def receiver(sender, **data):
        forward(event, data)

    receiver.__qualname__ = f"forward[{event}]"
    receiver.__name__ = receiver.__qualname__
    return receiver


# --------------------------------------------------------------------------- HTTP


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked: the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked; SNI and certificate verification use the URL's
    host name, so the pinned address must still prove it is that host."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address, self.tls = address, context

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def tls_context() -> ssl.SSLContext:
    """Certificate and host-name verification on (the system's trusted CAs)."""
    return ssl.create_default_context()


def resolve(host: str, port: int) -> list[str]:
    """Resolve `host` ONCE and check every address it has; the delivery connects only to these
    (so a DNS answer that changes between check and connect cannot reach an internal address).
    A non-public address fails for good (PermanentJobError); no answer is retried."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise DeliveryFailed(f"could not resolve {host}: {err}") from None
    allow_loopback = store.local_http_allowed()
    found: list[str] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = str(sockaddr[0])
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise PermanentJobError(f"refused: {host} resolves to {text!r}, not an IP address "
                                    "(not retried)") from None
        reason = addresses.why_refused(ip, allow_loopback=allow_loopback)
        if reason is not None:
            raise PermanentJobError(f"refused: {host} resolves to {ip}, a {reason} address; "
                                    "webhooks go to public addresses only (not retried)")
        if text not in found:
            found.append(text)
    if not found:
        raise DeliveryFailed(f"could not resolve {host}: no IPv4 or IPv6 address")
    return found


def _connect(parts, host: str, port: int, found: list[str]) -> http.client.HTTPConnection:
    """A connection to the first checked address that answers."""
    last: OSError | None = None
    for address in found:
        if parts.scheme == "https":
            conn = _PinnedHTTPSConnection(host, port, address, TIMEOUT_SECONDS, tls_context())
        else:
            conn = _PinnedHTTPConnection(host, port, address, TIMEOUT_SECONDS)
        try:
            conn.connect()
            return conn
        except OSError as err:  # refused, unreachable, timed out, TLS failure
            conn.close()
            last = err
    raise DeliveryFailed(f"could not reach {parts.geturl()}: {last}")


def post(url: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST to the checked address of the URL's host and return the status; raises
    DeliveryFailed / PermanentJobError when not 2xx. Redirects are answers: never followed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise PermanentJobError(f"not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _connect(parts, host, port, resolve(host, port))
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            **headers})
        with conn.getresponse() as response:  # holds the socket until closed
            status = response.status
            text = response.read(1024).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as err:
        raise DeliveryFailed(f"could not reach {url}: {err}") from None
    finally:
        conn.close()
    if 200 <= status < 300:
        return Result(status, text)
    snippet = " ".join(text[:300].split())[:200]
    message = f"HTTP {status} from {url}" + (f": {snippet}" if snippet else "")
    if 300 <= status < 400:
        raise DeliveryFailed(message + " (redirects are not followed)")
    if status == 410 or (400 <= status < 500 and status not in RETRYABLE_4XX):
        raise PermanentJobError(message + " (not retried)")
    raise DeliveryFailed(message)


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
    with transaction():
        enqueue(JOB_KIND, job_payload(endpoint, store.TEST_EVENT,
                                      {"message": "A test from Pelita: your endpoint receives "
                                                  "webhooks."}),
                max_attempts=max_attempts())
        audit_record("webhooks.test_queued", actor=actor, scope=store.SCOPE,
                     target=f"webhook:{endpoint.id}", detail={"url": endpoint.url})
