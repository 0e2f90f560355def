"""Reads for the cascade pages and services: whether a learner completed a path, the field
activities a person may see, and the tree (master trainer -> facilitators -> villages), each in
a fixed number of queries whatever the number of rows (aggregated in SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, joinedload

from lms import access, clock
from lms.audit import AuditEvent
from lms.auth.models import Role, User
from lms.cascade.models import FieldActivity
from lms.certificates.models import Certificate
from lms.cohorts.models import TRAINING, Cohort, CohortMember, CohortTrainer
from lms.courses.models import Course
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.paths.models import LearningPath, LearningPathCourse

# --------------------------------------------------------------------------- paths and roles


def role_granting_paths(course_id: int) -> list[LearningPath]:
    """The paths that grant a role and list the course."""
    return list(db.session.scalars(
        select(LearningPath).join(LearningPathCourse, LearningPathCourse.path_id == LearningPath.id)
        .where(LearningPath.grants_role.is_not(None), LearningPathCourse.course_id == course_id)))


def completed_path(user_id: int, path: LearningPath) -> bool:
    """Whether the learner is certified on the path: for every course of it, a standing
    certificate — or, for a course that issues none (`[certificate] enabled = false`), its
    completion. Three queries."""
    courses = list(db.session.scalars(
        select(Course).join(LearningPathCourse, LearningPathCourse.course_id == Course.id)
        .where(LearningPathCourse.path_id == path.id)
        .options(joinedload(Course.current_version))))
    if not courses:
        return False
    ids = [c.id for c in courses]
    certified = set(db.session.scalars(select(Certificate.course_id).where(
        Certificate.user_id == user_id, Certificate.course_id.in_(ids),
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))))
    completed = set(db.session.scalars(select(Enrollment.course_id).where(
        Enrollment.user_id == user_id, Enrollment.course_id.in_(ids),
        Enrollment.completed_at.is_not(None))))
    for course in courses:
        manifest = course.current_version.manifest if course.current_version else {}
        issues_certificate = manifest.get("certificate", {}).get("enabled", True)
        if course.id not in (certified if issues_certificate else certified | completed):
            return False
    return True


def path_role_candidates() -> list[tuple[int, LearningPath]]:
    """(participant id, path) for participants who hold a credential in some course of a path
    that grants a role: those `grant_path_roles` should look at again (the command that gives
    the role to people certified before the path granted it). One query per path."""
    out = []
    for path in db.session.scalars(select(LearningPath).where(LearningPath.grants_role.is_not(None))):
        course_ids = select(LearningPathCourse.course_id).where(LearningPathCourse.path_id == path.id)
        holders = (select(Certificate.user_id).where(Certificate.course_id.in_(course_ids))
                   .union(select(Enrollment.user_id).where(
                       Enrollment.course_id.in_(course_ids), Enrollment.completed_at.is_not(None))))
        out += [(uid, path) for uid in db.session.scalars(
            select(User.id).where(User.role == Role.PARTICIPANT.value, User.id.in_(holders))
            .order_by(User.id))]
    return out


# --------------------------------------------------------------------------- activities


def get_activity(activity_id: int) -> FieldActivity | None:
    return db.session.get(FieldActivity, activity_id)


@dataclass(frozen=True)
class ActivityFilter:
    """What the field-activity list and its CSV are narrowed to (every part optional)."""

    status: str = ""  # "" | "confirmed" | "unconfirmed"
    facilitator_id: int | None = None
    province: str = ""  # a province code ("32")
    regency: str = ""  # a regency/city code of that province ("32.76")
    date_from: date | None = None
    date_to: date | None = None


def _activities(viewer, filters: ActivityFilter):
    """The WHERE of the list: what `viewer` may see (`access.activities_clause`) and the filters."""
    where = [access.activities_clause(viewer, FieldActivity.facilitator_id)]
    if filters.status == "unconfirmed":
        where.append(FieldActivity.confirmed_at.is_(None))
    elif filters.status == "confirmed":
        where.append(FieldActivity.confirmed_at.is_not(None))
    if filters.facilitator_id is not None:
        where.append(FieldActivity.facilitator_id == filters.facilitator_id)
    if filters.regency:
        where.append(FieldActivity.regency_code == filters.regency)
    elif filters.province:
        where.append(FieldActivity.province_code == filters.province)
    if filters.date_from is not None:
        where.append(FieldActivity.activity_date >= filters.date_from)
    if filters.date_to is not None:
        where.append(FieldActivity.activity_date <= filters.date_to)
    return where


NEWEST_FIRST = (FieldActivity.activity_date.desc(), FieldActivity.id.desc())


def activities_count(viewer, filters: ActivityFilter = ActivityFilter()) -> int:
    """How many activities `viewer` may see match `filters`. One query."""
    return db.session.scalar(
        select(func.count(FieldActivity.id)).where(*_activities(viewer, filters))) or 0


def open_activities(facilitator, limit: int = 10) -> tuple[list[FieldActivity], int]:
    """A facilitator's own activities not yet confirmed (those still in their edit window,
    `rules.EDIT_WINDOW`, can be changed), newest first (at most `limit`), and how many there
    are. Two queries."""
    where = (FieldActivity.facilitator_id == facilitator.id, FieldActivity.confirmed_at.is_(None))
    total = db.session.scalar(select(func.count(FieldActivity.id)).where(*where)) or 0
    items = list(db.session.scalars(
        select(FieldActivity).where(*where).order_by(*NEWEST_FIRST).limit(limit)))
    return items, total
PER_PAGE = 50


@dataclass
class ActivityPage:
    items: list[FieldActivity]
    total: int
    page: int  # 1-based, within 1..pages
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:  # position of the first row shown (0 when there is none)
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def activities_page(viewer, filters: ActivityFilter = ActivityFilter(), page: int = 1,
                    per_page: int = PER_PAGE) -> ActivityPage:
    """One page of the activities `viewer` may see, newest first, and how many match. Two
    queries (the count, the page with its facilitators), whatever the number of rows; a page
    past the end shows the last one."""
    where = _activities(viewer, filters)
    total = db.session.scalar(select(func.count(FieldActivity.id)).where(*where)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    items = list(db.session.scalars(
        select(FieldActivity).where(*where)
        .options(joinedload(FieldActivity.facilitator))
        .order_by(*NEWEST_FIRST).limit(per_page).offset((page - 1) * per_page)))
    return ActivityPage(items, total, page, per_page)


def activity_rows(viewer, filters: ActivityFilter):
    """Every activity `viewer` may see that matches, newest first, as plain rows for the CSV:
    date, kind, facilitator, village code, library, women, men, topic, confirmer, confirmed at.
    One query (joined to the two people), read in batches."""
    confirmer = aliased(User)
    return db.session.execute(
        select(FieldActivity.activity_date, FieldActivity.kind,
               User.full_name.label("facilitator"), FieldActivity.village_code,
               FieldActivity.library_name, FieldActivity.women, FieldActivity.men,
               FieldActivity.topic, confirmer.full_name.label("confirmed_by"),
               FieldActivity.confirmed_at)
        .join(User, User.id == FieldActivity.facilitator_id)
        .outerjoin(confirmer, confirmer.id == FieldActivity.confirmed_by_id)
        .where(*_activities(viewer, filters)).order_by(*NEWEST_FIRST)
        .execution_options(yield_per=2000))


def visible_facilitators(viewer) -> list[User]:
    """The facilitators whose activities `viewer` may see, by name, for the list's filter:
    all (admins), those of the training cohorts they run (master trainers), none otherwise
    (a facilitator sees only their own). One query."""
    if not (viewer.is_admin or viewer.is_trainer):
        return []
    return list(db.session.scalars(
        select(User).where(User.role == Role.FACILITATOR.value,
                           access.activities_clause(viewer, User.id))
        .order_by(User.full_name, User.id)))


# --------------------------------------------------------------------------- the tree


@dataclass
class Figures:
    activities: int = 0
    women: int = 0
    men: int = 0
    villages: int = 0
    last: date | None = None

    @property
    def participants(self) -> int:
        return self.women + self.men


@dataclass
class VillageRow:
    code: str
    library: str
    figures: Figures


@dataclass
class FacilitatorNode:
    user: User
    figures: Figures
    villages: list[VillageRow] = field(default_factory=list)
    gap: bool = False


@dataclass
class TrainerNode:
    trainer: User | None  # None: facilitators with no master trainer in Pelita (admins only)
    figures: Figures
    facilitators: list[FacilitatorNode] = field(default_factory=list)


def _pairs(viewer):
    """(master trainer id, facilitator id): trainers of a training cohort the facilitator
    joined; a trainer sees only their own pairs."""
    query = (select(CohortTrainer.user_id.label("trainer_id"),
                    CohortMember.user_id.label("facilitator_id"))
             .join(CohortMember, CohortMember.cohort_id == CohortTrainer.cohort_id)
             .join(Cohort, Cohort.id == CohortTrainer.cohort_id)
             .join(User, User.id == CohortMember.user_id)
             .where(Cohort.kind == TRAINING, CohortMember.accepted_at.is_not(None),
                    User.role == Role.FACILITATOR.value)
             .distinct())
    if not viewer.is_admin:
        query = query.where(CohortTrainer.user_id == viewer.id)
    return query


def _figures(row) -> Figures:
    return Figures(activities=row.activities or 0, women=int(row.women or 0),
                   men=int(row.men or 0), villages=row.villages or 0, last=row.last)


def _aggregates(*group):
    return (*group, func.count(FieldActivity.id).label("activities"),
            func.sum(FieldActivity.women).label("women"),
            func.sum(FieldActivity.men).label("men"),
            # Villages reached: confirmed activities only, as in the programme roll-up.
            func.count(func.distinct(case((FieldActivity.confirmed_at.is_not(None),
                                           FieldActivity.village_code)))).label("villages"),
            func.max(FieldActivity.activity_date).label("last"))


def _facilitator_since(user_ids: list[int]) -> dict[int, date]:
    """The day each became a facilitator: the last audited grant or role change (one query);
    accounts created as facilitators count from their creation."""
    if not user_ids:
        return {}
    targets = {f"user:{uid}": uid for uid in user_ids}
    since = {targets[t]: clock.local_date(clock.aware(at)) for t, at in db.session.execute(
        select(AuditEvent.target, func.max(AuditEvent.at))
        .where(AuditEvent.action.in_(("account.role_granted", "account.role_changed")),
               AuditEvent.target.in_(list(targets)))
        .group_by(AuditEvent.target))}
    for uid, created in db.session.execute(
            select(User.id, User.created_at).where(User.id.in_(user_ids))):
        since.setdefault(uid, clock.local_date(clock.aware(created)))
    return since


def tree(viewer, today: date, expand: int | None = None) -> list[TrainerNode]:
    """Master trainer -> facilitators -> villages reached, with counts and gaps. At most six
    queries: the pairs, the people, figures per facilitator and per master trainer, and — for
    the one facilitator opened (`expand`) — per village, and for admins the facilitators with no
    master trainer. Villages are listed for the opened facilitator only: with hundreds of
    facilitators and thousands of villages the whole tree would be megabytes."""
    from lms.cascade.rules import is_gap

    pairs = _pairs(viewer).subquery()
    pair_rows = db.session.execute(select(pairs.c.trainer_id, pairs.c.facilitator_id)).all()
    if viewer.is_admin:  # every facilitator, with or without a master trainer in Pelita
        facilitator_filter = User.role == Role.FACILITATOR.value
    else:
        facilitator_filter = and_(User.role == Role.FACILITATOR.value,
                                  User.id.in_(select(pairs.c.facilitator_id)))
    people_ids = {t for t, _f in pair_rows}
    people = {u.id: u for u in db.session.scalars(select(User).where(
        facilitator_filter | User.id.in_(people_ids or [-1])))}
    facilitator_ids = [uid for uid, u in people.items() if u.role == Role.FACILITATOR.value]

    scope = FieldActivity.facilitator_id.in_(select(User.id).where(facilitator_filter))
    per_facilitator = {row.facilitator_id: _figures(row) for row in db.session.execute(
        select(*_aggregates(FieldActivity.facilitator_id)).where(scope)
        .group_by(FieldActivity.facilitator_id))}
    per_village: dict[int, list[VillageRow]] = {}
    for row in [] if expand is None else db.session.execute(
            select(*_aggregates(FieldActivity.facilitator_id, FieldActivity.village_code,
                                func.max(FieldActivity.library_name).label("library")))
            .where(scope, FieldActivity.facilitator_id == (expand or -1))
            .group_by(FieldActivity.facilitator_id, FieldActivity.village_code)
            .order_by(FieldActivity.facilitator_id, FieldActivity.village_code)):
        per_village.setdefault(row.facilitator_id, []).append(
            VillageRow(row.village_code, row.library or "", _figures(row)))
    per_trainer = {row.trainer_id: _figures(row) for row in db.session.execute(
        select(*_aggregates(pairs.c.trainer_id))
        .join(FieldActivity, FieldActivity.facilitator_id == pairs.c.facilitator_id)
        .group_by(pairs.c.trainer_id))}

    since = _facilitator_since(facilitator_ids)

    def node(fid: int) -> FacilitatorNode:
        figures = per_facilitator.get(fid, Figures())
        return FacilitatorNode(people[fid], figures, per_village.get(fid, []),
                               gap=is_gap(figures.last, today, since.get(fid)))

    by_name = lambda n: (n.user.full_name.casefold(), n.user.id)  # noqa: E731
    trainers: dict[int, list[int]] = {}
    for trainer_id, facilitator_id in pair_rows:
        trainers.setdefault(trainer_id, []).append(facilitator_id)
    result = [TrainerNode(people[tid], per_trainer.get(tid, Figures()),
                          sorted((node(f) for f in fids), key=by_name))
              for tid, fids in trainers.items()]
    result.sort(key=lambda t: (t.trainer.full_name.casefold(), t.trainer.id))
    if viewer.is_admin:
        placed = {f for _t, f in pair_rows}
        orphans = [node(f) for f in facilitator_ids if f not in placed]
        if orphans:
            figures = Figures()
            for o in orphans:
                figures.activities += o.figures.activities
                figures.women += o.figures.women
                figures.men += o.figures.men
                figures.last = max(filter(None, [figures.last, o.figures.last]), default=None)
            figures.villages = db.session.scalar(
                select(func.count(func.distinct(FieldActivity.village_code)))
                .where(scope, FieldActivity.confirmed_at.is_not(None),
                       FieldActivity.facilitator_id.not_in(select(pairs.c.facilitator_id))))
            result.append(TrainerNode(None, figures, sorted(orphans, key=by_name)))
    return result


__all__ = ["ActivityFilter", "ActivityPage", "activities_page", "activity_rows", "completed_path",
           "get_activity", "role_granting_paths", "tree", "visible_facilitators"]
