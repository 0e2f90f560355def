"""Who may do what: every access rule of Pelita, in one place.

Roles say what kind of work a person does (`participant`, `facilitator`, `trainer`, `admin`);
the rules below say whose work and which courses. The one relation most rules rest on is
**oversees**: a person has rights over a learner's work in a course when they are

- an administrator, or
- a trainer of a cohort that takes the course and that the learner has *joined* (accepted the
  invitation: `CohortMember.accepted_at`), or
- a facilitator running a *replication* cohort that takes the course and that the learner has
  joined (a facilitator oversees nobody else: no course editing, no training cohorts), or
- an editor of the course, for learners who take it outside any cohort (self-enrolled).

A facilitator is not a trainer (`is_trainer` is False): they run only the replication cohorts
they train, never issue certificates and never edit courses. Field activities (the cascade) are
seen by their facilitator, by the master trainers of a training cohort the facilitator joined
(who confirm them) and by admins.

So a learner's answers, evidence files and certificate are seen by the learner, the trainers of
their cohort and admins — not by every trainer, and not by a trainer who merely typed the
learner's email into a CSV.

Views declare their rule with a decorator (`@access.public`, `@access.signed_in`,
`@access.role(...)` or `@access.rule("view_attempt")`) and check objects with `access.require(...)`;
`tests/functional/test_access_matrix.py` walks the URL map, fails on a route without a declared
rule and tries every private route as anonymous, the learner, another learner, the learner's
cohort trainer, another cohort's trainer, a course editor and an admin. Services check the same
functions before they write. The list forms (`oversees_clause`) put the same rule into SQL, so a
queue or report shows exactly the rows the single-object rule allows, in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, exists, false, literal, or_, select, true

from lms.extensions import db

# --------------------------------------------------------------------------- relations (SQL)


def _models():
    # Imported late: the models import the extensions, and plugins import this module early.
    from lms.authoring.models import CourseDraft, CourseEditor
    from lms.cohorts.models import CohortCourse, CohortMember, CohortTrainer

    return CourseDraft, CourseEditor, CohortCourse, CohortMember, CohortTrainer


def _cohort_model():
    from lms.cohorts.models import Cohort

    return Cohort


def _replication():
    from lms.cohorts.models import REPLICATION, TRAINING

    return REPLICATION, TRAINING


def _joined_memberships(learner, course):
    """Memberships the learner accepted, in cohorts that take the course."""
    _d, _e, CohortCourse, CohortMember, _t = _models()
    return (select(CohortMember.id)
            .join(CohortCourse, CohortCourse.cohort_id == CohortMember.cohort_id)
            .where(CohortMember.user_id == learner, CohortCourse.course_id == course,
                   CohortMember.accepted_at.is_not(None)))


def trains_clause(user_id: int, learner, course) -> ColumnElement[bool]:
    """`user_id` trains a cohort that the learner joined and that takes the course."""
    _d, _e, _c, CohortMember, CohortTrainer = _models()
    return exists(_joined_memberships(learner, course)
                  .join(CohortTrainer, CohortTrainer.cohort_id == CohortMember.cohort_id)
                  .where(CohortTrainer.user_id == user_id))


def facilitates_clause(user_id: int, learner, course) -> ColumnElement[bool]:
    """`user_id` trains a *replication* cohort that the learner joined and that takes the course
    (what a facilitator oversees)."""
    _d, _e, _c, CohortMember, CohortTrainer = _models()
    Cohort = _cohort_model()
    replication, _training = _replication()
    return exists(_joined_memberships(learner, course)
                  .join(CohortTrainer, CohortTrainer.cohort_id == CohortMember.cohort_id)
                  .join(Cohort, Cohort.id == CohortMember.cohort_id)
                  .where(CohortTrainer.user_id == user_id, Cohort.kind == replication))


def trains_facilitator_clause(user_id: int, facilitator) -> ColumnElement[bool]:
    """`user_id` trains a *training* cohort that `facilitator` (a column or value of user ids)
    joined: the master trainer who confirms the facilitator's field activities."""
    _d, _e, _c, CohortMember, CohortTrainer = _models()
    Cohort = _cohort_model()
    _replication_kind, training = _replication()
    return exists(select(CohortMember.id)
                  .join(CohortTrainer, CohortTrainer.cohort_id == CohortMember.cohort_id)
                  .join(Cohort, Cohort.id == CohortMember.cohort_id)
                  .where(CohortMember.user_id == facilitator,
                         CohortMember.accepted_at.is_not(None),
                         CohortTrainer.user_id == user_id, Cohort.kind == training))


