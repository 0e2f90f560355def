"""Cohort pages for trainers (list, create, overview, members, CSV import, deadlines, grading)
and the invitation page for new participants. Roles and cohort membership are checked here on
the server; every write goes through `lms.cohorts.services`.
"""

from __future__ import annotations

import base64
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms import access, audit, clock, regions, tokens
from lms.auth.decorators import role_required
from lms.auth.sessions import log_in
from lms.cohorts import csvexport, csvimport, services
from lms.cohorts.forms import (
    CohortForm,
    ConfirmImportForm,
    EditCohortForm,
    InvitationForm,
    MemberForm,
    UploadForm,
)
from lms.cohorts.models import CohortMember
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.forms import ActionForm, show_service_error
from lms.i18n import gettext as _
from lms.i18n import ngettext
from lms.learning.progress import progress_matrix
from lms.quizzes import queries as quiz_queries
from lms.routing import download

bp = Blueprint("cohorts", __name__)

def _cohort_or_404(cohort_id: int):
    """The cohort if the current user trains it (or is an admin); 404 / 403 otherwise."""
    cohort = services.get_cohort(cohort_id)
    access.require("manage_cohort", cohort)
    return cohort


def problem_text(p: csvimport.Problem) -> str:
    """One CSV problem as a translated sentence."""
    v = p.value
    messages = {
        "empty_file": _("The file is empty."),
        "unreadable": _("This file cannot be read as a CSV list. In your spreadsheet program, "
                        "choose “Save as” → CSV and upload that file."),
        "too_big": _("The file is too large (at most %(max)s KB).", max=p.params.get("max")),
        "too_many_rows": _("The file has too many rows (at most %(max)s).", max=p.params.get("max")),
        "missing_column": _("The header row has no column for this. Name the columns: name, "
                            "email, library, province, regency."),
        "duplicate_column": _("Two columns have this meaning (\u201c%(value)s\u201d).", value=v),
        "required": _("This cell is empty but required."),
        "invalid_email": _("\u201c%(value)s\u201d is not a valid email address.", value=v),
        "duplicate_email": _("\u201c%(value)s\u201d already appears in row %(row)s.", value=v,
                             row=p.params.get("first_row")),
        "too_long": _("Use at most %(max)s characters.", max=p.params.get("max")),
        "unknown_province": _("Unknown province \u201c%(value)s\u201d: use its name or "
                              "Kemendagri code.", value=v),
        "unknown_regency": _("Unknown regency or city \u201c%(value)s\u201d: use its name or "
                             "Kemendagri code.", value=v),
        "ambiguous_regency": _("\u201c%(value)s\u201d matches a regency and a city: write "
                               "\u201cKabupaten\u201d or \u201cKota\u201d in front.", value=v),
        "regency_not_in_province": _("\u201c%(value)s\u201d is not in the province of this row.",
                                     value=v),
    }
    text = messages.get(p.code, p.code)
    column = {"name": _("name"), "email": _("email"), "library": _("library"),
              "province": _("province"), "regency": _("regency")}.get(p.column, p.column)
    if p.row and column:
        return _("Row %(row)d, column %(column)s: %(message)s", row=p.row, column=column,
                 message=text)
    if p.row:
        return _("Row %(row)d: %(message)s", row=p.row, message=text)
    return text


# --------------------------------------------------------------------------- list and create


@bp.get("/cohorts")
@role_required("trainer", "facilitator")
def index():
    return render_template("cohorts/index.html", cohorts=services.cohorts_for(current_user))


