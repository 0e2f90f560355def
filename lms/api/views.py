"""/api/v1 endpoints. Each one validates its input, calls the service the web page calls and
dumps the result through its schema (`schemas.py`); who may call it is declared twice in the
same style as the pages: the token scope (`needs`) and the access rule of `lms/access.py`.
The OpenAPI document (`spec.py`) is read from the `op(...)` declarations below."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from marshmallow import ValidationError
from sqlalchemy import func, or_, select
from werkzeug.datastructures import MultiDict

from lms import access, clock, regions
from lms.api import schemas as s
from lms.api.core import (
    ApiError,
    bp,
    from_service_error,
    json_response,
    me,
    needs,
    paginated,
)
from lms.api.spec import docs_page, op, spec_document
from lms.auth import services as auth_services
from lms.auth.models import Role, User
from lms.cascade import queries as cascade_queries
from lms.cascade import rules as cascade_rules
from lms.certificates import services as cert_services
from lms.certificates.models import Certificate
from lms.cohorts import services as cohort_services
from lms.content import AREAS
from lms.courses import queries as course_queries
from lms.courses.models import Course, Quiz
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.learning import services as learning
from lms.learning.progress import Loaded, progress_for, progress_matrix
from lms.quizzes import markup
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.base import review_state
from lms.quizzes.errors import QuizError
from lms.quizzes.models import IN_PROGRESS, QuestionResponse, QuizAttempt
from lms.quizzes.registry import UnknownQuestionType
from lms.quizzes.services import attempts as quiz_attempts
from lms.quizzes.services import grading as quiz_grading
from lms.reports import dashboard as report_dashboard
from lms.reports import itemstats, rollup
from lms.reports import queries as report_queries
from lms.verify import views as verify_views


def _locale() -> str:
    return str(get_locale())


def _load(schema_cls):
    """The JSON body through its schema; 400 when it is not a JSON object, 422 per field."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _l("Send a JSON object (Content-Type: "
                                               "application/json)."))
    try:
        return schema_cls().load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {None: err.messages}
        field = next(iter(messages), None)
        message = messages.get(field)
        while isinstance(message, (list, dict)) and message:
            message = message[0] if isinstance(message, list) else next(iter(message.values()))
        raise ApiError(422, "invalid", _l("This value is not valid: %(detail)s",
                                          detail=str(message)), field) from None


def _dump(schema_cls, data, status: int = 200):
    return json_response(schema_cls().dump(data), status)


# --------------------------------------------------------------------------- shapes

def _progress(p) -> dict:
    return {"enrolled": p.enrolled, "completed": p.completed, "percent": p.percent,
            "modules_done": p.modules_done, "modules_total": p.modules_total,
            "quizzes_passed": p.quizzes_passed, "quizzes_total": p.quizzes_total}


def _course_summary(course: Course) -> dict:
    locale = _locale()
    return {"slug": course.slug, "title": course.title(locale), "summary": course.summary(locale),
            "area": course.area, "hours": course.hours, "module_count": course.module_count,
            "enrolment": course.enrolment,
            "url": url_for("courses.course", slug=course.slug, _external=True)}


def _quiz_item(version, module_slugs: dict[int, str]) -> dict:
    return {"id": version.quiz_id, "title": version.display_title(_locale()), "kind": version.kind,
            "module": module_slugs.get(version.module_id)}


def _course_or_404(slug: str) -> Course:
    """A published course; an archived one only for trainers and its enrolled learners (as the
    course page)."""
    course = course_queries.course_by_slug(slug)
    if course is None:
        raise ApiError(404)
    if course.status != "published":
        user = me()
        enrollment = (learning.get_enrollment(user.id, course.id)
                      if user.is_authenticated else None)
        if not (user.is_authenticated and (user.is_trainer or (enrollment and enrollment.active))):
            raise ApiError(404)
    return course


def _attempt_or_404(attempt_id: int, rule: str) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise ApiError(404)
    if not access.allowed(rule, attempt):
        raise ApiError(403)
    return attempt


# --------------------------------------------------------------------------- public

@bp.get("/courses")
@op("Course catalogue", "public", s.CoursePage, paginated_list=True,
    query={"q": "Search in the titles", "area": "One of: " + ", ".join(AREAS)})
@access.public
def courses():
    area = request.args.get("area") or None
    if area not in AREAS:
        area = None
    q = (request.args.get("q") or "").strip()[:100]
    return _dump(s.CoursePage, paginated(course_queries.published_courses(area, q),
                                         _course_summary))


@bp.get("/courses/<slug>")
@op("A course's outline (modules and quizzes); with a token, the user's progress", "public",
    s.CourseDetail)
