"""Admin action forms; each is a small POST form so every action carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField

from lms.auth.models import Role


def role_choices():
    return [
        (Role.PARTICIPANT.value, _l("Participant (peserta)")),
        (Role.FACILITATOR.value, _l("Facilitator (fasda)")),
        (Role.TRAINER.value, _l("Master trainer")),
        (Role.ADMIN.value, _l("Administrator")),
    ]


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Change role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ActiveForm(FlaskForm):
    active = HiddenField()
    submit = SubmitField(_l("Apply"))


class PluginStateForm(FlaskForm):
    """Enable ("1") or disable ("0") a plugin at the next start."""

    enabled = HiddenField()
