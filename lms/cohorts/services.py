"""Cohort operations: the only code that writes cohorts and their members (grading is in
`lms.quizzes.services.grading`).

Longer than 600 lines on purpose, in sections: reading, creating and changing a cohort,
inviting members (one by one and from CSV), joining, invitation links and their emails, the
learner's deadlines and reminders — the one cohort lifecycle, kept in one writer.

Every change a trainer or admin makes is one transaction with its audit row (`lms.audit`).
Adding a person sends an invitation; only when they accept are they a member, enrolled in the
cohort's courses (which learners cannot enter on their own when the pack says
`enrolment = "cohort"`). People without an account get one with an unusable password and an
invitation link (signed, 14 days, single use) through which they set it and accept.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms import access, audit, clock, events, notifications, regions, tokens
from lms.auth import services as auth_services
from lms.auth.models import Role, User
from lms.cohorts import csvimport
from lms.cohorts.models import (
    ACCEPTED,
    ACTIVE,
    INVITED,
    PENDING,
    REPLICATION,
    TRAINING,
    WAITING,
    Cohort,
    CohortCourse,
    CohortMember,
    CohortTrainer,
)
from lms.courses.models import Course
from lms.errors_domain import PermissionDenied, ServiceError
from lms.events import emit_after_commit
from lms.extensions import db
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.learning.models import Enrollment
from lms.learning.services import start_enrollment
from lms.mail import send_mail

log = logging.getLogger("pelita.cohorts")

INVITATION_MAX_AGE = timedelta(days=14)


# --------------------------------------------------------------------------- reading


def get_cohort(cohort_id: int) -> Cohort | None:
    return db.session.get(Cohort, cohort_id)


def cohort_for_overview(cohort_id: int, *columns) -> tuple[Cohort | None, tuple]:
    """The cohort with its courses (each course with its current version) and its trainers,
    and the values of `columns` (scalar subqueries: the overview's grading count), in one
    statement; None and a None per column when there is no such cohort. The access rule reads the trainers
    loaded here instead of asking the database again."""
    row = db.session.execute(
        select(Cohort, *columns).where(Cohort.id == cohort_id)
        .options(joinedload(Cohort.courses).joinedload(CohortCourse.course)
                 .joinedload(Course.current_version),
                 joinedload(Cohort.trainer_links).joinedload(CohortTrainer.user))).unique().first()
    if row is None:
        return None, (None,) * len(columns)
    return row[0], tuple(row[1:])


def overview_courses(cohort: Cohort) -> list[CohortCourse]:
    """`cohort_courses` of a cohort from `cohort_for_overview`: no query."""
    return sorted(cohort.courses, key=lambda cc: (cc.position, cc.id))


def overview_trainers(cohort: Cohort) -> list[User]:
    """`trainers_of` a cohort from `cohort_for_overview`: no query."""
    return sorted((link.user for link in cohort.trainer_links), key=lambda u: (u.full_name, u.id))


def trainer_ids(cohort: Cohort) -> set[int]:
    return set(db.session.scalars(select(CohortTrainer.user_id).where(
        CohortTrainer.cohort_id == cohort.id)))


def can_manage(user: User, cohort: Cohort) -> bool:
    """Admins manage every cohort; a trainer manages the cohorts they train (lms/access.py)."""
    return access.can_manage_cohort(user, cohort)


def _require(actor: User, cohort: Cohort) -> None:
    if not can_manage(actor, cohort):
        raise PermissionDenied(_l("Only the trainers of this cohort can change it."))


@dataclass
class CohortSummary:
    cohort: Cohort
    members: int
    courses: int


def cohorts_for(user: User) -> list[CohortSummary]:
    """The cohorts a trainer trains (every cohort for an admin), newest first, with counts."""
    members = (select(CohortMember.cohort_id, func.count().label("n"))
               .group_by(CohortMember.cohort_id).subquery())
    courses = (select(CohortCourse.cohort_id, func.count().label("n"))
               .group_by(CohortCourse.cohort_id).subquery())
    query = (select(Cohort, func.coalesce(members.c.n, 0), func.coalesce(courses.c.n, 0))
             .outerjoin(members, members.c.cohort_id == Cohort.id)
             .outerjoin(courses, courses.c.cohort_id == Cohort.id)
             .order_by(Cohort.created_at.desc(), Cohort.id.desc()))
    if not user.is_admin:
        query = query.where(Cohort.id.in_(
            select(CohortTrainer.cohort_id).where(CohortTrainer.user_id == user.id)))
    return [CohortSummary(c, m, n) for c, m, n in db.session.execute(query).all()]


def cohort_courses(cohort: Cohort) -> list[CohortCourse]:
    return list(db.session.scalars(
        select(CohortCourse).where(CohortCourse.cohort_id == cohort.id)
        .options(joinedload(CohortCourse.course).joinedload(Course.current_version))
        .order_by(CohortCourse.position, CohortCourse.id)))


def members_of(cohort: Cohort) -> list[CohortMember]:
    """The cohort's members and invited people, by the name the trainer may see (an invited
    person's own name must not even show through the order of the list)."""
    members = db.session.scalars(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id)
        .options(joinedload(CohortMember.user))).all()
    return sorted(members, key=lambda m: (m.shown_name.casefold(), m.id))


