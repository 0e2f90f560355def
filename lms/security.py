"""Security and caching headers on every response.

HTML pages are `no-store` unless their view is marked `@revalidate`: then `private, no-cache`
with an ETag, so a reload over 3G costs a 304 instead of the page, and the back button can use
the browser's back/forward cache. Only pages with no secret on them are marked (the catalogue,
course, module and path pages, the verification form): never attempts, answers, certificates,
profiles, cohorts, reports or administration. Logging out clears the browser's cache for the site
(`Clear-Site-Data`), so the next person on a shared computer cannot page back through it.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app, request, session

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# Sent with every response unless the view set its own (HSTS only over HTTPS).
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
SECURE_HEADERS = (*HEADERS, ("Strict-Transport-Security", "max-age=31536000"))

REVALIDATE_ATTR = "pelita_revalidate"
# A page's CSRF tokens are signed with the time, so they differ every second: the ETag is taken
# over the page without them (both as our templates write them and as WTForms renders
# `form.csrf_token`: `<input id="csrf_token" name="csrf_token" type="hidden" value="…">`) (and with the session's own token secret), so an unchanged page
# gives the same ETag in the same session and a 304, and never across sessions.
_CSRF_VALUE = re.compile(rb'(<input\b[^>]*\bname="csrf_token"[^>]*\bvalue=")[^"]*"')


def revalidate(view):
    """Mark a view whose page shows nothing secret: cached privately, revalidated with an ETag."""
    setattr(view, REVALIDATE_ATTR, True)
    return view


def _marked(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    while view is not None:
        if getattr(view, REVALIDATE_ATTR, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def page_etag(body: bytes) -> str:
    digest = hashlib.sha256(_CSRF_VALUE.sub(rb"\1\"", body))
    digest.update(str(session.get("csrf_token", "")).encode())
    return digest.hexdigest()[:32]


# Static files are sent as a stream from disk; Flask-Compress would compress that stream but lose
# the file's close(). The small compressible ones (CSS, JS, SVG) are read into memory instead, so
# they are compressed whole, with an ETag, and the file is closed with the response.
_BUFFERED_STATIC_LIMIT = 512 * 1024


def _buffer_static(app, response):
    if (request.endpoint == "static" and response.status_code == 200 and response.is_streamed
            and response.mimetype in app.config.get("COMPRESS_MIMETYPES", ())
            and (response.content_length or 0) <= _BUFFERED_STATIC_LIMIT):
        response.direct_passthrough = False
        response.make_sequence()  # keeps the file's close() for the end of the response


def init_security_headers(app) -> None:
    @app.after_request
    def headers(response):
        _buffer_static(app, response)
        # One pass over the response's headers, then the missing ones added (a view may set its
        # own, e.g. a looser CSP): five setdefaults walked the header list five times.
        present = {key.lower() for key, _value in response.headers}
        secure = app.config.get("SESSION_COOKIE_SECURE")
        response.headers.extend([(key, value) for key, value in
                                 (SECURE_HEADERS if secure else HEADERS)
                                 if key.lower() not in present])
        if response.mimetype == "text/html" and "cache-control" not in present:
            if (request.method in ("GET", "HEAD") and response.status_code == 200
                    and not response.is_streamed and _marked(request.endpoint)):
                response.headers["Cache-Control"] = "private, no-cache"
                response.set_etag(page_etag(response.get_data()))
                response.make_conditional(request)
            else:
                # Pages with personal data: never kept in a cache, nor in the back/forward cache
                # of a shared computer after logout.
                response.headers["Cache-Control"] = "no-store"
        return response


def clear_site_cache(response):
    """Tell the browser to drop what it cached of this site (on logout)."""
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def reads_are_not_rate_limited() -> bool:
    """Flask-Limiter request filter: the pages' limits are on form posts only (login,
    registration, password reset; /verify counts by hand), so a page GET or HEAD skips the
    limiter's per-request bookkeeping (a measurable share of a page: docs/performance.md) — but
    never a JSON API request (`/api/v1` limits every call per token), and nothing at all when a
    deployment sets default or application-wide limits, which apply to every request."""
    if current_app.config.get("RATELIMIT_DEFAULT") or current_app.config.get("RATELIMIT_APPLICATION"):
        return False
    return request.method in ("GET", "HEAD") and request.blueprint != "api"
