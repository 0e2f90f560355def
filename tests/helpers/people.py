"""Who is who in access tests: a course's editor, a cohort whose member has joined.

Rights over a learner's work come from relations (lms/access.py), not from the trainer role
alone; these helpers set the relations up through the real services.
"""

from __future__ import annotations

from lms.authoring.services import drafts
from lms.cohorts import services as cohort_services
from tests.helpers.cohorts import add_joined


def make_editor(trainer, course) -> None:
    """Make `trainer` an editor of `course` (as an admin adding them on the editors page)."""
    draft = drafts.open_draft(course.slug, None)
    drafts.add_editor(draft, trainer, user=None)


def join_cohort(trainer, learners, course=None, *, name: str = "Angkatan Uji", courses=None):
    """A cohort trained by `trainer` taking `course` (or `courses`), with `learners` invited
    and every one of them having accepted. Returns the cohort."""
    wanted = courses if courses is not None else ([course] if course is not None else [])
    cohort = cohort_services.create_cohort(trainer, name=name, course_ids=[c.id for c in wanted])
    for learner in learners if isinstance(learners, list | tuple) else [learners]:
        add_joined(trainer, cohort, learner)
    return cohort
