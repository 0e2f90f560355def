"""Template globals and filters: language list, region names, static asset versioning, audit
action labels (used by the authoring, cohort and admin pages alike), and `inline_markdown` for
the short texts of questions (feedback), sanitised."""

import hashlib
from functools import cache
from pathlib import Path

from flask import url_for
from flask_babel import get_locale
from markupsafe import Markup

from lms import regions
from lms.audit import action_label
from lms.quizzes.markup import inline_html

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def init_templating(app) -> None:
    static_root = Path(app.static_folder)

    @cache
    def _digest(filename: str) -> str:
        return hashlib.sha256((static_root / filename).read_bytes()).hexdigest()[:10]

    def asset(filename: str) -> str:
        """URL of a static file with a content hash, so it can be cached for a year."""
        return url_for("static", filename=filename, v=_digest(filename))

    app.jinja_env.globals.update(
        asset=asset,
        region_name=regions.name,
        language_names=LANGUAGE_NAMES,
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.filters["audit_action"] = action_label
    app.jinja_env.filters["inline_markdown"] = lambda text: Markup(inline_html(text))  # noqa: S704 - nh3
