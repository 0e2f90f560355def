"""Report pages. Each view checks its rule with `lms.access` and reads through
`lms.reports.queries`; reports never write."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms import access, clock
from lms.auth.models import Role
from lms.quizzes import queries as quiz_queries
from lms.quizzes.markup import plain_text
from lms.reports import charts, itemstats, queries, statscsv

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@access.role(Role.TRAINER)
def index():
    """The list of reports this person may open."""
    locale = str(get_locale())
    return render_template("reports/index.html",
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
    filename = f"question-statistics-quiz-{quiz.id}-{clock.today().isoformat()}.csv"
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})
