"""Template globals and filters used by every area's pages: language list, region names, static
asset versioning, audit action labels, times in the reader's own zone, percentages and dates
in the reader's language (`percent`, `date`: lms/l10n.py), and `inline_markdown` for
the short texts of questions (feedback), sanitised. (Blueprint-specific helpers stay with their
blueprint; anything a page of another area uses belongs here.)"""

import hashlib
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from lms import clock, l10n, regions
from lms.audit import action_label, value_label
from lms.cache import LRU
from lms.i18n import gettext, ngettext, translations
from lms.quizzes.markup import inline_html

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@pass_eval_context
def template_gettext(eval_ctx, string: str, /, **variables):
    """Jinja's newstyle `gettext` in one call: the text translated, marked safe where the
    template autoescapes (the values are escaped by `%`), and always used as a format string
    (so `100%%` shows `100%` with or without values)."""
    text = translations().ugettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 - our catalogue


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables):
    """Jinja's newstyle `ngettext` in one call (`num` is a value unless given)."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 - our catalogue


def local_time(value: datetime | None, fmt: str = "d MMM y, HH:mm") -> str:
    """A stored UTC time shown in the current user's zone, e.g. '26 Nov 2026, 09:30 WIB'."""
    value = clock.aware(value)
    if value is None:
        return ""
    return _local_time(value, fmt, clock.zone_of(current_user), str(get_locale()))


@lru_cache(maxsize=4096)  # Babel takes ~80 µs a time; pages repeat the same stored times
def _local_time(value: datetime, fmt: str, zone, locale: str) -> str:
    text = babel_format_datetime(value, fmt, tzinfo=zone, locale=locale)
    return f"{text} {clock.zone_label(zone)}"


_CSRF_SLOT = "\x00csrf-token\x00"  # stands for the request's CSRF token in a kept fragment
_NEXT_SLOT = "\x00next\x00"  # stands for the page's own path (the language switch's `next`)


class _Viewer:
    """What the menu depends on: signed in or not, and the roles."""

    def __init__(self, flags: tuple[bool, bool, bool, bool]) -> None:
        self.is_authenticated, self.is_trainer, self.is_facilitator, self.is_admin = flags


def cached_fragment(name: str) -> Markup:
    """A part of every page that depends only on the language, the site root and (the header's
    menu) the viewer's roles — `templates/chrome/<name>.html` — rendered once per process and
    kept; the CSRF token of a form in it, and the page's own path the language switch returns
    to, are put in per request."""
    flags = (False, False, False, False)
    if name == "header":  # the only part that depends on who is looking
        user = current_user
        if user.is_authenticated:
            flags = (True, bool(user.is_trainer), bool(user.is_facilitator), bool(user.is_admin))
    lang = str(get_locale())
    key = (name, lang, request.script_root, flags)
    fragments = current_app.extensions["pelita_fragments"]  # a handful of entries per app
    html = fragments.get(key)
    if html is None:
        template = current_app.jinja_env.get_template(f"chrome/{name}.html")
        html = fragments[key] = template.render(user=_Viewer(flags), token=_CSRF_SLOT,
                                                next=_NEXT_SLOT, lang=lang)
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, generate_csrf())
    if _NEXT_SLOT in html:
        html = html.replace(_NEXT_SLOT, escape(
            request.full_path if request.query_string else request.path))
    return Markup(html)  # noqa: S704 - our own template, rendered with autoescape; slots escaped


def progress_bar(p, label_id: str) -> Markup:
    """The one progress widget of every page (course, module, catalogue, Beranda, paths), so
    the bar and the status never disagree: a `<progress>` named by the status text. Built in
    Python, not a Jinja macro: Beranda shows one per course and a macro call costs ~40 µs."""
    pct, label = p.percent, escape(label_id)
    if p.completed:
        text = f"<strong>{escape(gettext('Completed'))}</strong> · 100%"
        if p.new_since_completion:
            text += '<br><span class="muted">{}</span>'.format(escape(ngettext(
                "%(num)d new module since you completed",
                "%(num)d new modules since you completed", p.new_since_completion)))
    else:
        detail = gettext("modules %(a)d/%(b)d", a=p.modules_done, b=p.modules_total)
        if p.quizzes_total:
            detail += ", " + gettext("quizzes %(a)d/%(b)d", a=p.quizzes_passed,
                                     b=p.quizzes_total)
        text = "{} · {}% <span class=\"muted\">({})</span>".format(
            escape(gettext("%(done)d of %(total)d done", done=p.done, total=p.total)), pct,
            escape(detail))
    return Markup(  # noqa: S704 - every text escaped above
        f'<div class="progress" id="{label}">\n'
        f'  <progress max="100" value="{pct}" aria-labelledby="{label}-text">{pct}%</progress>\n'
        f'  <p class="progress__text" id="{label}-text">{text}</p>\n</div>')


