"""Error pages in the user's language; never a stack trace."""

import contextlib
import logging

from flask import current_app, render_template, request, session
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from lms.i18n import lazy_gettext as _l

log = logging.getLogger("pelita")

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("Your account does not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("The file you sent is too large.")),
    429: (_l("Too many attempts"),
          _l("You have tried too many times in a short while. Wait a minute, then try again.")),
    500: (_l("Something went wrong"),
          _l("An error occurred on our side. Your saved work is safe. Try again in a moment.")),
    503: (_l("Not available right now"),
          _l("The server cannot do this right now. Your saved work is safe. Try again later.")),
}


def render_error(code: int, detail=None):
    if request.path.startswith("/api/"):  # the JSON API answers with its error object
        from lms.api.core import error_response

        return error_response(code)
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(title), "message": str(detail or message)}, code
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


# --- the database is unavailable ---------------------------------------------------------
# Down, restarting, unreachable or locked: a 503 page that needs no database (no current_user,
# no menu), in the language the session or cookie remembers, and one log line per outage.

RETRY_AFTER_SECONDS = 30
# OperationalErrors that are mistakes in the code or a missing migration, not an outage.
_NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error", "has no column")

_outage = {"on": False}  # per process; a lost race only means one more log line


def is_outage(err: BaseException) -> bool:
    """True when a database error means "not available now", not "this query is wrong"."""
    if not isinstance(err, DBAPIError):
        return False
    if err.connection_invalidated or isinstance(err, InterfaceError):
        return True
    return isinstance(err, OperationalError) and not any(
        text in str(err.orig).lower() for text in _NOT_AN_OUTAGE)


def _wants_json() -> bool:
    return (request.accept_mimetypes.best == "application/json" or request.path.endswith(".json")
            or request.headers.get("X-Requested-With") == "fetch")


def _session_locale() -> str:
    """The remembered language switch, never the user's saved one (that needs the database)."""
    from lms.extensions import COOKIE_LANG

    languages = current_app.config["LANGUAGES"]
    choice = session.get("lang") or request.cookies.get(COOKIE_LANG)
    return choice if choice in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def database_unavailable(err: DBAPIError):
    from lms.extensions import db

    if not _outage["on"]:
        _outage["on"] = True
        log.error("Database unavailable (%s %s): %s; answering 503 until it is back",
                  request.method, request.path, str(err.orig).strip().splitlines()[0])
    # The connection may be gone; the session is removed at the end of the request anyway.
    with contextlib.suppress(Exception):
        db.session.rollback()
    locale = _session_locale()
    with force_locale(locale):
        title = str(_l("Pelita is busy for a moment"))
        message = str(_l("The database cannot be reached right now. Answers you have already "
                         "saved are safe. Try again in a moment."))
        if _wants_json():
            response = current_app.response_class(
                current_app.json.dumps({"error": message, "retry_after": RETRY_AFTER_SECONDS}),
                status=503, mimetype="application/json")
        else:
            # Straight from the Jinja environment: render_template would run the context
            # processors, and Flask-Login's loads current_user from the database.
            page = current_app.jinja_env.get_template("errors/unavailable.html").render(
                title=title, message=message, locale=locale, request=request)
            response = current_app.response_class(page, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_is_back(response):
    """After an outage, the first request that succeeds checks the database and says it is back."""
    if not _outage["on"] or response.status_code >= 500:
        return response
    from sqlalchemy import text

    from lms.extensions import db

    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - still down: stay quiet, the outage was logged
        return response
    _outage["on"] = False
    log.warning("The database is back")
    return response


# --- the storage folder cannot be written ------------------------------------------------
# lms/storage.py logged it (once per episode) and the administrator's health page shows it; the
# person whose request met it gets a 503 that says so in their language, never a 500.

STORAGE_UNAVAILABLE = _l(
    "The server cannot write to its storage folder right now, so this cannot be done. Nothing "
    "has been lost. The administrators see the problem on their page; try again later.")


def storage_unavailable(err):
    from lms.extensions import db

    with contextlib.suppress(Exception):
        db.session.rollback()  # nothing of a half-done request is kept
    message = err.message or STORAGE_UNAVAILABLE
    if request.path.startswith("/api/"):
        from lms.api.core import error_response

        response = error_response(503, "storage_unavailable", message)
    elif _wants_json():
        response = current_app.response_class(
            current_app.json.dumps({"error": str(message), "retry_after": RETRY_AFTER_SECONDS}),
            status=503, mimetype="application/json")
    else:
        response = current_app.make_response(render_error(503, message))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app) -> None:
    from lms.storage import StorageUnavailable

    app.after_request(_database_is_back)
    app.register_error_handler(StorageUnavailable, storage_unavailable)

    @app.errorhandler(DBAPIError)
    def database_error(err):
        if is_outage(err):
            return database_unavailable(err)
        return unhandled(err)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_error(400, _l("The form expired or was sent from another page, so nothing "
                                    "was saved. Reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(err):
        return render_error(err.code or 500)

    @app.errorhandler(Exception)
    def unhandled(err):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
