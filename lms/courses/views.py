"""Catalogue, course and module pages, enrolment and "mark as done"."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
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
from sqlalchemy import select
from werkzeug.routing import BuildError

from lms import access
from lms.certificates.services import standing_certificate
from lms.content import AREAS
from lms.courses import queries
from lms.courses.models import Course, CourseVersion, PackBlob, PackFile
from lms.courses.offline import size_text
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.learning import services as learning
from lms.learning.progress import Loaded, progress_for
from lms.paths.queries import next_steps, paths_for_course
from lms.security import revalidate

bp = Blueprint("courses", __name__, url_prefix="/courses")

AREA_LABELS = {
    "ict": _l("ICT literacy"),
    "information-management": _l("Information management"),
    "community-engagement": _l("Community engagement"),
    "other": _l("Other"),
}


def _locale() -> str:
    return str(get_locale())


def _course_and_enrollment_or_404(slug: str):
    """A published course and the signed-in learner's enrolment in it (one query); an archived
    course only for trainers and its enrolled learners (it left the catalogue, but nobody loses
    access to a course they are taking)."""
    user_id = current_user.id if current_user.is_authenticated else None
    course, enrollment = queries.course_and_enrollment(slug, user_id)
    if course is None:
        abort(404)
    if course.status != "published" and not _keeps_access(enrollment):
        abort(404)
    return course, enrollment


def _course_or_404(slug: str):
    return _course_and_enrollment_or_404(slug)[0]


def _keeps_access(enrollment) -> bool:
    if not current_user.is_authenticated:
        return False
    if current_user.is_trainer:
        return True
    return enrollment is not None and enrollment.active


def quiz_url(quiz_id: int) -> str | None:
    """Link to a quiz, or None when the quiz engine is not mounted (quizzes then show as text)."""
    try:
        return url_for("quizzes.quiz", quiz_id=quiz_id)
    except BuildError:
        return None


def _module_or_404(slug: str, module_slug: str):
    """The published course and the module's page in its current version, or 404."""
    course = _course_or_404(slug)
    page = queries.module_page(course, module_slug)
    if page is None:
        abort(404)
    return course, page


@bp.app_context_processor
def course_helpers():
    # `locale()` is called many times per page: the language is read once per render.
    locale = _locale()
    return {"area_labels": AREA_LABELS, "locale": lambda: locale, "quiz_url": quiz_url}


@bp.route("/")
@revalidate
@access.public
def catalogue():
    area = request.args.get("area") or None
    if area not in AREAS:
        area = None
    q = (request.args.get("q") or "").strip()[:100]
    courses = queries.published_courses(area, q)
    user_id = current_user.id if current_user.is_authenticated else None
    progress = progress_for(user_id, courses)
    return render_template("courses/catalogue.html", courses=courses, progress=progress,
                           area=area, q=q, areas=AREAS)


@bp.route("/<slug>")
@revalidate
@access.public
def course(slug: str):
    course, enrollment = _course_and_enrollment_or_404(slug)
    outline = queries.outline(course)  # cached per content version
    items, quizzes = list(outline.items), list(outline.quizzes)
    user_id = current_user.id if current_user.is_authenticated else None
    progress = progress_for(user_id, [course], Loaded(
        outline.module_ids, quizzes, enrollment, enrollment_known=True))[course.id]
    locked = queries.locked_modules(items, progress.done_module_ids, course.sequential)
    next_item = _next_module(items, progress.done_module_ids, locked, enrollment)
    completion = None
    if user_id and progress.completed:  # the completion moment: certificate and what is next
        completion = {"cert": standing_certificate(user_id, course.id),
                      "steps": next_steps(user_id, course.id)}
    offline_size = None
    if user_id and _may_read(enrollment):
        offline_size = size_text(queries.offline_size_estimate(course), _locale())
    return render_template(
        "courses/course.html", course=course, items=items, quizzes=quizzes, progress=progress,
        enrollment=enrollment, locked=locked, next_item=next_item, form=ActionForm(),
        manifest=outline.manifest, paths=paths_for_course(course.id),
        completion=completion, offline_size=offline_size,
        # the syllabus is kept per version and these (templating.version_fragment)
        done_key=tuple(sorted(progress.done_module_ids)), locked_key=tuple(sorted(locked)),
    )


