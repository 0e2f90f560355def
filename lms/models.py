"""Every model, imported in one place so Alembic's autogenerate sees them all."""

from lms.auth.models import LibraryLevel, Role, User
from lms.certificates.models import Certificate
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
from lms.jobs.models import Job
from lms.learning.models import Enrollment, ModuleCompletion
from lms.paths.models import LearningPath, LearningPathCourse
from lms.quizzes.models import QuestionResponse, QuizAttempt

__all__ = [
    "Certificate",
    "Course", "CourseVersion", "Enrollment", "Job", "LearningPath", "LearningPathCourse",
    "LibraryLevel", "Module", "ModuleCompletion",
    "ModuleVersion", "PackBlob", "PackFile", "QuestionResponse", "Quiz", "QuizAttempt",
    "QuizVersion", "Role", "User",
]
