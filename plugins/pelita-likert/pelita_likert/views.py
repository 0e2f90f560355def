"""Trainer report: the distribution of answers to each Likert question of a quiz.

/p/likert/quizzes/<quiz id>/ — trainers and admins; a constant number of queries.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.plugins import access, current_quiz
from pelita_likert.qtype import Likert
from pelita_likert.report import aggregate, responses_by_question

bp = Blueprint("likert", __name__, template_folder="templates")


@bp.get("/quizzes/<int:quiz_id>/")
@access.rule("view_quiz_reports")
def report(quiz_id: int):
    quiz = current_quiz(quiz_id)
    access.require("view_quiz_reports", quiz)
    if quiz.version_id is None:  # no longer in the course
        abort(404)
    locale = str(get_locale() or "id")
    questions = [q for q in quiz.questions if q.get("type") == Likert.name]
    # Editors and admins see everyone's answers; a cohort trainer, their members' only.
    responses = responses_by_question(quiz.id, [str(q.get("id")) for q in questions],
                                      viewer=current_user)
    items = [{"question": q,
              "summaries": aggregate(q, responses.get(str(q.get("id")), []), gettext=_,
                                     locale=locale)}
             for q in questions]
    return render_template("likert/report.html", quiz=quiz,
                           title=quiz.title(locale), items=items)