def _next_module(items, done, locked, enrollment):
    """Where "continue" leads: the last visited module if unfinished, else the first not done."""
    by_id = {i.module_id: i for i in items}
    if enrollment and enrollment.last_module_id in by_id and enrollment.last_module_id not in done:
        return by_id[enrollment.last_module_id]
    return next((i for i in items if i.module_id not in done and i.module_id not in locked), None)


@bp.route("/<slug>/enrol", methods=["POST"])
@access.signed_in
def enrol(slug: str):
    course = _course_or_404(slug)
    if ActionForm().validate_on_submit():
        try:
            learning.enrol(current_user, course)
        except ServiceError as err:
            flash(str(err.message), "error")
        else:
            flash(_("You are enrolled. Start with the first module whenever you are ready."), "success")
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/<slug>/unenrol", methods=["POST"])
@access.signed_in
def unenrol(slug: str):
    course = _course_or_404(slug)
    if ActionForm().validate_on_submit():
        learning.unenrol(current_user, course)
        flash(_("You have left the course. Your progress is kept if you enrol again."), "info")
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/<slug>/modules/<module_slug>")
@revalidate
@access.signed_in
def module(slug: str, module_slug: str):
    # One query for the course and the enrolment; the module's page and the version's outline
    # come from the per-version cache (lms/courses/queries.py); one for the learner's progress.
    course, enrollment = _course_and_enrollment_or_404(slug)
    page = queries.module_content(course, module_slug)
    if page is None:
        abort(404)
    if (enrollment is None or not enrollment.active) and not current_user.is_trainer:
        flash(_("Enrol in the course to read its modules."), "info")
        return redirect(url_for("courses.course", slug=slug))
    outline = queries.outline(course)
    items, all_quizzes = list(outline.items), list(outline.quizzes)
    progress = progress_for(current_user.id, [course], Loaded(
        outline.module_ids, all_quizzes, enrollment, enrollment_known=True))[course.id]
    locked = queries.locked_modules(items, progress.done_module_ids, course.sequential)
    if page.module_id in locked and not current_user.is_trainer:
        flash(_("Finish the previous modules first: this course opens its modules in order."), "info")
        return redirect(url_for("courses.course", slug=slug))
    # A page fetched to be saved for reading offline (offline.js) is not a visit: "Continue"
    # keeps pointing where the learner really was.
    if (enrollment is not None and enrollment.active
            and request.headers.get("X-Pelita-Offline") != "save"):
        learning.record_visit(current_user, course, page.module, enrollment)
    index = next(i for i, item in enumerate(items) if item.module_id == page.module_id)
    quizzes = [q for q in all_quizzes if q.module_id == page.module_id]
    # After the last module: the course's own assessment (the final first), else the course.
    course_quizzes = sorted((q for q in all_quizzes if q.module_id is None),
                            key=lambda q: q.kind != "final")
    return render_template(
        "courses/module.html", course=course, page=page, items=items, index=index,
        prev_item=items[index - 1] if index > 0 else None,
        next_item=items[index + 1] if index + 1 < len(items) else None,
        progress=progress, locked=locked, quizzes=quizzes, enrollment=enrollment,
        done=page.module_id in progress.done_module_ids, form=ActionForm(),
        final=course_quizzes[0] if index + 1 == len(items) and course_quizzes else None,
    )


