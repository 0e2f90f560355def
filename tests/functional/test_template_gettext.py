"""The templates' `_`, `gettext` and `ngettext` (lms/templating.py) translate exactly as Jinja's
own newstyle gettext does — the texts people read, their escaping and their numbers — while
costing one template call instead of three."""

import pytest
from jinja2 import Environment
from markupsafe import Markup

from lms.extensions import COOKIE_LANG
from lms.i18n import translations

CASES = [
    # (template, variables): texts in Pelita's catalogue, with values a person could type
    ('{{ _("Welcome, %(name)s", name=name) }}', {"name": "Siti <b>&</b>"}),
    ('{{ gettext("Welcome, %(name)s", name=name) }}', {"name": "O'Neil \"Budi\""}),
    ('{{ _("Home") }}', {}),
    ('{{ _("100%% done") }}', {}),  # not in the catalogue: still a format string
    ('{{ ngettext("%(num)d day left", "%(num)d days left", n) }}', {"n": 1}),
    ('{{ ngettext("%(num)d day left", "%(num)d days left", n) }}', {"n": 90}),
    ('{{ ngettext("%(done)d of %(num)d course completed", "%(done)d of %(num)d courses completed",'
     ' n, done=d) }}', {"n": 5, "d": 2}),
    ('{% autoescape false %}{{ _("Welcome, %(name)s", name=name) }}{% endautoescape %}',
     {"name": "<i>plain text, as in an email</i>"}),
    ('<a title="{{ _("Question %(num)s", num=n) }}">', {"n": "<3"}),
]


def reading_in(app, lang: str):
    """A request of a visitor who chose `lang` with the language switch."""
    return app.test_request_context("/", headers={"Cookie": f"{COOKIE_LANG}={lang}"})


def jinja_reference() -> Environment:
    """Jinja's own newstyle gettext over the same catalogue: what Pelita must match (as Flask's
    pages, autoescaping; the cases switch it off with `{% autoescape false %}`)."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True)
    return env


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("source", "values"), CASES)
def test_templates_translate_escape_and_count_as_jinja_does(app, lang, source, values):
    reference = jinja_reference()
    with reading_in(app, lang):
        ours = app.jinja_env.from_string(source).render(**values)
        theirs = reference.from_string(source).render(**values)
    assert ours == theirs


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Selamat datang, &lt;script&gt;x&lt;/script&gt; · Sisa 3 hari"),
    ("en", "Welcome, &lt;script&gt;x&lt;/script&gt; · 3 days left"),
])
def test_the_reader_sees_their_language_and_typed_values_stay_text(app, lang, expected):
    source = ('{{ _("Welcome, %(name)s", name=name) }} · '
              '{{ ngettext("%(num)d day left", "%(num)d days left", 3) }}')
    with reading_in(app, lang):
        page = app.jinja_env.from_string(source).render(name="<script>x</script>")
    assert page == expected


def test_a_text_template_gets_plain_text(app):
    """Autoescape off (an email's .txt body): no Markup, no entities in the values."""
    with reading_in(app, "en"):
        out = app.jinja_env.globals["_"]
        text = app.jinja_env.from_string(
            "{% autoescape false %}{{ _('Welcome, %(name)s', name='A & B') }}{% endautoescape %}"
        ).render()
    assert text == "Welcome, A & B"
    assert out is app.jinja_env.globals["gettext"]
    assert not isinstance(text, Markup)
