"""The cascade's writers: the facilitator role given on path certification, field activities
recorded, changed (for 7 days) and confirmed. One transaction per public function, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update

from lms import access, audit, clock, events, regions
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.cascade import queries, rules
from lms.cascade.models import FieldActivity, FieldActivityFile
from lms.errors_domain import PermissionDenied, ServiceError
from lms.extensions import db
from lms.i18n import lazy_gettext as _l

# --------------------------------------------------------------------------- the facilitator role


def grant_path_roles(user_id: int, course_id: int) -> str | None:
    """In the caller's transaction: when the learner is now certified on a path that grants a
    role (`grants_role` in the path file) and lists this course, give them the role (audited;
    never a downgrade of a facilitator, trainer or admin). Returns the role given, if any."""
    user = db.session.get(User, user_id)
    if user is None or user.is_trainer or user.is_facilitator:
        return None
    for path in queries.role_granting_paths(course_id):
        if queries.completed_path(user_id, path) and auth_services.grant_role_for_path(
                user, path.grants_role, path.slug):
            return path.grants_role
    return None


def grant_missed_path_roles() -> list[tuple[User, str]]:
    """Give the role of a path to every participant already certified on it — people who
    finished before the path granted a role, or before Pelita knew of roles. One transaction;
    each grant audited as on certification. Returns (user, role) for each grant."""
    granted = []
    for user_id, path in queries.path_role_candidates():
        user = db.session.get(User, user_id)
        if (user.role == path.grants_role or user.is_trainer or user.is_facilitator
                or not queries.completed_path(user_id, path)):
            continue
        if auth_services.grant_role_for_path(user, path.grants_role, path.slug):
            granted.append((user, path.grants_role))
    db.session.commit()
    return granted


@events.course_credential_gained.connect_via(None, weak=False)
def _on_credential(_sender, *, user_id: int, course_id: int) -> None:
    grant_path_roles(user_id, course_id)


# --------------------------------------------------------------------------- field activities


@dataclass
class ActivityInput:
    kind: str
    activity_date: date | None
    village_code: str
    library_name: str
    women: int | None
    men: int | None
    topic: str


def _check(data: ActivityInput) -> dict:
    """The cleaned values, or ServiceError naming the field at fault."""
    if data.kind not in rules.KINDS:
        raise ServiceError(_l("Choose the kind of activity from the list."), "kind")
    code = (data.village_code or "").strip()
    if not regions.is_village(code):
        raise ServiceError(_l("Choose a village or kelurahan from the list (a Kemendagri code "
                              "such as 32.76.01.1006)."), "village_code")
    province, regency = rules.split_village(code)
    problem = rules.date_problem(data.activity_date, clock.today(clock.zone_for_province(province)))
    if problem == "future":
        raise ServiceError(_l("The date cannot be in the future."), "activity_date")
    if problem:
        raise ServiceError(_l("Give the date of the activity."), "activity_date")
    problem = rules.count_problem(data.women, data.men)
    if problem == "empty":
        raise ServiceError(_l("Give the number of participants (women and men together at "
                              "least 1)."), "women")
    if problem:
        raise ServiceError(_l("Give the number of participants as whole numbers of 0 or more."),
                           "women")
    topic = " ".join((data.topic or "").split())
    if not topic:
        raise ServiceError(_l("Give the topic of the activity."), "topic")
    library = " ".join((data.library_name or "").split())
    if not library:
        raise ServiceError(_l("Give the name of the library."), "library_name")
    return {"kind": data.kind, "activity_date": data.activity_date, "village_code": code,
            "province_code": province, "regency_code": regency, "library_name": library[:200],
            "women": data.women, "men": data.men, "topic": topic[:300]}


def _attach(activity: FieldActivity, filename: str, blob: bytes) -> None:
    try:
        checked = rules.check_attachment(filename, blob)
    except rules.AttachmentRefused as err:
        messages = {
            "empty": _l("The file is empty."),
            "too_large": _l("The file is too large (at most 5 MB)."),
            "type": _l("Attach a photo (JPEG, PNG), a PDF, or an attendance list (CSV, XLSX)."),
            "mismatch": _l("The file's content does not match its name: attach a real JPEG, "
                           "PNG, PDF, CSV or XLSX file."),
        }
        raise ServiceError(messages[err.reason], "attachment") from None
    if activity.attachment is None:
        activity.attachment = FieldActivityFile(filename=checked.filename,
                                                mimetype=checked.mimetype, size=len(blob),
                                                data=blob)
    else:
        att = activity.attachment
        att.filename, att.mimetype, att.size, att.data = (checked.filename, checked.mimetype,
                                                          len(blob), blob)
        att.uploaded_at = clock.now()


def _detail(activity: FieldActivity) -> dict:
    return {"facilitator": activity.facilitator_id, "kind": activity.kind,
            "date": activity.activity_date.isoformat(), "village": activity.village_code,
            "women": activity.women, "men": activity.men, "topic": activity.topic}


def record_activity(user: User, data: ActivityInput,
                    attachment: tuple[str, bytes] | None = None) -> FieldActivity:
    """A facilitator records an activity they ran (audited)."""
    if not user.is_facilitator:
        raise PermissionDenied(_l("Only facilitators record field activities."))
    values = _check(data)
    activity = FieldActivity(facilitator_id=user.id, **values)
    try:
        if attachment is not None:
            _attach(activity, *attachment)
        db.session.add(activity)
        db.session.flush()
        audit.record("activity.recorded", actor=user, target=f"activity:{activity.id}",
                     detail=_detail(activity))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return activity


def locked(activity: FieldActivity) -> bool:
    """Past the 7-day edit window (counted from when it was recorded)."""
    return rules.is_locked(clock.aware(activity.created_at), clock.now())


def update_activity(user: User, activity: FieldActivity, data: ActivityInput,
                    attachment: tuple[str, bytes] | None = None) -> None:
    """Its facilitator changes an activity within 7 days of recording it, and not once it is
    confirmed (audited)."""
    if not access.can_edit_activity(user, activity):
        raise PermissionDenied(_l("Only the facilitator who recorded this activity can change it."))
    if locked(activity):
        raise ServiceError(_l("This activity is locked: it can be changed only in the 7 days "
                              "after it was recorded."))
    if activity.confirmed_at is not None:
        raise ServiceError(_l("This activity has been confirmed and can no longer be changed."))
    values = _check(data)
    try:
        before = _detail(activity)
        for name, value in values.items():
            setattr(activity, name, value)
        if attachment is not None:
            _attach(activity, *attachment)
        after = _detail(activity)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if attachment is not None:
            changed["attachment"] = activity.attachment.filename
        if changed:
            # Marks the new version for confirmers (an attachment alone does not touch the row).
            activity.updated_at = clock.now()
            audit.record("activity.updated", actor=user, target=f"activity:{activity.id}",
                         detail=changed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def seen_mark(activity: FieldActivity) -> str:
    """The version of the activity a confirmer sees: its `updated_at` (ISO 8601, UTC), carried
    by the confirm form and checked by `confirm_activity`."""
    return clock.aware(activity.updated_at).isoformat()


def _parse_mark(mark: str | None) -> datetime | None:
    try:
        seen = datetime.fromisoformat((mark or "").strip())
    except ValueError:
        return None
    return clock.aware(seen)


def confirm_activity(user: User, activity: FieldActivity, seen: str | None) -> None:
    """A master trainer of the facilitator (or an admin) confirms the activity (audited; once)
    as they saw it: `seen` is `seen_mark(activity)` from the page they confirmed on. If the
    facilitator changed the activity since, nothing is confirmed (ServiceError)."""
    if not access.can_confirm_activity(user, activity):
        raise PermissionDenied(_l("Only a master trainer who trained this facilitator can "
                                  "confirm their activities."))
    changed = _l("The activity was changed after you opened it; check it again.")
    seen_at = _parse_mark(seen)
    if seen_at is None:
        raise ServiceError(changed)
    # Claimed with a conditional UPDATE: two confirmers at the same moment cannot both succeed,
    # and an edit saved after the confirmer opened the page makes it match no row.
    claimed = db.session.execute(
        update(FieldActivity).where(FieldActivity.id == activity.id,
                                    FieldActivity.confirmed_at.is_(None),
                                    FieldActivity.updated_at == seen_at)
        .values(confirmed_at=clock.now(), confirmed_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        if activity.confirmed_at is not None:  # reloaded after the rollback
            raise ServiceError(_l("This activity has already been confirmed."))
        raise ServiceError(changed)
    db.session.refresh(activity)
    audit.record("activity.confirmed", actor=user, target=f"activity:{activity.id}",
                 detail=_detail(activity))
    db.session.commit()


# --------------------------------------------------------------------------- demo data


DEMO_VILLAGE = "32.04.05.2001"  # Cileunyi Kulon, Kabupaten Bandung, Jawa Barat


def ensure_demo_cascade(today: date) -> FieldActivity | None:
    """`flask lms demo`: the demo facilitator joins the demo trainer's cohort (so the trainer is
    her master trainer) and has one field activity waiting for confirmation (once)."""
    from lms.cohorts import services as cohorts

    fasda = auth_services.get_user_by_email("fasda@pelita.test")
    if fasda is None or not fasda.is_facilitator:
        return None
    if db.session.query(FieldActivity.id).filter_by(facilitator_id=fasda.id).first():
        return None
    cohort = cohorts.demo_cohort()
    trainer = auth_services.get_user_by_email("trainer@pelita.test")
    if cohort is not None and trainer is not None:
        added = cohorts.add_member(trainer, cohort, email=fasda.email, full_name=fasda.full_name)
        cohorts.join(fasda, added.member.id)
    return record_activity(fasda, ActivityInput(
        kind=rules.TRAINING, activity_date=today.fromordinal(today.toordinal() - 3),
        village_code=DEMO_VILLAGE, library_name="Perpustakaan Desa Cileunyi Kulon", women=14,
        men=9, topic="Literasi digital: aman bermedia sosial"))
