"""Pelita's own floor: the same Pelita app as `wsgi:app` plus two bench-only pages that show what
any signed-in page costs before it does anything of its own.

    gunicorn -w 2 bench.floor.pelita:app

* `/__bench/signed-in` — a signed-in learner, the text "ok": the session cookie, the server-side
  login check, the idle-timeout rule, the limiter's hooks, security headers, ETag;
* `/__bench/chrome` — the same plus Pelita's base template (header, menu, language switch,
  footer) around a heading.

bench/pages.py prints both beside the learner pages (as references, not judged): a learner
page's ratio to the framework floor cannot be better than these.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from lms import access
from wsgi import app

bp = Blueprint("bench_reference", __name__, template_folder="pelita_templates")


@bp.get("/__bench/signed-in")
@access.signed_in
def signed_in():
    return "ok"


@bp.get("/__bench/chrome")
@access.signed_in
def chrome():
    return render_template("bench_chrome.html")


app.register_blueprint(bp)
