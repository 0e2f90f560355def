"""Error pages in the user's language; never a stack trace."""

import logging

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
}


def render_error(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(title), "message": str(detail or message)}, code
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def register_error_handlers(app) -> None:
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
