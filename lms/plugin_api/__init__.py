"""The plugin API: everything a plugin may use of Pelita, re-exported by `lms.plugins`.

A plugin imports `lms.plugins` and nothing else of `lms` (a test and an import-linter contract
check the shipped plugins). Each name in `__all__` is part of the stable contract described in
docs/plugins.md ("The API"); `API_VERSION` says which contract this is. Nothing else here, or
anywhere in `lms`, is promised to stay.

Modules: `hooks` (registrations from `init_app`), `settings` (a plugin's own settings), `data`
(plain reads, jobs, audit records, transactions). The question-type contract, the learning
events, the job errors, access rules, the clock and form validators are re-exported from their
home modules unchanged.
"""

from __future__ import annotations

from lms import access, clock
from lms.certificates.pdf import DESIGN_CONTEXT, CertificateData
from lms.events import (
    ALL_SIGNALS,
    EVENT_DATA,
    certificate_issued,
    certificate_reissued,
    certificate_revoked,
    cohort_created,
    cohort_member_joined,
    course_completed,
    enrolled,
    module_completed,
    quiz_attempt_graded,
    quiz_attempt_submitted,
    user_registered,
)
from lms.forms import max_len, not_blank, required, valid_email
from lms.jobs.registry import PermanentJobError, job_handler
from lms.plugin_api.data import (
    AttemptView,
    JobView,
    QuizView,
    audit_record,
    current_quiz,
    enqueue,
    jobs_of_kind,
    quiz_attempt,
    quiz_responses,
    transaction,
)
from lms.plugin_api.hooks import (
    CertificateTemplate,
    PackSource,
    PluginError,
    certificate_templates,
    pack_sources,
    register_blueprint,
    register_certificate_template,
    register_cli,
    register_job_handler,
    register_pack_source,
    register_question_type,
    register_translations,
)
from lms.plugin_api.settings import PluginSettings, plugin_settings
from lms.quizzes.base import (
    N_,
    EditorColumn,
    EditorField,
    Grade,
    Problem,
    QuestionType,
    attr_flags,
    author_html,
    first_text,
    is_number,
    is_text,
    ordered,
)

# The contract's version, MAJOR.MINOR. MINOR grows when names or optional arguments are added
# (a plugin written for 1.0 runs on 1.3); MAJOR grows when a name is removed or changes meaning,
# after at least one MINOR release that documents the replacement.
API_VERSION = "1.0"

__all__ = [
    "API_VERSION",
    # hooks (call from init_app)
    "PluginError", "register_blueprint", "register_cli", "register_translations",
    "register_question_type", "register_certificate_template", "register_pack_source",
    "register_job_handler", "certificate_templates", "pack_sources", "CertificateTemplate",
    "PackSource",
    # settings
    "plugin_settings", "PluginSettings",
    # question types
    "QuestionType", "Grade", "Problem", "EditorField", "EditorColumn", "N_", "is_number",
    "is_text", "attr_flags", "author_html", "ordered", "first_text",
    # learning events
    "user_registered", "enrolled", "module_completed", "quiz_attempt_submitted",
    "quiz_attempt_graded", "course_completed", "certificate_issued", "certificate_revoked",
    "certificate_reissued", "cohort_created", "cohort_member_joined", "ALL_SIGNALS",
    "EVENT_DATA",
    # background jobs
    "job_handler", "PermanentJobError", "enqueue", "jobs_of_kind", "JobView",
    # reads
    "current_quiz", "QuizView", "quiz_attempt", "AttemptView", "quiz_responses",
    # writes
    "transaction", "audit_record",
    # access rules, time, forms
    "access", "clock", "required", "max_len", "not_blank", "valid_email",
    # certificate designs
    "CertificateData", "DESIGN_CONTEXT",
]

