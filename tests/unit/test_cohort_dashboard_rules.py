"""The cohort dashboard's rules (lms.reports.dashboard): inactive, stuck, completed, filters,
sorting and the chart's weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lms.reports.dashboard import (
    CourseCell,
    Row,
    filter_rows,
    inactive_days_of,
    mark_inactive,
    sort_rows,
    week_starts,
)

NOW = datetime(2026, 12, 16, 3, 0, tzinfo=UTC)


def rows():
    return [
        Row(1, "Citra", library="Perpus Kecamatan", regency_code="32.77", regency="Kota Cimahi",
            joined_at=NOW - timedelta(days=20), courses=[CourseCell(1, 0)]),
        Row(2, "ani", library="Perpustakaan Desa Sukamaju", regency_code="32.04",
            regency="Kabupaten Bandung", joined_at=NOW - timedelta(days=20),
            last_activity=NOW - timedelta(days=20), quizzes_passed=3,
            courses=[CourseCell(1, 100, completed=True, certificate="issued")]),
        Row(3, "Budi", library="", regency_code="32.73", regency="Kota Bandung",
            joined_at=NOW - timedelta(days=20), last_activity=NOW - timedelta(days=10),
            quizzes_failed=1, courses=[CourseCell(1, 25)]),
    ]


def names(rs):
    return [r.name for r in rs]


def test_inactive_counts_from_the_last_activity_or_from_joining():
    rs = rows()
    mark_inactive(rs, NOW, 14)
    assert [(r.name, r.inactive, r.idle_days) for r in rs] == [
        ("Citra", True, 20), ("ani", True, 20), ("Budi", False, 10)]
    fresh = Row(4, "Baru", joined_at=NOW - timedelta(days=2))
    mark_inactive([fresh], NOW, 14)
    assert not fresh.inactive


def test_inactive_days_parameter_falls_back_to_fourteen():
    assert [inactive_days_of(v) for v in ("7", None, "", "x", "0", "400", "365")] == [
        7, 14, 14, 14, 14, 14, 365]


def test_status_filters_and_text_search():
    rs = rows()
    mark_inactive(rs, NOW, 14)
    assert names(filter_rows(rs, status="completed")) == ["ani"]
    assert names(filter_rows(rs, status="stuck")) == ["Budi"]
    assert names(filter_rows(rs, status="inactive")) == ["Citra", "ani"]
    assert names(filter_rows(rs, q="SUKAMAJU")) == ["ani"]
    assert names(filter_rows(rs, q="bud")) == ["Budi"]
    assert names(filter_rows(rs, regency="32.77")) == ["Citra"]
    assert names(filter_rows(rs, status="unknown")) == ["Citra", "ani", "Budi"]


def test_an_overdue_course_makes_a_participant_stuck_unless_completed():
    row = Row(5, "Dewi", courses=[CourseCell(1, 40, overdue=True)])
    assert row.stuck
    done = Row(6, "Eka", quizzes_failed=1, courses=[CourseCell(1, 100, completed=True)])
    assert not done.stuck and done.completed
    assert not Row(7, "Tanpa kursus").completed


def test_sorting_keeps_empty_values_last_either_way():
    rs = rows()
    assert names(sort_rows(rs, "name")) == ["ani", "Budi", "Citra"]
    assert names(sort_rows(rs, "name", descending=True)) == ["Citra", "Budi", "ani"]
    assert names(sort_rows(rs, "progress", descending=True)) == ["ani", "Budi", "Citra"]
    assert names(sort_rows(rs, "last_activity", descending=True)) == ["Budi", "ani", "Citra"]
    assert names(sort_rows(rs, "last_activity")) == ["ani", "Budi", "Citra"]
    assert names(sort_rows(rs, "library")) == ["Citra", "ani", "Budi"]
    assert names(sort_rows(rs, "library", descending=True)) == ["ani", "Citra", "Budi"]
    assert names(sort_rows(rs, "quizzes", descending=True)) == ["ani", "Budi", "Citra"]
    assert names(sort_rows(rs, "nonsense")) == ["ani", "Budi", "Citra"]


def test_chart_weeks_start_on_monday_from_the_cohort_start_or_twelve_weeks_back():
    assert week_starts(date(2026, 11, 26), date(2026, 12, 16)) == [
        date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    weeks = week_starts(None, date(2026, 12, 16))
    assert len(weeks) == 12 and weeks[-1] == date(2026, 12, 14)
    assert all(w.weekday() == 0 for w in weeks)
    assert week_starts(date(2027, 1, 1), date(2026, 12, 16))[-1] == date(2026, 12, 14)
