"""Report pages. Each view checks its rule with `lms.access` and reads through
`lms.reports.queries`; reports never write."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms import access
from lms.auth.models import Role

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@access.role(Role.TRAINER)
def index():
    """The list of reports this person may open."""
    return render_template("reports/index.html")
