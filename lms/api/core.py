"""What every /api/v1 endpoint shares.

* **Authentication**: `Authorization: Bearer pelita_…` only (a personal access token,
  `auth.services.user_for_api_token`). The token's user becomes `current_user` for this request,
  so the access rules of `lms/access.py` apply unchanged. A request that carries a session or
  remember-me cookie and no bearer token is refused (401): a page of another site must not be
  able to use a signed-in browser's cookies against the API. CSRF does not apply here (no
  cookie is ever accepted), and only here.
* **Scopes**: `read` for GET, `write` for changes, `admin` (with the admin role) for
  administration — declared per view with `needs(...)`, checked before the view's access rule.
* **Errors**: one object, `{"error": {"code", "message", "field"}}`, the message in the
  request's language (Accept-Language; `extensions.select_locale`).
* **ETags** on GET, **pages** with `next` links, a **rate limit** per token.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin, current_user

from lms.auth import services as auth_services
from lms.errors_domain import PermissionDenied, ServiceError
from lms.extensions import csrf, limiter
from lms.i18n import lazy_gettext as _l

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)

SCOPE_ATTR = "pelita_api_scope"

# The error codes and their default messages (HTTP status -> code).
STATUS_CODES = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthenticated", _l("Send a valid access token: Authorization: Bearer <token>.")),
    403: ("forbidden", _l("Your token or account does not have permission for this.")),
    404: ("not_found", _l("This resource does not exist.")),
    405: ("method_not_allowed", _l("This method is not allowed on this resource.")),
    409: ("conflict", _l("This conflicts with the current state of the resource.")),
    413: ("too_large", _l("The request is too large.")),
    422: ("invalid", _l("Some values are not valid.")),
    429: ("rate_limited", _l("Too many requests in a short while. Wait a minute, then try again.")),
    500: ("server_error", _l("An error occurred on our side. Try again in a moment.")),
}


class ApiError(Exception):
    """An error answered with the API's error object."""

    def __init__(self, status: int, code: str | None = None, message=None,
                 field: str | None = None) -> None:
        super().__init__(code or str(status))
        self.status = status
        self.code = code or STATUS_CODES.get(status, STATUS_CODES[500])[0]
        self.message = message
        self.field = field


def error_response(status: int, code: str | None = None, message=None, field: str | None = None):
    default_code, default_message = STATUS_CODES.get(status, STATUS_CODES[500])
    body = {"error": {"code": code or default_code, "message": str(message or default_message),
                      "field": field}}
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pelita"'
    return response


def from_service_error(err: ServiceError, status: int = 422, code: str | None = None):
    """A service's refusal: 403 when it is about permission, else `status`."""
    if isinstance(err, PermissionDenied):
        return ApiError(403, "forbidden", err.message, err.field)
    return ApiError(status, code, err.message, err.field)


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return error_response(err.status, err.code, err.message, err.field)


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


# --------------------------------------------------------------------------- authentication

def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "invalid_token", _l("Use the header Authorization: Bearer <token>."))
    return secret.strip()


def _has_login_cookie() -> bool:
    names = (current_app.config.get("SESSION_COOKIE_NAME", "session"),
             current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


# Endpoints any browser may open with its cookies: the documentation only (no personal data).
COOKIE_FREE_ENDPOINTS = {"api.openapi", "api.docs"}


@bp.before_request
def authenticate():
    """The bearer token's user becomes `current_user`; without one, anonymous (public endpoints
    only). A login cookie without a token is refused."""
    g.api_token = None
    if request.endpoint in COOKIE_FREE_ENDPOINTS and "Authorization" not in request.headers:
        return None  # the documentation, for a browser as it is
    secret = _bearer()
    if secret is None:
        if _has_login_cookie():
            raise ApiError(401, "cookie_not_accepted",
                           _l("The API does not accept the browser's login. Create an access "
                              "token on your profile page and send it as Authorization: Bearer "
                              "<token>."))
        g._login_user = AnonymousUserMixin()  # Flask-Login: never read the session cookie
        return None
    found = auth_services.user_for_api_token(secret)
    if found is None:
        raise ApiError(401, "invalid_token",
                       _l("This access token is not valid: it is unknown, revoked or expired, "
                          "or its account is deactivated."))
    user, token = found
    g._login_user = user  # Flask-Login's current_user for this request
    g.api_token = token
    return None


def needs(scope: str):
    """The token must carry `scope` (read, write or admin); checked before the view's access
    rule. Without a token: 401."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                raise ApiError(401)
            if scope not in token.scope_set:
                raise ApiError(403, "insufficient_scope",
                               _l("This access token does not have the %(scope)s scope.",
                                  scope=scope))
            return view(*args, **kwargs)

        setattr(wrapped, SCOPE_ATTR, scope)
        return wrapped

    return decorator


def scope_of(view) -> str | None:
    return getattr(view, SCOPE_ATTR, None)


def me():
    """The token's user (a real User object, not the proxy)."""
    return current_user._get_current_object()


# --------------------------------------------------------------------------- rate limit

def rate_limit_key() -> str:
    """Per token (its hash: the same token, the same bucket, without a database read), else per
    client address."""
    header = request.headers.get("Authorization") or ""
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return "api-ip:" + (get_remote_address() or "unknown")


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


limiter.limit(_api_limit, key_func=rate_limit_key)(bp)


# --------------------------------------------------------------------------- responses

def json_response(data, status: int = 200):
    """A JSON response; a GET's carries an ETag and answers If-None-Match with 304."""
    response = jsonify(data)
    response.status_code = status
    if request.method in ("GET", "HEAD") and status == 200:
        response.headers["Cache-Control"] = "private, no-cache"
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def page_args() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1-100) from the query string; 422 when not numbers."""
    values = {}
    for name, default, top in (("page", 1, 10**6), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= top:
            raise ApiError(422, "invalid", _l("%(name)s must be a whole number from 1 to %(top)d.",
                                              name=name, top=top), name)
        values[name] = int(raw)
    return values["page"], values["per_page"]


def paginated(items: list, serialise, **link_values) -> dict:
    """One page of `items` with `next` (and `prev`) links that keep the other query values."""
    page, per_page = page_args()
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    args.update(link_values)

    def link(p):
        return url_for(request.endpoint, **(request.view_args or {}), **args, page=p,
                       per_page=per_page, _external=True)

    return {
        "items": [serialise(item) for item in chunk],
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "next": link(page + 1) if start + per_page < len(items) else None,
        "prev": link(page - 1) if page > 1 else None,
    }
