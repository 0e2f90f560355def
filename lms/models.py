"""Every model, imported in one place so Alembic's autogenerate sees them all."""

from lms.auth.models import LibraryLevel, Role, User
from lms.courses.models import (
    Course,
    CourseVersion,
    Module,
    ModuleVersion,
    PackBlob,
    PackFile,
    Quiz,
    QuizVersion,
)
from lms.learning.models import Enrollment, ModuleCompletion

__all__ = [
    "Course", "CourseVersion", "Enrollment", "LibraryLevel", "Module", "ModuleCompletion",
    "ModuleVersion", "PackBlob", "PackFile", "Quiz", "QuizVersion", "Role", "User",
]
