"""Report pages. Each view checks its rule with `lms.access` and reads through
`lms.reports.queries`; reports never write (the programme's targets go through
`lms.reports.services`)."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from lms import access, clock, regions
from lms.auth.models import Role
from lms.cohorts import services as cohort_services
from lms.errors_domain import ServiceError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.learning.progress import progress_matrix
from lms.quizzes import queries as quiz_queries
from lms.quizzes.markup import plain_text
from lms.reports import charts, dashboard, exports, itemstats, queries, rollup, services, statscsv
from lms.reports.forms import TargetForm
from lms.routing import download

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@access.role(Role.TRAINER, Role.FACILITATOR)
def index():
    """The reports this person may open: their cohorts (admins: every cohort) and the quizzes
    whose statistics they may read."""
    locale = str(get_locale())
    return render_template("reports/index.html",
                           cohorts=cohort_services.cohorts_for(current_user),
                           quizzes=queries.reportable_quizzes(current_user, locale))


# --------------------------------------------------------------------------- question statistics

FLAG_LABELS = {
    itemstats.TOO_EASY: _l("too easy"),
    itemstats.TOO_HARD: _l("too hard"),
    itemstats.NEGATIVE: _l("negative discrimination"),
    itemstats.WEAK: _l("weak discrimination"),
    itemstats.LOW_EFFICIENCY: _l("low discriminative efficiency"),
}
WHICH_LABELS = {
    "graded": _l("attempts that count for the grade"),
    "first": _l("first attempts"),
    "all": _l("all attempts"),
}
GRADING_LABELS = {
    "highest": _l("highest attempt"), "average": _l("average of all attempts"),
    "first": _l("first attempt"), "last": _l("last attempt"),
}
TYPE_LABELS = {
    "single_choice": _l("Single choice"), "multiple_choice": _l("Multiple choice"),
    "true_false": _l("True/false"), "short_answer": _l("Short answer"),
    "numerical": _l("Numerical"), "essay": _l("Essay"), "matching": _l("Matching"),
    "ordering": _l("Ordering"),
}
SORT_KEYS = ("number", "attempts", "facility", "sd", "random_guess", "discrimination",
             "efficiency")


def _statistics(quiz_id: int):
    quiz = quiz_queries.current_quiz(quiz_id)
    access.require("view_quiz_reports", quiz)
    if quiz.version_id is None:  # no longer in its course
        abort(404)
    which = request.args.get("attempts", "graded")
    if which not in itemstats.WHICH_ATTEMPTS:
        which = "graded"
    return quiz, queries.quiz_statistics(current_user, quiz, which)


def _short(text: str, limit: int = 80) -> str:
    text = plain_text(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sorted_items(stats: queries.QuizStatistics, sort: str):
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, sort = "number", "number"
    if key == "number":
        items = sorted(stats.report.items, key=lambda i: stats.questions[i.question_id].number)
    else:
        known = [i for i in stats.report.items if getattr(i, key) is not None]
        unknown = [i for i in stats.report.items if getattr(i, key) is None]
        items = sorted(known, key=lambda i: getattr(i, key)) + unknown  # undefined ones last
        if sort.startswith("-"):
            items = sorted(known, key=lambda i: getattr(i, key), reverse=True) + unknown
    return items, sort


def _fmt(value: float | None, locale: str, unit: str = "") -> str:
    """A figure for the page: two decimals like Moodle, the locale's decimal sign; — if undefined."""
    return statscsv.number(value, locale) + unit if value is not None else "—"


@bp.get("/quizzes/<int:quiz_id>/statistics")
@access.rule("view_quiz_reports")
def quiz_statistics(quiz_id: int):
    """Moodle-style question statistics of one quiz, over the learners the viewer oversees."""
    quiz, stats = _statistics(quiz_id)
    locale = str(get_locale())
    items, sort = _sorted_items(stats, request.args.get("sort", "number"))
    bands = stats.bands
    band_labels = [f"{10 * i}–{10 * (i + 1)} %" for i in range(itemstats.BANDS)]
    chart = charts.bar_chart([charts.Bar(label, count) for label, count in zip(
        band_labels, bands, strict=True)], _("Number of attempts per score band"))
    return render_template(
        "reports/quiz_statistics.html", quiz=quiz, title=quiz.title(locale), stats=stats,
        test=stats.report.test, items=items, sort=sort, sort_keys=SORT_KEYS,
        questions=stats.questions, short=_short, fmt=lambda v, unit="": _fmt(v, locale, unit),
        flag_labels=FLAG_LABELS, which_labels=WHICH_LABELS, grading_label=GRADING_LABELS.get(
            stats.grading, stats.grading), type_labels=TYPE_LABELS, chart=chart,
        bands=list(zip(band_labels, bands, strict=True)))


