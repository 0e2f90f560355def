"""Quiz pages: rules, attempts (work without JavaScript), review, grading queue and re-grade.

Views read with `lms.quizzes.queries` and write only through `lms.quizzes.services`.

Longer than 600 lines on purpose: one route per page of the learner's quiz journey (rules,
attempt, save, finish, review, files) and the trainer's grading pages, each a thin translation of
a form into one service call; splitting them would split one blueprint's URL map.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from lms import access, clock, l10n
from lms.auth.decorators import role_required
from lms.courses import queries as course_queries
from lms.courses.models import Course, Quiz, QuizVersion
from lms.extensions import db
from lms.i18n import gettext as _
from lms.quizzes import errors as quiz_errors
from lms.quizzes import markup, uploads
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.base import fill, review_state
from lms.quizzes.errors import QuizError
from lms.quizzes.forms import GradeEssayForm
from lms.quizzes.models import (
    GRADED,
    IN_PROGRESS,
    MAX_FILES_PER_QUESTION,
    QuestionResponse,
    QuizAttempt,
    ResponseFile,
)
from lms.quizzes.registry import UnknownQuestionType
from lms.quizzes.rules import pass_threshold, quiz_passed
from lms.quizzes.services import attempts as quiz_attempts
from lms.quizzes.services import grading as quiz_grading
from lms.routing import id_or_none
from lms.templating import local_time

bp = Blueprint("quizzes", __name__)

def _wants_json() -> bool:
    return (
        request.headers.get("X-Requested-With") == "fetch"
        or request.accept_mimetypes.best == "application/json"
    )


def _quiz_or_404(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def _attempt_or_404(attempt_id: int, rule: str) -> QuizAttempt:
    """The attempt, if the current user passes `rule` for it (lms/access.py); else 404/403."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    access.require(rule, attempt)
    return attempt


def _score_text(value: float | None) -> str:
    """A score in percent in the reader's language ("9,5%" / "9.5%"): lms/l10n.py."""
    return l10n.percent(value)