def completion_dates(user_ids: list[int], course_ids: list[int]) -> dict[tuple[int, int], date]:
    """(user id, course id) -> the day (Asia/Jakarta) the course was completed; one query."""
    if not user_ids or not course_ids:
        return {}
    rows = db.session.execute(select(Enrollment.user_id, Enrollment.course_id,
                                     Enrollment.completed_at).where(
        Enrollment.user_id.in_(user_ids), Enrollment.course_id.in_(course_ids),
        Enrollment.completed_at.is_not(None)))
    result = {}
    for user_id, course_id, at in rows:
        result[(user_id, course_id)] = clock.local_date(at)
    return result


def trainers_of(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CohortTrainer, CohortTrainer.user_id == User.id)
        .where(CohortTrainer.cohort_id == cohort.id).order_by(User.full_name)))


def kind_for(actor: User) -> str:
    """The kind of cohort `actor` creates: facilitators run replication cohorts."""
    return REPLICATION if actor.is_facilitator else TRAINING


def _trainer_roles(kind: str) -> list[str]:
    """Who may train a cohort of this kind: facilitators a replication cohort, master trainers
    and admins a training cohort."""
    if kind == REPLICATION:
        return [Role.FACILITATOR.value]
    return [Role.TRAINER.value, Role.ADMIN.value]


def trainer_choices(kind: str = TRAINING) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role.in_(_trainer_roles(kind)), User.active.is_(True))
        .order_by(User.full_name)))


def course_choices(kind: str = TRAINING) -> list[Course]:
    """Published courses; a replication cohort only those marked for replication."""
    query = select(Course).where(Course.status == "published",
                                 Course.current_version_id.is_not(None))
    if kind == REPLICATION:
        query = query.where(Course.replication.is_(True))
    return list(db.session.scalars(query.order_by(Course.title_id)))


def _course_filter(kind: str) -> list:
    wanted = [Course.status == "published"]
    if kind == REPLICATION:
        wanted.append(Course.replication.is_(True))
    return wanted


# --------------------------------------------------------------------------- creating


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError(_l("The end date cannot be before the start date."), "ends_on")


def create_cohort(actor: User, *, name: str, description: str = "", starts_on: date | None = None,
                  ends_on: date | None = None, course_ids: list[int] | None = None,
                  trainer_ids: list[int] | None = None) -> Cohort:
    """Create a cohort with its courses and trainers (the creator trains it) in one transaction.
    A facilitator creates a replication cohort: only courses marked for replication, only
    facilitators as its trainers."""
    if not (actor.is_trainer or actor.is_facilitator):
        raise PermissionDenied(_l("Only trainers and administrators can create cohorts."))
    kind = kind_for(actor)
    name = auth_services.clean_name(name)
    if not name:
        raise ServiceError(_l("Give the cohort a name."), "name")
    _check_dates(starts_on, ends_on)
    wanted_courses = list(dict.fromkeys(course_ids or []))
    courses = {c.id: c for c in db.session.scalars(select(Course).where(
        Course.id.in_(wanted_courses), *_course_filter(kind)))}
    if len(courses) != len(wanted_courses):
        raise ServiceError(_l("Choose courses from the list."), "courses")
    wanted_trainers = list(dict.fromkeys([actor.id, *(trainer_ids or [])]))
    trainers = list(db.session.scalars(select(User).where(
        User.id.in_(wanted_trainers), User.role.in_(_trainer_roles(kind)))))
    if len(trainers) != len(wanted_trainers):
        raise ServiceError(_l("Choose trainers from the list."), "trainers")
    cohort = Cohort(name=name, description=(description or "").strip(), starts_on=starts_on,
                    ends_on=ends_on, created_by_id=actor.id, status=ACTIVE, kind=kind)
    db.session.add(cohort)
    db.session.flush()
    for position, course_id in enumerate(wanted_courses):
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id, position=position,
                                    deadline=ends_on))
    for user_id in wanted_trainers:
        db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=user_id))
    audit.record("cohort.created", actor=actor, scope=f"cohort:{cohort.id}",
                 target=f"cohort:{cohort.id}",
                 detail={"name": name, "courses": [courses[i].slug for i in wanted_courses],
                         "trainers": wanted_trainers, "kind": kind})
    emit_after_commit(events.cohort_created, cohort_id=cohort.id, name=name,
                      created_by_id=actor.id,
                      starts_on=starts_on.isoformat() if starts_on else None,
                      ends_on=ends_on.isoformat() if ends_on else None,
                      course_ids=wanted_courses,
                      course_slugs=[courses[i].slug for i in wanted_courses],
                      trainer_ids=wanted_trainers)
    db.session.commit()
    return cohort


