"""The quiz and question-bank editor in the browser (`/author/<slug>/quizzes/...`).

Longer than 600 lines on purpose: every page of the quiz editor (list, settings, each question
type's form, move, delete, preview, import) is here; the rules they apply are pure
(`quizfiles.settings_from_values`, `lms.quizzes.editor`), only the page plumbing remains.

Every page works on the course's workspace (`lms.authoring.services.drafts`): a quiz is the draft file
`quizzes/<quiz>.toml`, read with `quizfiles.parse` and written with `quizfiles.dump` through
`drafts.save_file` with the revision the page was loaded with (a concurrent save is refused
with `EditConflict`, the author's input stays in the form). A save that would add a problem the
pack loader reports for the quiz file is refused with the loader's message, so the draft stays
publishable. Question forms are described by the question types (`lms.quizzes.editor`), so
plugin types get an editor too. The preview renders questions with the types' own `render`,
as the learner's attempt page does, and grades answers without storing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.routing import BuildError

from lms import access
from lms.authoring import quality as quiz_quality
from lms.authoring import quizfiles
from lms.authoring.access import authors_only, editable_draft_or_abort
from lms.authoring.forms import (
    QuestionImportForm,
    QuizSettingsForm,
    RevisionActionForm,
    kind_choices,
    review_moment_labels,
)
from lms.authoring.models import DraftFile
from lms.authoring.services import drafts, editing
from lms.content import render_markdown
from lms.content.quiz_settings import DEFAULT_REVIEW as _DEFAULT_REVIEW
from lms.content.quiz_settings import REVIEW_ITEMS, REVIEW_MOMENTS
from lms.courses.services.importer import module_path
from lms.extensions import db
from lms.i18n import gettext as _
from lms.i18n import ngettext
from lms.quizzes import editor
from lms.quizzes.base import Grade
from lms.quizzes.markup import plain_text
from lms.quizzes.registry import UnknownQuestionType
from lms.quizzes.setup import question_types

bp = Blueprint("authoring_quizzes", __name__, url_prefix="/author")

# The schema's defaults (lms.content.quiz_settings), as the lists a quiz file holds.
DEFAULT_REVIEW = {moment: list(items) for moment, items in _DEFAULT_REVIEW.items()}
MAX_IMPORT_BYTES = 1024 * 1024


bp.before_request(authors_only)





# ----------------------------------------------------------------------------- helpers


def _overview_url(slug: str) -> str | None:
    for endpoint in ("authoring.overview", "authoring.workspace"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, slug=slug)
            except BuildError:
                continue
    return None


def _revision(value: Any) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() else None


def _registry():
    return question_types()


def _qtype_or_404(name: str):
    try:
        return _registry().get(name)
    except UnknownQuestionType:
        abort(404)


def _type_label(name: str) -> str:
    try:
        label = _registry().get(name).label
    except UnknownQuestionType:
        return name
    return _(label) if label else name


def _course_modules(draft) -> list[str]:
    """Module slugs of the draft's course.toml (empty when it cannot be read)."""
    row = drafts.get_file(draft, "course.toml")
    if row is None:
        return []
    try:
        doc = quizfiles.parse(row.data)
    except quizfiles.QuizFileError:
        return []
    modules = doc.get("modules")
    return [str(m) for m in modules] if isinstance(modules, list) else []


@dataclass
class LoadedQuiz:
    slug: str
    path: str
    row: DraftFile
    text: str
    settings: dict
    questions: list[dict]

    def title(self, locale: str) -> str:
        """The quiz's title in the reader's language (its slug only when it has none)."""
        return editing.localized_title(self.settings.get("title"), locale) or self.slug


def _quiz_or_404(draft, quiz: str) -> LoadedQuiz:
    if not quizfiles.valid_slug(quiz):
        abort(404)
    path = quizfiles.quiz_path(quiz)
    row = drafts.get_file(draft, path)
    if row is None:
        abort(404)
    text = row.data.decode("utf-8", errors="replace")
    try:
        doc = quizfiles.parse(text)
    except quizfiles.QuizFileError as err:
        abort(422, description=_("This quiz file cannot be read: %(error)s", error=str(err)))
    return LoadedQuiz(quiz, path, row, text, quizfiles.settings_of(doc),
                      quizfiles.questions_of(doc))


def _conflict_message(err: drafts.EditConflict) -> str:
    if err.current_revision is None:
        return _("Someone deleted or created this quiz after you opened the page. Nothing was "
                 "saved; your input is kept below.")
    return _("%(name)s saved this quiz after you opened the page. Nothing was saved, so their "
             "work is not overwritten. Your input is kept below: copy what you need, reload the "
             "page and make your change again.", name=err.by or _("Another editor"))