def _trail(course: Course | None, version: QuizVersion | None,
           *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Breadcrumbs of a quiz page (templating.breadcrumbs): courses › course › module (when
    the quiz belongs to one) › `tail` (the quiz, the attempt...)."""
    locale = str(get_locale())
    trail: list[tuple[str, str | None]] = [(_("Courses"), url_for("courses.catalogue"))]
    if course is not None:
        trail.append((course.title(locale), url_for("courses.course", slug=course.slug)))
        module = (quiz_queries.module_item(version.version_id, version.module_id)
                  if version is not None else None)  # from the cached outline
        if module is not None:
            trail.append((module.display_title(locale),
                          url_for("courses.module", slug=course.slug, module_slug=module.slug)))
    return trail + list(tail)


def _trail_to(course: Course, module_id: int | None, version_id: int,
              *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """`_trail` from the cached outline of `version_id` (no query once it is cached)."""
    locale = str(get_locale())
    trail: list[tuple[str, str | None]] = [
        (_("Courses"), url_for("courses.catalogue")),
        (course.title(locale), url_for("courses.course", slug=course.slug))]
    module = quiz_queries.module_item(version_id, module_id)
    if module is not None:
        trail.append((module.display_title(locale),
                      url_for("courses.module", slug=course.slug, module_slug=module.slug)))
    return trail + list(tail)


def _attempt_trail(attempt: QuizAttempt, last: str) -> list[tuple[str, str | None]]:
    """Breadcrumbs of an attempt's pages: back to the quiz, its module and its course."""
    course = db.session.get(Course, attempt.quiz.course_id)
    version = quiz_queries.current_version(attempt.quiz) or attempt.quiz_version
    title = attempt.quiz_version.display_title(str(get_locale()))
    return _trail(course, version, (title, url_for("quizzes.quiz", quiz_id=attempt.quiz_id)),
                  (last, None))


def _completion_rule(course: Course | None) -> dict:
    if course is None or course.current_version is None:
        return {}
    return (course.current_version.manifest or {}).get("completion") or {}


def _threshold_of(attempt: QuizAttempt, course: Course | None) -> float:
    """The pass mark of the attempt's quiz as the quiz page states it (current version)."""
    version = quiz_queries.current_version(attempt.quiz) or attempt.quiz_version
    return pass_threshold(version.kind, version.settings, _completion_rule(course))


def _completion_moment(attempt: QuizAttempt, course: Course | None) -> dict | None:
    """The completion moment on the review of the attempt that completed the course: the
    learner's last attempt of this quiz graded when (or before) the course was completed."""
    from lms.certificates.services import standing_certificate
    from lms.learning.services import get_enrollment
    from lms.paths.queries import next_steps

    if (course is None or attempt.user_id != current_user.id or attempt.status != GRADED
            or attempt.graded_at is None):
        return None
    enrollment = get_enrollment(attempt.user_id, course.id)
    completed_at = clock.aware(enrollment.completed_at) if enrollment else None
    if completed_at is None or clock.aware(attempt.graded_at) > completed_at:
        return None
    before = [a for a in quiz_queries.attempts_of(attempt.user_id, attempt.quiz_id)
              if a.graded_at is not None and clock.aware(a.graded_at) <= completed_at]
    if max(before, key=lambda a: (clock.aware(a.graded_at), a.number)).id != attempt.id:
        return None
    return {"course": course, "cert": standing_certificate(attempt.user_id, course.id),
            "steps": next_steps(attempt.user_id, course.id)}


# --------------------------------------------------------------------------- quiz page


@bp.get("/quizzes/<int:quiz_id>")
@access.signed_in
def quiz(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    # Held before `current_version` reads it, so the session's (weak) identity map keeps it.
    course = db.session.get(Course, quiz.course_id)
    version = quiz_queries.current_version(quiz)
    if version is None:
        abort(404)
    r = quiz_rules.rules_of(version)
    attempts = quiz_queries.attempts_of(current_user.id, quiz.id)
    # Closing an overdue attempt is a write: only when one of these has passed its deadline.
    if any(a.status == IN_PROGRESS and quiz_queries.deadline_passed(a) for a in attempts):
        quiz_attempts.close_overdue(user_id=current_user.id, quiz_id=quiz.id)
        attempts = quiz_queries.attempts_of(current_user.id, quiz.id)
    current = next((a for a in attempts if a.status == IN_PROGRESS), None)
    blocked = None
    if current is None:
        try:
            quiz_attempts.check_can_start(current_user, quiz, version, attempts=attempts)
        except QuizError as err:
            blocked = err.message
    rows = []
    marks_shown = {}
    for a in attempts:
        shows = quiz_queries.review_options(a, version=version, attempts_used=len(attempts))
        marks_shown[a.id] = "marks" in shows or current_user.is_trainer
        rows.append({"attempt": a, "marks": marks_shown[a.id]})
    # The grade counts for progress at once, but it is shown only when the marks of every
    # attempt it is made of may be seen (the quiz's review options).
    counted = quiz_rules.counted_attempts(attempts, r.grading)
    grade = quiz_rules.grade_of(attempts, r.grading)
    # "Passed" is the rule course progress applies: the pass mark raised by the course's
    # completion rule for module quizzes and the final.
    completion: dict = {}
    if course is not None and course.current_version_id is not None:
        # course.toml from the per-version cache (lms/courses/queries.py): no version row read
        completion = (course_queries.outline(course).manifest or {}).get("completion") or {}
    title = version.display_title(str(get_locale()))
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        version=version,
        course=course,
        trail=_trail(course, version, (title, None)),
        title=title,
        rules=r,
        rows=rows,
        current=current,
        blocked=blocked,
        grade=grade,
        grade_shown=grade is not None and all(marks_shown[a.id] for a in counted),
        passed=quiz_passed(version.kind, version.settings or {}, completion, grade),
        threshold=pass_threshold(version.kind, version.settings, completion),
        score_text=_score_text,
        used=len(attempts),
    )


@bp.post("/quizzes/<int:quiz_id>/start")
@access.signed_in
def start(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    try:
        attempt = quiz_attempts.start_or_resume(current_user, quiz)
    except QuizError as err:
        flash(str(err.message), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


# --------------------------------------------------------------------------- attempt pages


@dataclass
class ShownQuestion:
    """One question of an attempt page, ready for the template."""

    position: int
    number: int
    field: str
    html: Markup
    answered: bool
    page: int
    points: float = 0.0
    is_question: bool = True
    review: dict = field(default_factory=dict)
    upload: bool = False  # an essay with `allow_upload = true`: the page shows a file input
    files: list[ResponseFile] = field(default_factory=list)


def _pages(attempt: QuizAttempt) -> list[list[tuple[int, dict, list | None]]]:
    """The attempt's questions split into pages per the quiz setting `per_page` (0 = one page)."""
    items = quiz_queries.attempt_questions(attempt)
    per_page = quiz_rules.rules_of(attempt.quiz_version).per_page
    if not per_page:
        return [items] if items else [[]]
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def _use_media_of(attempt: QuizAttempt) -> None:
    """Images in options, items and feedback load from the attempt's course version, as the
    question text's do (`lms.quizzes.markup.set_media_base`; reset after the request)."""
    markup.set_media_base(quiz_queries.media_base(attempt))


@bp.teardown_request
def _forget_media(_exc=None) -> None:
    markup.set_media_base(None)


def _render_question(q: dict, fname: str, response, order, *, disabled: bool,
                     review: bool = False, feedback: bool = False) -> tuple[Markup, bool]:
    """(HTML, is a real question) for a definition; a broken type shows a notice, not a 500.
    `review`: the review's rendering, with each chosen option's feedback under it (`feedback`)."""
    try:
        qtype = quiz_queries.registry().get(q.get("type"))
    except UnknownQuestionType:
        return fill('<p class="alert alert--error">{}</p>',
            _("This question cannot be shown. Please tell your trainer.")), False
    if review:
        html = qtype.render_review(q, field=fname, response=response, order=order, gettext=_,
                                   feedback=feedback)
    else:
        html = qtype.render(q, field=fname, response=response, order=order, disabled=disabled,
                            gettext=_)
    return html, qtype.is_question


def _inline_feedback(q: dict) -> bool:
    try:
        return quiz_queries.registry().get(q.get("type")).inline_feedback
    except UnknownQuestionType:
        return False


def _remaining_text(attempt: QuizAttempt) -> str | None:
    deadline = clock.aware(attempt.deadline_at)
    if deadline is None:
        return None
    seconds = (deadline - clock.now()).total_seconds()
    if seconds <= 0:
        return _("Time is up. Answers you saved are kept.")
    minutes = math.ceil(seconds / 60)
    return _("%(num)d minute(s) left", num=minutes)


@bp.get("/attempts/<int:attempt_id>")
@access.rule("view_attempt")
def attempt(attempt_id: int):
    # Four queries: the user, the attempt with its quiz, version and course, the saved answers
    # and the files; the current version's settings and the breadcrumbs' module come from the
    # per-version cache (lms/courses/queries.py).
    attempt, course = quiz_queries.attempt_for_page(attempt_id)
    access.require("view_attempt", attempt)
    if attempt.user_id != current_user.id:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    if attempt.status == IN_PROGRESS and quiz_queries.deadline_passed(attempt):
        quiz_attempts.close_overdue(attempt_id=attempt.id)
        db.session.refresh(attempt)
    if attempt.status != IN_PROGRESS:
        flash(_("This attempt is finished."), "info")
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    markup.set_media_base(quiz_queries.media_base(attempt, course))
    pages = _pages(attempt)
    page = min(max(request.args.get("page", 1, type=int), 1), len(pages))
    saved = quiz_queries.saved_responses(attempt)
    files = quiz_queries.response_files(attempt)
    current = quiz_queries.current_item(attempt, course)
    during = quiz_rules.rules_of(current or attempt.quiz_version).review["during"]
    nav, shown = [], []
    # Per field of every page, the device and edit number of the stored answer: the page
    # forgets the answers kept on the device that the server already has (see quiz.js).
    synced: dict[str, list] = {}
    number = 0
    for pnum, items in enumerate(pages, start=1):
        for pos, q, order in items:
            row = saved.get(str(q.get("id")))
            response = row.response if row is not None else None
            if row is not None and row.client_id and row.client_seq is not None:
                synced[quiz_rules.field_name(pos)] = [row.client_id, row.client_seq]
            q_files = files.get(str(q.get("id")), [])
            answered = response is not None or bool(q_files)
            is_question = q.get("type") != "description"
            if is_question:
                number += 1
            entry = {"number": number, "page": pnum, "field": quiz_rules.field_name(pos),
                     "answered": answered, "is_question": is_question}
            nav.append(entry)
            if pnum == page:
                html, real = _render_question(q, quiz_rules.field_name(pos), response, order,
                                              disabled=False)
                item = ShownQuestion(pos, number, quiz_rules.field_name(pos), html,
                                     answered, pnum, is_question=real,
                                     upload=quiz_queries.accepts_uploads(q), files=q_files)
                if during and real and response is not None:
                    grade = quiz_grading.grade_response(q, response)
                    item.review = _outcome(q, state=grade.state, fraction=grade.fraction,
                                           feedback=list(grade.feedback), comment=None,
                                           shows=during)
                shown.append(item)
    version = attempt.quiz_version
    title = version.display_title(str(get_locale()))
    where = current or version  # the breadcrumbs follow the current version, as the quiz page
    trail = _trail_to(course, where.module_id,
                      course.current_version_id if current else version.version_id,
                      (title, url_for("quizzes.quiz", quiz_id=attempt.quiz_id)),
                      (_("Attempt %(num)d", num=attempt.number), None))
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        trail=trail,
        title=version.display_title(str(get_locale())),
        questions=shown,
        nav=[n for n in nav if n["is_question"]],
        page=page,
        page_count=len(pages),
        deadline=local_time(attempt.deadline_at) if attempt.deadline_at else None,
        deadline_iso=clock.aware(attempt.deadline_at).isoformat() if attempt.deadline_at else "",
        remaining=_remaining_text(attempt),
        during=during,
        state_labels=_state_labels(),
        fmt_points=_fmt_points,
        multipart=any(q.upload for q in shown),
        upload=_upload_info(),
        synced=synced,
    )


def _upload_info() -> dict:
    """What the file inputs of essay questions need: accepted types, limits, size text."""
    return {
        "accept": uploads.ACCEPT,
        "types": uploads.LABELS,
        "max_size": quiz_queries.size_text(quiz_queries.upload_max_bytes()),
        "max_files": MAX_FILES_PER_QUESTION,
        "size": quiz_queries.size_text,
    }


def _upload_field(position: int) -> str:
    """The name of the file input of the question at `position`."""
    return f"{quiz_rules.field_name(position)}-file"


def _save_files(attempt: QuizAttempt) -> list[str]:
    """Store the files chosen in a (multipart) save; returns the messages of refused ones.

    Each file is its own transaction: a refused file never loses the answers or the other files.
    """
    problems: list[str] = []
    if not request.files:
        return problems
    limit = quiz_queries.upload_max_bytes()
    for pos, q, _order in quiz_queries.attempt_questions(attempt):
        if not quiz_queries.accepts_uploads(q):
            continue
        for storage in request.files.getlist(_upload_field(pos)):
            if not storage or not storage.filename:
                continue  # no file chosen: browsers still send an empty part
            data = storage.stream.read(limit + 1)
            try:
                quiz_attempts.add_response_file(attempt, str(q.get("id")), storage.filename, data)
            except quiz_errors.UploadRefused as err:
                problems.append(str(err.message))
    return problems


def _fmt_points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@bp.post("/attempts/<int:attempt_id>/save")
@access.rule("take_attempt")
def save(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "take_attempt")
    try:
        result = quiz_attempts.save_answers(attempt, request.form)
    except QuizError as err:
        if _wants_json():
            db.session.refresh(attempt)
            late = attempt.closed_by == "deadline"
            # Answers that arrive after the time limit or the quiz's close date (e.g. given
            # offline and sent on reconnection) are refused; quiz.js shows this message and the
            # refused answers so the learner can copy them (docs/offline.md).
            message = (_("These answers arrived after the time for this quiz was over and were "
                         "not saved. Answers saved before the deadline are kept.")
                       if late else str(err.message))
            return jsonify(error=message, closed=True, late=late), 409
        flash(str(err.message), "error")
        return redirect(url_for("quizzes.review", attempt_id=attempt_id))
    if _wants_json():
        # `acked`: per field, the edit number the server now holds from the sending device; the
        # page forgets its device copy of an answer only once it is acknowledged here.
        return jsonify(saved=result.saved, acked=result.acked,
                       saved_at=clock.now().isoformat())
    page = request.form.get("page", 1, type=int)
    action = request.form.get("action", "save")
    goto = request.form.get("goto", type=int)
    remove = request.form.get("remove_file", type=int)
    try:
        problems = _save_files(attempt)
        if remove:
            try:
                name = quiz_attempts.remove_response_file(attempt, remove)
                flash(_("%(name)s has been removed.", name=name), "success")
            except quiz_errors.UploadRefused as err:
                problems.append(str(err.message))
    except QuizError as err:  # the attempt closed meanwhile
        flash(str(err.message), "error")
        return redirect(url_for("quizzes.review", attempt_id=attempt_id))
    if problems or remove:
        for message in problems:
            flash(message, "error")
        # Stay on the page so the learner sees what happened to the files.
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id, page=page))
    if goto:
        page = goto
    elif action == "next":
        page += 1
    elif action == "prev":
        page = max(1, page - 1)
    elif action == "finish":
        return redirect(url_for("quizzes.confirm_submit", attempt_id=attempt_id))
    else:
        flash(_("Your answers have been saved."), "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id, page=page))


@bp.get("/attempts/<int:attempt_id>/finish")
@access.rule("take_attempt")
def confirm_submit(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "take_attempt")
    quiz_attempts.close_overdue(attempt_id=attempt.id)
    db.session.refresh(attempt)
    if attempt.status != IN_PROGRESS:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    saved = quiz_queries.saved_responses(attempt)
    with_files = quiz_queries.file_counts(attempt)
    unanswered = []
    number = 0
    for pnum, items in enumerate(_pages(attempt), start=1):
        for _pos, q, _order in items:
            if q.get("type") == "description":
                continue
            number += 1
            row = saved.get(str(q.get("id")))
            if (row is None or row.response is None) and not with_files.get(str(q.get("id"))):
                unanswered.append({"number": number, "page": pnum})
    return render_template(
        "quizzes/confirm_submit.html",
        attempt=attempt,
        trail=_attempt_trail(attempt, _("Submit your attempt")),
        title=attempt.quiz_version.display_title(str(get_locale())),
        unanswered=unanswered,
        total=number,
        remaining=_remaining_text(attempt),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@access.rule("take_attempt")
def submit(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "take_attempt")
    was_open = attempt.status == IN_PROGRESS
    quiz_attempts.submit(attempt)
    if was_open:
        db.session.refresh(attempt)
        flash(*_submitted_message(attempt))
    return redirect(url_for("quizzes.review", attempt_id=attempt.id))


def _submitted_message(attempt: QuizAttempt) -> tuple[str, str]:
    """The flash after submitting: passed or not and the pass mark, when the attempt is graded
    and its marks may be shown now; else only that it was submitted."""
    if (attempt.status != GRADED or not attempt.max_points or attempt.score is None
            or "marks" not in quiz_queries.review_options(attempt)):
        return _("Your attempt has been submitted."), "success"
    course = db.session.get(Course, attempt.quiz.course_id)
    threshold = _threshold_of(attempt, course)
    if attempt.score >= threshold:
        return _("You passed."), "success"
    return _("Not passed yet: the pass mark is %(mark)s.", mark=_score_text(threshold)), "info"


@bp.get("/attempts/<int:attempt_id>/review")
@access.rule("view_attempt")
def review(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "view_attempt")
    quiz_attempts.close_overdue(attempt_id=attempt.id)
    db.session.refresh(attempt)
    owner = attempt.user_id == current_user.id
    if attempt.status == IN_PROGRESS and owner:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    _use_media_of(attempt)
    everything = frozenset(quiz_rules.REVIEW_ITEMS)
    shows = quiz_queries.review_options(attempt) if owner else everything
    saved = quiz_queries.saved_responses(attempt)
    files = quiz_queries.response_files(attempt) if "response" in shows else {}
    items = []
    number = 0
    for pos, q, order in quiz_queries.attempt_questions(attempt):
        row = saved.get(str(q.get("id")))
        response = row.response if (row is not None and "response" in shows) else None
        graded_q = quiz_queries.question_definition(attempt, str(q.get("id"))) or q
        # Feedback that belongs to an option is shown under that option, not in a list below.
        inline = "specific_feedback" in shows and response is not None and _inline_feedback(q)
        html, real = _render_question(graded_q if inline else q, quiz_rules.field_name(pos),
                                      response, order, disabled=True, review=True,
                                      feedback=inline)
        if real:
            number += 1
        item = _outcome(
            graded_q,
            state=row.state if row is not None and row.state else "unanswered",
            fraction=row.fraction if row is not None and row.fraction is not None else 0.0,
            feedback=(row.feedback or []) if row is not None and not inline else [],
            comment=row.manual_comment if row is not None else None,
            shows=shows,
        )
        item.update(number=number, real=real, html=html, files=files.get(str(q.get("id")), []))
        items.append(item)
    course = db.session.get(Course, attempt.quiz.course_id)
    threshold = _threshold_of(attempt, course)
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        owner=owner,
        trail=_attempt_trail(attempt, _("Review of attempt %(num)d", num=attempt.number)),
        threshold=threshold,
        passed=attempt.score is not None and attempt.score >= threshold,
        completion=_completion_moment(attempt, course) if owner else None,
        title=attempt.quiz_version.display_title(str(get_locale())),
        items=items,
        shows=shows,
        score_text=_score_text,
        fmt_points=_fmt_points,
        state_labels=_state_labels(),
        size_text=quiz_queries.size_text,
    )


@bp.get("/attempts/<int:attempt_id>/files/<int:file_id>")
@access.rule("view_evidence")
def download_file(attempt_id: int, file_id: int):
    """An uploaded file, for the learner who uploaded it and those who oversee their work.

    Always a download (never shown in the page), with its checked type, `nosniff` and a CSP
    sandbox so that even a file a browser could render runs nothing on this site.
    """
    attempt = _attempt_or_404(attempt_id, "view_evidence")
    stored = quiz_queries.response_file(attempt, file_id, with_data=True)
    if stored is None:
        abort(404)
    response = send_file(
        io.BytesIO(stored.data),
        mimetype=stored.mimetype,
        as_attachment=True,
        download_name=stored.filename,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _outcome(q: dict, *, state: str, fraction: float, feedback: list[str],
             comment: str | None, shows: frozenset[str]) -> dict:
    """What the review block of one question shows, limited to the allowed items."""
    scored = True
    try:
        qtype = quiz_queries.registry().get(q.get("type"))
        points = qtype.points(q)
        scored = qtype.scored
        right = qtype.right_answer_text(q, _) if "right_answer" in shows and scored else ""
    except UnknownQuestionType:
        points, right = 0.0, ""
    return {
        "state": review_state(scored, state, fraction),
        "earned": fraction * points,
        "points": points,
        "feedback": feedback,
        "comment": comment,
        "general": q.get("feedback") or "",
        "right": right,
    }


def _state_labels() -> dict[str, str]:
    return {
        "correct": _("Correct"),
        "partial": _("Partly correct"),
        "incorrect": _("Incorrect"),
        "needs_grading": _("Waiting for a trainer to grade"),
        "unanswered": _("Not answered"),
        "answered": _("Answered"),
        "partly_answered": _("Partly answered"),
    }


# --------------------------------------------------------------------------- trainer pages


@bp.get("/quizzes/grading")
@role_required("trainer")
def grading_queue():
    from lms.cohorts import services as cohort_services

    cohorts = cohort_services.cohorts_for(current_user)
    cohort_id = request.args.get("cohort", type=int)
    if cohort_id:  # the filter by cohort is the cohort's own queue
        return redirect(url_for("cohorts.grading", cohort_id=cohort_id))
    locale = str(get_locale())
    rows = [{"attempt": attempt, "response": response,
             "title": attempt.quiz_version.display_title(locale)}
            for attempt, response in quiz_queries.grading_queue(current_user)]
    return render_template("quizzes/grading_queue.html", rows=rows, cohort=None, cohorts=cohorts)


def _rubric_html(text: str | None) -> Markup | None:
    """A rubric's Markdown as sanitised HTML (links to modules or media are not resolved)."""
    if not text:
        return None
    from lms.content import render_markdown

    html, _toc = render_markdown(text, module_url=lambda slug, anchor: "#",
                                 media_url=lambda path: "#")
    return Markup(html)  # noqa: S704 - nh3-sanitised by render_markdown


@bp.route("/quizzes/grading/<int:response_id>", methods=["GET", "POST"])
@access.rule("grade")
def grade_response(response_id: int):
    from lms.cohorts import services as cohort_services
    from lms.errors_domain import ServiceError
    from lms.quizzes import rubric
    from lms.quizzes.forms import rubric_form

    response = db.session.get(QuestionResponse, response_id)
    if response is None:
        abort(404)
    attempt = response.attempt
    access.require("grade", attempt)
    _use_media_of(attempt)
    q = quiz_queries.question_definition(attempt, response.question_id)
    if q is None:
        abort(404)
    qtype = quiz_queries.registry().get(q.get("type"))
    maximum = qtype.points(q)
    cohort = None
    cohort_id = request.args.get("cohort", type=int)
    if cohort_id:
        cohort = cohort_services.get_cohort(id_or_none(cohort_id) or 0)
        access.require("manage_cohort", cohort)
    crits = rubric.criteria(q.get("rubric"))
    if crits:
        saved = quiz_queries.rubric_scores(response.id)
        data = None
        if request.method == "GET":
            data = {"comment": response.manual_comment or ""}
            if saved is not None:
                data.update({f"c{i}": str(s.get("score")) for i, s in
                             enumerate(saved.scores, start=1)})
        form = rubric_form(crits, data=data)
    else:
        form = GradeEssayForm(data={"points": response.manual_points,
                                    "comment": response.manual_comment or ""}
                              if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            if crits:
                scores = [int(getattr(form, f"c{i}").data) for i in range(1, len(crits) + 1)]
                quiz_grading.grade_answer(current_user, response, criterion_scores=scores,
                                          comment=form.comment.data or "")
            else:
                quiz_grading.grade_answer(current_user, response,
                                          points=float(form.points.data),
                                          comment=form.comment.data or "")
        except ServiceError as err:
            field_ = getattr(form, err.field, None) if err.field else None
            if field_ is not None:
                field_.errors = [*field_.errors, err.message]
            else:
                form.form_errors.append(err.message)
        else:
            flash(_("The grade has been saved."), "success")
            if cohort is not None:
                return redirect(url_for("cohorts.grading", cohort_id=cohort.id))
            return redirect(url_for("quizzes.grading_queue"))
    return render_template(
        "quizzes/grade_response.html",
        form=form,
        response=response,
        attempt=attempt,
        question=q,
        files=quiz_queries.response_files(attempt).get(response.question_id, []),
        size_text=quiz_queries.size_text,
        maximum=maximum,
        title=attempt.quiz_version.display_title(str(get_locale())),
        rubric_html=_rubric_html(q.get("rubric")),
        criteria=crits,
        criterion_fields=[getattr(form, f"c{i}") for i in range(1, len(crits) + 1)],
        cohort=cohort,
    ), 422 if form.errors else 200


@bp.post("/quizzes/<int:quiz_id>/regrade")
@access.rule("regrade")
def regrade(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    access.require("regrade", quiz)
    version = quiz_queries.current_version(quiz)
    if version is None:
        abort(404)
    results = quiz_grading.regrade(version, actor=current_user)
    # Every attempt is re-graded, but the page names only the learners whose work this person
    # oversees (an editor does not see cohort members' scores): the others are counted.
    visible = quiz_queries.overseen_learners(current_user, quiz.course_id,
                                             {r.user_id for r in results})
    return render_template(
        "quizzes/regrade.html",
        quiz=quiz,
        title=version.display_title(str(get_locale())),
        results=[r for r in results if r.user_id in visible],
        total=len(results),
        hidden=sum(1 for r in results if r.user_id not in visible),
        changed=sum(1 for r in results if r.changed),
        score_text=_score_text,
    )