def update_cohort(actor: User, cohort: Cohort, *, name: str, description: str = "",
                  starts_on: date | None = None, ends_on: date | None = None,
                  status: str = ACTIVE, course_ids: list[int] | None = None,
                  trainer_ids: list[int] | None = None) -> None:
    """Change a cohort in one transaction. Members are enrolled in added courses; a removed
    course keeps its enrolments and progress. A cohort always keeps at least one trainer."""
    from lms.cohorts.models import COHORT_STATUSES

    _require(actor, cohort)
    name = auth_services.clean_name(name)
    if not name:
        raise ServiceError(_l("Give the cohort a name."), "name")
    _check_dates(starts_on, ends_on)
    if status not in COHORT_STATUSES:
        raise ServiceError(_l("Choose a status from the list."), "status")
    wanted_courses = list(dict.fromkeys(course_ids or []))
    current = {cc.course_id: cc for cc in cohort_courses(cohort)}
    added_ids = [i for i in wanted_courses if i not in current]
    added_courses = {c.id: c for c in db.session.scalars(select(Course).where(
        Course.id.in_(added_ids), *_course_filter(cohort.kind)))}
    if len(added_courses) != len(added_ids):
        raise ServiceError(_l("Choose courses from the list."), "courses")
    wanted_trainers = list(dict.fromkeys(trainer_ids or []))
    if not wanted_trainers:
        raise ServiceError(_l("A cohort needs at least one trainer."), "trainers")
    valid = set(db.session.scalars(select(User.id).where(
        User.id.in_(wanted_trainers), User.role.in_(_trainer_roles(cohort.kind)))))
    if len(valid) != len(wanted_trainers):
        raise ServiceError(_l("Choose trainers from the list."), "trainers")
    changes: dict = {}
    for attr, value in (("name", name), ("description", (description or "").strip()),
                        ("starts_on", starts_on), ("ends_on", ends_on), ("status", status)):
        if getattr(cohort, attr) != value:
            changes[attr] = value.isoformat() if isinstance(value, date) else value
            setattr(cohort, attr, value)
    removed = [cc for cid, cc in current.items() if cid not in wanted_courses]
    for cc in removed:
        db.session.delete(cc)
    members = members_of(cohort)
    for position, course_id in enumerate(wanted_courses):
        if course_id in current:
            current[course_id].position = position
            continue
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id, position=position,
                                    deadline=cohort.ends_on))
        for m in members:
            if m.joined:  # invited people are enrolled when they accept
                _enrol(m.user, added_courses[course_id])
    old_trainers = set(db.session.scalars(select(CohortTrainer.user_id).where(
        CohortTrainer.cohort_id == cohort.id)))
    for t in db.session.scalars(select(CohortTrainer).where(
            CohortTrainer.cohort_id == cohort.id, CohortTrainer.user_id.not_in(wanted_trainers))):
        db.session.delete(t)
    for user_id in wanted_trainers:
        if user_id not in old_trainers:
            db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=user_id))
    if added_courses or removed:
        changes["courses_added"] = [added_courses[i].slug for i in added_ids]
        changes["courses_removed"] = [cc.course.slug for cc in removed]
    if set(wanted_trainers) != old_trainers:
        changes["trainers"] = wanted_trainers
    if changes:
        audit.record("cohort.updated", actor=actor, scope=f"cohort:{cohort.id}",
                     target=f"cohort:{cohort.id}", detail=changes)
    db.session.commit()


def set_deadlines(actor: User, cohort: Cohort, deadlines: dict[int, date | None]) -> int:
    """Change the deadline of the cohort's courses (course id -> date or None); how many changed."""
    _require(actor, cohort)
    changed = {}
    for cc in cohort_courses(cohort):
        if cc.course_id in deadlines and deadlines[cc.course_id] != cc.deadline:
            new = deadlines[cc.course_id]
            changed[cc.course.slug] = new.isoformat() if new else None
            cc.deadline = new
    if changed:
        audit.record("cohort.deadlines_changed", actor=actor, scope=f"cohort:{cohort.id}",
                     target=f"cohort:{cohort.id}", detail={"deadlines": changed})
        db.session.commit()
    return len(changed)


# --------------------------------------------------------------------------- members


