"""Cohorts for tests: a course taken in cohorts with a practical assignment graded by a
criteria rubric, cohorts made through the real services, members invited and joined, and
practical answers submitted."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from lms.auth.models import User
from lms.cohorts import services
from lms.cohorts.models import Cohort, CohortMember
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.quizzes import import_pack, write_pack

PRACTICAL = """\
kind = "practical"
pass_mark = 63
attempts = 2
grading = "last"

[title]
id = "Tugas Praktik"
en = "Practical Assignment"

[[questions]]
id = "rencana"
type = "essay"
points = 4
text = "Susun rencana pendampingan."
rubric = \"\"\"
Beri skor 1–4 untuk setiap kriteria.

**1. Relevansi** — menjawab kebutuhan warga?
- 4: Jelas berangkat dari pemetaan.
- 1: Rencana umum.

**2. Inklusi dan etika** — menjangkau yang tertinggal?
- 4: Kelompok tertinggal dilibatkan.
- 1: Merugikan warga.
\"\"\"
"""


def cohort_course(tmp_path, slug="kursus-angkatan"):
    """A course taken in cohorts, with a practical assignment (quiz `tugas`) graded by a
    criteria rubric."""
    pack = write_pack(tmp_path, slug=slug, quizzes={"tugas": PRACTICAL})
    toml = pack / "course.toml"
    toml.write_text('enrolment = "cohort"\n' + toml.read_text())
    return import_pack(pack)


def make_cohort(trainer, course=None, **kwargs) -> Cohort:
    """A cohort trained by `trainer`, taking `course` (if given), with no members."""
    return services.create_cohort(trainer, name=kwargs.pop("name", "Angkatan Uji"),
                                  course_ids=[course.id] if course else [], **kwargs)


def accept_new(added) -> User:
    """The invited new account sets its password through the link: a member."""
    token = added.link.rsplit("/invite/", 1)[1]
    return services.accept_invitation(token, full_name=added.user.full_name,
                                      password="kata-sandi-baru-123")


def add_joined(trainer, cohort, user) -> CohortMember:
    """Invite an existing account and let the person accept: a member."""
    added = services.add_member(trainer, cohort, email=user.email, full_name=user.full_name)
    return services.join(user, added.member.id)


def submit_practical(user, quiz, text="Rencana saya.") -> QuizAttempt:
    """`user` answers the practical assignment with `text` and submits it (to be graded)."""
    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, MultiDict({quiz_rules.field_name(0): text}))
    return quiz_attempts.submit(attempt)
