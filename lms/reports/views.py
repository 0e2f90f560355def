"""Report pages. Each view checks its rule with `lms.access` and reads through
`lms.reports.queries`; reports never write (the programme's targets go through
`lms.reports.services`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms import access, clock, regions
from lms.auth.models import Role
from lms.errors_domain import ServiceError
from lms.reports import charts, queries, rollup, services
from lms.reports.forms import TargetForm

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@access.role(Role.TRAINER)
def index():
    """The list of reports this person may open."""
    return render_template("reports/index.html")


# --------------------------------------------------------------------------- programme roll-up


def _province_arg() -> str | None:
    """`?province=32`: drill into one province (404 for a code that is not a province)."""
    province = (request.args.get("province") or "").strip() or None
    if province is not None and not regions.is_province(province):
        abort(404)
    return province


def _course_arg(choices: list[tuple[int, str]] | None = None) -> int | None:
    value = request.args.get("course", type=int)
    if value is None:
        return None
    if choices is not None and value not in {cid for cid, _title in choices}:
        abort(404)
    return value


def _figure_labels() -> dict[str, str]:
    return {"enrolled": _("Participants enrolled"), "active": _("Active (30 days)"),
            "completed": _("Completed a course"), "certified": _("Certified"),
            "facilitators": _("Facilitators certified"),
            "villages": _("Village libraries reached")}


def _rollup(province: str | None, course_id: int | None) -> queries.ProgrammeRollup:
    sort = request.args.get("sort", "name")
    return queries.programme_rollup(
        province, course_id, unknown_label=_("Unknown region"), total_label=_("Total"),
        sort=sort if sort in rollup.SORT_KEYS else "name",
        descending=request.args.get("order") == "desc")


@bp.get("/programme")
@access.role(Role.ADMIN)
def programme():
    """The programme roll-up: by province, or by regency/city inside one province."""
    province = _province_arg()
    locale = str(get_locale())
    courses = queries.course_choices(locale)
    course_id = _course_arg(courses)
    data = _rollup(province, course_id)
    where = regions.name(province) if province else _("all provinces")
    certified_chart = Markup(charts.bar_chart(  # noqa: S704 - charts escape every label
        [charts.Bar(r.name, r.count("certified")) for r in data.rows if r.count("certified")],
        _("Certified participants by region, %(where)s", where=where)))
    villages_chart = None
    if "villages" in data.figures:
        villages_chart = Markup(charts.bar_chart(  # noqa: S704 - charts escape every label
            [charts.Bar(r.name, r.villages_percent) for r in data.rows
             if r.villages_percent is not None],
            _("Village libraries reached, percent of the target, %(where)s", where=where),
            maximum=100, unit="%"))
    return render_template(
        "reports/programme.html", data=data, labels=_figure_labels(), courses=courses,
        course_id=course_id, province=province, where=where,
        sort=request.args.get("sort", "name"), order=request.args.get("order", "asc"),
        certified_chart=certified_chart, villages_chart=villages_chart,
        sort_keys=rollup.SORT_KEYS)


@bp.get("/programme.csv")
@access.role(Role.ADMIN)
def programme_csv():
    """The roll-up table as CSV (the same rows, totals and filters as the page)."""
    province = _province_arg()
    locale = str(get_locale())
    course_id = _course_arg()
    data = _rollup(province, course_id)
    labels = _figure_labels()
    headers = {"code": _("Kemendagri code"), "region": _("Region"), **labels,
               "facilitators_target": _("Facilitator target"),
               "facilitators_percent": _("Facilitators, percent of target"),
               "villages_target": _("Village target"),
               "villages_percent": _("Villages, percent of target")}
    body = rollup.rollup_csv(data.rows, data.total, figures=data.figures, headers=headers,
                             locale=locale)
    where = province or "provinces"
    suffix = f"-course-{course_id}" if course_id else ""
    filename = f"programme-{where}{suffix}-{clock.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.route("/programme/targets", methods=["GET", "POST"])
@access.role(Role.ADMIN)
def programme_targets():
    """Set a target per province (or, with `?province=`, per regency/city of that province)."""
    province = _province_arg()
    listed = regions.regencies(province) if province else regions.provinces()
    form = TargetForm()
    form.region.choices = ([(province, _("%(name)s (the whole province)",
                                         name=regions.name(province)))] if province else [])
    form.region.choices += [(r.code, f"{r.name} ({r.code})") for r in listed]
    targets = queries.target_rows(province)
    if request.method == "GET" and request.args.get("region"):  # "change" from the list below
        form.region.data = request.args["region"]
        for t in targets:
            if t.region_code == form.region.data:
                form.villages_target.data = str(t.villages_target)
                form.facilitators_target.data = ("" if t.facilitators_target is None
                                                 else str(t.facilitators_target))
    if form.validate_on_submit():
        try:
            services.set_target(current_user, form.region.data,
                                form.villages_target.number, form.facilitators_target.number)
        except ServiceError as err:
            field = getattr(form, err.field, None) if err.field else None
            if field is not None:
                field.errors = [*field.errors, err.message]
            else:
                form.form_errors.append(err.message)
        else:
            flash(_("Target saved for %(name)s.", name=regions.name(form.region.data)),
                  "success")
            return redirect(url_for("reports.programme_targets", province=province))
    return render_template("reports/targets.html", form=form, province=province,
                           targets=targets), (422 if form.errors else 200)