@dataclass
class Added:
    """One person invited to a cohort: their account, whether it is new, their invitation link.

    The trainer is shown the same thing whether or not the address already had an account: the
    names and addresses invited, never the links (`link` goes by email only: whoever holds it
    could set a new account's password), so adding people never tells a trainer who has an
    account nor lets them accept for someone."""

    user: User
    member: CohortMember
    new_account: bool
    link: str | None = None


def _enrol(user: User, course: Course) -> None:
    """Enrol a member in a cohort course inside the caller's transaction (no commit)."""
    start_enrollment(user, course)


def _unusable_password() -> str:
    """A stored hash no password matches (not Argon2 syntax): the person must accept first."""
    return "!invited:" + secrets.token_hex(16)


def _add(actor: User, cohort: Cohort, *, email: str, full_name: str,
         library_name: str = "", province_code: str | None = None,
         regency_code: str | None = None, existing: User | None = None) -> Added:
    """Invite one person in the caller's transaction (no commit). Nothing is enrolled and no
    right is given until they accept (`accept_invitation`, `join`)."""
    new_account = existing is None
    user = existing
    if user is None:
        user = User(email=email, full_name=full_name, password_hash=_unusable_password(),
                    role=Role.PARTICIPANT.value, library_name=library_name or None,
                    province_code=province_code or None, regency_code=regency_code or None)
        db.session.add(user)
        db.session.flush()
        emit_after_commit(events.user_registered, user_id=user.id, role=user.role,
                          locale=user.locale, library_level=user.library_level,
                          province_code=user.province_code, regency_code=user.regency_code)
    member = CohortMember(cohort_id=cohort.id, user_id=user.id, added_by_id=actor.id,
                          invitation=INVITED if new_account else PENDING,
                          invited_at=clock.now(), invited_name=full_name or None)
    db.session.add(member)
    db.session.flush()
    if not new_account:
        notifications.notify(user.id, notifications.COHORT_INVITED, {"cohort": cohort.name},
                             url="/#cohort-invitations")
    _queue_mail(member, INVITATION)
    audit.record("cohort.member_invited", actor=actor, scope=f"cohort:{cohort.id}",
                 target=f"member:{member.id}", detail={"email": user.email})
    return Added(user, member, new_account)


def _is_member(cohort: Cohort, user_id: int) -> bool:
    return db.session.scalar(select(CohortMember.id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id)) is not None


def add_member(actor: User, cohort: Cohort, *, email: str, full_name: str = "",
               library_name: str = "", province_code: str | None = None,
               regency_code: str | None = None) -> Added:
    """Invite one person by email (an invited account is created when there is none). One
    transaction. The checks and the answer are the same whether or not the address has an
    account; only the person's acceptance makes them a member."""
    _require(actor, cohort)
    email = auth_services.normalise_email(email)
    if not csvimport.EMAIL_RE.match(email):
        raise ServiceError(_l("Enter a valid email address."), "email")
    full_name = auth_services.clean_name(full_name)
    if not full_name:
        raise ServiceError(_l("Enter the person's full name."), "full_name")
    if province_code and not regions.is_province(province_code):
        raise ServiceError(_l("Choose a province from the list."), "province_code")
    if regency_code and not regions.is_regency_of(regency_code, province_code):
        raise ServiceError(_l("Choose a regency or city in the selected province."),
                           "regency_code")
    existing = auth_services.get_user_by_email(email)
    if existing is not None and _is_member(cohort, existing.id):
        raise ServiceError(_l("This address is already invited to or a member of the cohort."),
                           "email")
    try:
        added = _add(actor, cohort, email=email, full_name=full_name,
                     library_name=auth_services.clean_name(library_name),
                     province_code=province_code, regency_code=regency_code, existing=existing)
        db.session.commit()
    except IntegrityError:  # added at the same moment by another trainer
        db.session.rollback()
        raise ServiceError(_l("This address is already invited to or a member of the cohort."),
                           "email") from None
    _after_adding(cohort, [added])
    return added


@dataclass
class PreviewRow:
    row: csvimport.Row
    status: str  # "invite" | "member" (already invited to or in the cohort) | "error"
    user: User | None = None


@dataclass
class Preview:
    parsed: csvimport.ParseResult
    rows: list[PreviewRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def can_confirm(self) -> bool:
        return self.parsed.ok and any(r.status == "invite" for r in self.rows)


def preview_import(cohort: Cohort, data: bytes) -> Preview:
    """Parse a participant list and say what confirming would do; writes nothing. Every valid
    row "will be invited": the preview never says whether an address has an account."""
    parsed = csvimport.parse(data)
    preview = Preview(parsed)
    emails = [r.email for r in parsed.rows if r.email]
    users = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_(emails)))} if emails else {}
    members = set(db.session.scalars(select(CohortMember.user_id).where(
        CohortMember.cohort_id == cohort.id))) if users else set()
    for row in parsed.rows:
        user = users.get(row.email)
        if not row.ok:
            status = "error"
        elif user is not None and user.id in members:
            status = "member"
        else:
            status = "invite"
        preview.rows.append(PreviewRow(row, status, user))
    return preview


