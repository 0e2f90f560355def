"""The API's resources as marshmallow schemas: the OpenAPI document (`spec.py`) is built from
them, and every response is dumped through one (so a response has exactly its schema's fields)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from lms.auth.models import Role


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True, metadata={"description": "In the request's language "
                                                     "(Accept-Language: id or en)."})
    field = fields.String(required=True, allow_none=True,
                          metadata={"description": "The input field at fault, if any."})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Page(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "URL of the next page, null on the last"})
    prev = fields.String(required=True, allow_none=True)


class Progress(Schema):
    enrolled = fields.Boolean(required=True)
    completed = fields.Boolean(required=True)
    percent = fields.Integer(required=True)
    modules_done = fields.Integer(required=True)
    modules_total = fields.Integer(required=True)
    quizzes_passed = fields.Integer(required=True)
    quizzes_total = fields.Integer(required=True)


class CourseSummary(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    area = fields.String(required=True)
    hours = fields.Integer(required=True)
    module_count = fields.Integer(required=True)
    enrolment = fields.String(required=True, metadata={"description": "open, cohort, ..."})
    url = fields.String(required=True, metadata={"description": "The course's web page"})


class CoursePage(Page):
    items = fields.List(fields.Nested(CourseSummary), required=True)


class ModuleItem(Schema):
    slug = fields.String(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    objectives = fields.List(fields.String(), required=True)


class QuizItem(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "module, final or practical"})
    module = fields.String(required=True, allow_none=True,
                           metadata={"description": "Slug of its module; null for the course's"})


class CourseDetail(CourseSummary):
    sequential = fields.Boolean(required=True)
    version = fields.String(required=True)
    modules = fields.List(fields.Nested(ModuleItem), required=True)
    quizzes = fields.List(fields.Nested(QuizItem), required=True)
    progress = fields.Nested(Progress, required=True, allow_none=True,
                             metadata={"description": "The token's user's progress; null "
                                       "without a token"})


class ModuleContent(Schema):
    course = fields.String(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    objectives = fields.List(fields.String(), required=True)
    html = fields.String(required=True, metadata={"description": "Rendered and sanitised"})
    markdown = fields.String(required=True, allow_none=True,
                             metadata={"description": "The module's source file"})
    done = fields.Boolean(required=True)
    quizzes = fields.List(fields.Nested(QuizItem), required=True)


class ModuleDone(Schema):
    done = fields.Boolean(required=True)
    course_completed = fields.Boolean(required=True)
    progress = fields.Nested(Progress, required=True)


class Me(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    locale = fields.String(required=True, allow_none=True)
    library_name = fields.String(required=True, allow_none=True)
    province_code = fields.String(required=True, allow_none=True)
    regency_code = fields.String(required=True, allow_none=True)
    token_scopes = fields.List(fields.String(), required=True)


class Enrolment(Schema):
    course = fields.Nested(CourseSummary, required=True)
    status = fields.String(required=True)
    enrolled_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    progress = fields.Nested(Progress, required=True)


class EnrolmentPage(Page):
    items = fields.List(fields.Nested(Enrolment), required=True)


class Question(Schema):
    position = fields.Integer(required=True)
    number = fields.Integer(required=True, allow_none=True,
                            metadata={"description": "null for a description (no answer)"})
    field = fields.String(required=True, metadata={"description": "e.g. q0"})
    type = fields.String(required=True)
    points = fields.Float(required=True)
    inputs = fields.List(fields.String(), required=True,
                         metadata={"description": "The input names an answer may use (the "
                                   "form fields of the attempt page)"})
    html = fields.String(required=True,
                         metadata={"description": "The question as the attempt page shows it, "
                                   "with its inputs and the saved answer; never the key"})
    answered = fields.Boolean(required=True)


class Attempt(Schema):
    id = fields.Integer(required=True)
    quiz_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "in_progress, submitted, "
                                                    "graded"})
    started_at = fields.DateTime(required=True)
    deadline_at = fields.DateTime(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    score = fields.Float(required=True, allow_none=True,
                         metadata={"description": "Percent; null until graded or while the "
                                   "review policy hides the marks"})
    passed = fields.Boolean(required=True, allow_none=True)
    questions = fields.List(fields.Nested(Question), required=True,
                            metadata={"description": "While in progress, for its learner"})


class AnswersIn(Schema):
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                          metadata={"description": "Input name -> value or list of values, as "
                                    "the attempt page's form would send them. A question whose "
                                    "field is in `shown` but has no value is cleared."})
    shown = fields.List(fields.String(), load_default=list)
    client = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$"),
                           metadata={"description": "A device id: with `seq`, a late save "
                                     "never overwrites a newer one (as the page's background "
                                     "save)"})
    seq = fields.Dict(keys=fields.String(), values=fields.Integer(
        validate=validate.Range(min=0, max=2**53 - 1)), load_default=dict,
        metadata={"description": "Field -> edit number from this device"})


class AnswersSaved(Schema):
    saved = fields.List(fields.String(), required=True, metadata={"description": "Question ids"})
    acked = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class ReviewItem(Schema):
    number = fields.Integer(required=True, allow_none=True)
    field = fields.String(required=True)
    state = fields.String(required=True)
    points = fields.Float(required=True, allow_none=True)
    earned = fields.Float(required=True, allow_none=True)
    feedback = fields.List(fields.String(), required=True)
    general_feedback = fields.String(required=True, allow_none=True)
    comment = fields.String(required=True, allow_none=True)
    right_answer = fields.String(required=True, allow_none=True)
    html = fields.String(required=True)


class Review(Schema):
    attempt = fields.Nested(Attempt, required=True)
    shows = fields.List(fields.String(), required=True,
                        metadata={"description": "What the quiz's review policy lets the "
                                  "learner see now"})
    pass_mark = fields.Float(required=True)
    items = fields.List(fields.Nested(ReviewItem), required=True)


class Certificate(Schema):
    code = fields.String(required=True)
    course = fields.String(required=True, metadata={"description": "Course slug"})
    course_title = fields.String(required=True)
    holder_name = fields.String(required=True)
    status = fields.String(required=True)
    completed_on = fields.Date(required=True)
    pdf = fields.String(required=True, metadata={"description": "API URL of the PDF"})
    credential = fields.String(required=True,
                               metadata={"description": "API URL of the signed credential"})
    verify_url = fields.String(required=True)


class CertificatePage(Page):
    items = fields.List(fields.Nested(Certificate), required=True)


class Verification(Schema):
    code = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "valid, expired, revoked, "
                                                    "superseded"})
    holder_name = fields.String(required=True)
    course = fields.Dict(required=True)
    content_version = fields.String(required=True)
    hours = fields.Integer(required=True)
    completed_on = fields.String(required=True)
    issuer = fields.String(required=True)
    expires_on = fields.String(required=True, allow_none=True)
    verify_url = fields.String(required=True)
    score = fields.Float()
    revoked_on = fields.String()
    revoke_reason = fields.String(allow_none=True)
    superseded_by = fields.String()


class CredentialKey(Schema):
    id = fields.String(required=True)
    jwk = fields.Dict(required=True)


class CredentialKeys(Schema):
    keys = fields.List(fields.Nested(CredentialKey), required=True)
    issuer = fields.String(required=True)


class Cohort(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    starts_on = fields.Date(required=True, allow_none=True)
    ends_on = fields.Date(required=True, allow_none=True)
    members = fields.Integer(required=True)
    courses = fields.Integer(required=True)


class CohortPage(Page):
    items = fields.List(fields.Nested(Cohort), required=True)


class MemberCourse(Schema):
    course = fields.String(required=True)
    progress = fields.Nested(Progress, required=True)
    overdue = fields.Boolean(required=True, metadata={
        "description": "The cohort's deadline for the course has passed and it is not completed"})
    certificate = fields.String(required=True, validate=validate.OneOf(("issued", "revoked",
                                                                        "none")))


class Member(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    library_name = fields.String(required=True, allow_none=True)
    province_code = fields.String(required=True, allow_none=True)
    regency_code = fields.String(required=True, allow_none=True)
    courses = fields.List(fields.Nested(MemberCourse), required=True)
    # The cohort dashboard's figures (lms.reports.dashboard: the page's rules).
    joined_at = fields.DateTime(required=True, allow_none=True)
    last_activity = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "The latest course activity or quiz attempt start, save or submission"})
    idle_days = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Whole days since the last activity (or joining)"})
    inactive = fields.Boolean(required=True, metadata={
        "description": "Nothing done for `inactive_days` days (default 14) or more"})
    stuck = fields.Boolean(required=True, metadata={
        "description": "Not completed, and a quiz failed and not passed since or a course "
                       "deadline passed"})
    completed = fields.Boolean(required=True, metadata={
        "description": "Every course of the cohort completed"})
    percent = fields.Integer(required=True, metadata={
        "description": "The mean of the course percentages"})
    quizzes_passed = fields.Integer(required=True)
    quizzes_failed = fields.Integer(required=True)
    certificates = fields.Integer(required=True, metadata={
        "description": "Courses of the cohort with a standing certificate"})


class MemberPage(Page):
    items = fields.List(fields.Nested(Member), required=True)


class GradebookQuiz(Schema):
    quiz_id = fields.Integer(required=True)
    course = fields.String(required=True, metadata={"description": "The course's slug"})
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "module, final, practical"})
    grading = fields.String(required=True, validate=validate.OneOf(
        ("highest", "average", "first", "last")))
    pass_mark = fields.Float(required=True, metadata={"description": "The grade it needs, %"})


class GradebookCell(Schema):
    quiz_id = fields.Integer(required=True)
    grade = fields.Float(required=True, allow_none=True, metadata={
        "description": "Percent, by the quiz's grading method; null before a graded attempt"})
    passed = fields.Boolean(required=True)
    needs_grading = fields.Boolean(required=True, metadata={
        "description": "An attempt is waiting for a trainer's grade"})
    attempts = fields.Integer(required=True, metadata={"description": "Finished attempts"})


class GradebookRow(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    grades = fields.List(fields.Nested(GradebookCell), required=True,
                         metadata={"description": "In the order of `quizzes`"})


class Gradebook(Page):
    quizzes = fields.List(fields.Nested(GradebookQuiz), required=True)
    items = fields.List(fields.Nested(GradebookRow), required=True)


class TestStatistics(Schema):
    attempts = fields.Integer(required=True)
    mean = fields.Float(required=True, allow_none=True)
    median = fields.Float(required=True, allow_none=True)
    sd = fields.Float(required=True, allow_none=True)
    skewness = fields.Float(required=True, allow_none=True)
    kurtosis = fields.Float(required=True, allow_none=True)
    cic = fields.Float(required=True, allow_none=True, metadata={
        "description": "Coefficient of internal consistency, %"})
    error_ratio = fields.Float(required=True, allow_none=True)
    standard_error = fields.Float(required=True, allow_none=True)


class QuestionStatistics(Schema):
    number = fields.Integer(required=True)
    question_id = fields.String(required=True)
    type = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "The question, plain text"})
    attempts = fields.Integer(required=True)
    facility = fields.Float(required=True, allow_none=True, metadata={"description": "%"})
    sd = fields.Float(required=True, allow_none=True)
    random_guess = fields.Float(required=True, allow_none=True)
    discrimination = fields.Float(required=True, allow_none=True)
    efficiency = fields.Float(required=True, allow_none=True)
    flags = fields.List(fields.String(), required=True, metadata={
        "description": "too_easy, too_hard, negative_discrimination, ..."})


class QuizStatistics(Schema):
    quiz_id = fields.Integer(required=True)
    title = fields.String(required=True)
    attempts = fields.String(required=True, validate=validate.OneOf(("graded", "first", "all")),
                             metadata={"description": "Which attempts are analysed"})
    grading = fields.String(required=True)
    learners = fields.Integer(required=True)
    waiting = fields.Integer(required=True, metadata={
        "description": "Finished attempts waiting for a grade (not analysed)"})
    excluded = fields.List(fields.String(), required=True, metadata={
        "description": "Questions without marks (not analysed)"})
    bands = fields.List(fields.Integer(), required=True, metadata={
        "description": "Analysed attempts per score band: 0-10 %, 10-20 %, ... 90-100 %"})
    test = fields.Nested(TestStatistics, required=True)
    questions = fields.List(fields.Nested(QuestionStatistics), required=True)


class ProgrammeCounts(Schema):
    enrolled = fields.Integer(required=True)
    active = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    certified = fields.Integer(required=True)
    facilitators = fields.Integer(required=True)
    villages = fields.Integer(required=True)


class ProgrammeRow(Schema):
    code = fields.String(required=True, metadata={
        "description": "Kemendagri code; empty for people without a region; total"})
    name = fields.String(required=True)
    counts = fields.Nested(ProgrammeCounts, required=True)
    facilitators_target = fields.Integer(required=True, allow_none=True)
    facilitators_percent = fields.Float(required=True, allow_none=True)
    villages_target = fields.Integer(required=True, allow_none=True)
    villages_percent = fields.Float(required=True, allow_none=True)


class Programme(Schema):
    province = fields.String(required=True, allow_none=True, metadata={
        "description": "null: by province; else this province's regencies and cities"})
    course_id = fields.Integer(required=True, allow_none=True)
    rows = fields.List(fields.Nested(ProgrammeRow), required=True)
    total = fields.Nested(ProgrammeRow, required=True)
    province_villages_target = fields.Integer(required=True, allow_none=True)
    province_facilitators_target = fields.Integer(required=True, allow_none=True)


class QueueItem(Schema):
    response_id = fields.Integer(required=True)
    attempt_id = fields.Integer(required=True)
    learner = fields.String(required=True)
    quiz = fields.String(required=True)
    question_id = fields.String(required=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)


class QueuePage(Page):
    items = fields.List(fields.Nested(QueueItem), required=True)


class GradeIn(Schema):
    points = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                          validate=validate.Range(min=0),
                          metadata={"description": "The answer's points (0 to its maximum)"})
    criteria = fields.List(fields.Integer(validate=validate.Range(min=0, max=100)),
                           load_default=None, allow_none=True,
                           validate=validate.Length(max=50),
                           metadata={"description": "For a rubric with numbered criteria: a "
                                     "score per criterion, in order (then `points` is "
                                     "computed, as on the grading page)"})
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class Graded(Schema):
    attempt = fields.Nested(Attempt, required=True)


class User(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class UserPage(Page):
    items = fields.List(fields.Nested(User), required=True)


class RoleIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))


class ActiveIn(Schema):
    active = fields.Boolean(required=True)


class RevokeIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReissueIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    holder_name = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=200),
                                metadata={"description": "A corrected name; the same when "
                                          "null"})


class UserIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(load_default="participant",
                         validate=validate.OneOf([r.value for r in Role]))


class CascadeFigures(Schema):
    activities = fields.Integer(required=True)
    women = fields.Integer(required=True)
    men = fields.Integer(required=True)
    participants = fields.Integer(required=True)
    villages = fields.Integer(required=True, metadata={"description": "Distinct villages"})
    last = fields.Date(required=True, allow_none=True, metadata={
        "description": "The latest activity's date"})


class CascadeVillage(Schema):
    code = fields.String(required=True, metadata={"description": "Kemendagri village code"})
    name = fields.String(required=True)
    library = fields.String(required=True)
    figures = fields.Nested(CascadeFigures, required=True)


class CascadeFacilitator(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    province_code = fields.String(required=True, allow_none=True)
    regency_code = fields.String(required=True, allow_none=True)
    gap = fields.Boolean(required=True, metadata={
        "description": "No field activity in the last `gap_days` days (or none at all)"})
    figures = fields.Nested(CascadeFigures, required=True)
    villages = fields.List(fields.Nested(CascadeVillage), required=True, metadata={
        "description": "Only for the facilitator asked for with `facilitator`"})


class CascadeTrainer(Schema):
    user_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "null: facilitators with no master trainer in Pelita (admins only)"})
    name = fields.String(required=True, allow_none=True)
    figures = fields.Nested(CascadeFigures, required=True)
    facilitators = fields.List(fields.Nested(CascadeFacilitator), required=True)


class CascadeTree(Schema):
    gap_days = fields.Integer(required=True)
    trainers = fields.List(fields.Nested(CascadeTrainer), required=True)