@access.public
def course(slug: str):
    course = _course_or_404(slug)
    items = course_queries.syllabus(course)
    quizzes = course_queries.quizzes_of(course)
    user = me()
    progress = None
    if user.is_authenticated and g.api_token is not None and "read" in g.api_token.scope_set:
        enrollment = learning.get_enrollment(user.id, course.id)
        progress = _progress(progress_for(user.id, [course], Loaded(
            [i.module_id for i in items], quizzes, enrollment, enrollment_known=True))[course.id])
    slugs = {i.module_id: i.slug for i in items}
    data = _course_summary(course) | {
        "sequential": course.sequential,
        "version": course.current_version.version_label if course.current_version else "",
        "modules": [{"slug": i.slug, "position": i.position, "title": i.display_title(_locale()),
                     "minutes": i.minutes, "objectives": [str(o) for o in i.objectives or []]}
                    for i in items],
        "quizzes": [_quiz_item(q, slugs) for q in quizzes],
        "progress": progress,
    }
    return _dump(s.CourseDetail, data)


@bp.get("/verify/<code>")
@op("Check a certificate code (the same data and rate limit as /verify)", "public",
    s.Verification, errors=(400, 404, 429))
@access.public
def verify(code: str):
    result = cert_services.lookup(code)
    if result.state != "found":
        if result.state == "not_found" and not verify_views.miss_allowed():
            raise ApiError(429)
        if result.state == "not_found":
            raise ApiError(404, "not_found", _l("No certificate has this code."))
        raise ApiError(400, result.state, _l("This is not a valid certificate code (it may be "
                                             "mistyped). Codes look like PLT-7K3M-Q9XA-4."),
                       "code")
    return _dump(s.Verification, verify_views.status_payload(result.certificate, clock.today()))


@bp.get("/credential-keys")
@op("The public keys that sign Pelita credentials", "public", s.CredentialKeys)
@access.public
def credential_keys():
    return _dump(s.CredentialKeys, verify_views.keys_payload())


# --------------------------------------------------------------------------- learner

@bp.get("/me")
@op("The token's user", "learner", s.Me)
@needs("read")
@access.signed_in
def whoami():
    user = me()
    return _dump(s.Me, {"id": user.id, "email": user.email, "full_name": user.full_name,
                        "role": user.role, "locale": user.locale,
                        "library_name": user.library_name, "province_code": user.province_code,
                        "regency_code": user.regency_code,
                        "token_scopes": sorted(g.api_token.scope_set)})


@bp.get("/me/enrolments")
@op("My active enrolments with progress", "learner", s.EnrolmentPage, paginated_list=True)
@needs("read")
@access.signed_in
def my_enrolments():
    user = me()
    rows = learning.active_enrolments(user.id)
    progress = progress_for(user.id, [course for course, _e in rows])

    def shape(row):
        course, enrollment = row
        return {"course": _course_summary(course), "status": enrollment.status,
                "enrolled_at": clock.aware(enrollment.enrolled_at),
                "completed_at": clock.aware(enrollment.completed_at),
                "progress": _progress(progress[course.id])}

    return _dump(s.EnrolmentPage, paginated(rows, shape))


@bp.post("/courses/<slug>/enrolment")
@op("Enrol in a course (again: the same enrolment, progress kept)", "learner", s.Enrolment,
    status=201, errors=(404, 409))
@needs("write")
@access.signed_in
def enrol(slug: str):
    course = _course_or_404(slug)
    user = me()
    try:
        enrollment = learning.enrol(user, course)
    except ServiceError as err:
        raise from_service_error(err, 409, "conflict") from None
    progress = progress_for(user.id, [course])[course.id]
    return _dump(s.Enrolment, {"course": _course_summary(course), "status": enrollment.status,
                               "enrolled_at": clock.aware(enrollment.enrolled_at),
                               "completed_at": clock.aware(enrollment.completed_at),
                               "progress": _progress(progress)}, 201)


def _readable_module(slug: str, module_slug: str):
    """The course, module page, syllabus, quizzes and progress, for a reader of the module: an
    active enrolled learner or a trainer (as the module page); locked modules of a sequential
    course wait (409)."""
    course = _course_or_404(slug)
    page = course_queries.module_page(course, module_slug)
    if page is None:
        raise ApiError(404)
    user = me()
    enrollment = learning.get_enrollment(user.id, course.id)
    if (enrollment is None or not enrollment.active) and not user.is_trainer:
        raise ApiError(403, "not_enrolled", _l("Enrol in the course to read its modules."))
    items = course_queries.syllabus(course)
    quizzes = course_queries.quizzes_of(course)
    progress = progress_for(user.id, [course], Loaded(
        [i.module_id for i in items], quizzes, enrollment, enrollment_known=True))[course.id]
    locked = course_queries.locked_modules(items, progress.done_module_ids, course.sequential)
    if page.module_id in locked and not user.is_trainer:
        raise ApiError(409, "module_locked", _l("Finish the previous modules first: this course "
                                                "opens its modules in order."))
    return course, page, items, quizzes, progress, enrollment


