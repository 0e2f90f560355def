"""Report forms (CSRF on every one). Labels and messages are lazy: shown in the user's language."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from lms.forms import required
from lms.i18n import lazy_gettext as _l
from lms.reports.rollup import parse_target


def whole_number(optional: bool = False):
    """A non-negative whole number as people type it ("120", "1.200"); `field.number` holds it."""

    def check(form, field):
        text = (field.data or "").strip()
        field.number = None
        if not text and optional:
            return
        number = parse_target(text)
        if number is None:
            raise ValidationError(_l("Enter a whole number, 0 or more."))
        field.number = number

    return check


class TargetForm(FlaskForm):
    """One region's targets: the region from the list of the level shown, and the numbers."""

    region = SelectField(_l("Region"), choices=[], validate_choice=False,
                         validators=[required()])
    villages_target = StringField(
        _l("Village libraries to reach"), validators=[required(), whole_number()],
        render_kw={"inputmode": "numeric"},
        description=_l("Village libraries with at least one confirmed field activity."))
    facilitators_target = StringField(
        _l("Certified facilitators wanted (optional)"), validators=[whole_number(optional=True)],
        render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Save the target"))

    def validate_region(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a region from the list."))