def import_members(actor: User, cohort: Cohort, data: bytes) -> list[Added]:
    """Invite every person of a checked list in ONE transaction.

    The list is checked again (the database may have changed since the preview); any error
    refuses the whole list and nothing is written.
    """
    _require(actor, cohort)
    preview = preview_import(cohort, data)
    if not preview.parsed.ok:
        raise ServiceError(_l("The list has errors. Correct them and upload it again."))
    added = []
    try:
        for item in preview.rows:
            if item.status != "invite":
                continue
            r = item.row
            added.append(_add(actor, cohort, email=r.email, full_name=r.name,
                              library_name=r.library, province_code=r.province_code,
                              regency_code=r.regency_code, existing=item.user))
        audit.record("cohort.members_imported", actor=actor, scope=f"cohort:{cohort.id}",
                     target=f"cohort:{cohort.id}", detail={"invited": len(added)})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("Someone changed the cohort at the same time. Upload the list again.")) from None
    except Exception:
        db.session.rollback()
        raise
    _after_adding(cohort, added)
    return added


def remove_member(actor: User, cohort: Cohort, member: CohortMember) -> None:
    """Take someone out of the cohort (or withdraw their invitation); their enrolments and
    progress stay."""
    _require(actor, cohort)
    if member.cohort_id != cohort.id:
        raise ServiceError(_l("This person is not a member of the cohort."))
    audit.record("cohort.member_removed", actor=actor, scope=f"cohort:{cohort.id}",
                 target=f"member:{member.id}",
                 detail={"email": member.user.email, "joined": member.joined})
    db.session.delete(member)
    db.session.commit()


# --------------------------------------------------------------------------- joining


def invitations_for(user: User) -> list[CohortMember]:
    """The cohorts the person is asked to join (Beranda), with their cohorts loaded."""
    return list(db.session.scalars(
        select(CohortMember).where(CohortMember.user_id == user.id,
                                   CohortMember.accepted_at.is_(None))
        .options(joinedload(CohortMember.cohort))
        .order_by(CohortMember.invited_at.desc().nulls_last(), CohortMember.id.desc())))


def _join(member: CohortMember, at) -> None:
    """Make an accepted invitation a membership: enrol in the cohort's courses (no commit)."""
    member.invitation = ACCEPTED
    member.accepted_at = at
    cohort = db.session.get(Cohort, member.cohort_id)
    for cc in cohort_courses(cohort):
        _enrol(member.user, cc.course)
    audit.record("cohort.member_joined", actor=member.user_id, scope=f"cohort:{cohort.id}",
                 target=f"member:{member.id}", detail={"email": member.user.email})
    emit_after_commit(events.cohort_member_joined, cohort_id=cohort.id, user_id=member.user_id)


def _own_invitation(user: User, member_id: int) -> CohortMember:
    member = db.session.get(CohortMember, member_id)
    if member is None or member.user_id != user.id:
        raise ServiceError(_l("This invitation is not yours or no longer exists."))
    if member.joined:
        raise ServiceError(_l("You are already a member of this cohort."))
    return member


def join(user: User, member_id: int) -> CohortMember:
    """The person accepts an invitation of theirs: they become a member, enrolled in the
    cohort's courses, and its trainers may now follow and grade their work there."""
    member = _own_invitation(user, member_id)
    _join(member, clock.now())
    db.session.commit()
    return member


def decline(user: User, member_id: int) -> None:
    """The person declines: the invitation is withdrawn and the trainers get no rights."""
    member = _own_invitation(user, member_id)
    audit.record("cohort.invitation_declined", actor=user, scope=f"cohort:{member.cohort_id}",
                 target=f"member:{member.id}", detail={"email": user.email})
    db.session.delete(member)
    db.session.commit()


# --------------------------------------------------------------------------- invitations


def _serializer() -> URLSafeTimedSerializer:
    return tokens.serializer("pelita.cohort-invitation")


def _fingerprint(user: User, member: CohortMember) -> str:
    """Changes when the password is set or the invitation renewed: a used link is dead."""
    stamp = clock.aware(member.invited_at).timestamp() if member.invited_at else 0
    raw = f"{user.password_hash}:{user.session_version}:{member.id}:{stamp}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def invitation_link(member: CohortMember) -> str:
    token = _serializer().dumps({"m": member.id, "f": _fingerprint(member.user, member)})
    return f"{current_app.config['BASE_URL']}/invite/{token}"


