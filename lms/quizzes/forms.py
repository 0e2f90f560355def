"""Forms of the trainer pages (the quiz itself is a plain form rendered by the question types)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange


class GradeEssayForm(FlaskForm):
    """A trainer's score and comment for one essay answer."""

    points = DecimalField(_l("Score"), places=None,
                          validators=[InputRequired(message=_l("Give a score.")),
                                      NumberRange(min=0, message=_l("The score cannot be negative."))])
    comment = TextAreaField(_l("Comment for the learner"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save the grade"))
