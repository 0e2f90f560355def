"""Template globals and filters used by every area's pages: language list, region names, static
asset versioning, audit action labels, times in the reader's own zone, percentages and dates
in the reader's language (`percent`, `date`: lms/l10n.py), and `inline_markdown` for
the short texts of questions (feedback), sanitised. (Blueprint-specific helpers stay with their
blueprint; anything a page of another area uses belongs here.)"""

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.dates import format_datetime as babel_format_datetime
from flask import url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from lms import clock, l10n, regions
from lms.audit import action_label, value_label
from lms.quizzes.markup import inline_html

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def local_time(value: datetime | None, fmt: str = "d MMM y, HH:mm") -> str:
    """A stored UTC time shown in the current user's zone, e.g. '26 Nov 2026, 09:30 WIB'."""
    value = clock.aware(value)
    if value is None:
        return ""
    zone = clock.zone_of(current_user)
    text = babel_format_datetime(value, fmt, tzinfo=zone, locale=str(get_locale()))
    return f"{text} {clock.zone_label(zone)}"


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
    app.jinja_env.filters["audit_value"] = value_label
    app.jinja_env.filters["quiz_time"] = local_time  # any stored time, in the reader's zone
    # Every learner page writes percentages and calendar dates through these (Babel, per locale):
    # "9,5%" / "9.5%", "6 Des 2026" / "Dec 6, 2026" — never ISO strings or " %".
    app.jinja_env.filters["percent"] = l10n.percent
    app.jinja_env.filters["date"] = l10n.date_text
    app.jinja_env.filters["inline_markdown"] = lambda text: Markup(inline_html(text))  # noqa: S704 - nh3
