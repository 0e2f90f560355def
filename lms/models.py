"""Every model, imported in one place so Alembic's autogenerate sees them all."""

from lms.audit import AuditEvent
from lms.auth.models import LibraryLevel, LoginSession, PersonalAccessToken, Role, User
from lms.authoring.models import CourseDraft, CourseEditor, DraftFile
from lms.cascade.models import FieldActivity, FieldActivityFile
from lms.certificates.models import Certificate, CertificateSettings
from lms.cohorts.models import Cohort, CohortCourse, CohortMember, CohortTrainer
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
from lms.notifications import Notification
from lms.paths.models import LearningPath, LearningPathCourse
from lms.plugin_store import PluginSetting, PluginState
from lms.quizzes.models import QuestionResponse, QuizAttempt, RubricScore
from lms.reports.models import RegionTarget

__all__ = [
    "AuditEvent", "Certificate", "CertificateSettings", "FieldActivity", "FieldActivityFile", "CourseDraft", "CourseEditor", "DraftFile",
    "PluginSetting", "PluginState",
    "Course", "CourseVersion", "Enrollment", "Job", "LearningPath", "LearningPathCourse",
    "LibraryLevel", "LoginSession", "PersonalAccessToken", "Module", "ModuleCompletion",
    "ModuleVersion", "PackBlob", "PackFile", "QuestionResponse", "Quiz", "QuizAttempt",
    "QuizVersion", "RegionTarget", "Role", "User",
    "Cohort", "CohortCourse", "CohortMember", "CohortTrainer", "Notification", "RubricScore",
]
