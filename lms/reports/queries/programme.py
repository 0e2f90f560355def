"""Reads for the report pages, aggregated in SQL.

The programme roll-up (`programme_rollup`) runs one GROUP BY query per figure over the learners'
region codes — by province, or by regency/city inside one province — plus one for the targets and
one for the course list: the same handful of queries whatever the number of people. The row
arithmetic (unknown region, totals, percentages, CSV) is pure, in `lms.reports.rollup`.

Who is counted (docs/reports.md, "Programme roll-up"): learners are accounts that are not
trainers or admins (staff trying a course are not programme participants), active or
deactivated alike, under the region of their profile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select

from lms import clock, regions
from lms.auth.models import Role, User
from lms.cascade.models import FieldActivity
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.reports import rollup
from lms.reports.models import RegionTarget

ACTIVE_DAYS = 30  # "active": some activity in a course in the last 30 days
STAFF_ROLES = (Role.TRAINER.value, Role.ADMIN.value)
# Role.FACILITATOR arrives with the cascade work; the string works before and after it.
FACILITATOR_ROLE = "facilitator"

Counts = dict[str | None, int]


@dataclass(frozen=True)
class Scope:
    """What a roll-up counts: all provinces (province None) or the regencies/cities of one
    province; every course or one (`course_id`, which the facilitator and village figures
    ignore); `now` for "active"."""

    province: str | None
    course_id: int | None
    now: datetime

    def key(self, province_col, regency_col):
        return regency_col if self.province else province_col

    def within(self, province_col) -> list:
        return [province_col == self.province] if self.province else []


def _learners(scope: Scope) -> list:
    return [User.role.not_in(STAFF_ROLES), *scope.within(User.province_code)]


def _by_region(stmt, key) -> Counts:
    return {code or None: int(n) for code, n in db.session.execute(stmt.group_by(key))}


def _enrolment_counts(scope: Scope, *where) -> Counts:
    key = scope.key(User.province_code, User.regency_code)
    stmt = (select(key, func.count(distinct(User.id))).select_from(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(*_learners(scope), *where))
    if scope.course_id is not None:
        stmt = stmt.where(Enrollment.course_id == scope.course_id)
    return _by_region(stmt, key)


def enrolled(scope: Scope) -> Counts:
    """Distinct learners with an active (not withdrawn) enrolment."""
    return _enrolment_counts(scope, Enrollment.status == "active")


def active(scope: Scope) -> Counts:
    """Distinct learners with an active enrolment and activity in it in the last 30 days."""
    since = scope.now - timedelta(days=ACTIVE_DAYS)
    return _enrolment_counts(scope, Enrollment.status == "active",
                             Enrollment.last_activity_at >= since)


def completed(scope: Scope) -> Counts:
    """Distinct learners who completed at least one course (the chosen one, with a filter)."""
    return _enrolment_counts(scope, Enrollment.completed_at.is_not(None))


def certified(scope: Scope) -> Counts:
    """Distinct learners holding a standing certificate (neither revoked nor superseded)."""
    key = scope.key(User.province_code, User.regency_code)
    stmt = (select(key, func.count(distinct(User.id))).select_from(User)
            .join(Certificate, Certificate.user_id == User.id)
            .where(*_learners(scope), Certificate.revoked_at.is_(None),
                   Certificate.superseded_at.is_(None)))
    if scope.course_id is not None:
        stmt = stmt.where(Certificate.course_id == scope.course_id)
    return _by_region(stmt, key)


def facilitators(scope: Scope) -> Counts:
    """Active accounts holding the facilitator role (given on certification on the path, or by
    an admin), under the region of their profile. Deactivated accounts are not counted; the role
    stays when a path certificate is later revoked (an admin changes it on the users page)."""
    key = scope.key(User.province_code, User.regency_code)
    stmt = (select(key, func.count(User.id))
            .where(User.role == FACILITATOR_ROLE, User.active.is_(True),
                   *scope.within(User.province_code)))
    return _by_region(stmt, key)


def villages_reached(scope: Scope) -> Counts:
    """Distinct village libraries (`village_code`) with at least one confirmed field activity,
    under the region recorded with the activity."""
    key = scope.key(FieldActivity.province_code, FieldActivity.regency_code)
    stmt = (select(key, func.count(distinct(FieldActivity.village_code)))
            .where(FieldActivity.confirmed_at.is_not(None),
                   *scope.within(FieldActivity.province_code)))
    return _by_region(stmt, key)


FIGURE_QUERIES: dict[str, Callable[[Scope], Counts]] = {
    "enrolled": enrolled,
    "active": active,
    "completed": completed,
    "certified": certified,
    "facilitators": facilitators,
    "villages": villages_reached,
}


@dataclass(frozen=True)
class ProgrammeRollup:
    province: str | None  # None: by province; else the regencies/cities of this province
    course_id: int | None
    figures: tuple[str, ...]
    rows: list[rollup.Row]
    total: rollup.Row
    province_target: tuple[int | None, int | None]  # the drilled-into province's own targets


def targets(codes: list[str]) -> dict[str, tuple[int | None, int | None]]:
    """(villages target, facilitators target) by region code, for the given codes."""
    if not codes:
        return {}
    return {code: (villages, facilitators) for code, villages, facilitators in db.session.execute(
        select(RegionTarget.region_code, RegionTarget.villages_target,
               RegionTarget.facilitators_target).where(RegionTarget.region_code.in_(codes)))}


def programme_rollup(province: str | None = None, course_id: int | None = None, *,
                     unknown_label: str = "Unknown region", total_label: str = "Total",
                     sort: str = "name", descending: bool = False) -> ProgrammeRollup:
    """The roll-up table: one query per figure, one for the targets."""
    scope = Scope(province, course_id, clock.now())
    counts = {figure: query(scope) for figure, query in FIGURE_QUERIES.items()}
    listed = regions.regencies(province) if province else regions.provinces()
    region_list = [(r.code, r.name) for r in listed]
    codes = [code for code, _ in region_list]
    codes += sorted({c for per in counts.values() for c in per if c and c not in codes})
    goal = targets(codes + ([province] if province else []))
    rows = rollup.build_rows(region_list, counts, goal, name_of=regions.name,
                             unknown_label=unknown_label)
    rows = rollup.sort_rows(rows, sort, descending)
    figures = tuple(counts)
    return ProgrammeRollup(province, course_id, figures, rows,
                           rollup.totals(rows, figures, total_label),
                           goal.get(province, (None, None)) if province else (None, None))


def course_choices(locale: str) -> list[tuple[int, str]]:
    """(id, title) of every course, for the course filter (one query)."""
    rows = db.session.execute(select(Course.id, Course.title_id, Course.title_en))
    items = [(cid, title_en if locale == "en" and title_en else title_id)
             for cid, title_id, title_en in rows]
    return sorted(items, key=lambda item: item[1].casefold())


def target_rows(province: str | None) -> list[RegionTarget]:
    """The targets set at one level: provinces, or the regencies/cities of one province."""
    stmt = select(RegionTarget)
    if province:
        stmt = stmt.where(RegionTarget.region_code.like(f"{province}.%"))
    else:
        stmt = stmt.where(RegionTarget.region_code.not_like("%.%"))
    return list(db.session.scalars(stmt.order_by(RegionTarget.region_code)))
