"""Course packs: schema, loader, validation, discovery and Markdown rendering (no Flask)."""

from .discovery import ENTRY_POINT_GROUP, discover_packs
from .frontmatter import FrontMatterError, read_markdown_front_matter
from .loader import (
    MAX_MEDIA_BYTES,
    MAX_TEXT_BYTES,
    compute_content_hash,
    load_pack,
    validate_pack,
    write_pack,
)
from .model import (
    AREAS,
    ENROLMENTS,
    QUIZ_KINDS,
    CertificateSettings,
    Completion,
    CoursePack,
    ModuleSource,
    QuizSource,
)
from .problems import CoursePackError, Problem
from .quiz_settings import GRADING_METHODS
from .references import Reference, classify_reference, find_references
from .render import render_markdown

__all__ = [
    "AREAS",
    "ENROLMENTS",
    "ENTRY_POINT_GROUP",
    "GRADING_METHODS",
    "MAX_MEDIA_BYTES",
    "MAX_TEXT_BYTES",
    "QUIZ_KINDS",
    "CertificateSettings",
    "Completion",
    "CoursePack",
    "CoursePackError",
    "FrontMatterError",
    "ModuleSource",
    "Problem",
    "QuizSource",
    "Reference",
    "classify_reference",
    "compute_content_hash",
    "discover_packs",
    "find_references",
    "load_pack",
    "read_markdown_front_matter",
    "render_markdown",
    "validate_pack",
    "write_pack",
]