def in_cohort_clause(learner, course) -> ColumnElement[bool]:
    """The learner takes the course as a member of some cohort."""
    return exists(_joined_memberships(learner, course))


def edits_clause(user_id: int, course) -> ColumnElement[bool]:
    """`user_id` is an editor of the course."""
    CourseDraft, CourseEditor, *_ = _models()
    return exists(select(CourseEditor.id)
                  .join(CourseDraft, CourseDraft.id == CourseEditor.draft_id)
                  .where(CourseEditor.user_id == user_id, CourseDraft.course_id == course))


def oversees_clause(user, learner, course) -> ColumnElement[bool]:
    """SQL form of `oversees` for a column (or value) of learner ids and of course ids."""
    if not _signed_in(user):
        return false()
    if user.is_admin:
        return true()
    if user.is_facilitator:
        return facilitates_clause(user.id, learner, course)
    if not user.is_trainer:
        return false()
    return or_(trains_clause(user.id, learner, course),
               and_(edits_clause(user.id, course), ~in_cohort_clause(learner, course)))


def _holds(clause: ColumnElement[bool]) -> bool:
    return bool(db.session.scalar(select(clause)))


# --------------------------------------------------------------------------- relations (one object)


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def oversees(user, learner_id: int, course_id: int | None) -> bool:
    """Whether `user` has rights over `learner_id`'s work in `course_id` (see the module doc)."""
    if not _signed_in(user) or course_id is None:
        return False
    if user.is_admin:
        return True
    if not (user.is_trainer or user.is_facilitator):
        return False
    return _holds(oversees_clause(user, literal(learner_id), literal(course_id)))


def edits_course(user, course_id: int | None) -> bool:
    """Admins edit every course; a trainer edits the courses they are an editor of."""
    if not _signed_in(user) or course_id is None:
        return False
    if user.is_admin:
        return True
    return bool(user.is_trainer) and _holds(edits_clause(user.id, literal(course_id)))


def trains_learner(user, learner_id: int, course_id: int) -> bool:
    """`user` trains a cohort the learner joined that takes the course (admins: always)."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    return bool(user.is_trainer) and _holds(
        trains_clause(user.id, literal(learner_id), literal(course_id)))


def trained_course_ids(user_id: int):
    """SQL: the ids of the courses taken by a cohort that `user_id` trains."""
    _d, _e, CohortCourse, _m, CohortTrainer = _models()
    return (select(CohortCourse.course_id)
            .join(CohortTrainer, CohortTrainer.cohort_id == CohortCourse.cohort_id)
            .where(CohortTrainer.user_id == user_id))


def trains_course(user, course_id: int) -> bool:
    """`user` trains some cohort that takes the course."""
    return _signed_in(user) and bool(user.is_trainer) and _holds(
        literal(course_id).in_(trained_course_ids(user.id)))


def facilitates_course(user, course_id: int) -> bool:
    """`user` is a facilitator running a replication cohort that takes the course."""
    return _signed_in(user) and bool(getattr(user, "is_facilitator", False)) and _holds(
        literal(course_id).in_(trained_course_ids(user.id)))


def _course_of_quiz(quiz_id: int) -> int | None:
    from lms.courses.models import Quiz

    return db.session.scalar(select(Quiz.course_id).where(Quiz.id == quiz_id))


# --------------------------------------------------------------------------- the named rules


def can_take_attempt(user, attempt) -> bool:
    """Answer, save and submit: the learner's own attempt only (nobody answers for them)."""
    return _signed_in(user) and attempt.user_id == user.id


def can_view_attempt(user, attempt) -> bool:
    """Read an attempt's answers and review: the learner, and whoever oversees their work."""
    if not _signed_in(user):
        return False
    return attempt.user_id == user.id or oversees(user, attempt.user_id,
                                                  _course_of_quiz(attempt.quiz_id))