@bp.route("/<slug>/offline.json")
@access.signed_in
def offline_files(slug: str):
    """What "save for reading offline" keeps (lms/static/js/offline.js): the course page, the
    module pages of the current version the reader may open now (locked ones of a sequential
    course wait) and the version's media. For the people who may read the module pages: active
    enrolled learners and trainers."""
    course, enrollment = _course_and_enrollment_or_404(slug)
    reader = enrollment is not None and enrollment.active
    if not reader and not current_user.is_trainer:
        abort(403)
    outline = queries.outline(course)
    items = list(outline.items)
    locked: set[int] = set()
    if course.sequential and not current_user.is_trainer:
        progress = progress_for(current_user.id, [course], Loaded(
            outline.module_ids, list(outline.quizzes), enrollment,
            enrollment_known=True))[course.id]
        locked = queries.locked_modules(items, progress.done_module_ids, True)
    version = course.current_version_id
    response = jsonify(
        course={"slug": course.slug, "title": course.title(_locale()), "version": version,
                "url": url_for("courses.course", slug=course.slug)},
        pages=[{"url": url_for("courses.module", slug=course.slug, module_slug=i.slug),
                "title": i.display_title(_locale())}
               for i in items if i.module_id not in locked],
        media=[url_for("courses.media", slug=course.slug, version_id=version, path=path)
               for path in queries.media_paths(course)],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<slug>/modules/<module_slug>/done", methods=["POST"])
@access.signed_in
def mark_done(slug: str, module_slug: str):
    course, page = _module_or_404(slug, module_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        completed = learning.mark_module_done(current_user, course, page.module)
    except ServiceError as err:
        flash(str(err.message), "error")
        return redirect(url_for("courses.course", slug=slug))
    if completed:
        flash(_("Congratulations! You have completed this course."), "success")
    else:
        flash(_("Module marked as done."), "success")
    items = queries.syllabus(course)
    index = next((i for i, item in enumerate(items) if item.module_id == page.module_id), None)
    if request.form.get("next") == "1" and index is not None and index + 1 < len(items):
        return redirect(url_for("courses.module", slug=slug, module_slug=items[index + 1].slug))
    return redirect(url_for("courses.module", slug=slug, module_slug=module_slug))


def _may_read(enrollment) -> bool:
    """Who reads a course's modules (and may take them away offline): its enrolled learners
    and trainers (editors are trainers), as on the module page."""
    return (enrollment is not None and enrollment.active) or current_user.is_trainer


@bp.route("/<slug>/offline.zip")
@access.signed_in
def offline_zip(slug: str):
    """The course's current version as static HTML in a zip, to read from a USB stick
    (lms/courses/offline.py). Built on the fly; a re-download the same day is a 304."""
    course = _course_or_404(slug)
    if not _may_read(learning.get_enrollment(current_user.id, course.id)):
        flash(_("Enrol in the course to download it for offline reading."), "info")
        return redirect(url_for("courses.course", slug=slug))
    etag = queries.offline_etag(course)
    if etag in request.if_none_match:
        response = current_app.response_class(status=304, mimetype="application/zip")
    else:
        bundle = queries.offline_zip(course)
        response = send_file(io.BytesIO(bundle.data), mimetype="application/zip",
                             as_attachment=True, download_name=bundle.filename)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/<slug>/v<int:version_id>/<path:path>")
@access.public
def media(slug: str, version_id: int, path: str):
    """A pack file (image, PDF...) of one version: immutable, so browsers keep it for a year."""
    if not path.startswith("media/"):
        abort(404)
    row = db.session.execute(
        select(PackBlob.data, PackBlob.sha256)
        .join(PackFile, PackFile.sha256 == PackBlob.sha256)
        .join(CourseVersion, CourseVersion.id == PackFile.version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == slug, PackFile.version_id == version_id, PackFile.path == path)
    ).first()
    if row is None:
        abort(404)
    response = send_file(io.BytesIO(row.data), download_name=path.rsplit("/", 1)[-1],
                         etag=row.sha256, max_age=31536000, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    # Media is author content: never let an uploaded SVG or HTML run script on our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
