"""The home page: a welcome for visitors, the learner's Beranda (dashboard) once logged in."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms import access, clock, notifications
from lms.certificates import services as certificate_services
from lms.cohorts.services import invitations_for, my_cohorts
from lms.courses import queries
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.learning.progress import progress_for
from lms.paths.queries import next_step, started_paths
from lms.routing import id_or_none

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def home():
    if not current_user.is_authenticated:
        return render_template("main/home.html")
    courses = list(db.session.scalars(
        select(Course).options(joinedload(Course.current_version))
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == current_user.id, Enrollment.status == "active",
               Course.current_version_id.is_not(None))
        .order_by(Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc())
    ).unique())
    progress = progress_for(current_user.id, courses)
    in_progress = [c for c in courses if not progress[c.id].completed]
    completed = [c for c in courses if progress[c.id].completed]
    suggestions = [] if courses else queries.published_courses()[:3]
    today = clock.today()
    cohorts, deadlines = my_cohorts(current_user.id, today)
    paths = started_paths(current_user.id)
    certificates = certificate_services.certificates_of(current_user.id)
    notes = notifications.unread(current_user)
    moments = _completion_moments(notes, certificates, paths, today)
    shown = {m["note"].id for m in moments}
    return render_template("main/dashboard.html", **_staff_home(today),
                           in_progress=in_progress, completed=completed,
                           progress=progress, suggestions=suggestions,
                           started_paths=paths, certificates=certificates,
                           today=today, cohorts=cohorts, deadlines=deadlines,
                           invitations=invitations_for(current_user),
                           notes=[n for n in notes if n.id not in shown], moments=moments)


ATTENTION_SHOWN = 10  # participants who need a look, listed on Beranda before "and N more"


def _staff_home(today) -> dict:
    """The parts of Beranda for a master trainer (their cohorts, grading queue, participants
    inactive or stuck, drafts with unpublished changes, deadlines, activities to confirm), a
    facilitator (replication cohorts, own activities still open) and an admin (site health,
    recent audit entries, the certificate's placeholders). A constant number of queries."""
    from lms import audit
    from lms.admin.health import site_health
    from lms.authoring.services.editing import drafts_with_changes
    from lms.cascade import queries as cascade_queries
    from lms.cohorts.models import REPLICATION, TRAINING
    from lms.quizzes.queries import grading_queue_count
    from lms.reports.queries.home import trainer_overview

    user, now = current_user, clock.now()
    parts: dict = {"trainer": None, "facilitator": None, "admin": None,
                   "attention_shown": ATTENTION_SHOWN}
    if user.is_trainer:
        overview = trainer_overview(user.id, today, now, kind=TRAINING)
        parts["trainer"] = {
            "overview": overview, "grading": grading_queue_count(user),
            "drafts": drafts_with_changes(user),
            "to_confirm": cascade_queries.activities_count(
                user, cascade_queries.ActivityFilter(status="unconfirmed")),
        }
    if user.is_facilitator:
        from lms.cascade.rules import editable_until

        activities, total = cascade_queries.open_activities(user)
        parts["facilitator"] = {
            "overview": trainer_overview(user.id, today, now, kind=REPLICATION),
            "activities": [(a, editable_until(clock.aware(a.created_at))) for a in activities],
            "activities_total": total, "now": now,
        }
    if user.is_admin:
        parts["admin"] = {"health": site_health(current_app), "audit": audit.history(None, 5)}
    return parts


def _completion_moments(notes, certificates, paths, today) -> list[dict]:
    """The completion moments Beranda shows: one per unread "course completed" notification
    whose certificate still stands, with what comes next in the learner's paths (read from what
    the page already loaded: no query per moment)."""
    by_code = {c.code: c for c in certificates if c.status(today) == "valid"}
    moments = []
    for note in notes:
        cert = by_code.get((note.params or {}).get("code"))
        if note.kind != notifications.COURSE_COMPLETED or cert is None:
            continue
        steps = [s for s in (next_step(view, cert.course_id) for view in paths) if s]
        moments.append({"note": note, "cert": cert, "steps": steps})
    return moments


@bp.post("/notifications/read")
@access.signed_in
def read_notifications():
    """Mark one notification (`id`) or all of them as read."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    note_id = request.form.get("id", type=int)
    if note_id is not None and id_or_none(note_id) is None:
        abort(400)
    notifications.mark_read(current_user, note_id)
    return redirect(url_for("main.home") + "#notifications")


@bp.route("/healthz")
@access.public
def healthz():
    """Liveness probe for load balancers: no database, no session."""
    return {"status": "ok"}
