"""Account forms. Labels and messages are lazy so they render in the user's language."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import EqualTo, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms import regions
from lms.auth.models import LibraryLevel
from lms.forms import max_len, not_blank, required, valid_email
from lms.i18n import lazy_gettext as _l


def library_level_choices():
    return [
        ("", _l("— choose —")),
        (LibraryLevel.PROVINSI.value, _l("Province library")),
        (LibraryLevel.KABUPATEN.value, _l("Regency library (kabupaten)")),
        (LibraryLevel.KOTA.value, _l("City library (kota)")),
        (LibraryLevel.DESA.value, _l("Village library (desa/kelurahan)")),
    ]


class AffiliationMixin:
    """Library affiliation fields shared by registration and the profile form."""

    library_name = StringField(
        _l("Library name"), validators=[required(), not_blank, max_len(200)],
        description=_l("For example: Perpustakaan Desa Sukamaju"),
    )
    library_level = SelectField(_l("Library level"), validators=[required()], choices=[])
    province_code = SelectField(_l("Province"), validators=[required()], choices=[],
                                validate_choice=False)
    regency_code = SelectField(_l("Regency or city"), validators=[required()], choices=[],
                               validate_choice=False)

    def fill_choices(self) -> None:
        """Set the choice lists; the regencies follow the chosen province."""
        self.library_level.choices = library_level_choices()
        self.province_code.choices = [("", _l("— choose a province —"))] + [
            (r.code, r.name) for r in regions.provinces()
        ]
        self.regency_code.choices = [("", _l("— choose a regency or city —"))] + [
            (r.code, r.name) for r in regions.regencies(self.province_code.data or "")
        ]

    def validate_province_code(self, field):
        if not regions.is_province(field.data):
            raise ValidationError(_l("Choose a province from the list."))

    def validate_regency_code(self, field):
        if regions.is_province(self.province_code.data) and not regions.is_regency_of(
            field.data, self.province_code.data
        ):
            raise ValidationError(_l("Choose a regency or city in the selected province."))


class RegisterForm(AffiliationMixin, FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[required(), not_blank, max_len(200)],
        description=_l("Exactly as it should appear on your certificates."),
    )
    email = EmailField(_l("Email"), validators=[required(), valid_email(), max_len(254)])
    password = PasswordField(
        _l("Password"), validators=[required()],
        description=_l("At least 10 characters. A short sentence is easy to remember."),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[required(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    # Without JavaScript, this button reloads the form with the chosen province's regencies.
    load_regencies = SubmitField(_l("Show regencies and cities"))
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    # No syntax check here: any address an account was created with must be able to log in
    # (email_validator refuses reserved domains such as the demo accounts' .test).
    email = EmailField(_l("Email"), validators=[required(), max_len(254)])
    password = PasswordField(_l("Password"), validators=[required()])
    remember = BooleanField(_l("Remember me on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileForm(AffiliationMixin, FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[required(), not_blank, max_len(200)],
        description=_l("Exactly as it should appear on your certificates."),
    )
    load_regencies = SubmitField(_l("Show regencies and cities"))
    submit = SubmitField(_l("Save profile"))


PASSWORD_HINT = _l("At least 10 characters. A short sentence is easy to remember.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required()],
                                 description=PASSWORD_HINT)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[required(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Change password"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_len(254)])
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[required()],
                                 description=PASSWORD_HINT)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[required(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Set new password"))


class ScopeBoxes(SelectMultipleField):
    """The token's scopes as checkboxes (usable without JavaScript, one label per box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def token_scope_choices(is_admin: bool):
    choices = [("read", _l("read: see your courses, progress, answers and certificates")),
               ("write", _l("write: enrol, mark modules done, answer and submit quizzes, grade"))]
    if is_admin:
        choices.append(("admin", _l("admin: manage users and certificates (administrators)")))
    return choices


class ApiTokenForm(FlaskForm):
    """Create a personal access token for the JSON API (profile page)."""

    name = StringField(_l("Token name"), validators=[required(), not_blank, max_len(100)],
                       description=_l("What uses it, e.g. “SIM TPBIS Jawa Tengah” or “my "
                                      "progress script”."))
    scopes = ScopeBoxes(_l("What the token may do"), choices=[])
    submit = SubmitField(_l("Create token"))