def can_view_evidence(user, attempt) -> bool:
    """Download a file uploaded with an answer: the same people who may read the answer."""
    return can_view_attempt(user, attempt)


def can_grade(user, attempt) -> bool:
    """Grade an answer by hand: those who oversee the learner's work — never one's own."""
    return (_signed_in(user) and attempt.user_id != user.id
            and oversees(user, attempt.user_id, _course_of_quiz(attempt.quiz_id)))


def can_regrade(user, quiz) -> bool:
    """Re-grade every attempt of a quiz after its key changed: editors of the course, admins."""
    return edits_course(user, quiz.course_id)


def can_view_quiz_reports(user, quiz) -> bool:
    """A quiz's reports (answer distributions, question statistics): editors of the course,
    admins, trainers of a cohort taking it and facilitators of a replication cohort taking it
    (who then see their own members' answers only: `oversees_clause`)."""
    return (edits_course(user, quiz.course_id) or trains_course(user, quiz.course_id)
            or facilitates_course(user, quiz.course_id))


def can_view_certificate(user, certificate) -> bool:
    """Download a certificate's PDF or credential: its holder and whoever oversees their work in
    the course. (Anyone may *check* a certificate at /verify: that page shows no private data.)"""
    if not _signed_in(user):
        return False
    return certificate.user_id == user.id or oversees(user, certificate.user_id,
                                                      certificate.course_id)


def can_issue_certificate(user, learner, course) -> bool:
    """Issue a certificate by hand: to a learner of the course whose work the issuer oversees —
    a trainer of the learner's cohort in that course, or an editor of the course for a learner
    enrolled in it outside cohorts (admins: anyone enrolled or not) — never to oneself, and a
    trainer never to another trainer or admin (only an administrator issues to staff)."""
    if not _signed_in(user) or learner is None or course is None or learner.id == user.id:
        return False
    if user.is_admin:
        return True
    if not user.is_trainer or learner.is_trainer:
        return False
    return trains_learner(user, learner.id, course.id) or (
        edits_course(user, course.id) and _enrolled(learner.id, course.id)
        and oversees(user, learner.id, course.id))


def _enrolled(learner_id: int, course_id: int) -> bool:
    from lms.learning.models import Enrollment

    return _holds(exists(select(Enrollment.id).where(
        Enrollment.user_id == learner_id, Enrollment.course_id == course_id)))


def can_manage_certificate(user, certificate=None) -> bool:
    """Revoke, re-issue, approve a manual issue: administrators."""
    return _signed_in(user) and bool(user.is_admin)


def can_set_up_course_certificate(user, course=None) -> bool:
    """Set what one course's certificates print (institution, place, signatories with their
    signatures, stamp, logos): administrators only, like the site-wide set-up — not the
    course's editors. A signature image and a stamp are the issuing institution's marks on a
    document the site signs with its own key: a course editor (a trainer, who may already issue
    certificates by hand, under four eyes where `CERT_MANUAL_ISSUE_APPROVAL` is on) must not be
    able to put anyone's signature or stamp on them; they ask an administrator."""
    return _signed_in(user) and bool(user.is_admin)


def can_manage_cohort(user, cohort) -> bool:
    """Change a cohort, its members and deadlines, grade its work: its trainers and admins; a
    facilitator only the replication cohorts they run."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    replication, _training = _replication()
    if user.is_facilitator and cohort.kind != replication:
        return False
    if not (user.is_trainer or user.is_facilitator):
        return False
    # The cohort's trainers when they were loaded with it (the overview: one statement fewer);
    # an ORM instance keeps its loaded attributes in its __dict__.
    links = getattr(cohort, "__dict__", {}).get("trainer_links")
    if links is not None:
        return any(link.user_id == user.id for link in links)
    _d, _e, _c, _m, CohortTrainer = _models()
    return _holds(exists(
        select(CohortTrainer.id).where(CohortTrainer.cohort_id == cohort.id,
                                       CohortTrainer.user_id == user.id)))


def can_edit_course(user, draft) -> bool:
    """Author a course (its workspace): its editors and admins."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    if draft is None or not user.is_trainer:
        return False
    _d, CourseEditor, *_ = _models()
    return _holds(exists(select(CourseEditor.id).where(
        CourseEditor.draft_id == draft.id, CourseEditor.user_id == user.id)))