def breadcrumbs(trail) -> Markup:
    """The trail back from a page to the catalogue, for every learner page (course, module,
    quiz, attempt, review): `trail` is (label, url) pairs from the top down; the last is the
    page itself (aria-current, no link). Python, not a macro imported by each page."""
    items = [f'<li><a href="{escape(url)}">{escape(label)}</a></li>' for label, url in trail[:-1]]
    if trail:
        items.append(f'<li><span aria-current="page">{escape(trail[-1][0])}</span></li>')
    return Markup(  # noqa: S704 - every label and URL escaped above
        f'<nav aria-label="{escape(gettext("Breadcrumb"))}" class="breadcrumb">\n  <ol>\n  '
        + "\n  ".join(items) + "\n  </ol>\n</nav>")


_version_fragments: LRU[str] = LRU("version fragments", 2048)


def version_fragment(name: str, version_id: int, *key, **context) -> Markup:
    """A part of a page that depends only on a course version (immutable), the language and the
    site root — `templates/<name>` rendered with `context` — kept in a bounded LRU keyed by
    those (and `key`: what else it shows, e.g. the module's slug). Nothing personal and no CSRF
    token may be in such a part."""
    full_key = (id(current_app), name, version_id, str(get_locale()), request.script_root, *key)
    html = _version_fragments.get(full_key)
    if html is None:
        html = _version_fragments.put(
            full_key, current_app.jinja_env.get_template(name).render(**context))
    return Markup(html)  # noqa: S704 - our own template, rendered with autoescape


def init_templating(app) -> None:
    static_root = Path(app.static_folder)
    app.extensions["pelita_fragments"] = {}

    @cache
    def _digest(filename: str) -> str:
        return hashlib.sha256((static_root / filename).read_bytes()).hexdigest()[:10]

    @cache
    def _asset_url(filename: str, script_root: str) -> str:
        return url_for("static", filename=filename, v=_digest(filename))

    def asset(filename: str) -> str:
        """URL of a static file with a content hash, so it can be cached for a year (built once
        per file and site root)."""
        try:
            script_root = request.script_root
        except RuntimeError:  # no request (a page rendered by a job): nothing to reuse
            return url_for("static", filename=filename, v=_digest(filename))
        return _asset_url(filename, script_root)

    built_urls: dict = {}
    keeps: list[bool] = []  # decided at the first build, when the app (and its plugins) is set

    def memo_url_for(endpoint: str, **values) -> str:
        """`url_for` for templates, each URL built once per app and kept (a page builds 10-30,
        ~10 µs each in Werkzeug). Kept only while the app has no `url_defaults` (then a relative
        URL depends on nothing but the endpoint, the values, the site root and, for '.name', the
        blueprint), and only for the site's own short values — ids and slugs, not a visitor's
        `next` or search text, which would fill the memory with one entry per distinct value.
        `_external`, `_anchor` and friends go to Flask as they are."""
        if not keeps:
            keeps.append(not any(current_app.url_default_functions.values()))
        if not keeps[0] or not all(
                type(v) is int or (type(v) is str and len(v) <= 80 and k[:1] != "_")
                for k, v in values.items()):
            return url_for(endpoint, **values)
        try:
            key = (endpoint, request.script_root,
                   request.blueprint if endpoint[:1] == "." else None,
                   *sorted(values.items()))
        except RuntimeError:  # no request: nothing to share it with
            return url_for(endpoint, **values)
        url = built_urls.get(key)
        if url is None:
            url = url_for(endpoint, **values)
            if len(built_urls) >= 4096:  # a bound, not an LRU: URLs are cheap to build again
                built_urls.clear()
            built_urls[key] = url
        return url

    app.jinja_env.globals["url_for"] = memo_url_for
    app.jinja_env.install_gettext_callables(
        # Jinja's i18n extension: the newstyle flag `{% trans %}` compiles against, and
        # `pgettext`/`npgettext` reading this request's translations (lms/i18n.py). Its
        # `gettext`/`ngettext` (required arguments) are replaced just below.
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_`, `gettext` and `ngettext` (and `{% trans %}`, which calls them) in one template call
    # each instead of Jinja's three (alias → newstyle wrapper → callable): a page translates
    # 20-60 texts. Same behaviour as Jinja's newstyle gettext (test_template_gettext.py).
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext,
                                 ngettext=template_ngettext)
    app.jinja_env.globals.update(
        asset=asset,
        cached_fragment=cached_fragment,
        progress_bar=progress_bar,
        breadcrumbs=breadcrumbs,
        version_fragment=version_fragment,
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
