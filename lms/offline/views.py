"""The web app manifest, the service worker at the site root and the two pages it keeps.

`/sw.js` is `lms/static/js/sw.js` with one line put before it: the shell's URLs (static files with
their content hashes) and a cache name derived from them, so the browser sees a changed worker
and updates it whenever a shell file changes. Served at the root, its scope is the whole site.
`/offline` (shown by the worker when a page cannot be fetched) and `/saved` (what this device
holds) show nothing personal: no forms, no names, no flashed messages, so the worker may keep
them. Every HTML page for a signed-out browser carries `Pelita-Session: none`, on which the
worker deletes the saved courses (a shared computer after logout).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_login import current_user

from lms import access

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#0b5d4b"      # --green in pelita.css
BACKGROUND_COLOUR = "#fbfaf7"  # --bg in pelita.css


def _asset(filename: str) -> str:
    return current_app.jinja_env.globals["asset"](filename)


def shell_urls() -> list[str]:
    """What the worker keeps at install: the shell's static files and its two pages."""
    return [_asset("css/pelita.css"), _asset("js/offline.js"), _asset("img/favicon.svg"),
            _asset("img/icon-192.png"), _asset("img/icon-512.png"),
            url_for("offline.fallback"), url_for("offline.saved")]


@cache
def _worker_source(static_folder: str) -> str:
    return (Path(static_folder) / "js" / "sw.js").read_text(encoding="utf-8")


@bp.route("/sw.js")
@access.public
def service_worker():
    source = _worker_source(current_app.static_folder)
    urls = shell_urls()
    digest = hashlib.sha256((source + json.dumps(urls)).encode()).hexdigest()[:12]
    config = {"shell": f"pelita-shell-{digest}", "urls": urls, "fallback": url_for("offline.fallback")}
    body = f"self.PELITA = {json.dumps(config)};\n{source}"
    response = Response(body, mimetype="text/javascript")
    # Checked with the server on every update check, so a new shell reaches every device.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
@access.public
def manifest():
    data = {
        "id": "/",
        "name": "Pelita",
        "short_name": "Pelita",
        "description": "Belajar untuk program fasilitator perpustakaan TPBIS.",
        "lang": "id",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": _asset("img/icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": _asset("img/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": _asset("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@access.public
def fallback():
    """What the worker shows for a page it cannot fetch and does not hold."""
    return render_template("offline/offline.html")


@bp.route("/saved")
@access.public
def saved():
    """The courses saved on this device (listed by offline.js from the browser's caches)."""
    return render_template("offline/saved.html")


@bp.after_app_request
def mark_signed_out(response):
    # The service worker deletes saved courses when a page reaches a signed-out browser. A
    # server error (the database down: lms/errors.py) says nothing about the session, and
    # asking would load the user from the database again.
    if response.status_code >= 500:
        return response
    if response.mimetype == "text/html" and not current_user.is_authenticated:
        response.headers["Pelita-Session"] = "none"
    return response