def _new_problems(draft, path: str, text: str, *, allow_empty: bool,
                  media: dict[str, bytes] | None = None) -> list[str]:
    """Messages of problems the pack loader would report for `path` after the change and does
    not report now (problems the file already had do not block a save). `media`: files added
    with the change (an imported question's images)."""
    files = drafts.files(draft)
    before_data = files.get(path)
    files.update(media or {})
    files[path] = text.encode("utf-8")
    after = [p for p in drafts.validate_files(files) if p.file == path]
    if allow_empty:
        after = [p for p in after if "quiz has no questions" not in p.message]
    if not after:
        return []
    before: set[str] = set()
    if before_data is not None:
        files[path] = before_data
        before = {p.message for p in drafts.validate_files(files) if p.file == path}
    return [p.message for p in after if p.message not in before]


def _write(draft, quiz: LoadedQuiz | None, path: str, settings: dict, questions: list[dict], *,
           revision: int | None, action: str, detail: dict | None = None,
           media: dict[str, bytes] | None = None) -> list[str]:
    """Save the quiz file (and new `media` files, in the same transaction); returns the
    loader's new problems (nothing saved) or []. Raises EditConflict when the file changed
    since `revision`."""
    text = quizfiles.dump(settings, questions, quiz.text if quiz is not None else None)
    doc = quizfiles.parse(text)  # the writer's promise: it reads back as what was given
    if quizfiles.questions_of(doc) != questions or quizfiles.settings_of(doc) != settings:
        raise RuntimeError(f"{path} does not read back as written")
    problems = _new_problems(draft, path, text, allow_empty=not questions, media=media)
    if problems:
        return problems
    if media:
        changes = {path: (text.encode("utf-8"), revision)}
        changes.update({m: (data, None) for m, data in media.items()})
        drafts.save_files(draft, changes, user=current_user, action=action, target=path,
                          detail=detail)
        return []
    drafts.save_file(draft, path, text.encode("utf-8"), expected_revision=revision,
                     user=current_user, action=action, detail=detail)
    return []


def _quiz_url(slug: str, quiz: str, anchor: str | None = None) -> str:
    return url_for("authoring_quizzes.quiz_edit", slug=slug, quiz=quiz,
                   _anchor=anchor) if anchor else url_for("authoring_quizzes.quiz_edit",
                                                          slug=slug, quiz=quiz)


# ----------------------------------------------------------------------------- settings


def _fill_settings(form: QuizSettingsForm, settings: dict) -> None:
    title = settings.get("title") if isinstance(settings.get("title"), dict) else {}
    form.kind.data = str(settings.get("kind", "module"))
    form.module.data = str(settings.get("module", "") or "")
    form.title_id.data = str(title.get("id", ""))
    form.title_en.data = str(title.get("en", "") or "")
    for key in ("pass_mark", "attempts", "time_limit_minutes", "draw", "per_page"):
        value = settings.get(key)
        getattr(form, key).data = editor.format_number(value) if value is not None else ""
    form.grading.data = str(settings.get("grading", "highest"))
    form.shuffle_questions.data = "1" if settings.get("shuffle_questions") is True else "0"
    form.shuffle_options.data = "0" if settings.get("shuffle_options") is False else "1"
    form.opens_at.data = quizfiles.to_local(settings.get("opens_at"))
    form.closes_at.data = quizfiles.to_local(settings.get("closes_at"))
    form.draw_categories.data = quizfiles.format_draw_categories(settings.get("draw_categories"))
    review = settings.get("review") if isinstance(settings.get("review"), dict) else {}
    for moment in REVIEW_MOMENTS:
        items = review.get(moment, DEFAULT_REVIEW[moment])
        getattr(form, f"review_{moment}").data = [str(i) for i in items]


def _prepare_settings_form(form: QuizSettingsForm, draft, current: str = "") -> None:
    modules = _course_modules(draft)
    if current and current not in modules:
        modules.append(current)  # the loader reports it; keep it selectable to see it
    form.module.choices = [("", _("No module (the whole course)"))] + [(m, m) for m in modules]
    for moment, label in review_moment_labels().items():
        getattr(form, f"review_{moment}").label.text = label


# Messages of the settings rules (quizfiles.settings_from_values), in the author's language.
def _setting_message(code: str, params: dict) -> str:
    messages = {
        "module_required": lambda: _("Choose the module this quiz belongs to."),
        "final_has_module": lambda: _("A final test belongs to the whole course: choose no "
                                      "module."),
        "module_unknown": lambda: _("Choose a module from the list."),
        "number_range": lambda: _("Enter a number from %(low)d to %(high)d.", **params),
        "number_min": lambda: _("Enter a whole number of %(low)d or more.", **params),
        "datetime": lambda: _("Enter a date and time, e.g. 2026-12-31 17:00."),
        "close_before_open": lambda: _("The closing time must be after the opening time."),
        "draw_category": lambda: _('"%(line)s" is not "category: number" with a number of 1 '
                                   'or more.', **params),
    }
    return messages[code]()


