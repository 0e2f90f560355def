"""Forms of the course and module editors. Every field of course.toml and of a module's front
matter has a form field here, so master trainers never need to write TOML by hand."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.authoring.packfiles import is_slug
from lms.forms import max_len, not_blank, required, valid_email
from lms.i18n import lazy_gettext as _l


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except (ValueError, TypeError) as exc:
            self.data = None
            raise ValueError(_l("Enter a whole number, for example 4.")) from exc


class NumberField(FloatField):
    """A number; a decimal comma (70,5) is accepted as Indonesians write it."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = float(str(valuelist[0]).strip().replace(",", "."))
        except (ValueError, TypeError) as exc:
            self.data = None
            raise ValueError(_l("Enter a number, for example 70.")) from exc


def area_choices():
    from lms.courses.views import AREA_LABELS

    return [(key, label) for key, label in AREA_LABELS.items()]


def enrolment_choices():
    return [("open", _l("Open: learners enrol themselves")),
            ("cohort", _l("Cohort: a trainer enrols the learners"))]


def whole(minimum: int):
    return NumberRange(min=minimum, message=_l("Enter a whole number of at least %(min)d."))


def percent():
    return NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))


def lines_of(text: str | None) -> list[str]:
    """The non-empty lines of a textarea, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _slug_field(minimum: int):
    def check(form, field):
        if field.data and not is_slug(field.data.strip(), minimum):
            raise ValidationError(_l(
                "Use %(min)d to 60 characters: lower-case letters a-z, digits and single hyphens "
                "between words, e.g. literasi-digital.", min=minimum))

    return check


def _slug_lines(form, field):
    bad = [s for s in lines_of(field.data) if not is_slug(s, 3)]
    if bad:
        raise ValidationError(_l("Not a course slug: %(slugs)s", slugs=", ".join(bad)))


def _completion_modules(form, field):
    value = (field.data or "").strip()
    if value and value != "all" and not (value.isdigit() and int(value) >= 1):
        raise ValidationError(_l('Enter "all" or a whole number of at least 1.'))


class CourseFields(FlaskForm):
    """The course.toml fields shared by "New course" and "Course settings"."""

    version = StringField(_l("Version label"), [required(), not_blank, max_len(60)],
                          default="1.0.0",
                          description=_l('The authors\' own label, for example "1.0.0" or '
                                         '"2026 revisi 2".'))
    title_id = StringField(_l("Title (Bahasa Indonesia)"), [required(), not_blank, max_len(300)])
    title_en = StringField(_l("Title (English)"), [required(), not_blank, max_len(300)])
    summary_id = TextAreaField(_l("Summary (Bahasa Indonesia)"), [Optional(), max_len(2000)],
                               description=_l("One paragraph for the catalogue."))
    summary_en = TextAreaField(_l("Summary (English)"), [Optional(), max_len(2000)])
    area = SelectField(_l("Programme area"), choices=[])
    hours = WholeNumberField(_l("Hours (JP)"), [required(), whole(1)],
                         description=_l("Lesson hours (jam pelajaran) credited for the course."))
    enrolment = SelectField(_l("Enrolment"), choices=[], default="open")
    sequential = BooleanField(_l("Open modules in order (module 2 unlocks when module 1 is done)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = area_choices()
        self.enrolment.choices = enrolment_choices()


class NewCourseForm(CourseFields):
    slug = StringField(_l("Course address (slug)"), [required(), not_blank, _slug_field(3)],
                       description=_l("Part of the web address, cannot be changed later: "
                                      "lower-case letters, digits and hyphens, e.g. "
                                      "literasi-digital."))
    first_module_title = StringField(_l("Title of the first module"),
                                     [required(), not_blank, max_len(300)],
                                     default="Pendahuluan")
    submit = SubmitField(_l("Create course"))


class SettingsForm(CourseFields):
    revision = HiddenField()
    authors = TextAreaField(_l("Authors"), [Optional()], description=_l("One name per line."))
    prerequisites = TextAreaField(
        _l("Prerequisite courses"), [Optional(), _slug_lines],
        description=_l("Slugs of courses to complete first, one per line."))
    completion_modules = StringField(
        _l("Modules to complete"), [Optional(), _completion_modules], default="all",
        description=_l('"all", or how many modules must be completed.'))
    min_module_quiz_score = NumberField(
        _l("Minimum module quiz score (%)"), [Optional(), percent()], default=70)
    final_min_score = NumberField(_l("Minimum final assessment score (%)"),
                                 [Optional(), percent()], default=75)
    practical = BooleanField(_l("A practical assignment must be approved by a trainer"))
    certificate_enabled = BooleanField(_l("Issue a certificate on completion"), default=True)
    certificate_hours = WholeNumberField(
        _l("Hours on the certificate"), [Optional(), whole(1)],
        description=_l("Leave empty to print the course hours."))
    certificate_valid_months = WholeNumberField(
        _l("Certificate valid for (months)"), [Optional(), whole(0)], default=0,
        description=_l("0 = does not expire."))
    certificate_show_score = BooleanField(_l("Print the final score on the certificate"))
    certificate_template = SelectField(
        _l("Certificate design"), choices=[], default="default",
        description=_l("The designs installed on this site; plugins can add more."))
    submit = SubmitField(_l("Save settings"))


class ModuleForm(FlaskForm):
    revision = HiddenField()
    title = StringField(_l("Title (Bahasa Indonesia)"), [required(), not_blank, max_len(300)])
    title_en = StringField(_l("Title (English)"), [Optional(), max_len(300)])
    minutes = WholeNumberField(_l("Minutes"), [Optional(), whole(0)],
                           description=_l("Estimated time to work through the module; leave "
                                          "empty to estimate it from the text."))
    objectives = TextAreaField(_l("Learning objectives"), [Optional()],
                               description=_l("One objective per line."))
    body = TextAreaField(_l("Text (Markdown)"), [Optional()],
                         description=_l("Headings with ##, lists with -, images with "
                                        "![description](../media/file.png)."))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))


class NewModuleForm(ModuleForm):
    slug = StringField(_l("Module address (slug)"), [required(), not_blank, _slug_field(1)],
                       description=_l("Part of the web address, e.g. mencari-informasi."))
    course_revision = HiddenField()
    submit = SubmitField(_l("Add module"))


class MoveForm(FlaskForm):
    revision = HiddenField()
    direction = HiddenField()


class DeleteModuleForm(FlaskForm):
    revision = HiddenField()
    course_revision = HiddenField()
    submit = SubmitField(_l("Delete module"))


class PublishForm(FlaskForm):
    note = StringField(_l("What changed?"), [required(), not_blank, max_len(200)],
                       description=_l("A short note for the history, e.g. \"Modul 2: contoh "
                                      "baru\"."))
    force = HiddenField()
    submit = SubmitField(_l("Publish"))


class MediaForm(FlaskForm):
    file = FileField(_l("File"), [FileRequired(message=_l("Choose a file to upload."))],
                     description=_l("PNG, JPEG, GIF, WebP or PDF, at most 5 MB."))
    submit = SubmitField(_l("Upload"))


class DeleteMediaForm(FlaskForm):
    path = HiddenField()
    revision = HiddenField()


class RemoveEditorForm(FlaskForm):
    user_id = HiddenField()


class EditorForm(FlaskForm):
    email = StringField(_l("Email of the trainer"), [required(), valid_email(), max_len(254)])
    submit = SubmitField(_l("Add editor"))


# ----------------------------------------------------------------------------- quizzes


def kind_choices():
    return [("module", _l("Module quiz")), ("final", _l("Final test")),
            ("practical", _l("Practical assignment"))]


def grading_choices():
    return [("highest", _l("The highest attempt")), ("average", _l("The average of the attempts")),
            ("first", _l("The first attempt")), ("last", _l("The last attempt"))]


def review_moment_labels():
    return {
        "during": _l("During the attempt"),
        "immediately_after": _l("Right after submitting (2 minutes)"),
        "later_while_open": _l("Later, while the quiz is open"),
        "after_last_attempt": _l("After the learner's last attempt (quizzes with a limit)"),
        "after_close": _l("After the quiz closes"),
    }


def review_item_choices():
    return [("response", _l("Their answers")), ("correctness", _l("Right or wrong")),
            ("marks", _l("Marks")), ("specific_feedback", _l("Feedback on their answer")),
            ("general_feedback", _l("General feedback")), ("right_answer", _l("The right answer"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuizSettingsForm(FlaskForm):
    """Every quiz setting the pack loader accepts (docs/course-packs.md, "Quiz files")."""

    revision = HiddenField()
    slug = StringField(_l("Quiz address (slug)"), [max_len(60)],
                       description=_l("Lower-case letters, digits and hyphens, e.g. kuis-etika. "
                                      "It cannot be changed later."))
    kind = SelectField(_l("Kind"), choices=kind_choices)
    module = SelectField(_l("Module"), choices=list, validate_choice=False,
                         description=_l("A module quiz belongs to a module; a final test to "
                                        "the whole course."))
    title_id = StringField(_l("Title (Indonesian)"), [required(), not_blank, max_len(200)])
    title_en = StringField(_l("Title (English)"), [max_len(200)])
    pass_mark = StringField(_l("Pass mark (%)"), description=_l("From 0 to 100. Empty means 70."))
    attempts = StringField(_l("Attempts allowed"), description=_l("0 or empty: unlimited."))
    grading = SelectField(_l("Which attempt counts"), choices=grading_choices)
    time_limit_minutes = StringField(_l("Time limit (minutes)"),
                                     description=_l("0 or empty: no limit."))
    opens_at = StringField(_l("Opens at (WIB)"), render_kw={"type": "datetime-local"},
                           description=_l("Empty: open at once. Times are Western Indonesian "
                                          "Time (WIB)."))
    closes_at = StringField(_l("Closes at (WIB)"), render_kw={"type": "datetime-local"},
                            description=_l("Empty: never closes. Attempts in progress end at "
                                           "this time."))
    shuffle_questions = SelectField(_l("Order of the questions"), choices=lambda: [
        ("0", _l("As written")), ("1", _l("Shuffled for each attempt"))])
    shuffle_options = SelectField(_l("Order of the options"), choices=lambda: [
        ("1", _l("Shuffled for each attempt")), ("0", _l("As written"))])
    draw = StringField(_l("Questions drawn at random"),
                       description=_l("0 or empty: every question. N: a random N of the "
                                      "questions (outside the categories below)."))
    draw_categories = TextAreaField(_l("Questions drawn per category"), render_kw={"rows": 3},
                                    description=_l('One category per line with the number to '
                                                   'draw, e.g. "etika: 3".'))
    per_page = StringField(_l("Questions per page"), description=_l("0 or empty: all on one "
                                                                     "page."))
    review_during = MultiCheckboxField(choices=review_item_choices)
    review_immediately_after = MultiCheckboxField(choices=review_item_choices)
    review_later_while_open = MultiCheckboxField(choices=review_item_choices)
    review_after_last_attempt = MultiCheckboxField(choices=review_item_choices)
    review_after_close = MultiCheckboxField(choices=review_item_choices)


class RevisionActionForm(FlaskForm):
    """CSRF and the revision the page showed: one-button actions."""

    revision = HiddenField()


class QuestionImportForm(FlaskForm):
    revision = HiddenField()
    file = FileField(_l("GIFT, Aiken or Moodle XML file"),
                     render_kw={"accept": ".gift,.txt,.aiken,.xml"},
                     description=_l("A .gift, .txt, .aiken or .xml file exported from Moodle or "
                                    "written by hand. Images in a Moodle XML file are added to "
                                    "the course's media."))
    fmt = SelectField(_l("Format"), choices=lambda: [("", _l("Recognise from the file")),
                                                      ("gift", "GIFT"), ("aiken", "Aiken"),
                                                      ("moodle_xml", "Moodle XML")])
    category = StringField(_l("Category"), [max_len(100)], render_kw={"list": "import-categories"},
                           description=_l("Optional: put every imported question into this "
                                          "category (GIFT's own $CATEGORY lines are used "
                                          "otherwise)."))
    source = HiddenField()
    name = HiddenField()


# ----------------------------------------------------------------------------- zips


class ZipImportForm(FlaskForm):
    file = FileField(_l("Course pack (.zip)"),
                     validators=[FileRequired(message=_l("Choose the zip file to import."))],
                     description=_l("A zip of one course pack: course.toml, modules/, quizzes/ "
                                    "and media/, at the top of the zip or in one folder."))


class ZipConfirmForm(FlaskForm):
    token = HiddenField()
    note = StringField(_l("Change note"), validators=[max_len(500)],
                       description=_l("Saved with the new version, e.g. what changed and why."))