@bp.get("/courses/<slug>/modules/<module_slug>")
@op("A module's content: rendered HTML and its Markdown source", "learner", s.ModuleContent,
    errors=(403, 404, 409))
@needs("read")
@access.signed_in
def module(slug: str, module_slug: str):
    course, page, items, quizzes, progress, _enrollment = _readable_module(slug, module_slug)
    slugs = {i.module_id: i.slug for i in items}
    return _dump(s.ModuleContent, {
        "course": course.slug, "slug": module_slug, "title": page.display_title(_locale()),
        "minutes": page.minutes, "objectives": [str(o) for o in page.objectives or []],
        "html": page.body_html, "markdown": course_queries.module_markdown(course, module_slug),
        "done": page.module_id in progress.done_module_ids,
        "quizzes": [_quiz_item(q, slugs) for q in quizzes if q.module_id == page.module_id]})


@bp.post("/courses/<slug>/modules/<module_slug>/done")
@op("Mark a module as done (idempotent)", "learner", s.ModuleDone, errors=(403, 404, 409))
@needs("write")
@access.signed_in
def module_done(slug: str, module_slug: str):
    course, page, *_rest = _readable_module(slug, module_slug)
    user = me()
    try:
        completed = learning.mark_module_done(user, course, page.module)
    except ServiceError as err:
        raise from_service_error(err, 409, "conflict") from None
    progress = progress_for(user.id, [course])[course.id]
    return _dump(s.ModuleDone, {"done": True, "course_completed": bool(completed or
                                                                       progress.completed),
                                "progress": _progress(progress)})


# --- quizzes

def _attempt_data(attempt: QuizAttempt, *, questions: bool) -> dict:
    course = db.session.get(Course, attempt.quiz.course_id)
    shows = quiz_queries.review_options(attempt)
    owner = attempt.user_id == me().id
    marks = "marks" in shows or not owner
    score = attempt.score if marks else None
    passed = None
    if score is not None:
        version = quiz_queries.current_version(attempt.quiz) or attempt.quiz_version
        completion = ((course.current_version.manifest or {}).get("completion") or {}
                      if course is not None and course.current_version is not None else {})
        passed = score >= quiz_rules.pass_threshold(version.kind, version.settings, completion)
    return {"id": attempt.id, "quiz_id": attempt.quiz_id, "number": attempt.number,
            "status": attempt.status, "started_at": clock.aware(attempt.started_at),
            "deadline_at": clock.aware(attempt.deadline_at),
            "submitted_at": clock.aware(attempt.submitted_at), "score": score, "passed": passed,
            "questions": _questions(attempt) if questions else []}


def _questions(attempt: QuizAttempt) -> list[dict]:
    """The attempt's questions as its page shows them (inputs and saved answers, never the
    key), in the attempt's order."""
    markup.set_media_base(quiz_queries.media_base(attempt))
    saved = quiz_queries.saved_responses(attempt)
    out, number = [], 0
    try:
        for pos, q, order in quiz_queries.attempt_questions(attempt):
            fname = quiz_rules.field_name(pos)
            row = saved.get(str(q.get("id")))
            response = row.response if row is not None else None
            try:
                qtype = quiz_queries.registry().get(q.get("type"))
            except UnknownQuestionType:
                continue
            if qtype.is_question:
                number += 1
            out.append({
                "position": pos, "number": number if qtype.is_question else None,
                "field": fname, "type": str(q.get("type")),
                "points": float(qtype.points(q)) if qtype.is_question else 0.0,
                "inputs": list(qtype.field_names(q, fname)) if qtype.is_question else [],
                "html": str(qtype.render(q, field=fname, response=response, order=order,
                                         disabled=False, gettext=_)),
                "answered": response is not None})
    finally:
        markup.set_media_base(None)
    return out


@bp.post("/quizzes/<int:quiz_id>/attempts")
@op("Start an attempt, or resume the one in progress", "learner", s.Attempt, status=201,
    errors=(403, 404, 409))
@needs("write")
@access.signed_in
def start_attempt(quiz_id: int):
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise ApiError(404)
    try:
        attempt = quiz_attempts.start_or_resume(me(), quiz)
    except QuizError as err:
        raise from_service_error(err, 409, "cannot_start") from None
    return _dump(s.Attempt, _attempt_data(attempt, questions=True), 201)


