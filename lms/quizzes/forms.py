"""Forms of the trainer pages (the quiz itself is a plain form rendered by the question types)."""

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from lms.forms import max_len, required
from lms.i18n import lazy_gettext as _l


class GradeEssayForm(FlaskForm):
    """A trainer's score and comment for one essay answer."""

    points = DecimalField(_l("Score"), places=None,
                          validators=[InputRequired(message=_l("Give a score.")),
                                      NumberRange(min=0, message=_l("The score cannot be negative."))])
    comment = TextAreaField(_l("Comment for the learner"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save the grade"))


class RubricGradeForm(FlaskForm):
    """Per-criterion scores; the fields are added per rubric by `rubric_form()`."""

    comment = TextAreaField(_l("Comment for the learner"), validators=[max_len(5000)])
    submit = SubmitField(_l("Save the grade"))


def rubric_form(crits, data=None):
    """A form with one score select per rubric criterion (fields `c1`, `c2`, ...)."""

    class _Form(RubricGradeForm):
        pass

    for i, c in enumerate(crits, start=1):
        # The rubric's pass rule, shown before saving (in the hint tied to the field).
        description = (_l("A score below %(min)d means the assignment is not passed, whatever "
                          "the average.", min=c.minimum) if c.minimum is not None else "")
        setattr(_Form, f"c{i}", SelectField(f"{c.number}. {c.name}", choices=[],
                                            validators=[required()], description=description))
    form = _Form(data=data)
    for i, c in enumerate(crits, start=1):
        getattr(form, f"c{i}").choices = [("", _l("— score —"))] + [
            (str(v), _l("%(score)d (not passed)", score=v) if c.below_minimum(v) else str(v))
            for v in range(c.low, c.high + 1)]
    return form
