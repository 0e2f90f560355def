"""Reads for the report pages, aggregated in SQL, each in a constant number of queries however
many rows there are: `statistics` (question statistics of a quiz), `cohorts` (cohort
dashboard, participant record, gradebook) and `programme` (the roll-up by region). Every list
is filtered with the access policy, or belongs to a page only admins open."""

from __future__ import annotations

from lms.reports.queries.cohorts import (  # noqa: F401  (the package's API)
    KIND_ORDER,
    Cell,
    ModuleDone,
    QuizColumn,
    Record,
    certificate_status,
    dashboard_rows,
    grade_cells,
    last_activity,
    participant_record,
    quiz_columns,
    user_by_id,
    weekly_module_completions,
)
from lms.reports.queries.programme import (  # noqa: F401  (the package's API)
    ACTIVE_DAYS,
    FACILITATOR_ROLE,
    FIGURE_QUERIES,
    STAFF_ROLES,
    ProgrammeRollup,
    Scope,
    active,
    certified,
    completed,
    course_choices,
    enrolled,
    facilitators,
    programme_rollup,
    target_rows,
    targets,
    villages_reached,
)
from lms.reports.queries.statistics import (  # noqa: F401  (the package's API)
    QuestionInfo,
    QuizStatistics,
    ReportableQuiz,
    quiz_statistics,
    reportable_quizzes,
)
