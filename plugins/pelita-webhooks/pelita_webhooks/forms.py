"""The admin page's forms (CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.plugins import max_len, required
from pelita_webhooks.store import EVENT_NAMES, MAX_URL


class CheckboxList(SelectMultipleField):
    """A list of checkboxes, one label each; works without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = StringField(_l("URL"), validators=[required(), max_len(MAX_URL)],
                      description=_l("Where to POST the events, e.g. "
                                     "https://example.org/pelita-webhook"))
    description = StringField(_l("Description"), validators=[Optional(), max_len(200)],
                              description=_l("Optional: what receives these events."))
    events = CheckboxList(_l("Events"), choices=[],
                          description=_l("Tick none to receive every event."))
    submit = SubmitField(_l("Add the endpoint"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events.choices = [(name, name) for name in EVENT_NAMES]


class ActionForm(FlaskForm):
    """Remove, regenerate the secret, send a test: only the CSRF token."""