def _settings_from_form(form: QuizSettingsForm, original: dict) -> dict | None:
    """The quiz's settings from the form (the rules are `quizfiles.settings_from_values`); None
    when a field has an error, shown on the field in the author's language."""
    form.validate()  # field validators (title required, lengths)
    ok = not any(f.errors for f in form if f.name != "slug")
    values = {name: getattr(form, name).data for name in quizfiles.SETTINGS_FORM_FIELDS}
    settings, problems = quizfiles.settings_from_values(
        values, original, module_choices=[value for value, _label in form.module.choices])
    for field_name, (code, params) in problems.items():
        getattr(form, field_name).errors.append(_setting_message(code, params))
    return settings if ok and not problems else None


# ----------------------------------------------------------------------------- list, create


def _quiz_rows(draft) -> list[quizfiles.QuizSummary]:
    rows = db.session.execute(
        select(DraftFile.path, DraftFile.data, DraftFile.revision)
        .where(DraftFile.draft_id == draft.id, DraftFile.path.like("quizzes/%.toml"))
        .order_by(DraftFile.path))
    lang = str(get_locale() or "id")
    return [quizfiles.summary(path, data, revision, lang) for path, data, revision in rows
            if quizfiles.quiz_slug(path)]


@bp.route("/<slug>/quizzes", methods=["GET", "POST"])
@access.rule("edit_course")
def quiz_list(slug: str):
    draft = editable_draft_or_abort(slug)
    form = QuizSettingsForm()
    _prepare_settings_form(form, draft)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit() and form.csrf_token.errors:
            abort(400)
        quiz = (form.slug.data or "").strip()
        settings = _settings_from_form(form, {})
        if not quizfiles.valid_slug(quiz):
            form.slug.errors.append(_("Use lower-case letters, digits and single hyphens, e.g. "
                                      "kuis-etika."))
            settings = None
        elif drafts.get_file(draft, quizfiles.quiz_path(quiz)) is not None:
            form.slug.errors.append(_("A quiz with this address already exists."))
            settings = None
        if settings is not None:
            try:
                problems = _write(draft, None, quizfiles.quiz_path(quiz), settings, [],
                                  revision=None, action="quiz.created", detail={"quiz": quiz})
            except drafts.EditConflict:
                form.slug.errors.append(_("A quiz with this address already exists."))
                problems = None
            if problems == []:
                flash(_("The quiz has been created. Now add its questions."), "success")
                return redirect(_quiz_url(slug, quiz))
            for message in problems or []:
                form.form_errors.append(message)
        status = 422
    elif not form.is_submitted():
        form.kind.data, form.grading.data = "module", "highest"
        form.shuffle_questions.data, form.shuffle_options.data = "0", "1"
        for moment in REVIEW_MOMENTS:
            getattr(form, f"review_{moment}").data = list(DEFAULT_REVIEW[moment])
    return render_template("authoring/quiz_list.html", draft=draft, quizzes=_quiz_rows(draft),
                           form=form, overview_url=_overview_url(slug),
                           kind_labels=dict(kind_choices())), status


# ----------------------------------------------------------------------------- one quiz


def _question_rows(quiz: LoadedQuiz) -> list[dict]:
    rows = []
    for q in quiz.questions:
        text = str(q.get("text", ""))
        rows.append({"id": str(q.get("id", "")), "type": str(q.get("type", "")),
                     "type_label": _type_label(str(q.get("type", ""))),
                     "text": text if len(text) <= 140 else text[:137] + "…",
                     "category": q.get("category") or "", "points": q.get("points", 1)})
    return rows


def _type_choices() -> list[tuple[str, str]]:
    return [(t.name, _(t.label) if t.label else t.name) for t in _registry()]


