"""Plain data classes describing a loaded course pack."""

from __future__ import annotations

from dataclasses import dataclass, field

AREAS = ("ict", "information-management", "community-engagement", "other")
ENROLMENTS = ("open", "cohort")
QUIZ_KINDS = ("module", "final", "practical")


@dataclass
class Completion:
    """What a learner must do to complete the course."""

    modules: str | int = "all"
    min_module_quiz_score: float = 70
    final_min_score: float = 75
    practical: bool = False


@dataclass
class CertificateSettings:
    """How the course certificate is issued."""

    enabled: bool = True
    hours: int = 0
    valid_months: int = 0
    show_score: bool = False
    template: str = "default"


@dataclass
class ModuleSource:
    """One module file: front matter plus its Markdown body."""

    slug: str
    position: int
    filename: str
    title: str
    title_en: str | None
    minutes: int
    objectives: list[str]
    body_markdown: str
    body_line_offset: int


@dataclass
class QuizSource:
    """One quiz file; `questions` are raw dicts, each with its `_line` in the file."""

    slug: str
    filename: str
    module: str | None
    kind: str
    settings: dict
    title: dict[str, str]
    questions: list[dict]


@dataclass
class CoursePack:
    """A validated course pack with every file's bytes and a content hash."""

    slug: str
    version: str
    area: str
    hours: int
    enrolment: str
    sequential: bool
    authors: list[str]
    prerequisites: list[str]
    title: dict[str, str]
    summary: dict[str, str]
    completion: Completion
    certificate: CertificateSettings
    modules: list[ModuleSource]
    quizzes: list[QuizSource]
    media: list[str]
    files: dict[str, bytes] = field(repr=False)
    content_hash: str = ""
    source: str = ""
    # `replication = true`: facilitators may run it in their replication cohorts for village
    # library staff.
    replication: bool = False

    def module(self, slug: str) -> ModuleSource | None:
        """The module with this slug, or None."""
        return next((m for m in self.modules if m.slug == slug), None)

    def quizzes_for(self, module_slug: str | None) -> list[QuizSource]:
        """Quizzes attached to a module (None = course-level quizzes)."""
        return [q for q in self.quizzes if q.module == module_slug]

    @property
    def final_quiz(self) -> QuizSource | None:
        """The course's final assessment, if it has one."""
        return next((q for q in self.quizzes if q.kind == "final"), None)