@bp.get("/attempts/<int:attempt_id>")
@op("An attempt; its questions (without answers) while it is in progress", "learner",
    s.Attempt, errors=(403, 404))
@needs("read")
@access.rule("view_attempt")
def attempt(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "view_attempt")
    quiz_attempts.close_overdue(attempt_id=attempt.id)
    db.session.refresh(attempt)
    own_open = attempt.status == IN_PROGRESS and attempt.user_id == me().id
    return _dump(s.Attempt, _attempt_data(attempt, questions=own_open))


@bp.put("/attempts/<int:attempt_id>/answers")
@op("Save answers (idempotent; with client and seq, a late save never overwrites a newer one)",
    "learner", s.AnswersSaved, body=s.AnswersIn, errors=(400, 403, 404, 409, 422))
@needs("write")
@access.rule("take_attempt")
def save_answers(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "take_attempt")
    data = _load(s.AnswersIn)
    form = MultiDict()
    for name, value in data["answers"].items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (dict, list)) or item is None:
                raise ApiError(422, "invalid", _l("An answer is a value or a list of values."),
                               "answers")
            form.add(str(name), item if isinstance(item, str) else _scalar_text(item))
    for name in data["shown"]:
        form.add("shown", name)
    if data["client"]:
        form["sync_client"] = data["client"]
        for name, seq in data["seq"].items():
            form[f"sync_seq-{name}"] = str(seq)
    try:
        result = quiz_attempts.save_answers(attempt, form)
    except QuizError as err:
        raise from_service_error(err, 409, "attempt_closed") from None
    return _dump(s.AnswersSaved, {"saved": result.saved, "acked": result.acked})


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@bp.post("/attempts/<int:attempt_id>/submit")
@op("Submit an attempt (idempotent); graded at once where it can be", "learner", s.Attempt,
    errors=(403, 404))
@needs("write")
@access.rule("take_attempt")
def submit_attempt(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "take_attempt")
    quiz_attempts.submit(attempt)
    db.session.refresh(attempt)
    return _dump(s.Attempt, _attempt_data(attempt, questions=False))


@bp.get("/attempts/<int:attempt_id>/review")
@op("The review of a finished attempt, as far as the quiz's review policy allows now",
    "learner", s.Review, errors=(403, 404, 409))
@needs("read")
@access.rule("view_attempt")
def review(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, "view_attempt")
    quiz_attempts.close_overdue(attempt_id=attempt.id)
    db.session.refresh(attempt)
    owner = attempt.user_id == me().id
    if attempt.status == IN_PROGRESS:
        raise ApiError(409, "in_progress", _l("This attempt is still in progress."))
    shows = quiz_queries.review_options(attempt) if owner else frozenset(quiz_rules.REVIEW_ITEMS)
    saved = quiz_queries.saved_responses(attempt)
    items, number = [], 0
    markup.set_media_base(quiz_queries.media_base(attempt))
    try:
        for pos, q, order in quiz_queries.attempt_questions(attempt):
            try:
                qtype = quiz_queries.registry().get(q.get("type"))
            except UnknownQuestionType:
                continue
            if not qtype.is_question:
                continue
            number += 1
            row = saved.get(str(q.get("id")))
            response = row.response if (row is not None and "response" in shows) else None
            graded_q = quiz_queries.question_definition(attempt, str(q.get("id"))) or q
            fraction = row.fraction if row is not None and row.fraction is not None else 0.0
            points = float(qtype.points(graded_q))
            marks = "marks" in shows
            raw_state = row.state if row is not None and row.state else "unanswered"
            items.append({
                "number": number, "field": quiz_rules.field_name(pos),
                # The page's rule for the state shown (unscored types: answered or not).
                "state": review_state(qtype.scored, raw_state, fraction)
                if "correctness" in shows or marks
                else ("unanswered" if raw_state == "unanswered" else "answered"),
                "general_feedback": str(graded_q.get("feedback") or "")
                if "general_feedback" in shows else None,
                "points": points if marks else None,
                "earned": fraction * points if marks else None,
                "feedback": [str(f) for f in (row.feedback or [])]
                if row is not None and "specific_feedback" in shows else [],
                "comment": row.manual_comment if row is not None else None,
                "right_answer": qtype.right_answer_text(graded_q, _)
                if "right_answer" in shows and qtype.scored else None,
                "html": str(qtype.render_review(q, field=quiz_rules.field_name(pos),
                                                response=response, order=order, gettext=_,
                                                feedback=False))})
    finally:
        markup.set_media_base(None)
    data = _attempt_data(attempt, questions=False)
    version = quiz_queries.current_version(attempt.quiz) or attempt.quiz_version
    course = db.session.get(Course, attempt.quiz.course_id)
    completion = ((course.current_version.manifest or {}).get("completion") or {}
                  if course is not None and course.current_version is not None else {})
    return _dump(s.Review, {"attempt": data, "shows": sorted(shows),
                            "pass_mark": quiz_rules.pass_threshold(version.kind,
                                                                   version.settings, completion),
                            "items": items})


