"""Cohort forms (CSRF on every one). Labels and messages are lazy: shown in the user's language."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import EqualTo, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms import regions
from lms.forms import max_len, not_blank, required, valid_email
from lms.i18n import lazy_gettext as _l


class CheckboxList(SelectMultipleField):
    """A list of checkboxes (usable without JavaScript, one label per box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), not_blank, max_len(200)],
                       description=_l("For example: Replikasi Fasilitator 2026 – Angkatan 1"))
    description = TextAreaField(_l("Description"), validators=[Optional(), max_len(5000)])
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()],
                        description=_l("Also the first deadline of every course; you can change "
                                       "each deadline later."))
    courses = CheckboxList(_l("Courses"), coerce=int, choices=[])
    trainers = CheckboxList(_l("Other trainers"), coerce=int, choices=[])
    submit = SubmitField(_l("Create the cohort"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class EditCohortForm(CohortForm):
    trainers = CheckboxList(_l("Trainers"), coerce=int, choices=[])
    status = SelectField(_l("Status"), choices=[], validate_choice=False,
                         description=_l("An archived cohort is hidden from its members' home page."))
    submit = SubmitField(_l("Save the cohort"))


class MemberForm(FlaskForm):
    """Invite one person; name and library are used only when the person has no account yet
    (the form is the same either way, so it never tells whether an address has an account)."""

    email = EmailField(_l("Email"), validators=[required(), valid_email(), max_len(254)])
    full_name = StringField(_l("Full name"), validators=[required(), not_blank, max_len(200)],
                            description=_l("As it should appear on certificates. Someone who "
                                           "already has an account keeps the name they gave."))
    library_name = StringField(_l("Library name"), validators=[Optional(), max_len(200)])
    province_code = SelectField(_l("Province"), choices=[], validate_choice=False)
    regency_code = SelectField(_l("Regency or city"), choices=[], validate_choice=False)
    load_regencies = SubmitField(_l("Show regencies and cities"))
    submit = SubmitField(_l("Invite to the cohort"))

    def fill_choices(self) -> None:
        self.province_code.choices = [("", _l("— choose a province —"))] + [
            (r.code, r.name) for r in regions.provinces()]
        self.regency_code.choices = [("", _l("— choose a regency or city —"))] + [
            (r.code, r.name) for r in regions.regencies(self.province_code.data or "")]


class UploadForm(FlaskForm):
    file = FileField(_l("Participant list (CSV)"),
                     description=_l("Columns: name, email, library, province, regency. Save from "
                                    "Excel or Google Sheets as CSV; commas or semicolons both work."))
    submit = SubmitField(_l("Check the list"))


class ConfirmImportForm(FlaskForm):
    data = HiddenField()
    submit = SubmitField(_l("Add these participants"))


class InvitationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[required(), not_blank, max_len(200)],
                            description=_l("Exactly as it should appear on your certificates."))
    password = PasswordField(_l("Password"), validators=[required()],
                             description=_l("At least 10 characters. A short sentence is easy "
                                            "to remember."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[required(), EqualTo("password",
                                                            message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Accept and set my password"))