def _still_invited(user: User) -> bool:
    """The account is still the one the invitation created: active, a participant, and no
    password set yet (someone who set one, e.g. with "Forgot password", owns the account and
    the link, which the trainer also sees, must not set it again)."""
    return (user.active and user.role == Role.PARTICIPANT.value
            and (user.password_hash or "").startswith("!invited:"))


def needs_password(member: CohortMember) -> bool:
    """The invitation created the account and the person sets their password by accepting it."""
    return member.invitation == INVITED and _still_invited(member.user)


def member_for_invitation(token: str) -> CohortMember:
    """The waiting membership a valid, unused, unexpired invitation belongs to."""
    try:
        data = _serializer().loads(token, max_age=int(INVITATION_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise ServiceError(_l("This invitation has expired. Ask your trainer for a new link.")) from None
    except BadSignature:
        raise ServiceError(_l("This invitation link is not valid. Check that you copied all of it.")) from None
    member = db.session.get(CohortMember, data.get("m")) if isinstance(data, dict) else None
    if (member is None or member.joined or member.invitation not in WAITING
            or (member.invitation == INVITED and not _still_invited(member.user))
            or data.get("f") != _fingerprint(member.user, member)):
        raise ServiceError(_l("This invitation has already been used or is no longer valid. "
                              "Log in, or ask your trainer for a new link."))
    return member


def accept_invitation(token: str, *, full_name: str, password: str) -> User:
    """A new account's invitation: set the person's name and password and make every waiting
    invitation of theirs a membership (one transaction)."""
    member = member_for_invitation(token)
    if not needs_password(member):
        raise ServiceError(_l("This account already has a password: log in to accept the "
                              "invitation."))
    user = member.user
    full_name = auth_services.clean_name(full_name)
    if not full_name:
        raise ServiceError(_l("Enter your full name as it should appear on a certificate."), "full_name")
    problem = auth_services.password_problem(password, email=user.email, full_name=full_name,
                                             library_name=user.library_name or "")
    if problem:
        raise ServiceError(problem, "password")
    user.full_name = full_name
    user.password_hash = auth_services.hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    user.last_login_at = clock.now()
    t = clock.now()
    for m in db.session.scalars(select(CohortMember).where(
            CohortMember.user_id == user.id, CohortMember.invitation == INVITED)):
        _join(m, t)
    db.session.commit()
    return user


def renew_invitation(actor: User, cohort: Cohort, member: CohortMember) -> str:
    """A new invitation link (the old one stops working), emailed to the person; returned for
    the CLI and tests, never shown to the trainer (it would let them accept in the person's
    place)."""
    _require(actor, cohort)
    if (member.cohort_id != cohort.id or member.joined or member.invitation not in WAITING
            or (member.invitation == INVITED and not _still_invited(member.user))):
        raise ServiceError(_l("This person has already accepted the invitation."))
    member.invited_at = clock.now()
    audit.record("cohort.invitation_renewed", actor=actor, scope=f"cohort:{cohort.id}",
                 target=f"member:{member.id}", detail={"email": member.user.email})
    _queue_mail(member, INVITATION)
    db.session.commit()
    added = Added(member.user, member, member.invitation == INVITED)
    _after_adding(cohort, [added])
    return added.link or ""


def _after_adding(cohort: Cohort, added: list[Added]) -> None:
    """After the commit: the invitation links, for the trainer to pass on."""
    for item in added:
        item.link = invitation_link(item.member)


# --------------------------------------------------------------------------- emails

INVITATION = "invitation"
MAIL_JOB = "cohorts.send_mail"


def _queue_mail(member: CohortMember, kind: str) -> None:
    """Queue the email to a person invited to a cohort in the caller's transaction (no commit):
    the `cohorts.send_mail` job sends it, so a slow mail server never slows the trainer's page.
    One queued email per membership and invitation (a renewed invitation is a new one)."""
    from lms.jobs.services import enqueue

    stamp = int(clock.aware(member.invited_at).timestamp()) if member.invited_at else 0
    enqueue(MAIL_JOB, {"member_id": member.id, "kind": kind},
            dedupe_key=f"cohorts.mail:{kind}:{member.id}:{stamp}")


def send_member_mail(member_id: int, kind: str) -> bool:
    """The `cohorts.send_mail` job: email one invited person, in their language; False if there
    is nothing to send any more (the invitation was withdrawn or already accepted). The link is
    made when the email is sent, so it is always the current one."""
    member = db.session.get(CohortMember, member_id)
    if member is None or member.joined or member.invitation not in WAITING:
        return False
    if member.invitation == INVITED and not _still_invited(member.user):
        return False
    cohort = db.session.get(Cohort, member.cohort_id)
    user = member.user
    with force_locale(user.locale or "id"):
        subject = _("Invitation to the cohort %(cohort)s on Pelita", cohort=cohort.name)
        template = ("cohorts/email/invitation.txt" if needs_password(member)
                    else "cohorts/email/join.txt")
        body = render_template(template, user=user, cohort=cohort, link=invitation_link(member),
                               days=INVITATION_MAX_AGE.days)
    send_mail(user.email, subject, body)
    return True


# --------------------------------------------------------------------------- learners


@dataclass
class Deadline:
    cohort: Cohort | CohortLine
    course: Course | CourseLine
    deadline: date
    completed: bool
    overdue: bool
    days_left: int


def my_cohorts(user_id: int, today: date) -> tuple[list[Cohort], list[Deadline]]:
    """The learner's active cohorts and their course deadlines (soonest first), 3 queries."""
    cohorts = list(db.session.scalars(
        select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id, CohortMember.accepted_at.is_not(None),
               Cohort.status == ACTIVE)
        .order_by(Cohort.starts_on.desc().nulls_last(), Cohort.id.desc())))
    if not cohorts:
        return [], []
    rows = db.session.scalars(
        select(CohortCourse).where(CohortCourse.cohort_id.in_([c.id for c in cohorts]),
                                   CohortCourse.deadline.is_not(None))
        .options(joinedload(CohortCourse.course))).all()
    completed = set(db.session.scalars(select(Enrollment.course_id).where(
        Enrollment.user_id == user_id, Enrollment.completed_at.is_not(None))))
    by_id = {c.id: c for c in cohorts}
    deadlines = [Deadline(by_id[cc.cohort_id], cc.course, cc.deadline, cc.course_id in completed,
                          cc.deadline < today and cc.course_id not in completed,
                          (cc.deadline - today).days) for cc in rows]
    deadlines.sort(key=lambda d: (d.completed, d.deadline, d.course.title_id))
    return cohorts, deadlines


@dataclass(frozen=True, slots=True)
class CohortLine:
    """A cohort as Beranda lists it: plain values, read without the ORM (`learner_cohorts`)."""

    id: int
    name: str
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class CourseLine:
    """A course as Beranda's deadline list names and links it."""

    id: int
    slug: str
    title_id: str
    title_en: str | None

    title = Course.title  # the course's own rule, on these fields (title_en, else title_id)


@dataclass(frozen=True, slots=True)
class InvitationLine:
    """An invitation waiting for the learner's answer (`id`: the CohortMember row's)."""

    id: int
    cohort: CohortLine
    invited_at: datetime | None


def learner_cohorts(user_id: int, today: date, completed: set[int]
                    ) -> tuple[list[CohortLine], list[Deadline], list[InvitationLine]]:
    """Beranda's cohort parts in ONE query: the learner's active cohorts, their course deadlines
    (soonest first; `completed`: the ids of the courses the learner completed) and the
    invitations waiting for an answer (`invitations_for`), newest first. Plain values read
    through the connection: the landing page of every login builds no ORM objects for them."""
    rows = db.session.connection().execute(_LEARNER_COHORTS, {"user_id": user_id}).all()
    cohorts: dict[int, CohortLine] = {}
    invitations: dict[int, InvitationLine] = {}
    deadlines = []
    for (member_id, accepted_at, invited_at, cohort_id, name, starts_on, ends_on,
         course_id, deadline, slug, title_id, title_en) in rows:
        cohort = cohorts.get(cohort_id) or CohortLine(cohort_id, name, starts_on, ends_on)
        if accepted_at is None:
            invitations[member_id] = InvitationLine(member_id, cohort, invited_at)
            continue
        cohorts[cohort_id] = cohort
        if deadline is not None:
            deadlines.append(Deadline(cohort, CourseLine(course_id, slug, title_id, title_en),
                                      deadline, course_id in completed,
                                      deadline < today and course_id not in completed,
                                      (deadline - today).days))
    deadlines.sort(key=lambda d: (d.completed, d.deadline, d.course.title_id))
    by_start = sorted(cohorts.values(), key=lambda c: -c.id)
    by_start.sort(key=lambda c: (c.starts_on is None, -(c.starts_on.toordinal() if c.starts_on else 0)))
    waiting = sorted(invitations.values(), key=lambda m: -m.id)
    waiting.sort(key=lambda m: (m.invited_at is None,
                                -(clock.aware(m.invited_at).timestamp() if m.invited_at else 0)))
    return by_start, deadlines, waiting


# Built once (building it cost as much as running it); `user_id` is bound per call.
_LEARNER_COHORTS = (
    select(CohortMember.id, CohortMember.accepted_at, CohortMember.invited_at,
           Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on,
           CohortCourse.course_id, CohortCourse.deadline,
           Course.slug, Course.title_id, Course.title_en)
    .join(Cohort, Cohort.id == CohortMember.cohort_id)
    .outerjoin(CohortCourse, (CohortCourse.cohort_id == Cohort.id)
               & CohortCourse.deadline.is_not(None)
               & CohortMember.accepted_at.is_not(None) & (Cohort.status == ACTIVE))
    .outerjoin(Course, Course.id == CohortCourse.course_id)
    .where(CohortMember.user_id == bindparam("user_id"),
           CohortMember.accepted_at.is_(None)
           | (CohortMember.accepted_at.is_not(None) & (Cohort.status == ACTIVE))))


REMINDER_DAYS = 3


def remind_deadlines(today: date | None = None) -> int:
    """Notify each member of an active cohort whose course deadline is at most `REMINDER_DAYS`
    days away (and not past) and who has not completed the course, once per member, cohort
    course and deadline: the notification's params record what was reminded, and a changed
    deadline is reminded again. Commits; returns how many were sent. A constant number of
    queries. (The periodic job is queued once at a time, so two runs never overlap.)"""

    today = today or clock.today()
    rows = db.session.execute(
        select(CohortCourse, CohortMember.user_id, Cohort.name)
        .join(Cohort, Cohort.id == CohortCourse.cohort_id)
        .join(CohortMember, CohortMember.cohort_id == CohortCourse.cohort_id)
        .join(Enrollment, (Enrollment.user_id == CohortMember.user_id)
              & (Enrollment.course_id == CohortCourse.course_id))
        .join(User, User.id == CohortMember.user_id)
        .where(Cohort.status == ACTIVE, CohortCourse.deadline.is_not(None),
               CohortMember.accepted_at.is_not(None),
               CohortCourse.deadline >= today,
               CohortCourse.deadline <= today + timedelta(days=REMINDER_DAYS),
               Enrollment.status == "active", Enrollment.completed_at.is_(None),
               User.active.is_(True))
        .options(joinedload(CohortCourse.course))
        .order_by(CohortCourse.id, CohortMember.user_id)).all()
    if not rows:
        return 0
    sent = {(user_id, (params or {}).get("cohort_course"), (params or {}).get("deadline"))
            for user_id, params in db.session.execute(
                select(notifications.Notification.user_id, notifications.Notification.params)
                .where(notifications.Notification.kind == notifications.DEADLINE_SOON,
                       notifications.Notification.user_id.in_({r.user_id for r in rows})))}
    count = 0
    for cc, user_id, cohort_name in rows:
        key = (user_id, cc.id, cc.deadline.isoformat())
        if key in sent:
            continue
        sent.add(key)
        notifications.notify(user_id, notifications.DEADLINE_SOON, {
            "cohort_course": cc.id, "deadline": cc.deadline.isoformat(), "cohort": cohort_name,
            "course": {"id": cc.course.title("id"), "en": cc.course.title("en")}},
            url=f"/courses/{cc.course.slug}")
        count += 1
    db.session.commit()
    return count


# --------------------------------------------------------------------------- grading


# --------------------------------------------------------------------------- demo

DEMO_COHORT = "Replikasi Fasilitator 2026 – Angkatan 1"


def demo_cohort() -> Cohort | None:
    """The demo trainer's cohort made by `ensure_demo_cohort`, if it exists."""
    return db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))


