"""Cascade pages: field activities (list, record, change within 7 days, confirm, attachment)
and the tree. Views validate and call one service; reads come from `lms.cascade.queries`."""

from __future__ import annotations

import io
from datetime import date

from babel.numbers import format_decimal
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

from lms import access, clock, regions
from lms.auth.models import Role
from lms.cascade import queries, rules, services
from lms.cascade.forms import ActivityForm, ConfirmActivityForm
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.forms import show_service_error
from lms.i18n import gettext as _
from lms.reports import exports
from lms.routing import download

bp = Blueprint("cascade", __name__, url_prefix="/cascade")


def _activity_or_404(activity_id: int, rule: str):
    activity = queries.get_activity(activity_id)
    access.require(rule, activity)
    return activity


def _input(form: ActivityForm) -> services.ActivityInput:
    return services.ActivityInput(
        kind=form.kind.data, activity_date=form.activity_date.data,
        village_code=form.village_code.data or "", library_name=form.library_name.data or "",
        women=form.women.data if form.women.data is not None else 0,
        men=form.men.data if form.men.data is not None else 0, topic=form.topic.data or "")


def _upload(form: ActivityForm):
    file = form.attachment.data
    if file is None or not getattr(file, "filename", ""):
        return None
    return file.filename, file.read()


# --------------------------------------------------------------------------- activities


def _date_arg(name: str, problems: list[str]) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(_("Give dates as YYYY-MM-DD, for example 2026-11-20."))
        return None


def _filters(problems: list[str]) -> queries.ActivityFilter:
    """The list's filters from the query string (`?status=&facilitator=&province=&regency=
    &from=&to=`); a value that is not valid is dropped (a date with a message)."""
    status = request.args.get("status", "")
    if status not in ("", "confirmed", "unconfirmed"):
        status = ""
    province = (request.args.get("province") or "").strip()
    if not regions.is_province(province):
        province = ""
    regency = (request.args.get("regency") or "").strip()
    if not (province and regions.is_regency_of(regency, province)):
        regency = ""
    facilitator = request.args.get("facilitator", type=int)
    if not (current_user.is_trainer or current_user.is_admin):
        facilitator = None  # a facilitator's list is their own
    return queries.ActivityFilter(
        status=status, facilitator_id=facilitator, province=province, regency=regency,
        date_from=_date_arg("from", problems), date_to=_date_arg("to", problems))


def _filter_args(filters: queries.ActivityFilter) -> dict:
    """The filters as query-string arguments (for the paging links and the CSV link)."""
    args = {"status": filters.status, "facilitator": filters.facilitator_id,
            "province": filters.province, "regency": filters.regency,
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None}
    return {k: v for k, v in args.items() if v not in (None, "")}


@bp.get("/activities")
@access.role(Role.FACILITATOR, Role.TRAINER)
def activities():
    problems: list[str] = []
    filters = _filters(problems)
    page = queries.activities_page(current_user, filters, request.args.get("page", 1, type=int))
    locale = str(get_locale())
    return render_template(
        "cascade/activities.html", page=page, activities=page.items, filters=filters,
        status=filters.status, args=_filter_args(filters), problems=problems,
        facilitators=queries.visible_facilitators(current_user),
        provinces=regions.provinces(),
        regencies=regions.regencies(filters.province) if filters.province else (),
        number=lambda n: format_decimal(n, "#,##0", locale=locale),
        regions=regions, locked=services.locked)


def _place(code: str) -> list[str]:
    """Code and name of the province, regency, district and village of a village code."""
    out = []
    for level in regions.ancestors(code)[:4]:
        out += [level, regions.name(level)]
    return out + [""] * (8 - len(out))


@bp.get("/activities.csv")
@access.role(Role.FACILITATOR, Role.TRAINER)
def activities_csv():
    """Every activity of the list with the same filters (all pages), as CSV for a spreadsheet
    in the reader's language (`lms.reports.exports.to_csv`: `;` and decimal comma for
    Indonesian; formula-like text defused)."""
    filters = _filters([])
    zone = clock.zone_of(current_user)
    columns = [exports.Column(_("Date"), exports.DATE), exports.Column(_("Kind of activity")),
               exports.Column(_("Facilitator")),
               exports.Column(_("Province code")), exports.Column(_("Province")),
               exports.Column(_("Regency or city code")), exports.Column(_("Regency or city")),
               exports.Column(_("District code")), exports.Column(_("District (kecamatan)")),
               exports.Column(_("Village code")), exports.Column(_("Village or kelurahan")),
               exports.Column(_("Library")), exports.Column(_("Women"), exports.NUMBER),
               exports.Column(_("Men"), exports.NUMBER), exports.Column(_("Topic")),
               exports.Column(_("Confirmed by")),
               exports.Column(_("Confirmed at"), exports.DATETIME)]
    # Translated and looked up once, not once per row (20,000 rows: 0.7 s otherwise).
    kinds = {rules.TRAINING: _("Training (bimtek)"), rules.MENTORING: _("Mentoring visit")}
    places: dict[str, list[str]] = {}
    rows = ([r.activity_date, kinds.get(r.kind, r.kind), r.facilitator,
             *(places.get(r.village_code) or places.setdefault(r.village_code,
                                                               _place(r.village_code))),
             r.library_name, r.women, r.men, r.topic, r.confirmed_by or "",
             clock.local(clock.aware(r.confirmed_at), zone) if r.confirmed_at else None]
            for r in queries.activity_rows(current_user, filters))
    data = exports.to_csv(columns, rows, locale=str(get_locale()))
    return download(data, f"field-activities-{clock.today(zone).isoformat()}.csv")


