"""Forms of the certificate pages (staff actions on certificates)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from lms.forms import max_len, not_blank, required
from lms.i18n import lazy_gettext as _l


class PrefixedForm(FlaskForm):
    """Two forms share one page under prefixes; CSRFProtect checks the page's token globally."""

    class Meta:
        csrf = False


class RevokeForm(PrefixedForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[required(), not_blank, max_len(1000)])


class ReissueForm(PrefixedForm):
    holder_name = StringField(_l("Name on the new certificate"), validators=[max_len(200)],
                              description=_l("Leave empty to use the name in the learner's profile."))
    reason = TextAreaField(_l("Reason for re-issuing"), validators=[required(), not_blank, max_len(1000)])


class IssueForm(FlaskForm):
    email = StringField(_l("Learner's email"), validators=[required(), max_len(254)])
    course = SelectField(_l("Course"), choices=[], validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[required(), not_blank, max_len(1000)],
                           description=_l("For example: completed the course in a face-to-face bimtek."))


class DecideForm(FlaskForm):
    note = TextAreaField(_l("Why not (when not approving)"), validators=[max_len(1000)])