def ensure_demo_cohort(today: date) -> Cohort | None:
    """`flask lms demo`: the demo trainer's cohort with the demo participant (once)."""
    trainer = auth_services.get_user_by_email("trainer@pelita.test")
    learner = auth_services.get_user_by_email("peserta@pelita.test")
    if trainer is None or learner is None or not trainer.is_trainer:
        return None
    if db.session.scalar(select(Cohort.id).where(Cohort.name == DEMO_COHORT)) is not None:
        return None
    # The facilitator path (paths/fasilitator-tpbis.toml), in its order.
    slugs = ["orientasi-tpbis", "literasi-tik", "manajemen-informasi", "pelibatan-masyarakat",
             "merancang-pelatihan"]
    courses = {c.slug: c.id for c in db.session.scalars(select(Course).where(
        Course.slug.in_(slugs), Course.status == "published"))}
    cohort = create_cohort(trainer, name=DEMO_COHORT,
                           description="Angkatan contoh untuk mencoba fitur angkatan.",
                           starts_on=today, ends_on=today + timedelta(days=90),
                           course_ids=[courses[s] for s in slugs if s in courses])
    added = add_member(trainer, cohort, email=learner.email, full_name=learner.full_name)
    join(learner, added.member.id)  # the demo participant has accepted already
    return cohort