@bp.route("/activities/new", methods=["GET", "POST"])
@access.role(Role.FACILITATOR)
def new():
    form = ActivityForm()
    if request.method == "GET":
        form.activity_date.data = clock.today(clock.zone_of(current_user))
    form.fill_choices()
    if form.load_regions.data:  # no-JS path: show the next list, validate nothing yet
        return render_template("cascade/form.html", form=form, activity=None)
    if form.validate_on_submit():
        try:
            activity = services.record_activity(current_user, _input(form), _upload(form))
        except ServiceError as err:
            show_service_error(form, err)
        else:
            flash(_("The activity has been recorded. You can change it for 7 days."), "success")
            return redirect(url_for("cascade.detail", activity_id=activity.id))
    return render_template("cascade/form.html", form=form, activity=None), \
        422 if form.errors or form.form_errors else 200


@bp.get("/activities/<int:activity_id>")
@access.rule("view_activity")
def detail(activity_id: int):
    activity = _activity_or_404(activity_id, "view_activity")
    return render_template(
        "cascade/detail.html", activity=activity, regions=regions,
        locked=services.locked(activity),
        editable_until=rules.editable_until(clock.aware(activity.created_at)),
        can_edit=access.allowed("edit_activity", activity),
        can_confirm=access.allowed("confirm_activity", activity),
        confirm_form=ConfirmActivityForm(seen=services.seen_mark(activity)))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@access.rule("edit_activity")
def edit(activity_id: int):
    activity = _activity_or_404(activity_id, "edit_activity")
    locked = services.locked(activity) or activity.confirmed_at is not None
    form = ActivityForm(obj=activity if request.method == "GET" else None)
    if request.method == "GET":
        form.set_place(activity.village_code)
    form.fill_choices()
    if not locked and not form.load_regions.data and form.validate_on_submit():
        try:
            services.update_activity(current_user, activity, _input(form), _upload(form))
        except ServiceError as err:
            show_service_error(form, err)
        else:
            flash(_("The activity has been saved."), "success")
            return redirect(url_for("cascade.detail", activity_id=activity.id))
    elif locked and request.method == "POST":
        form.form_errors.append(_("This activity is locked and can no longer be changed."))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("cascade/form.html", form=form, activity=activity, locked=locked), status


@bp.post("/activities/<int:activity_id>/confirm")
@access.rule("confirm_activity")
def confirm(activity_id: int):
    activity = _activity_or_404(activity_id, "confirm_activity")
    form = ConfirmActivityForm()
    if form.validate_on_submit():
        try:
            services.confirm_activity(current_user, activity, form.seen.data)
        except ServiceError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            flash(_("The activity has been confirmed."), "success")
    return redirect(url_for("cascade.detail", activity_id=activity.id))


@bp.get("/activities/<int:activity_id>/attachment")
@access.rule("view_activity")
def attachment(activity_id: int):
    """Always a download, with its checked type, `nosniff` and a sandboxing CSP."""
    activity = _activity_or_404(activity_id, "view_activity")
    stored = activity.attachment
    if stored is None:
        abort(404)
    response = send_file(io.BytesIO(stored.data), mimetype=stored.mimetype, as_attachment=True,
                         download_name=stored.filename, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/regions/<region_code>.json")
@access.signed_in
def region_children(region_code: str):
    """The regions one level below a code, for the progressive-enhancement script."""
    if region_code.count(".") > 2:
        abort(404)
    return jsonify([{"code": r.code, "name": r.name} for r in regions.children(region_code)])


# --------------------------------------------------------------------------- the tree


@bp.get("/tree")
@access.role(Role.TRAINER)
def tree():
    today = clock.today(clock.zone_of(current_user))
    expand = request.args.get("facilitator", type=int)
    nodes = queries.tree(current_user, today, expand=expand)
    return render_template("cascade/tree.html", nodes=nodes, today=today, regions=regions,
                           gap_days=rules.GAP_DAYS, expand=expand)
