"""Reads for the report pages, aggregated in SQL, each in a constant number of queries however
many rows there are: `statistics` (question statistics of a quiz) and `cohorts` (cohort
dashboard, participant record, gradebook). Every list is filtered with the access policy."""

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
from lms.reports.queries.statistics import (  # noqa: F401  (the package's API)
    QuestionInfo,
    QuizStatistics,
    ReportableQuiz,
    quiz_statistics,
    reportable_quizzes,
)
