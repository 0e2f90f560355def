"""Cascade forms (CSRF on every one). The place is chosen in four selects, province to village;
without JavaScript the "show the next list" button reloads the form with the next list filled."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional

from lms import regions
from lms.cascade import rules
from lms.forms import max_len, not_blank, required
from lms.i18n import lazy_gettext as _l

LEVELS = ("province_code", "regency_code", "district_code", "village_code")


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind of activity"), choices=[])
    activity_date = DateField(_l("Date"), validators=[required()])
    province_code = SelectField(_l("Province"), choices=[], validate_choice=False)
    regency_code = SelectField(_l("Regency or city"), choices=[], validate_choice=False)
    district_code = SelectField(_l("District (kecamatan)"), choices=[], validate_choice=False)
    village_code = SelectField(_l("Village or kelurahan"), choices=[], validate_choice=False)
    load_regions = SubmitField(_l("Show the next list"))
    library_name = StringField(_l("Library"), validators=[required(), not_blank, max_len(200)],
                               description=_l("For example: Perpustakaan Desa Sukamaju"))
    women = IntegerField(_l("Women participants"), default=0,
                         validators=[Optional(), NumberRange(min=0, max=rules.MAX_COUNT)])
    men = IntegerField(_l("Men participants"), default=0,
                       validators=[Optional(), NumberRange(min=0, max=rules.MAX_COUNT)])
    topic = StringField(_l("Topic"), validators=[required(), not_blank, max_len(300)])
    attachment = FileField(_l("Photo or attendance list (optional)"),
                           description=_l("JPEG, PNG, PDF, CSV or XLSX, at most 5 MB."))
    submit = SubmitField(_l("Save the activity"))

    def fill_choices(self) -> None:
        """Each select lists the children of the one above (an empty first option)."""
        self.kind.choices = [(rules.TRAINING, _l("Training (bimtek)")),
                             (rules.MENTORING, _l("Mentoring visit"))]
        empty = [("", "—")]
        self.province_code.choices = empty + [(r.code, r.name) for r in regions.provinces()]
        parent = self.province_code.data
        for name in LEVELS[1:]:
            items = regions.children(parent) if parent else ()
            getattr(self, name).choices = empty + [(r.code, r.name) for r in items]
            value = getattr(self, name).data
            if value and not any(code == value for code, _n in getattr(self, name).choices):
                getattr(self, name).data = ""
                value = ""
            parent = value

    def set_place(self, village_code: str) -> None:
        codes = regions.ancestors(village_code)
        for name, code in zip(LEVELS, codes, strict=False):
            getattr(self, name).data = code


class ConfirmActivityForm(FlaskForm):
    """Confirm an activity as the confirmer saw it: `seen` is the activity's `updated_at` when
    the page was opened (ISO 8601); the service refuses if it changed since."""

    seen = HiddenField()