@bp.route("/cohorts/new", methods=["GET", "POST"])
@role_required("trainer", "facilitator")
def new():
    form = CohortForm()
    locale = str(get_locale())
    kind = services.kind_for(current_user)
    form.courses.choices = [(c.id, c.title(locale)) for c in services.course_choices(kind)]
    form.trainers.choices = [(u.id, f"{u.full_name} ({u.email})")
                             for u in services.trainer_choices(kind) if u.id != current_user.id]
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                current_user, name=form.name.data, description=form.description.data or "",
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                course_ids=form.courses.data or [], trainer_ids=form.trainers.data or [])
        except ServiceError as err:
            show_service_error(form, err)
        else:
            flash(_("The cohort has been created. Now add its participants."), "success")
            return redirect(url_for("cohorts.overview", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None, kind=kind), \
        422 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@access.rule("manage_cohort")
def edit(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    courses = services.cohort_courses(cohort)
    data = None
    if request.method == "GET":
        data = {"name": cohort.name, "description": cohort.description,
                "starts_on": cohort.starts_on, "ends_on": cohort.ends_on, "status": cohort.status,
                "courses": [cc.course_id for cc in courses],
                "trainers": sorted(services.trainer_ids(cohort))}
    form = EditCohortForm(data=data)
    locale = str(get_locale())
    available = {c.id: c for c in services.course_choices(cohort.kind)}
    for cc in courses:  # a course archived since stays listed so it is not dropped by accident
        available.setdefault(cc.course_id, cc.course)
    form.courses.choices = [(c.id, c.title(locale)) for c in available.values()]
    form.trainers.choices = [(u.id, f"{u.full_name} ({u.email})")
                             for u in services.trainer_choices(cohort.kind)]
    form.status.choices = [("active", _("Active")), ("archived", _("Archived"))]
    if form.validate_on_submit():
        try:
            services.update_cohort(
                current_user, cohort, name=form.name.data, description=form.description.data or "",
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, status=form.status.data,
                course_ids=form.courses.data or [], trainer_ids=form.trainers.data or [])
        except ServiceError as err:
            db.session.rollback()
            show_service_error(form, err)
        else:
            flash(_("The cohort has been saved."), "success")
            if services.can_manage(current_user, cohort):
                return redirect(url_for("cohorts.overview", cohort_id=cohort.id))
            return redirect(url_for("cohorts.index"))
    return render_template("cohorts/form.html", form=form, cohort=cohort), \
        422 if form.errors else 200


# --------------------------------------------------------------------------- overview


@bp.get("/cohorts/<int:cohort_id>")
@access.rule("manage_cohort")
def overview(cohort_id: int):
    # Six statements however large the cohort: the login; the cohort with its courses, trainers
    # and grading count; the members; their done modules and scores; their enrolments; the
    # history (docs/performance.md).
    cohort, (queue,) = services.cohort_for_overview(
        cohort_id, quiz_queries.cohort_grading_count_column(current_user, cohort_id))
    access.require("manage_cohort", cohort)
    courses = services.overview_courses(cohort)
    members = services.members_of(cohort)
    joined = [m.user_id for m in members if m.joined]  # nothing of invited people is shown
    progress = progress_matrix(joined, [cc.course for cc in courses])
    return render_template("cohorts/overview.html", cohort=cohort, courses=courses,
                           members=members, progress=progress,
                           trainers=services.overview_trainers(cohort),
                           today=clock.today(), queue=queue,
                           history=audit.history(f"cohort:{cohort.id}", limit=20))


@bp.get("/cohorts/<int:cohort_id>/progress.csv")
@access.rule("manage_cohort")
def progress_csv(cohort_id: int):
    """The progress table as CSV for a spreadsheet (UTF-8 with BOM, so Excel reads it right)."""
    cohort = _cohort_or_404(cohort_id)
    courses = services.cohort_courses(cohort)
    members = [m for m in services.members_of(cohort) if m.joined]
    locale = str(get_locale())
    data = csvexport.progress_csv(
        members, courses, progress_matrix([m.user_id for m in members], [cc.course for cc in courses]),
        services.completion_dates([m.user_id for m in members], [cc.course_id for cc in courses]),
        headers={"name": _("name"), "email": _("email"), "library": _("library"),
                 "province": _("province"), "regency": _("regency")},
        course_headers=lambda title: (_("%(course)s (%%)", course=title),
                                      _("%(course)s completed on", course=title)),
        locale=locale)
    return download(data, f"progress-cohort-{cohort.id}-{clock.today().isoformat()}.csv")


@bp.route("/cohorts/<int:cohort_id>/deadlines", methods=["GET", "POST"])
@access.rule("manage_cohort")
def deadlines(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    courses = services.cohort_courses(cohort)
    form = ActionForm()
    errors: dict[int, str] = {}
    values = {cc.course_id: (cc.deadline.isoformat() if cc.deadline else "") for cc in courses}
    if form.validate_on_submit():
        wanted: dict[int, date | None] = {}
        for cc in courses:
            raw = (request.form.get(f"deadline-{cc.course_id}") or "").strip()
            values[cc.course_id] = raw
            try:
                wanted[cc.course_id] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[cc.course_id] = _("Enter a date such as 2026-12-31.")
        if not errors:
            changed = services.set_deadlines(current_user, cohort, wanted)
            flash(ngettext("%(num)d deadline changed.", "%(num)d deadlines changed.", changed),
                  "success")
            return redirect(url_for("cohorts.overview", cohort_id=cohort.id))
    return render_template("cohorts/deadlines.html", cohort=cohort, courses=courses, form=form,
                           values=values, errors=errors), 422 if errors else 200


# --------------------------------------------------------------------------- members


@bp.route("/cohorts/<int:cohort_id>/members/add", methods=["GET", "POST"])
@access.rule("manage_cohort")
def add_member(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = MemberForm()
    form.fill_choices()
    if form.load_regencies.data:  # no-JS path: show the regencies of the chosen province
        return render_template("cohorts/add_member.html", cohort=cohort, form=form)
    if form.validate_on_submit():
        try:
            added = services.add_member(
                current_user, cohort, email=form.email.data, full_name=form.full_name.data or "",
                library_name=form.library_name.data or "",
                province_code=form.province_code.data or None,
                regency_code=form.regency_code.data or None)
        except ServiceError as err:
            show_service_error(form, err)
        else:
            return render_template("cohorts/added.html", cohort=cohort, added=[added])
    return render_template("cohorts/add_member.html", cohort=cohort, form=form), \
        422 if form.errors else 200


@bp.post("/cohorts/<int:cohort_id>/members/<int:member_id>/remove")
@access.rule("manage_cohort")
def remove_member(cohort_id: int, member_id: int):
    cohort = _cohort_or_404(cohort_id)
    member = db.session.get(CohortMember, member_id)
    if member is None or member.cohort_id != cohort.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_member(current_user, cohort, member)
    flash(_("%(name)s is no longer a member of the cohort. Their progress is kept.",
            name=member.shown_name), "success")
    return redirect(url_for("cohorts.overview", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/members/<int:member_id>/invitation")
@access.rule("manage_cohort")
def renew_invitation(cohort_id: int, member_id: int):
    cohort = _cohort_or_404(cohort_id)
    member = db.session.get(CohortMember, member_id)
    if member is None or member.cohort_id != cohort.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.renew_invitation(current_user, cohort, member)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("A new invitation was emailed to %(email)s; the old link no longer works.",
                email=member.user.email), "success")
    return redirect(url_for("cohorts.overview", cohort_id=cohort.id))


# --------------------------------------------------------------------------- CSV import


def _import_serializer(cohort_id: int) -> URLSafeTimedSerializer:
    return tokens.serializer(f"pelita.cohort-import.{cohort_id}.{current_user.id}")


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@access.rule("manage_cohort")
def import_members(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(csvimport.MAX_BYTES + 1) if upload else b""
        filename = (getattr(upload, "filename", "") or "").lower()
        if not upload or not filename:
            form.file.errors = [_("Choose a CSV file.")]
        elif filename.endswith((".xlsx", ".xls", ".ods")):
            form.file.errors = [_("This is a spreadsheet file. In your spreadsheet program, "
                                  "choose “Save as” → CSV, then upload that file.")]
        else:
            preview = services.preview_import(cohort, data)
            token = _import_serializer(cohort.id).dumps(base64.b64encode(data).decode("ascii"))
            return render_template(
                "cohorts/preview.html", cohort=cohort, preview=preview,
                problems=[problem_text(p) for p in preview.parsed.problems],
                row_problems={r.row.row: [problem_text(p) for p in r.row.problems]
                              for r in preview.rows},
                region_name=regions.name, confirm=ConfirmImportForm(data={"data": token}),
            ), 200 if preview.parsed.ok else 422
    return render_template("cohorts/import.html", cohort=cohort, form=form), \
        422 if form.errors else 200


@bp.post("/cohorts/<int:cohort_id>/import/confirm")
@access.rule("manage_cohort")
def confirm_import(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = _import_serializer(cohort.id).loads(form.data.data or "", max_age=3600)
        data = base64.b64decode(raw)
    except (BadSignature, ValueError):
        flash(_("The checked list expired or was changed. Upload it again."), "error")
        return redirect(url_for("cohorts.import_members", cohort_id=cohort.id))
    try:
        added = services.import_members(current_user, cohort, data)
    except ServiceError as err:
        flash(err.message, "error")
        return redirect(url_for("cohorts.import_members", cohort_id=cohort.id))
    return render_template("cohorts/added.html", cohort=cohort, added=added)


# --------------------------------------------------------------------------- grading


@bp.get("/cohorts/<int:cohort_id>/grading")
@access.rule("manage_cohort")
def grading(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    locale = str(get_locale())
    rows = [{"attempt": a, "response": r, "title": a.quiz_version.display_title(locale)}
            for a, r in quiz_queries.grading_queue(current_user, cohort=cohort)]
    return render_template("quizzes/grading_queue.html", rows=rows, cohort=cohort,
                           cohorts=services.cohorts_for(current_user))


# --------------------------------------------------------------------------- invitation


@bp.route("/invite/<token>", methods=["GET", "POST"])
@access.public
def accept_invitation(token: str):
    """An invitation link. A new account sets its password here (which accepts); an existing
    account logs in and accepts or declines, here or on Beranda."""
    try:
        member = services.member_for_invitation(token)
    except ServiceError as err:
        return render_template("cohorts/invitation_invalid.html", message=err.message), 400
    cohort = member_cohort(member)
    if not services.needs_password(member):
        mine = current_user.is_authenticated and current_user.id == member.user_id
        return render_template("cohorts/invitation_join.html", member=member, cohort=cohort,
                               mine=mine, form=ActionForm())
    form = InvitationForm(data={"full_name": member.user.full_name}
                          if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, full_name=form.full_name.data,
                                              password=form.password.data)
        except ServiceError as err:
            show_service_error(form, err)
        else:
            log_in(user)
            flash(_("Welcome to Pelita! Your password is set and you are logged in."), "success")
            return redirect(url_for("main.home"))
    return render_template("cohorts/invitation.html", form=form, member=member,
                           cohort=cohort), 422 if form.errors else 200


@bp.post("/cohorts/invitations/<int:member_id>/<any(accept, decline):answer>")
@access.signed_in
def answer_invitation(member_id: int, answer: str):
    """The invited person's answer (their own invitations only: the service checks)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if answer == "accept":
            member = services.join(current_user, member_id)
            flash(_("You joined the cohort %(cohort)s. Its courses are on your home page.",
                    cohort=member.cohort.name), "success")
        else:
            services.decline(current_user, member_id)
            flash(_("You declined the invitation. Nothing was changed in your account."),
                  "success")
    except ServiceError as err:
        flash(err.message, "error")
    return redirect(url_for("main.home"))


def member_cohort(member: CohortMember):
    return services.get_cohort(member.cohort_id)
