"""The home page: a welcome for visitors, the learner's Beranda once logged in."""

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html")


@bp.route("/healthz")
def healthz():
    """Liveness probe for load balancers: no database, no session."""
    return {"status": "ok"}
