"""The quiz engine's writers, one module per seam: `attempts` (start, save, upload, submit,
close overdue), `grading` (automatic, manual and rubric grading, re-grading) and `bank`
(question files imported into a course pack). Reads are in `lms.quizzes.queries`, the pure
rules in `lms.quizzes.rules`."""
