"""Learning-path pages: the list of paths and one path with the learner's progress."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from lms import access
from lms.paths import queries
from lms.security import revalidate

bp = Blueprint("paths", __name__, url_prefix="/paths")


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.route("/")
@revalidate
@access.public
def index():
    paths = queries.all_paths()
    return render_template("paths/index.html", paths=paths)


@bp.route("/<slug>")
@revalidate
@access.public
def path(slug: str):
    found = queries.path_by_slug(slug)
    if found is None:
        abort(404)
    view = queries.path_view(found, _user_id())
    return render_template("paths/path.html", view=view, path=found,
                           show_progress=current_user.is_authenticated)