@bp.route("/<slug>/quizzes/<quiz>", methods=["GET", "POST"])
@access.rule("edit_course")
def quiz_edit(slug: str, quiz: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    form = QuizSettingsForm()
    _prepare_settings_form(form, draft, str(loaded.settings.get("module", "") or ""))
    del form.slug
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit() and form.csrf_token.errors:
            abort(400)
        settings = _settings_from_form(form, loaded.settings)
        status = 422
        if settings is not None:
            try:
                problems = _write(draft, loaded, loaded.path, settings, loaded.questions,
                                  revision=_revision(form.revision.data),
                                  action="quiz.settings_saved", detail={"quiz": quiz})
            except drafts.EditConflict as err:
                form.form_errors.append(_conflict_message(err))
                problems, status = None, 409
            if problems == []:
                flash(_("The quiz settings have been saved."), "success")
                return redirect(_quiz_url(slug, quiz))
            for message in problems or []:
                form.form_errors.append(message)
    else:
        _fill_settings(form, loaded.settings)
        form.revision.data = str(loaded.row.revision)
    return render_template(
        "authoring/quiz_edit.html", draft=draft, quiz=loaded, form=form,
        questions=_question_rows(loaded), categories=quizfiles.categories(loaded.questions),
        type_choices=_type_choices(), quality=quiz_quality.box(loaded.questions, loaded.slug),
        overview_url=_overview_url(slug), kind_labels=dict(kind_choices()),
    ), status


def _delete_blockers(draft, loaded: LoadedQuiz) -> list[str]:
    """Why the quiz cannot be deleted without breaking the draft: problems the pack loader would
    report after the deletion and does not report now, and a completion rule that needs it."""
    files = drafts.files(draft)
    before = {(p.file, p.message) for p in drafts.validate_files(files)}
    rest = {path: data for path, data in files.items() if path != loaded.path}
    reasons = [f"{p.file}: {p.message}" for p in drafts.validate_files(rest)
               if (p.file, p.message) not in before]
    if loaded.settings.get("kind") == "practical":
        try:
            course = quizfiles.parse(files.get("course.toml", b""))
        except quizfiles.QuizFileError:
            course = {}
        completion = course.get("completion") if isinstance(course.get("completion"), dict) else {}
        others = [path for path, data in rest.items() if quizfiles.quiz_slug(path)
                  and quizfiles.summary(path, data, 0).kind == "practical"]
        if completion.get("practical") is True and not others:
            reasons.append(_("The course's completion rule requires a practical assignment and "
                             "this is the only one. Change the rule in the course settings "
                             "first."))
    return reasons


@bp.route("/<slug>/quizzes/<quiz>/delete", methods=["GET", "POST"])
@access.rule("edit_course")
def quiz_delete(slug: str, quiz: str):
    """Delete a whole quiz from the workspace (after a confirmation page). Learners' attempts
    stay in the database; the quiz disappears for them when the course is published."""
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    form = RevisionActionForm()
    blockers = _delete_blockers(draft, loaded)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not blockers:
            try:
                drafts.delete_file(draft, loaded.path,
                                   expected_revision=_revision(form.revision.data) or -1,
                                   user=current_user, action="quiz.deleted")
            except drafts.EditConflict as err:
                flash(_conflict_message(err), "error")
                return redirect(_quiz_url(slug, quiz))
            flash(_("The quiz %(slug)s has been deleted. Learners still see it until you publish "
                    "the course; their attempts are kept.", slug=quiz), "success")
            return redirect(url_for("authoring_quizzes.quiz_list", slug=slug))
        status = 409
    else:
        form.revision.data = str(loaded.row.revision)
    return render_template("authoring/quiz_remove.html", draft=draft, quiz=loaded, form=form,
                           blockers=blockers, questions=len(loaded.questions),
                           overview_url=_overview_url(slug)), status


def _index_or_404(loaded: LoadedQuiz, qid: str) -> int:
    for i, q in enumerate(loaded.questions):
        if str(q.get("id")) == qid:
            return i
    abort(404)


@bp.route("/<slug>/quizzes/<quiz>/questions/<qid>/delete", methods=["GET", "POST"])
@access.rule("edit_course")
def question_delete(slug: str, quiz: str, qid: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    i = _index_or_404(loaded, qid)
    form = RevisionActionForm()
    if request.method == "GET":
        form.revision.data = str(loaded.row.revision)
        return render_template("authoring/quiz_delete.html", draft=draft, quiz=loaded,
                               question=_question_rows(loaded)[i], form=form,
                               overview_url=_overview_url(slug))
    if not form.validate_on_submit():
        abort(400)
    questions = loaded.questions[:i] + loaded.questions[i + 1:]
    _act(draft, loaded, questions, form, action="quiz.question_deleted", qid=qid,
         done=_("The question %(id)s has been deleted.", id=qid))
    return redirect(_quiz_url(slug, quiz, "questions"))


@bp.route("/<slug>/quizzes/<quiz>/questions/<qid>/move", methods=["POST"])
@access.rule("edit_course")
def question_move(slug: str, quiz: str, qid: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    form = RevisionActionForm()
    if not form.validate_on_submit():
        abort(400)
    i = _index_or_404(loaded, qid)
    j = i - 1 if request.form.get("direction") == "up" else i + 1
    if not 0 <= j < len(loaded.questions):
        return redirect(_quiz_url(slug, quiz, "questions"))
    questions = list(loaded.questions)
    questions[i], questions[j] = questions[j], questions[i]
    _act(draft, loaded, questions, form, action="quiz.question_moved", qid=qid,
         done=_("The question %(id)s has been moved.", id=qid))
    return redirect(_quiz_url(slug, quiz, f"q-{qid}"))


def _act(draft, loaded: LoadedQuiz, questions: list[dict], form: RevisionActionForm, *, action: str,
         qid: str, done: str) -> None:
    try:
        problems = _write(draft, loaded, loaded.path, loaded.settings, questions,
                          revision=_revision(form.revision.data), action=action,
                          detail={"quiz": loaded.slug, "question": qid})
    except drafts.EditConflict as err:
        flash(_conflict_message(err), "error")
        return
    if problems:
        for message in problems:
            flash(message, "error")
        return
    flash(done, "success")


# ----------------------------------------------------------------------------- question editor


@dataclass
class EditorPage:
    qtype: Any
    values: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    preview: dict | None = None  # the question as the learner sees it (`_question_preview`)
    focus: str = ""  # the input or button to focus after a row button (no JavaScript)


def _question_preview(draft, qtype, values: dict, *, base: dict | None,
                      taken: list[str]) -> dict:
    """The question the form holds, rendered by its type's `render` exactly as the learner's
    attempt page renders it (text through the importer's Markdown), with the guessable-question
    warnings of `lms.quizzes.quality` for this question. Nothing is saved."""
    question, problems = editor.form_to_question(qtype, values, base=base, gettext=_,
                                                 taken_ids=taken)
    out: dict = {"html": None, "warnings": [], "incomplete": bool(problems),
                 "real": qtype.is_question}
    if not str(question.get("text", "")).strip():
        return out
    try:
        out["html"] = qtype.render(_with_html(draft, question), field="pv", response=None,
                                   order=None, disabled=False, gettext=_)
    except Exception:  # noqa: BLE001 - an unfinished question (or a broken plug-in)
        out["html"] = None
    if not problems:
        # This question's own warnings (the quiz-wide share needs the whole quiz: its box).
        out["warnings"] = [message for qid, message in quiz_quality.box([question], "").items
                           if qid]
    return out


def _editor_url(draft, loaded: LoadedQuiz, qtype, qid: str | None) -> str:
    if qid:
        return url_for("authoring_quizzes.question_edit", slug=draft.slug, quiz=loaded.slug,
                       qid=qid)
    return url_for("authoring_quizzes.question_new", slug=draft.slug, quiz=loaded.slug,
                   type=qtype.name)


def _heading_text(values: dict) -> str:
    """The first words of the question, for the heading and breadcrumb of the editor."""
    text = plain_text(str(values.get("text", "") or "")).strip()
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def _render_question_editor(draft, loaded: LoadedQuiz, page: EditorPage, *, qid: str | None,
                            revision: Any, status: int = 200):
    form = RevisionActionForm(revision=revision)
    if request.method == "POST":
        form.revision.data = request.form.get("revision", "")
    fields = editor.all_fields(page.qtype)
    shown = {f.name for f in fields}
    for f in fields:
        if f.kind == "rows":
            for i in range(editor.row_count(page.values, f.name)):
                shown.add(f"{f.name}-{i}")
                shown.update(f"{f.name}-{i}-{c.name}" for c in f.columns)
        elif f.kind == "list":
            shown.update(f"{f.name}-{i}" for i in range(editor.row_count(page.values, f.name)))
    # A problem on an input the form does not show is listed above the form.
    general = list(page.general) + [m for name, messages in page.errors.items()
                                    if name not in shown for m in messages]
    common = editor.common_fields(page.qtype)
    return render_template(
        "authoring/quiz_question.html", draft=draft, quiz=loaded, qtype=page.qtype, qid=qid,
        common=[f for f in common if not f.advanced],
        advanced=[f for f in common if f.advanced], own=editor.type_fields(page.qtype),
        values=page.values, preview=page.preview, focus=page.focus,
        heading_text=_heading_text(page.values) if qid else "",
        action_url=_editor_url(draft, loaded, page.qtype, qid),
        errors=page.errors, general=general, form=form,
        linked={name: messages for name, messages in page.errors.items() if name in shown},
        overview_url=_overview_url(draft.slug),
        categories=list(quizfiles.categories(loaded.questions)), tr=_,
    ), status


def _focus_after(qtype, values: dict, action: str) -> str:
    """The element to focus after a row button, so a keyboard user stays at the same place:
    the new row's first input, the moved row's button (the other direction when that one is
    now disabled), or after a removal the row that took its place (else the add button)."""
    parts = action.split(":")
    fields = {f.name: f for f in editor.type_fields(qtype) if f.kind in ("rows", "list")}
    if len(parts) < 2 or parts[1] not in fields:
        return ""
    f = fields[parts[1]]
    n = editor.row_count(values, f.name)

    def first_input(i: int) -> str:
        if f.kind == "list":
            return f"e-{f.name}-{i}"
        col = next((c for c in f.columns if c.kind not in ("id", "bool")), None)
        return f"e-{f.name}-{i}-{col.name}" if col else f"e-{f.name}-add"

    if parts[0] == "add":
        return first_input(n - 1) if n else f"e-{f.name}-add"
    if len(parts) != 3 or not parts[2].isdigit():
        return ""
    i = int(parts[2])
    if parts[0] == "up":
        i = max(i - 1, 0)
        return f"e-{f.name}-{i}-up" if i > 0 else f"e-{f.name}-{i}-down"
    if parts[0] == "down":
        i = min(i + 1, n - 1)
        return f"e-{f.name}-{i}-down" if i + 1 < n else f"e-{f.name}-{i}-up"
    if parts[0] == "remove":
        return f"e-{f.name}-{min(i, n - 1)}-remove" if n else f"e-{f.name}-add"
    return ""


def _save_question(draft, loaded: LoadedQuiz, qtype, *, index: int | None, qid: str | None):
    values = editor.form_from_request(qtype, request.form)
    form = RevisionActionForm()
    if not form.validate_on_submit():
        abort(400)
    revision = request.form.get("revision", "")
    base = loaded.questions[index] if index is not None else None
    others = [q for i, q in enumerate(loaded.questions) if i != index]
    taken = [str(q.get("id")) for q in others]
    action = editor.row_action_of(request.form)
    if action:  # a row button or "Preview": the form again from the posted values, unsaved
        page = EditorPage(qtype, values)
        if action != "preview":
            page.values = editor.apply_row_action(qtype, values, action)
            page.focus = _focus_after(qtype, page.values, action)
        else:
            page.focus = "question-preview"
        page.preview = _question_preview(draft, qtype, page.values, base=base, taken=taken)
        if request.form.get("fragment") == "preview":  # the editor's script asks for it alone
            return render_template("authoring/_question_preview.html", preview=page.preview,
                                   qtype=qtype)
        return _render_question_editor(draft, loaded, page, qid=qid, revision=revision)
    question, problems = editor.form_to_question(qtype, values, base=base, gettext=_,
                                                 taken_ids=taken)
    if "id" in question and any(str(q.get("id")) == str(question["id"]) for q in others):
        problems.append(("id", _("Another question of this quiz has this id; choose another.")))
    page = EditorPage(qtype, values, editor.errors_by_input(problems))
    if problems:
        return _render_question_editor(draft, loaded, page, qid=qid, revision=revision,
                                       status=422)
    questions = list(loaded.questions)
    if index is None:
        questions.append(question)
    else:
        questions[index] = question
    try:
        found = _write(draft, loaded, loaded.path, loaded.settings, questions,
                       revision=_revision(revision), action="quiz.question_saved",
                       detail={"quiz": loaded.slug, "question": question["id"],
                               "type": qtype.name})
    except drafts.EditConflict as err:
        page.general.append(_conflict_message(err))
        return _render_question_editor(draft, loaded, page, qid=qid, revision=revision,
                                       status=409)
    if found:
        page.general.extend(found)
        return _render_question_editor(draft, loaded, page, qid=qid, revision=revision,
                                       status=422)
    flash(_("The question %(id)s has been saved.", id=question["id"]), "success")
    return redirect(_quiz_url(draft.slug, loaded.slug, f"q-{question['id']}"))


@bp.route("/<slug>/quizzes/<quiz>/questions/new", methods=["GET", "POST"])
@access.rule("edit_course")
def question_new(slug: str, quiz: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    qtype = _qtype_or_404(request.args.get("type", ""))
    if request.method == "POST":
        return _save_question(draft, loaded, qtype, index=None, qid=None)
    # The id is made from the question's first words when saved (editable under advanced).
    values = editor.question_to_form(qtype, {})
    return _render_question_editor(draft, loaded, EditorPage(qtype, values), qid=None,
                                   revision=loaded.row.revision)


@bp.route("/<slug>/quizzes/<quiz>/questions/<qid>", methods=["GET", "POST"])
@access.rule("edit_course")
def question_edit(slug: str, quiz: str, qid: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    index = _index_or_404(loaded, qid)
    question = loaded.questions[index]
    qtype = _qtype_or_404(question.get("type"))
    if request.method == "POST":
        return _save_question(draft, loaded, qtype, index=index, qid=qid)
    values = editor.question_to_form(qtype, question)
    taken = [str(q.get("id")) for i, q in enumerate(loaded.questions) if i != index]
    page = EditorPage(qtype, values)
    page.preview = _question_preview(draft, qtype, values, base=question, taken=taken)
    return _render_question_editor(draft, loaded, page, qid=qid, revision=loaded.row.revision)


# ----------------------------------------------------------------------------- preview


def _with_html(draft, q: dict) -> dict:
    """The question with its text rendered as the importer renders it for learners."""
    media = "authoring.draft_media" in current_app.view_functions

    def media_url(path: str) -> str:
        return url_for("authoring.draft_media", slug=draft.slug, path=path) if media else "#"

    html, _toc = render_markdown(
        str(q.get("text", "")),
        module_url=lambda s, anchor: module_path(draft.slug, s) + (f"#{anchor}" if anchor else ""),
        media_url=media_url, module_dir="quizzes")
    return {**q, "text_html": html}


def _state_labels() -> dict[str, str]:
    return {"correct": _("Correct"), "partial": _("Partly correct"), "incorrect": _("Incorrect"),
            "needs_grading": _("Waiting for a trainer to grade"),
            "unanswered": _("Not answered"), "answered": _("Answered"),
            "partly_answered": _("Partly answered")}


def _fmt_points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@bp.route("/<slug>/quizzes/<quiz>/preview", methods=["GET", "POST"])
@access.rule("edit_course")
def preview(slug: str, quiz: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    form = RevisionActionForm()
    graded = request.method == "POST"
    if graded and not form.validate_on_submit():
        abort(400)
    items, number, earned, total = [], 0, 0.0, 0.0
    for pos, raw in enumerate(loaded.questions):
        q = _with_html(draft, raw)
        fname = f"q{pos}"
        try:
            qtype = _registry().get(q.get("type"))
        except UnknownQuestionType:
            items.append({"field": fname, "real": False, "html": Markup(
                '<p class="alert alert--error">{}</p>').format(
                _("The question type %(type)s is not installed.", type=q.get("type")))})
            continue
        response, outcome = None, None
        if graded and qtype.is_question:
            raw_values = [v for name in qtype.field_names(q, fname)
                          for v in request.form.getlist(name)]
            try:
                response = qtype.normalise_response(q, raw_values)
                grade = qtype.grade(q, response) if response is not None else Grade.unanswered()
                if not qtype.scored:  # a self-assessment has no right answer: never "Correct"
                    grade = grade.as_answered()
            except Exception:  # noqa: BLE001 - a broken plug-in must not break the preview
                current_app.logger.exception("preview grading failed for %s", q.get("id"))
                grade = Grade.unanswered()
            points = qtype.points(q)
            earned += grade.fraction * points
            total += points
            outcome = {"state": grade.state, "earned": grade.fraction * points, "points": points,
                       "feedback": list(grade.feedback), "comment": None,
                       "general": q.get("feedback") or "",
                       "right": qtype.right_answer_text(q, _)}
        elif qtype.is_question:
            total += qtype.points(q)
        if qtype.is_question:
            number += 1
        try:
            html = qtype.render(q, field=fname, response=response, order=None, disabled=False,
                                gettext=_)
        except Exception:  # noqa: BLE001
            current_app.logger.exception("preview rendering failed for %s", q.get("id"))
            html = Markup('<p class="alert alert--error">{}</p>').format(
                _("This question cannot be shown: check its fields."))
        items.append({"field": fname, "real": qtype.is_question, "number": number, "html": html,
                      "review": outcome, "id": str(q.get("id", ""))})
    title = loaded.settings.get("title") if isinstance(loaded.settings.get("title"), dict) else {}
    lang = str(get_locale() or "id")
    return render_template(
        "authoring/quiz_preview.html", draft=draft, quiz=loaded, items=items, form=form,
        graded=graded, earned=earned, total=total, fmt_points=_fmt_points,
        state_labels=_state_labels(), shows=frozenset(REVIEW_ITEMS),
        title=title.get(lang) or title.get("id") or quiz, overview_url=_overview_url(slug),
    )


# ----------------------------------------------------------------------------- import


def _decoded(data: bytes) -> str:
    from lms.quizzes.formats.textfile import decode_text

    return decode_text(data)


def _file_refused(err) -> str:
    """The translated message of a question file refused as a whole (formats.textfile)."""
    messages = {
        "too_large": _("The file is larger than %(num)d MB; split it into smaller files.",
                       num=err.limit_mb),
        "empty": _("The file is empty."),
        "pdf": _("This is a PDF file, not a question file. Export the questions from Moodle as "
                 "GIFT, Aiken or Moodle XML."),
        "office": _("This is a Word, Excel or LibreOffice file, not a question file. Save it as "
                    "plain text (UTF-8) or export the questions from Moodle."),
        "rtf": _("This is an RTF document, not a question file. Save it as plain text (UTF-8)."),
        "image": _("This is an image, not a question file."),
        "binary": _("This is not a text file."),
        "utf16": _('The file is UTF-16 ("Unicode") text. Save it as UTF-8.'),
        "encoding": _("The file is neither UTF-8 nor Windows-1252 text. Save it as UTF-8."),
    }
    return messages.get(err.reason, str(err))


def _parse_import(data: bytes, name: str, fmt: str):
    """(format, questions, problems as (line, message), media {"media/x": bytes})."""
    from lms.quizzes.formats.textfile import BankFileError
    from lms.quizzes.services.bank import FORMATS, detect_format, parse_bank

    fmt = fmt if fmt in FORMATS else detect_format(data, name)
    try:
        parsed, problems, media = parse_bank(data, fmt)
    except BankFileError as err:
        return fmt, [], [(None, _file_refused(err))], {}
    questions = []
    for q in parsed:
        out = {k: v for k, v in q.items() if not k.startswith("_")}
        if not out.get("category"):
            out.pop("category", None)
        questions.append(out)
    return fmt, questions, sorted(problems, key=lambda p: p[0]), media


@bp.route("/<slug>/quizzes/<quiz>/import", methods=["GET", "POST"])
@access.rule("edit_course")
def import_questions(slug: str, quiz: str):
    draft = editable_draft_or_abort(slug)
    loaded = _quiz_or_404(draft, quiz)
    form = QuestionImportForm()
    status, parsed, problems, fmt = 200, None, [], None
    if request.method == "GET":
        form.revision.data = str(loaded.row.revision)
    elif not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        status = 422
    else:
        from lms.quizzes.formats.textfile import MAX_XML_BYTES

        confirm = request.form.get("confirm") == "1" and form.source.data
        if confirm:
            # The text shown for confirmation comes back: the same limits and checks apply
            # (the parsers refuse an oversized text before parsing it).
            data, name = form.source.data.encode("utf-8"), form.name.data or "questions"
        else:
            upload = form.file.data
            data = upload.read(MAX_XML_BYTES + 1) if upload else b""
            name = (upload.filename if upload else "") or "questions"
            if not data:
                form.file.errors.append(_("Choose a file to import."))
        if data:
            fmt, parsed, problems, media = _parse_import(data, name, form.fmt.data or "")
            category = (form.category.data or "").strip() or None
            if not problems and not parsed:
                problems = [(None, _("The file contains no questions."))]
            if not problems and not confirm:
                # The page sends the file's text back on confirmation (an XML file as it is).
                try:
                    form.source.data = (data.decode("utf-8") if fmt == "moodle_xml"
                                        else _decoded(data))
                except UnicodeDecodeError:
                    from lms.quizzes.formats.textfile import BankFileError

                    problems = [(None, _file_refused(BankFileError("encoding")))]
            if problems or not confirm:
                form.name.data = name
                status = 422 if problems else 200
            else:
                from lms.quizzes.formats.moodle_xml import place_media

                parsed, media = place_media(parsed, media, drafts.files(draft))
                questions = quizfiles.append_questions(loaded.questions, parsed, category)
                try:
                    found = _write(draft, loaded, loaded.path, loaded.settings, questions,
                                   revision=_revision(form.revision.data),
                                   action="quiz.questions_imported",
                                   detail={"quiz": quiz, "file": name[:200],
                                           "questions": len(parsed), "format": fmt,
                                           "media": sorted(media)},
                                   media=media)
                    status = 422
                except drafts.EditConflict as err:
                    found, status = [_conflict_message(err)], 409
                if not found:
                    flash(ngettext("%(num)d question has been added to the quiz.",
                                   "%(num)d questions have been added to the quiz.",
                                   len(parsed)), "success")
                    return redirect(_quiz_url(slug, quiz, "questions"))
                form.form_errors.extend(found)
        else:
            status = 422
    preview_rows = []
    category = (form.category.data or "").strip()
    for q in parsed or []:
        text = plain_text(str(q.get("text", "")))
        preview_rows.append({"id": q.get("id"), "type_label": _type_label(q.get("type", "")),
                             "text": text if len(text) <= 160 else text[:157] + "…",
                             "category": category or q.get("category") or ""})
    return render_template(
        "authoring/quiz_import.html", draft=draft, quiz=loaded, form=form, problems=problems,
        parsed=preview_rows if parsed is not None and not problems else None, fmt=fmt,
        categories=list(quizfiles.categories(loaded.questions)),
        overview_url=_overview_url(slug),
    ), status