# --- certificates

def _certificate_data(cert: Certificate) -> dict:
    return {"code": cert.code, "course": cert_services.cert_course_slug(cert),
            "course_title": cert.course_title(_locale()), "holder_name": cert.holder_name,
            "status": cert.status(clock.today()), "completed_on": cert.completed_on,
            "pdf": url_for("api.certificate_pdf", code=cert.code, _external=True),
            "credential": url_for("api.certificate_credential", code=cert.code, _external=True),
            "verify_url": cert_services.verify_url(cert.code)}


@bp.get("/me/certificates")
@op("My certificates, with links to their PDF and signed credential", "learner",
    s.CertificatePage, paginated_list=True)
@needs("read")
@access.signed_in
def my_certificates():
    return _dump(s.CertificatePage, paginated(cert_services.certificates_of(me().id),
                                              _certificate_data))


def _certificate(code: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if cert is None:
        raise ApiError(404)
    if not access.allowed("view_certificate", cert):
        raise ApiError(403)
    return cert


@bp.get("/certificates/<code>/pdf")
@op("A certificate's PDF", "learner", None, content="application/pdf", errors=(403, 404))
@needs("read")
@access.rule("view_certificate")
def certificate_pdf(code: str):
    cert = _certificate(code)
    response = current_app.response_class(cert_services.pdf_for(cert),
                                          mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="sertifikat-{cert.code}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/certificates/<code>/credential")
@op("A certificate's signed Open Badges 3.0 credential", "learner", None,
    content="application/json", errors=(403, 404))
@needs("read")
@access.rule("view_certificate")
def certificate_credential(code: str):
    return json_response(_certificate(code).credential)


# --------------------------------------------------------------------------- trainer

@bp.get("/cohorts")
@op("The cohorts I train (every cohort for an admin)", "trainer", s.CohortPage,
    paginated_list=True)
@needs("read")
@access.role("facilitator", "trainer")
def cohorts():
    def shape(summary):
        c = summary.cohort
        return {"id": c.id, "name": c.name, "kind": c.kind, "starts_on": c.starts_on,
                "ends_on": c.ends_on, "members": summary.members, "courses": summary.courses}

    return _dump(s.CohortPage, paginated(cohort_services.cohorts_for(me()), shape))


def _cohort_or_404(cohort_id: int):
    """The cohort, its courses and its joined members (invited people are never shown), after
    the `manage_cohort` rule, as the report pages (`reports.views._cohort`)."""
    cohort = cohort_services.get_cohort(cohort_id)
    if cohort is None:
        raise ApiError(404)
    if not access.allowed("manage_cohort", cohort):
        raise ApiError(403)
    courses = cohort_services.cohort_courses(cohort)
    members = [m for m in cohort_services.members_of(cohort) if m.joined]
    return cohort, courses, members


def _choice(name: str, choices, default: str | None) -> str | None:
    """A query value from `choices` (absent or empty: `default`); 422 otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ApiError(422, "invalid", _l("%(name)s must be one of: %(choices)s.", name=name,
                                          choices=", ".join(choices)), name)
    return raw


def _inactive_days() -> int:
    raw = request.args.get("inactive_days")
    if raw is None or raw == "":
        return report_dashboard.DEFAULT_INACTIVE_DAYS
    top = report_dashboard.MAX_INACTIVE_DAYS
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= top:
        raise ApiError(422, "invalid", _l("%(name)s must be a whole number from 1 to %(top)d.",
                                          name="inactive_days", top=top), "inactive_days")
    return int(raw)


@bp.get("/cohorts/<int:cohort_id>/members")
@op("A cohort's members (who accepted): their progress in its courses and the dashboard's "
    "figures (last activity, inactive, stuck)", "trainer", s.MemberPage, paginated_list=True,
    errors=(403, 404),
    query={"inactive_days": "Days without activity that make a member inactive (1-365, "
                            "default 14)",
           "status": "Only members who are: " + ", ".join(report_dashboard.STATUSES)})
@needs("read")
@access.rule("manage_cohort")
def cohort_members(cohort_id: int):
    _cohort, courses, members = _cohort_or_404(cohort_id)
    days = _inactive_days()
    status = _choice("status", report_dashboard.STATUSES, "")
    zone = clock.zone_of(me())
    matrix = progress_matrix([m.user_id for m in members], [cc.course for cc in courses])
    # The cohort dashboard's rows and rules (the page's own queries), with this progress.
    rows, _columns = report_queries.dashboard_rows(members, courses, clock.today(zone),
                                                   progress=matrix)
    report_dashboard.mark_inactive(rows, clock.now(), days)
    by_user = {m.user_id: m for m in members}
    shown = report_dashboard.filter_rows(rows, status=status)
    slugs = {cc.course_id: cc.course.slug for cc in courses}

    def shape(row):
        user = by_user[row.user_id].user
        return {"user_id": user.id, "name": user.full_name, "email": user.email,
                "library_name": user.library_name, "province_code": user.province_code,
                "regency_code": user.regency_code,
                "courses": [{"course": slugs[cell.course_id],
                             "progress": _progress(matrix[(row.user_id, cell.course_id)]),
                             "overdue": cell.overdue, "certificate": cell.certificate}
                            for cell in row.courses],
                "joined_at": row.joined_at, "last_activity": row.last_activity,
                "idle_days": row.idle_days, "inactive": row.inactive, "stuck": row.stuck,
                "completed": row.completed, "percent": row.progress,
                "quizzes_passed": row.quizzes_passed, "quizzes_failed": row.quizzes_failed,
                "certificates": row.certificates}

    return _dump(s.MemberPage, paginated(shown, shape))


@bp.get("/cohorts/<int:cohort_id>/gradebook")
@op("A cohort's gradebook: members × the quizzes of its courses, each grade by the quiz's "
    "grading method (paged by member)", "trainer", s.Gradebook, paginated_list=True,
    errors=(403, 404))
@needs("read")
@access.rule("manage_cohort")
def cohort_gradebook(cohort_id: int):
    _cohort, courses, members = _cohort_or_404(cohort_id)
    course_list = [cc.course for cc in courses]
    columns = report_queries.quiz_columns(course_list)
    cells = report_queries.grade_cells([m.user_id for m in members], columns, course_list)
    slugs = {c.id: c.slug for c in course_list}
    locale = _locale()

    def shape(member):
        user = member.user
        return {"user_id": user.id, "name": user.full_name, "email": user.email,
                "grades": [{"quiz_id": c.quiz_id, "grade": cell.grade, "passed": cell.passed,
                            "needs_grading": cell.needs_grading, "attempts": cell.attempts}
                           for c in columns for cell in (cells[(user.id, c.quiz_id)],)]}

    page = paginated(members, shape)
    page["quizzes"] = [{"quiz_id": c.quiz_id, "course": slugs[c.course_id],
                        "title": c.display_title(locale), "kind": c.kind, "grading": c.grading,
                        "pass_mark": c.pass_mark} for c in columns]
    return _dump(s.Gradebook, page)


@bp.get("/quizzes/<int:quiz_id>/statistics")
@op("A quiz's question statistics (facility, discrimination...) over the learners I oversee, "
    "as the report page", "trainer", s.QuizStatistics, errors=(403, 404),
    query={"attempts": "Which attempts: " + ", ".join(itemstats.WHICH_ATTEMPTS)
                       + " (default graded)"})
@needs("read")
@access.rule("view_quiz_reports")
def quiz_statistics(quiz_id: int):
    quiz = quiz_queries.current_quiz(quiz_id)
    if quiz is None:
        raise ApiError(404)
    if not access.allowed("view_quiz_reports", quiz):
        raise ApiError(403)
    if quiz.version_id is None:  # no longer in its course
        raise ApiError(404)
    which = _choice("attempts", itemstats.WHICH_ATTEMPTS, "graded")
    stats = report_queries.quiz_statistics(me(), quiz, which)
    test = stats.report.test
    items = sorted(stats.report.items, key=lambda i: stats.questions[i.question_id].number)
    return _dump(s.QuizStatistics, {
        "quiz_id": quiz.id, "title": quiz.title(_locale()), "attempts": stats.which,
        "grading": stats.grading, "learners": stats.learners, "waiting": stats.waiting,
        "excluded": stats.excluded, "bands": stats.bands,
        "test": {name: getattr(test, name) for name in (
            "attempts", "mean", "median", "sd", "skewness", "kurtosis", "cic", "error_ratio",
            "standard_error")},
        "questions": [{"number": stats.questions[i.question_id].number,
                       "question_id": i.question_id,
                       "type": stats.questions[i.question_id].qtype,
                       "text": markup.plain_text(stats.questions[i.question_id].text),
                       "attempts": i.attempts, "facility": i.facility, "sd": i.sd,
                       "random_guess": i.random_guess, "discrimination": i.discrimination,
                       "efficiency": i.efficiency, "flags": list(i.flags)} for i in items]})


@bp.get("/grading-queue")
@op("Answers waiting for my grade (the people whose work I oversee)", "trainer", s.QueuePage,
    paginated_list=True)
@needs("read")
@access.role("facilitator", "trainer")
def grading_queue():
    def shape(pair):
        attempt, response = pair
        return {"response_id": response.id, "attempt_id": attempt.id,
                "learner": attempt.user.full_name,
                "quiz": attempt.quiz_version.display_title(_locale()),
                "question_id": response.question_id,
                "submitted_at": clock.aware(attempt.submitted_at)}

    return _dump(s.QueuePage, paginated(quiz_queries.grading_queue(me()), shape))


@bp.post("/responses/<int:response_id>/grade")
@op("Grade an answer by hand (points and a comment)", "trainer", s.Graded, body=s.GradeIn,
    errors=(400, 403, 404, 409, 422))
@needs("write")
@access.rule("grade")
def grade(response_id: int):
    response = db.session.get(QuestionResponse, response_id)
    if response is None:
        raise ApiError(404)
    if not access.allowed("grade", response.attempt):
        raise ApiError(403)
    data = _load(s.GradeIn)
    try:
        attempt = quiz_grading.grade_answer(me(), response, points=data["points"],
                                            criterion_scores=data["criteria"],
                                            comment=data["comment"])
    except ServiceError as err:
        raise _refusal(err) from None
    return _dump(s.Graded, {"attempt": _attempt_data(attempt, questions=False)})


def _cascade_figures(f) -> dict:
    return {"activities": f.activities, "women": f.women, "men": f.men,
            "participants": f.participants, "villages": f.villages, "last": f.last}


@bp.get("/cascade/tree")
@op("The cascade: master trainers, their facilitators (with gaps) and, for one facilitator, "
    "the villages reached, as the tree page", "trainer", s.CascadeTree,
    query={"facilitator": "A facilitator's user id: list the villages they reached"})
@needs("read")
@access.role(Role.TRAINER)
def cascade_tree():
    raw = request.args.get("facilitator") or ""
    if raw and (not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 2**31 - 1):
        raise ApiError(422, "invalid", _l("%(name)s must be a whole number from 1 to %(top)d.",
                                          name="facilitator", top=2**31 - 1), "facilitator")
    user = me()
    nodes = cascade_queries.tree(user, clock.today(clock.zone_of(user)),
                                 expand=int(raw) if raw else None)

    def facilitator(n) -> dict:
        return {"user_id": n.user.id, "name": n.user.full_name,
                "province_code": n.user.province_code, "regency_code": n.user.regency_code,
                "gap": n.gap, "figures": _cascade_figures(n.figures),
                "villages": [{"code": v.code, "name": regions.name(v.code), "library": v.library,
                              "figures": _cascade_figures(v.figures)} for v in n.villages]}

    return _dump(s.CascadeTree, {"gap_days": cascade_rules.GAP_DAYS, "trainers": [
        {"user_id": t.trainer.id if t.trainer else None,
         "name": t.trainer.full_name if t.trainer else None,
         "figures": _cascade_figures(t.figures),
         "facilitators": [facilitator(f) for f in t.facilitators]} for t in nodes]})


# --------------------------------------------------------------------------- admin

def _user_data(user: User) -> dict:
    return {"id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role,
            "active": bool(user.active), "created_at": clock.aware(user.created_at)}


@bp.get("/admin/users")
@op("Every account (q: search in names and emails)", "admin", s.UserPage, paginated_list=True,
    query={"q": "Search in names and emails"})
@needs("admin")
@access.role("admin")
def users():
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), User.email.like(like)))
    return _dump(s.UserPage, paginated(list(db.session.scalars(stmt)), _user_data))


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404)
    return user


@bp.post("/admin/users")
@op("Create an account; the person gets an email to set their password (audited)", "admin",
    s.User, status=201, body=s.UserIn, errors=(400, 403, 409, 422))
@needs("admin")
@access.role("admin")
def create_user():
    data = _load(s.UserIn)
    try:
        user = auth_services.create_account(me(), email=data["email"],
                                            full_name=data["full_name"], role=data["role"],
                                            locale=_locale())
    except auth_services.AccountExists as err:
        raise ApiError(409, "account_exists", err.message, err.field) from None
    except ServiceError as err:
        raise from_service_error(err) from None
    return _dump(s.User, _user_data(user), 201)


@bp.put("/admin/users/<int:user_id>/role")
@op("Change an account's role (audited)", "admin", s.User, body=s.RoleIn,
    errors=(400, 403, 404, 422))
@needs("admin")
@access.role("admin")
def user_role(user_id: int):
    user = _user_or_404(user_id)
    data = _load(s.RoleIn)
    try:
        auth_services.set_role(me(), user, data["role"])
    except ServiceError as err:
        raise from_service_error(err) from None
    return _dump(s.User, _user_data(user))


@bp.put("/admin/users/<int:user_id>/active")
@op("Deactivate or reactivate an account (audited; deactivation ends its logins)", "admin",
    s.User, body=s.ActiveIn, errors=(400, 403, 404, 422))
@needs("admin")
@access.role("admin")
def user_active(user_id: int):
    user = _user_or_404(user_id)
    data = _load(s.ActiveIn)
    try:
        auth_services.set_active(me(), user, data["active"])
    except ServiceError as err:
        raise from_service_error(err) from None
    return _dump(s.User, _user_data(user))


def _programme_row(row: rollup.Row) -> dict:
    return {"code": row.code, "name": row.name,
            "counts": {figure: row.count(figure) for figure in rollup.FIGURES},
            "facilitators_target": row.facilitators_target,
            "facilitators_percent": row.facilitators_percent,
            "villages_target": row.villages_target, "villages_percent": row.villages_percent}


@bp.get("/admin/programme")
@op("The programme roll-up by province, or (province) by the regencies and cities of one "
    "province, with the targets, as the report page", "admin", s.Programme, errors=(403, 404),
    query={"province": "A province's Kemendagri code (e.g. 33): its regencies and cities",
           "course": "A course id: count that course only"})
@needs("admin")
@access.role("admin")
def programme():
    province = (request.args.get("province") or "").strip() or None
    if province is not None and not regions.is_province(province):
        raise ApiError(404, "not_found", _l("No province has this code."), "province")
    course_id = None
    raw = request.args.get("course") or ""
    if raw:
        known = {cid for cid, _title in report_queries.course_choices(_locale())}
        if not (raw.isascii() and raw.isdigit()) or int(raw) not in known:
            raise ApiError(404, "not_found", _l("No course has this id."), "course")
        course_id = int(raw)
    data = report_queries.programme_rollup(province, course_id,
                                           unknown_label=_("Unknown region"),
                                           total_label=_("Total"))
    villages_target, facilitators_target = data.province_target
    return _dump(s.Programme, {
        "province": data.province, "course_id": data.course_id,
        "rows": [_programme_row(r) for r in data.rows], "total": _programme_row(data.total),
        "province_villages_target": villages_target,
        "province_facilitators_target": facilitators_target})


def _refusal(err: ServiceError) -> ApiError:
    """A service's refusal: 422 when it names a field at fault, else 409 (the state forbids)."""
    return from_service_error(err, 422 if err.field else 409, None if err.field else "conflict")


def _managed_certificate(code: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if cert is None:
        raise ApiError(404)
    if not access.allowed("manage_certificate", cert):
        raise ApiError(403)
    return cert


@bp.post("/admin/certificates/<code>/revoke")
@op("Revoke a certificate, with the reason (audited; /verify then says revoked)", "admin",
    s.Certificate, body=s.RevokeIn, errors=(400, 403, 404, 409, 422))
@needs("admin")
@access.rule("manage_certificate")
def revoke_certificate(code: str):
    cert = _managed_certificate(code)
    data = _load(s.RevokeIn)
    try:
        cert_services.revoke(me(), cert, data["reason"])
    except ServiceError as err:
        raise _refusal(err) from None
    return _dump(s.Certificate, _certificate_data(cert))


@bp.post("/admin/certificates/<code>/reissue")
@op("Re-issue a certificate (a new code; the old one points to it; audited)", "admin",
    s.Certificate, status=201, body=s.ReissueIn, errors=(400, 403, 404, 409, 422))
@needs("admin")
@access.rule("manage_certificate")
def reissue_certificate(code: str):
    cert = _managed_certificate(code)
    data = _load(s.ReissueIn)
    try:
        new = cert_services.reissue(me(), cert, data["reason"], data["holder_name"])
    except ServiceError as err:
        raise _refusal(err) from None
    return _dump(s.Certificate, _certificate_data(new), 201)


# --------------------------------------------------------------------------- the document

@bp.get("/openapi.json")
@access.public
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return json_response(spec_document())


@bp.get("/docs")
@access.public
def docs():
    """The documentation page, made from the OpenAPI document (no CDN, no script)."""
    return docs_page()
