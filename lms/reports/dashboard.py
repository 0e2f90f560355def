"""The cohort dashboard's rules (pure: no Flask, no database): what makes a participant
inactive, stuck or completed, how rows filter and sort, and the weeks of the progress chart.

`lms.reports.queries` fills the rows (progress from `lms.learning.progress`, the one rule);
this module only decides on the numbers it is given, so each decision is tested without an app.

- **inactive**: nothing done for `inactive_days` days or more — counted from the last activity
  (an enrolment's `last_activity_at` or a quiz attempt started, saved or submitted), or from
  the day the person joined the cohort if they have done nothing yet (someone who joined
  yesterday is not "inactive for 14 days").
- **completed**: every course of the cohort completed (a cohort with no course: nobody).
- **stuck**: not completed, and either a quiz graded below its pass mark and not passed since,
  or a course whose cohort deadline has passed and that is not completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

SORT_KEYS = ("name", "library", "regency", "progress", "last_activity", "quizzes",
             "certificates")
STATUSES = ("inactive", "stuck", "completed")
DEFAULT_INACTIVE_DAYS = 14
MAX_INACTIVE_DAYS = 365
CHART_WEEKS = 12

# Certificate status of a participant in one course.
ISSUED, REVOKED, NONE = "issued", "revoked", "none"


@dataclass
class CourseCell:
    """A participant's standing in one course of the cohort."""

    course_id: int
    percent: int = 0
    completed: bool = False
    overdue: bool = False  # the cohort's deadline passed and the course is not completed
    certificate: str = NONE


@dataclass
class Row:
    """One joined participant of the cohort."""

    user_id: int
    name: str
    email: str = ""
    library: str = ""
    regency_code: str = ""
    regency: str = ""  # the region's name
    joined_at: datetime | None = None
    last_activity: datetime | None = None
    courses: list[CourseCell] = field(default_factory=list)
    quizzes_passed: int = 0
    quizzes_failed: int = 0  # graded below the pass mark and not passed since
    inactive: bool = False
    idle_days: int | None = None  # whole days since the last activity (or joining)

    @property
    def progress(self) -> int:
        """The mean of the course percentages (0 with no course)."""
        if not self.courses:
            return 0
        return round(sum(c.percent for c in self.courses) / len(self.courses))

    @property
    def completed(self) -> bool:
        return bool(self.courses) and all(c.completed for c in self.courses)

    @property
    def stuck(self) -> bool:
        return not self.completed and (self.quizzes_failed > 0
                                       or any(c.overdue for c in self.courses))

    @property
    def certificates(self) -> int:
        return sum(1 for c in self.courses if c.certificate == ISSUED)


def inactive_days_of(raw: str | None) -> int:
    """The `?inactive_days=` parameter: a whole number of days from 1 to 365, else 14."""
    try:
        days = int(raw or "")
    except ValueError:
        return DEFAULT_INACTIVE_DAYS
    return days if 1 <= days <= MAX_INACTIVE_DAYS else DEFAULT_INACTIVE_DAYS


def mark_inactive(rows: list[Row], now: datetime, days: int) -> None:
    """Set `inactive` and `idle_days` on each row (see the module doc)."""
    for row in rows:
        since = row.last_activity or row.joined_at
        if since is None:
            row.idle_days, row.inactive = None, True
            continue
        row.idle_days = max(0, (now - since) // timedelta(days=1))
        row.inactive = now - since >= timedelta(days=days)


def filter_rows(rows: list[Row], *, q: str = "", regency: str = "", status: str = "") -> list[Row]:
    """Rows whose name or library contains `q` (any case), in the regency (code), and with the
    status (`inactive`, `stuck`, `completed`); empty values do not filter."""
    needle = (q or "").strip().casefold()
    out = []
    for row in rows:
        if needle and needle not in row.name.casefold() and needle not in row.library.casefold():
            continue
        if regency and row.regency_code != regency:
            continue
        if status in STATUSES and not getattr(row, status):
            continue
        out.append(row)
    return out


def sort_rows(rows: list[Row], key: str = "name", descending: bool = False) -> list[Row]:
    """Rows sorted by one of `SORT_KEYS` (unknown: by name); ties and empty values keep the
    name order, and empty values (no library, never active) come last either way."""
    key = key if key in SORT_KEYS else "name"
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.user_id))

    def value(row: Row):
        if key == "name":
            return row.name.casefold()
        if key == "library":
            return row.library.casefold() or None
        if key == "regency":
            return row.regency.casefold() or None
        if key == "progress":
            return row.progress
        if key == "last_activity":
            return row.last_activity
        if key == "quizzes":
            return row.quizzes_passed
        return row.certificates

    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def week_starts(first_day: date | None, last_day: date, limit: int = CHART_WEEKS) -> list[date]:
    """The Mondays of the chart's weeks: from the week of `first_day` (the cohort's start) to
    the week of `last_day` (today, or the cohort's end if earlier), at most the last `limit`."""
    end = last_day - timedelta(days=last_day.weekday())
    start = end - timedelta(weeks=limit - 1)
    if first_day is not None and first_day <= last_day:
        start = max(start, first_day - timedelta(days=first_day.weekday()))
    weeks = []
    day = start
    while day <= end:
        weeks.append(day)
        day += timedelta(weeks=1)
    return weeks
