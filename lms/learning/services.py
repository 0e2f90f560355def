"""Enrolment and module completion: the only code that writes learners' progress."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms import clock, events
from lms.auth.models import User
from lms.certificates.services import issue_for_completion
from lms.courses.models import Course, Module
from lms.errors_domain import ServiceError
from lms.events import emit_after_commit
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.learning.models import Enrollment, ModuleCompletion
from lms.learning.progress import progress_for, requirements_met


class NotEnrolled(ServiceError):
    """The learner must enrol before doing this."""


def get_enrollment(user_id: int, course_id: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id))


def enrol(user: User, course: Course) -> Enrollment:
    """Enrol (or re-enrol) a learner. Re-enrolling keeps all earlier progress."""
    if course.status != "published":
        raise ServiceError(_l("This course is not open for enrolment."))
    if course.enrolment != "open" and not user.is_trainer:
        raise ServiceError(_l("This course is taken in a cohort. Your trainer will enrol you."))
    try:
        enrollment = start_enrollment(user, course)
        db.session.commit()
    except IntegrityError:  # a double click enrolled in another request: fine
        db.session.rollback()
        enrollment = get_enrollment(user.id, course.id)
    # Work done before leaving (or a quiz graded meanwhile) may already meet the rule.
    if _complete_if_due(user, course, enrollment):
        db.session.commit()
    return enrollment


def start_enrollment(user: User, course: Course) -> Enrollment:
    """Add or reactivate `user`'s enrolment in the caller's transaction (no commit, no policy
    check): the one place an enrolment starts, for self-enrolment and cohorts alike. Sends
    `enrolled` after the commit when something changed."""
    enrollment = get_enrollment(user.id, course.id)
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id)
        db.session.add(enrollment)
        db.session.flush()
        _emit_enrolled(user, course, reenrolled=False)
    elif enrollment.status != "active":
        enrollment.status = "active"
        _emit_enrolled(user, course, reenrolled=True)
    return enrollment


def _emit_enrolled(user: User, course: Course, *, reenrolled: bool) -> None:
    emit_after_commit(events.enrolled, user_id=user.id, course_id=course.id,
                      course_slug=course.slug, reenrolled=reenrolled)


def unenrol(user: User, course: Course) -> None:
    """Withdraw from a course. Progress is kept for a later re-enrolment."""
    enrollment = get_enrollment(user.id, course.id)
    if enrollment is not None and enrollment.status == "active":
        enrollment.status = "withdrawn"
        db.session.commit()


# `Enrollment.last_activity_at` is the one measure of "when did this learner last do something in
# the course" (reports: inactive, active in the last 30 days). Reading a module, marking it done,
# starting, saving and submitting a quiz attempt all stamp it; within this step of the last stamp
# nothing is written, so a learner saving answers every few seconds costs no extra write.
ACTIVITY_STEP = timedelta(minutes=10)


def note_activity(user_id: int, course_id) -> None:
    """In the caller's transaction: the learner did something in the course now (`course_id`
    may be a SQL expression, e.g. the course of a quiz). One UPDATE, which touches no row when
    the last stamp is recent or the learner is not enrolled."""
    now = clock.now()
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.user_id == user_id, Enrollment.course_id == course_id,
               or_(Enrollment.last_activity_at.is_(None),
                   Enrollment.last_activity_at < now - ACTIVITY_STEP))
        .values(last_activity_at=now)
        .execution_options(synchronize_session=False))


def record_visit(user: User, course: Course, module: Module,
                 enrollment: Enrollment | None = None) -> None:
    """Remember where the learner is, for "continue where I left off", and that they were active
    (`enrollment`: the learner's enrolment in `course` when the caller already has it)."""
    if enrollment is None:
        enrollment = get_enrollment(user.id, course.id)
    if enrollment is None or not enrollment.active:
        return
    now = clock.now()
    last = clock.aware(enrollment.last_activity_at)
    if enrollment.last_module_id != module.id or last is None or last < now - ACTIVITY_STEP:
        enrollment.last_module_id = module.id
        enrollment.last_activity_at = now
        db.session.commit()


def mark_module_done(user: User, course: Course, module: Module) -> bool:
    """Mark a module as done (idempotent, safe from two tabs); completes the course if due.

    Returns True if this call completed the course.
    """
    enrollment = get_enrollment(user.id, course.id)
    if enrollment is None or not enrollment.active:
        raise NotEnrolled(_l("Enrol in the course first."))
    if course.sequential and not user.is_trainer and module.id in _locked(user, course):
        raise ServiceError(_l("Finish the previous modules first: this course opens its modules in order."))
    exists = db.session.scalar(select(ModuleCompletion.id).where(
        ModuleCompletion.user_id == user.id, ModuleCompletion.module_id == module.id))
    if exists is None:
        db.session.add(ModuleCompletion(user_id=user.id, module_id=module.id))
        try:
            db.session.flush()
            emit_after_commit(events.module_completed, user_id=user.id, course_id=course.id,
                              course_slug=course.slug, module_id=module.id, module_slug=module.slug)
        except IntegrityError:  # the other tab won the race; the module is done either way
            db.session.rollback()
            enrollment = get_enrollment(user.id, course.id)
    enrollment.last_module_id = module.id
    enrollment.last_activity_at = clock.now()
    completed_now = _complete_if_due(user, course, enrollment)
    db.session.commit()
    return completed_now


def _locked(user: User, course: Course) -> set[int]:
    from lms.courses.queries import locked_modules, syllabus

    progress = progress_for(user.id, [course])[course.id]
    return locked_modules(syllabus(course), progress.done_module_ids, course.sequential)


def _complete_if_due(user: User, course: Course, enrollment: Enrollment) -> bool:
    """Record course completion in the caller's transaction when the pack's rule is met."""
    if enrollment.completed_at is not None or course.current_version is None:
        return False
    # Lock the enrolment row BEFORE counting (PostgreSQL: SELECT ... FOR UPDATE; SQLite has
    # one writer at a time anyway). Two requests finishing the last two modules at once on two
    # connections are then serialised here: the second waits until the first commits, and its
    # counting query, a new statement, sees the first one's module. Counting first would let
    # each miss the other's uncommitted module, and neither would complete the course.
    _lock_enrollment(enrollment)
    if enrollment.completed_at is not None:
        return False
    progress = progress_for(user.id, [course])[course.id]
    rule = course.current_version.manifest.get("completion", {})
    if not requirements_met(progress, rule):
        return False
    enrollment.completed_at = clock.now()
    enrollment.completed_version_id = course.current_version_id
    # The certificate is issued in the same transaction that completes the course; if another
    # transaction issued it first, the unique index refuses a second one and we keep theirs.
    final = course_final_score(user.id, course)
    emit_after_commit(events.course_completed, user_id=user.id, course_id=course.id,
                      course_slug=course.slug, course_version_id=course.current_version_id,
                      completed_at=enrollment.completed_at.isoformat(), score=final)
    try:
        with db.session.begin_nested():
            issue_for_completion(user, course, enrollment.completed_at, score=final)
    except IntegrityError:
        pass
    # In this transaction: a learning path may now grant a role (the cascade listens).
    events.course_credential_gained.send(None, user_id=user.id, course_id=course.id)
    return True


def _lock_enrollment(enrollment: Enrollment) -> None:
    """Take the enrolment's row lock for the rest of the transaction and re-read the row (the
    caller's pending changes are flushed first, so nothing of theirs is lost)."""
    db.session.flush()
    db.session.execute(select(Enrollment).where(Enrollment.id == enrollment.id)
                       .with_for_update().execution_options(populate_existing=True))


def course_final_score(user_id: int, course: Course) -> float | None:
    """The learner's grade in the course's final assessment, if the course has one."""
    from lms.courses.queries import quizzes_of
    from lms.learning.progress import quiz_scores

    finals = [q.quiz_id for q in quizzes_of(course) if q.kind == "final"]
    return quiz_scores(user_id, finals).get(finals[0]) if finals else None


def complete_if_due(user_id: int, course_id: int) -> bool:
    """In the caller's transaction (no commit): record completion and issue the certificate
    when the course's rule is now met. Called by the quiz engine when an attempt is graded."""
    enrollment = get_enrollment(user_id, course_id)
    if enrollment is None or not enrollment.active or enrollment.completed_at is not None:
        return False
    return _complete_if_due(db.session.get(User, user_id), db.session.get(Course, course_id),
                            enrollment)


@events.course_version_imported.connect_via(None, weak=False)
def _recheck_after_import(_sender, *, course_id: int) -> None:
    """A course got a new version: complete its learners whose rule it now meets (inside the
    import's transaction; certificates included)."""
    user_ids = db.session.scalars(select(Enrollment.user_id).where(
        Enrollment.course_id == course_id, Enrollment.status == "active",
        Enrollment.completed_at.is_(None))).all()
    for user_id in user_ids:
        complete_if_due(user_id, course_id)


def active_enrolments(user_id: int) -> list[tuple[Course, Enrollment]]:
    """The user's active enrolments in courses with a published version, most recently active
    first (as Beranda lists them), each with its course."""
    return [(course, enrollment) for course, enrollment in db.session.execute(
        select(Course, Enrollment).options(joinedload(Course.current_version))
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user_id, Enrollment.status == "active",
               Course.current_version_id.is_not(None))
        .order_by(Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc(),
                  Enrollment.id)).unique().all()]
