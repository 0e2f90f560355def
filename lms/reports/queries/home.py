"""Reads for the trainer's and the facilitator's Beranda: the cohorts they train at a glance,
the participants who need a look (inactive or stuck, by the cohort dashboard's rules in
`lms.reports.dashboard`) and the course deadlines coming up — for all their cohorts at once, in
a constant number of queries however many cohorts and members there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.cohorts.models import ACTIVE, Cohort, CohortCourse, CohortMember, CohortTrainer
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.progress import progress_matrix
from lms.reports.dashboard import DEFAULT_INACTIVE_DAYS, Row, mark_inactive
from lms.reports.queries.cohorts import activity_by_course, build_rows, grade_cells, quiz_columns

DEADLINE_DAYS = 7  # deadlines from today to today + 7 days


@dataclass
class CohortGlance:
    """One cohort the person trains: its joined members and how many completed everything."""

    cohort: Cohort
    members: int = 0
    completed: int = 0
    inactive: int = 0
    stuck: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.members) if self.members else 0


@dataclass
class NeedsLook:
    """A participant who is inactive or stuck in one of the cohorts."""

    cohort: Cohort
    row: Row


@dataclass
class DeadlineSoon:
    cohort: Cohort
    course: Course
    deadline: date
    days_left: int


@dataclass
class TrainerOverview:
    cohorts: list[CohortGlance] = field(default_factory=list)
    needs_look: list[NeedsLook] = field(default_factory=list)  # stuck first, then longest idle
    deadlines: list[DeadlineSoon] = field(default_factory=list)  # soonest first


def trainer_overview(user_id: int, today: date, now: datetime, *, kind: str | None = None,
                     inactive_days: int = DEFAULT_INACTIVE_DAYS) -> TrainerOverview:
    """The active cohorts `user_id` trains (of `kind`, if given; an admin: only those they
    train themselves), their members' standing and the cohort deadlines from `today` to
    `today + DEADLINE_DAYS`. A constant number of queries."""
    query = (select(Cohort).join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
             .where(CohortTrainer.user_id == user_id, Cohort.status == ACTIVE)
             .order_by(Cohort.starts_on.desc().nulls_last(), Cohort.id.desc()))
    if kind is not None:
        query = query.where(Cohort.kind == kind)
    cohorts = list(db.session.scalars(query).unique())
    overview = TrainerOverview()
    if not cohorts:
        return overview
    ids = [c.id for c in cohorts]
    members = list(db.session.scalars(
        select(CohortMember).where(CohortMember.cohort_id.in_(ids),
                                   CohortMember.accepted_at.is_not(None))
        .options(joinedload(CohortMember.user))))
    cohort_courses = list(db.session.scalars(
        select(CohortCourse).where(CohortCourse.cohort_id.in_(ids))
        .options(joinedload(CohortCourse.course).joinedload(Course.current_version))
        .order_by(CohortCourse.position, CohortCourse.id)))
    courses = list({cc.course_id: cc.course for cc in cohort_courses}.values())
    user_ids = sorted({m.user_id for m in members})
    progress = progress_matrix(user_ids, courses)
    columns = quiz_columns(courses)
    cells = grade_cells(user_ids, columns, courses)
    activity = activity_by_course(user_ids, [c.id for c in courses], columns)

    for cohort in cohorts:
        ccs = [cc for cc in cohort_courses if cc.cohort_id == cohort.id]
        mine = [m for m in members if m.cohort_id == cohort.id]
        course_ids = {cc.course_id for cc in ccs}
        latest = {}
        for (uid, cid), at in activity.items():
            if cid in course_ids and (uid not in latest or at > latest[uid]):
                latest[uid] = at
        rows = build_rows(mine, ccs, today, progress, columns, cells, latest, {})
        mark_inactive(rows, now, inactive_days)
        glance = CohortGlance(cohort, members=len(rows),
                              completed=sum(1 for r in rows if r.completed))
        for row in rows:
            if row.completed or not (row.inactive or row.stuck):
                continue
            glance.inactive += row.inactive
            glance.stuck += row.stuck
            overview.needs_look.append(NeedsLook(cohort, row))
        overview.cohorts.append(glance)
        for cc in ccs:
            if cc.deadline and today <= cc.deadline <= today + timedelta(days=DEADLINE_DAYS):
                overview.deadlines.append(DeadlineSoon(cohort, cc.course, cc.deadline,
                                                       (cc.deadline - today).days))
    overview.needs_look.sort(key=lambda n: (not n.row.stuck, -(n.row.idle_days or 0),
                                            n.row.name.casefold(), n.cohort.id))
    overview.deadlines.sort(key=lambda d: (d.deadline, d.cohort.name.casefold(), d.course.id))
    return overview