@bp.get("/quizzes/<int:quiz_id>/statistics.csv")
@access.rule("view_quiz_reports")
def quiz_statistics_csv(quiz_id: int):
    """The per-question table and the test's figures as CSV (see `statscsv`)."""
    quiz, stats = _statistics(quiz_id)
    locale = str(get_locale())
    head = [_("Q#"), _("Question id"), _("Question"), _("Type"), _("Attempts"),
            _("Facility index (%)"), _("Standard deviation (%)"), _("Random guess score (%)"),
            _("Discrimination index (%)"), _("Discriminative efficiency (%)"), _("Flags")]
    rows = []
    for item in stats.report.items:
        info = stats.questions[item.question_id]
        rows.append([info.number, item.question_id, plain_text(info.text),
                     str(TYPE_LABELS.get(info.qtype, info.qtype)), item.attempts, item.facility,
                     item.sd, item.random_guess, item.discrimination, item.efficiency,
                     ", ".join(str(FLAG_LABELS[f]) for f in item.flags)])
    test = stats.report.test
    footer = [
        [_("Attempts analysed"), test.attempts],
        [_("Which attempts"), str(WHICH_LABELS[stats.which])],
        [_("Average score (%)"), test.mean], [_("Median score (%)"), test.median],
        [_("Standard deviation (%)"), test.sd], [_("Skewness"), test.skewness],
        [_("Kurtosis"), test.kurtosis],
        [_("Coefficient of internal consistency (%)"), test.cic],
        [_("Error ratio (%)"), test.error_ratio], [_("Standard error (%)"), test.standard_error],
    ]
    data = statscsv.table_csv(head, rows, locale=locale, footer=footer)
    return download(data, f"question-statistics-quiz-{quiz.id}-{clock.today().isoformat()}.csv")


# --------------------------------------------------------------------------- cohort reports


def _cohort(cohort_id: int):
    """The cohort, its courses and its joined members (invited people are never shown), after
    the `manage_cohort` rule: 404 if there is no such cohort, 403 if it is not the viewer's."""
    cohort = cohort_services.get_cohort(cohort_id)
    access.require("manage_cohort", cohort)
    courses = cohort_services.cohort_courses(cohort)
    members = [m for m in cohort_services.members_of(cohort) if m.joined]
    return cohort, courses, members


def _number(value) -> str:
    """A grade or points as the reader writes numbers (87,5 in Indonesian, 87.5 in English)."""
    if value is None:
        return ""
    return format_decimal(round(float(value), 2), "#,##0.##", locale=str(get_locale()))


def _grading_label(method: str) -> str:
    return {"average": _("The average of the attempts"), "first": _("The first attempt"),
            "last": _("The last attempt")}.get(method, _("The highest attempt"))


@bp.get("/cohorts/<int:cohort_id>")
@access.rule("manage_cohort")
def cohort_dashboard(cohort_id: int):
    """One row per joined participant, sortable and filterable by GET parameters (no script),
    inactive rows marked in words, and module completions per week as a chart and a table."""
    cohort, courses, members = _cohort(cohort_id)
    locale = str(get_locale())
    zone = clock.zone_of(current_user)
    today = clock.today(zone)
    days = dashboard.inactive_days_of(request.args.get("inactive_days"))
    sort = request.args.get("sort", "name")
    sort = sort if sort in dashboard.SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    q = (request.args.get("q") or "").strip()[:100]
    regency = request.args.get("regency") or ""
    status = request.args.get("status") or ""
    status = status if status in dashboard.STATUSES else ""

    rows, _columns = queries.dashboard_rows(members, courses, clock.today(clock.zone_of(current_user)))
    dashboard.mark_inactive(rows, clock.now(), days)
    regencies = sorted({(r.regency_code, r.regency) for r in rows if r.regency_code},
                       key=lambda pair: pair[1].casefold())
    shown = dashboard.sort_rows(dashboard.filter_rows(rows, q=q, regency=regency, status=status),
                                sort, descending)

    last_day = min(today, cohort.ends_on) if cohort.ends_on else today
    weeks = dashboard.week_starts(cohort.starts_on, last_day)
    bounds = [clock.start_of_day(w, zone) for w in weeks]
    bounds.append(bounds[-1] + timedelta(weeks=1))
    counts = queries.weekly_module_completions([m.user_id for m in members],
                                               [cc.course_id for cc in courses], bounds)
    week_labels = [format_date(w, "d MMM", locale=locale) for w in weeks]
    chart = Markup(charts.line_chart(  # noqa: S704 - charts escape every label
        [charts.Bar(label, n) for label, n in zip(week_labels, counts, strict=True)],
        _("Modules completed per week")))

    params = {"q": q, "regency": regency, "status": status, "inactive_days": days}

    def sort_url(key: str) -> str:
        flip = "asc" if key == sort and descending else ("desc" if key == sort else "asc")
        if key != sort and key in ("progress", "last_activity", "quizzes", "certificates"):
            flip = "desc"  # the most first is what people look for
        return url_for("reports.cohort_dashboard", cohort_id=cohort.id, sort=key, dir=flip,
                       **{k: v for k, v in params.items() if v})

    return render_template(
        "reports/cohort_dashboard.html", cohort=cohort, courses=courses, rows=shown,
        total=len(rows), sort=sort, descending=descending, sort_url=sort_url, q=q,
        regency=regency, status=status, days=days, regencies=regencies, chart=chart,
        weeks=list(zip(week_labels, counts, strict=True)))