def confirms_activities_of(user, facilitator_id: int) -> bool:
    """`user` trains a training cohort that the facilitator joined (admins: always)."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    return bool(user.is_trainer) and _holds(
        trains_facilitator_clause(user.id, literal(facilitator_id)))


def activities_clause(user, facilitator) -> ColumnElement[bool]:
    """SQL form of `view_activity` for a column of facilitator ids: one's own, those of the
    facilitators one trained (master trainers), all (admins)."""
    if not _signed_in(user):
        return false()
    if user.is_admin:
        return true()
    if user.is_trainer:
        return trains_facilitator_clause(user.id, facilitator)
    return facilitator == user.id


def can_view_activity(user, activity) -> bool:
    """A field activity and its attachment: its facilitator, the master trainers who confirm it
    (trainers of a training cohort the facilitator joined), admins."""
    if not _signed_in(user):
        return False
    return activity.facilitator_id == user.id or confirms_activities_of(
        user, activity.facilitator_id)


def can_edit_activity(user, activity) -> bool:
    """Change a field activity: its facilitator only (the 7-day window is the service's rule)."""
    return (_signed_in(user) and bool(user.is_facilitator)
            and activity.facilitator_id == user.id)


def can_confirm_activity(user, activity) -> bool:
    """Confirm a field activity: a master trainer of a training cohort the facilitator joined,
    admins — never one's own."""
    return (_signed_in(user) and activity.facilitator_id != user.id
            and confirms_activities_of(user, activity.facilitator_id))


RULES: dict[str, Callable[..., bool]] = {
    "take_attempt": can_take_attempt,
    "view_attempt": can_view_attempt,
    "view_evidence": can_view_evidence,
    "grade": can_grade,
    "regrade": can_regrade,
    "view_quiz_reports": can_view_quiz_reports,
    "view_certificate": can_view_certificate,
    "issue_certificate": can_issue_certificate,
    "manage_certificate": can_manage_certificate,
    "set_up_course_certificate": can_set_up_course_certificate,
    "manage_cohort": can_manage_cohort,
    "edit_course": can_edit_course,
    "view_activity": can_view_activity,
    "edit_activity": can_edit_activity,
    "confirm_activity": can_confirm_activity,
}


def allowed(rule: str, *objects, user=None) -> bool:
    """Whether `user` (default: the current user) passes the named rule for `objects`."""
    return RULES[rule](current_user if user is None else user, *objects)


def require(rule: str, *objects, user=None) -> None:
    """Abort the request unless the current user passes the rule: 404 when the object does not
    exist, 403 when it exists but is not theirs to see (anonymous users are sent to log in by the
    view's `@rule` decorator before this runs)."""
    if any(obj is None for obj in objects):
        abort(404)
    if not allowed(rule, *objects, user=user):
        abort(403)


# --------------------------------------------------------------------------- declaring a view's rule

ACCESS_ATTR = "pelita_access"


def _declare(view, label: str):
    setattr(view, ACCESS_ATTR, label)
    return view


def public(view):
    """Anyone, signed in or not (catalogue, verification, sign-in pages)."""
    return _declare(view, "public")


def signed_in(view):
    """Any signed-in person, about their own things only (their profile, their courses)."""
    wrapped = login_required(view)
    return _declare(wrapped, "signed_in")


def role(*roles: str):
    """People holding one of the roles (admins pass every role check)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapped, "role:" + "|".join(sorted(str(r) for r in roles)))

    return decorator


def rule(name: str):
    """A signed-in person who passes the named rule; the view calls `require(name, obj)` once it
    has loaded the object (the matrix test checks both the declaration and the behaviour)."""
    if name not in RULES:
        raise KeyError(f"unknown access rule {name!r}")

    def decorator(view):
        return _declare(login_required(view), "rule:" + name)

    return decorator


def declared(view) -> str | None:
    """The rule a view declared, or None (the matrix test fails for such a route)."""
    return getattr(view, ACCESS_ATTR, None)
