"""Admin action forms; each is a small POST form so every action carries a CSRF token."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length

from lms.auth.models import Role
from lms.i18n import lazy_gettext as _l


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


class CertificateSetupForm(FlaskForm):
    """The site-wide certificate set-up: texts (empty: the CERT_* default), and images — an
    upload replaces the saved one, "remove" drops it, nothing keeps it."""

    issuer_name = StringField(_l("Issuing institution"), validators=[Length(max=200)])
    place = StringField(_l("Place of signing"), validators=[Length(max=100)])
    signatory_name = StringField(_l("Name"), validators=[Length(max=200)])
    signatory_role = StringField(_l("Position"), validators=[Length(max=200)])
    signature = FileField(_l("Signature image"))
    remove_signature = BooleanField(_l("Remove the saved signature"))
    signatory2_name = StringField(_l("Name"), validators=[Length(max=200)])
    signatory2_role = StringField(_l("Position"), validators=[Length(max=200)])
    signature2 = FileField(_l("Signature image"))
    remove_signature2 = BooleanField(_l("Remove the saved signature"))
    stamp = FileField(_l("Stamp image"))
    remove_stamp = BooleanField(_l("Remove the saved stamp"))
    logo1 = FileField(_l("Logo 1"))
    remove_logo1 = BooleanField(_l("Remove the saved logo 1"))
    logo2 = FileField(_l("Logo 2"))
    remove_logo2 = BooleanField(_l("Remove the saved logo 2"))
    logo3 = FileField(_l("Logo 3"))
    remove_logo3 = BooleanField(_l("Remove the saved logo 3"))
    submit = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview PDF"))


class CourseCertificateForm(CertificateSetupForm):
    """One course's certificate set-up: every field empty falls back to the site-wide set-up.
    A signatory is a unit (name, position, signature): both texts or neither, and a signature
    only with its signatory's name."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for name, role, signature in (
                (self.signatory_name, self.signatory_role, self.signature),
                (self.signatory2_name, self.signatory2_role, self.signature2)):
            has_name, has_role = bool((name.data or "").strip()), bool((role.data or "").strip())
            if has_name != has_role:
                (role if has_name else name).errors.append(_l(
                    "Enter both the name and the position of this signatory, or leave both "
                    "empty to use the site-wide signatory."))
                valid = False
            upload = signature.data
            if not has_name and upload is not None and getattr(upload, "filename", ""):
                signature.errors.append(_l(
                    "A signature needs its signatory's name and position here. Without them the "
                    "site-wide signatory and their signature are printed."))
                valid = False
        return valid
