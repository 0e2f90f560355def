"""The home page: a welcome for visitors, the learner's Beranda (dashboard) once logged in."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms import access, clock, notifications
from lms.certificates import services as certificate_services
from lms.cohorts.services import learner_cohorts
from lms.courses import queries
from lms.paths.queries import learner_overview, next_step
from lms.routing import id_or_none

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def home():
    if not current_user.is_authenticated:
        return render_template("main/home.html")
    # Six queries in all, however many courses, paths and cohorts (test_courses.py): the user,
    # the learner's courses with enrolments and path entries, the learner's progress rows
    # (outlines come from the per-version cache), cohorts with deadlines and invitations,
    # certificates and unread notifications.
    today = clock.today()
    overview = learner_overview(current_user.id)
    courses = overview.active_courses()
    progress = overview.progress
    in_progress = [c for c in courses if not progress[c.id].completed]
    completed = [c for c in courses if progress[c.id].completed]
    suggestions = [] if courses else queries.published_courses()[:3]
    cohorts, deadlines, invitations = learner_cohorts(current_user.id, today,
                                                      overview.completed_course_ids)
    paths = overview.paths
    certificates = certificate_services.certificates_of(current_user.id)
    notes = notifications.unread(current_user)
    moments = _completion_moments(notes, certificates, paths, today)
    shown = {m["note"].id for m in moments}
    return render_template("main/dashboard.html", **_staff_home(today),
                           in_progress=in_progress, completed=completed,
                           progress=progress, suggestions=suggestions,
                           started_paths=paths, certificates=certificates,
                           today=today, cohorts=cohorts, deadlines=deadlines,
                           invitations=invitations,
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
