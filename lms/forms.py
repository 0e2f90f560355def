"""Validators shared by every form, with messages in our catalogue (WTForms ships no Indonesian)."""

from flask_wtf import FlaskForm
from wtforms.validators import Email, InputRequired, Length, ValidationError

from lms.i18n import lazy_gettext as _l


def required():
    return InputRequired(message=_l("This field is required."))


def valid_email():
    return Email(message=_l("Enter a valid email address, for example nama@contoh.id."))


def max_len(n: int):
    return Length(max=n, message=_l("Use at most %(max)d characters."))


def not_blank(form, field):
    """Reject values made only of spaces (InputRequired alone accepts them)."""
    if not (field.data or "").strip():
        raise ValidationError(_l("This field is required."))


class ActionForm(FlaskForm):
    """A one-button POST form: CSRF only (enrol, mark as done, remove a member, move a module)."""


def show_service_error(form, err) -> None:
    """Show a service's refusal (`ServiceError`) on the field it names, or above the form."""
    target = getattr(form, err.field, None) if err.field else None
    if target is not None:
        target.errors = [*target.errors, err.message]
    else:
        form.form_errors.append(err.message)