@bp.get("/cohorts/<int:cohort_id>/participants/<int:user_id>")
@access.rule("manage_cohort")
def participant(cohort_id: int, user_id: int):
    """A joined member's whole record in the cohort's courses; 404 for anyone else."""
    cohort, courses, members = _cohort(cohort_id)
    member = next((m for m in members if m.user_id == user_id), None)
    if member is None:
        abort(404)
    course_list = [cc.course for cc in courses]
    columns = queries.quiz_columns(course_list)
    progress = progress_matrix([user_id], course_list)
    cells = queries.grade_cells([user_id], columns, course_list)
    record = queries.participant_record(user_id, course_list, columns)
    attempts_by_id = {a.id: a for a in record.attempts}
    return render_template(
        "reports/participant.html", cohort=cohort, courses=courses, member=member,
        user=member.user, progress=progress, columns=columns,
        column_of={c.quiz_id: c for c in columns}, cells=cells, record=record,
        attempts_by_id=attempts_by_id, grading_label=_grading_label, number=_number,
        regency=regions.name(member.user.regency_code) if member.user.regency_code else "")


# --------------------------------------------------------------------------- gradebook


def _gradebook(cohort_id: int):
    cohort, courses, members = _cohort(cohort_id)
    course_list = [cc.course for cc in courses]
    columns = queries.quiz_columns(course_list)
    cells = queries.grade_cells([m.user_id for m in members], columns, course_list)
    return cohort, courses, members, columns, cells


@bp.get("/cohorts/<int:cohort_id>/gradebook")
@access.rule("manage_cohort")
def gradebook(cohort_id: int):
    """Participants × quizzes, each grade by its quiz's grading method, passed / failed /
    waiting for a grade marked in words."""
    cohort, courses, members, columns, cells = _gradebook(cohort_id)
    return render_template("reports/gradebook.html", cohort=cohort, courses=courses,
                           members=members, columns=columns, cells=cells,
                           grading_label=_grading_label, number=_number)


def _cell_status(cell: queries.Cell) -> str:
    if cell.needs_grading:
        return _("Needs grading")
    if cell.grade is None:
        return ""
    return _("Passed") if cell.passed else _("Not passed")


def _gradebook_table(cohort_id: int):
    """The gradebook as export columns and rows: per participant name, email, library,
    regency, last activity (a date in the viewer's zone), then per quiz the grade (a number) and
    its status (text)."""
    cohort, courses, members, columns, cells = _gradebook(cohort_id)
    locale = str(get_locale())
    zone = clock.zone_of(current_user)
    activity = queries.last_activity([m.user_id for m in members],
                                     [cc.course_id for cc in courses],
                                     [c.quiz_id for c in columns])
    head = [exports.Column(_("Name"), width=24), exports.Column(_("Email"), width=24),
            exports.Column(_("Library"), width=24), exports.Column(_("Regency or city"), width=20),
            exports.Column(_("Last activity"), exports.DATE, width=12)]
    course_titles = {cc.course_id: cc.course.title(locale) for cc in courses}
    for c in columns:
        names = {"course": course_titles[c.course_id], "quiz": c.display_title(locale)}
        head.append(exports.Column(_("%(course)s · %(quiz)s: grade (%%)", **names),
                                   exports.NUMBER))
        head.append(exports.Column(_("%(course)s · %(quiz)s: status", **names)))
    rows = []
    for m in members:
        u = m.user
        seen = activity.get(u.id)
        row = [u.full_name, u.email, u.library_name or "",
               regions.name(u.regency_code) if u.regency_code else "",
               clock.local_date(seen, zone) if seen else None]
        for c in columns:
            cell = cells[(u.id, c.quiz_id)]
            row.extend([cell.grade, _cell_status(cell)])
        rows.append(row)
    return cohort, head, rows, locale


@bp.get("/cohorts/<int:cohort_id>/gradebook.csv")
@access.rule("manage_cohort")
def gradebook_csv(cohort_id: int):
    """CSV as Excel in the reader's language expects it (`;` and decimal comma for Indonesian)."""
    cohort, head, rows, locale = _gradebook_table(cohort_id)
    return download(exports.to_csv(head, rows, locale=locale),
                    f"gradebook-cohort-{cohort.id}-{clock.today().isoformat()}.csv")


@bp.get("/cohorts/<int:cohort_id>/gradebook.xlsx")
@access.rule("manage_cohort")
def gradebook_xlsx(cohort_id: int):
    """XLSX with numeric grade cells and date cells, shown in the spreadsheet's own locale."""
    cohort, head, rows, _locale = _gradebook_table(cohort_id)
    return download(exports.to_xlsx(head, rows, sheet=_("Gradebook")),
                    f"gradebook-cohort-{cohort.id}-{clock.today().isoformat()}.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
    return download(body, f"programme-{where}{suffix}-{clock.today().isoformat()}.csv")


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
