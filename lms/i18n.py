"""gettext for Pelita's own code, the same texts as Flask-Babel's `gettext` family with the
request's translations looked up once per request.

Flask-Babel's `gettext()` finds the domain, the context and the locale again on every call
(~15 µs); a page translates 20-150 strings (question editors: every form label, through
`lazy_gettext`). These read the translations Flask-Babel itself keeps per request
(`g._flask_babel.babel_translations`, which its `refresh()` and `force_locale()` reset, so a
change of language is seen at once) and format exactly as Flask-Babel does. Outside a request
(jobs, the CLI) they fall back to Flask-Babel. Plugins with their own translation domain keep
using Flask-Babel's."""

from __future__ import annotations

from flask import g
from flask_babel import get_translations
from flask_babel.speaklater import LazyString


def translations():
    """This request's translations (Flask-Babel's merged catalogue for the request's locale)."""
    try:
        state = g._flask_babel
    except (AttributeError, RuntimeError):  # no request, or Babel not asked anything yet
        return get_translations()
    found = getattr(state, "babel_translations", None)
    if found is None:
        found = state.babel_translations = get_translations()
    return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables) -> str:
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def npgettext(context: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().unpgettext(context, singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A text translated each time it is shown (form labels, module-level messages)."""
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context: str, string: str, **variables) -> LazyString:
    return LazyString(pgettext, context, string, **variables)
