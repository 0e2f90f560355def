"""Trainer report: the distribution of answers to each Likert question of a quiz.

/p/likert/quizzes/<quiz id>/ — trainers and admins; a constant number of queries.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.extensions import db
from lms.plugins import access
from pelita_likert.qtype import Likert
from pelita_likert.report import aggregate, responses_by_question

bp = Blueprint("likert", __name__, template_folder="templates")


@bp.get("/quizzes/<int:quiz_id>/")
@access.rule("view_quiz_reports")
def report(quiz_id: int):
    from lms.courses.models import Quiz
    from lms.quizzes import queries as quiz_queries

    quiz = db.session.get(Quiz, quiz_id)
    access.require("view_quiz_reports", quiz)
    version = quiz_queries.current_version(quiz)
    if version is None:
        abort(404)
    locale = str(get_locale() or "id")
    questions = [q for q in version.questions
                 if isinstance(q, dict) and q.get("type") == Likert.name]
    # Editors and admins see everyone's answers; a cohort trainer, their members' only.
    responses = responses_by_question(quiz.id, [str(q.get("id")) for q in questions],
                                      viewer=current_user)
    items = [{"question": q,
              "summaries": aggregate(q, responses.get(str(q.get("id")), []), gettext=_,
                                     locale=locale)}
             for q in questions]
    return render_template("likert/report.html", quiz=quiz,
                           title=version.display_title(locale), items=items)
