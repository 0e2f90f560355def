"""Forms of the public verification pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField

from lms.forms import max_len, required
from lms.i18n import lazy_gettext as _l


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET lookup; nothing to forge

    code = StringField(_l("Certificate code"), validators=[required(), max_len(40)],
                       description=_l("For example PLT-7K3M-Q9XA-4. Letters may be small or capital."))


class CredentialForm(FlaskForm):
    file = FileField(_l("Credential file (.json)"),
                     validators=[FileRequired(message=_l("Choose the credential file to check."))])
