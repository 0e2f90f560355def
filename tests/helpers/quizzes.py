"""Quizzes for tests: small packs with one module and the given quiz files, written to
tmp_path and imported; enrolment, quiz settings, and the forms an attempt posts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from lms.courses.models import Course, Quiz, QuizVersion
from lms.courses.services.importer import import_packs, load_packs
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuizAttempt

COURSE_TOML = """\
slug = "{slug}"
version = "{version}"
area = "ict"
hours = 2
modules = ["satu"]

[title]
id = "Kursus Kuis Uji"
en = "Quiz Test Course"
"""

MODULE_MD = """\
+++
title = "Satu"
+++
# Satu

Isi modul.
"""

BASIC_QUIZ = """\
module = "satu"
kind = "module"
pass_mark = 60
attempts = {attempts}
grading = "{grading}"
time_limit_minutes = {time_limit}
shuffle_questions = false
shuffle_options = false

[title]
id = "Kuis Satu"
en = "Quiz One"

[[questions]]
id = "q1"
type = "single_choice"
text = "Ibu kota Indonesia?"
feedback = "Jakarta masih ibu kota."
options = [
  {{ id = "a", text = "Jakarta", correct = {a_correct}, feedback = "Ya." }},
  {{ id = "b", text = "Bandung", correct = {b_correct}, feedback = "Bukan." }},
]

[[questions]]
id = "q2"
type = "true_false"
text = "Perpustakaan desa melayani warga."
answer = true

[[questions]]
id = "q3"
type = "short_answer"
text = "Domain pemerintah: .go.___"
answers = [{{ text = "id", credit = 100 }}]
"""

ESSAY_QUIZ = """\
kind = "final"
pass_mark = 50
attempts = 0

[title]
id = "Ujian Esai"

[[questions]]
id = "e1"
type = "single_choice"
text = "Pilih A."
options = [
  { id = "a", text = "A", correct = true },
  { id = "b", text = "B", correct = false },
]

[[questions]]
id = "e2"
type = "essay"
text = "Jelaskan peran fasilitator."
points = 3
rubric = "Tiga poin: peran, contoh, refleksi."
"""

# Answers earning full marks on BASIC_QUIZ (form field names follow the layout positions).
RIGHT = {"q1": "a", "q2": "true", "q3": "id"}


def write_pack(root: Path, *, slug: str = "quiz-uji", version: str = "1",
               quizzes: dict[str, str] | None = None) -> Path:
    """A minimal pack with one module and the given quiz files."""
    pack = root / slug
    (pack / "modules").mkdir(parents=True, exist_ok=True)
    (pack / "quizzes").mkdir(exist_ok=True)
    (pack / "course.toml").write_text(COURSE_TOML.format(slug=slug, version=version))
    (pack / "modules" / "01-satu.md").write_text(MODULE_MD)
    for old in (pack / "quizzes").glob("*.toml"):
        old.unlink()
    for name, text in (quizzes or {}).items():
        (pack / "quizzes" / f"{name}.toml").write_text(text)
    return pack


def basic_quiz(*, attempts: int = 0, grading: str = "highest", time_limit: int = 0,
               right: str = "a") -> str:
    return BASIC_QUIZ.format(attempts=attempts, grading=grading, time_limit=time_limit,
                             a_correct=str(right == "a").lower(),
                             b_correct=str(right == "b").lower())


def import_pack(path: Path) -> Course:
    packs, problems = load_packs([path])
    assert problems == [], problems
    import_packs(packs)
    return db.session.scalar(select(Course).where(Course.slug == path.name))


def quiz_by_slug(course: Course, slug: str) -> Quiz:
    return db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == slug))


def set_settings(quiz: Quiz, **settings) -> QuizVersion:
    """Change settings of the quiz's current version (keys the pack loader does not know yet)."""
    version = quiz_queries.current_version(quiz)
    version.settings = {**version.settings, **settings}
    db.session.commit()
    return version


def enrol(user, course: Course) -> None:
    db.session.add(Enrollment(user_id=user.id, course_id=course.id))
    db.session.commit()


def setup_quiz(tmp_path: Path, user, **quiz_kwargs) -> tuple[Course, Quiz]:
    """Import a one-quiz pack and enrol `user`; returns (course, quiz)."""
    course = import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz(**quiz_kwargs)}))
    enrol(user, course)
    return course, quiz_by_slug(course, "kuis")


def answers_form(attempt: QuizAttempt, answers: dict[str, str]) -> dict[str, str]:
    """Form data answering questions by id, with the field names the attempt uses."""
    positions = {qid: i for i, qid in enumerate(attempt.question_ids)}
    return {quiz_rules.field_name(positions[qid]): value for qid, value in answers.items()}


def attempt_id_from(response) -> int:
    match = re.search(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


# Where the timing tests start the app's clock: 02:00 UTC, 09:00 WIB.
QUIZ_START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

# A practical assignment whose essay takes uploaded files (evidence), and files that are what
# their names say.
UPLOAD_QUIZ = """\
kind = "practical"
pass_mark = 50
attempts = 0

[title]
id = "Tugas Praktik"

[[questions]]
id = "p1"
type = "single_choice"
text = "Pilih A."
options = [
  { id = "a", text = "A", correct = true },
  { id = "b", text = "B", correct = false },
]

[[questions]]
id = "p2"
type = "essay"
text = "Unggah rencana pendampingan Anda."
points = 4
allow_upload = true
rubric = "Empat kriteria."
"""

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def answer(user, quiz, answers) -> QuizAttempt:
    """`user` answers `quiz` through the services (`answers`: field name -> value) and submits."""
    from lms.quizzes.services import attempts as quiz_attempts

    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, answers)
    return quiz_attempts.submit(attempt)
