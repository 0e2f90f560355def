"""The course and module editors in the browser (`/author/...`).

Every page works on the course's workspace (`drafts`); saving writes pack files, publishing runs
the pack loader and the importer, so whatever is made here is a pack the loader accepts. Roles
are checked on the server: trainers and admins only, and a trainer only for the courses they are
an editor of (`access.editable_draft_or_abort`).

Longer than 600 lines on purpose: one route per editor page (workspace, settings, modules,
media, editors, publish), each mapping form fields to the writers in `services.editing` and
loader problems back to fields; the quizzes' pages are in quiz_views.py, history in
history_views.py."""

from __future__ import annotations

import io
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError

from lms import access, clock
from lms.auth.models import User
from lms.authoring import mediafiles, packfiles
from lms.authoring import quality as quiz_quality
from lms.authoring.access import authors_only, editable_draft_or_abort
from lms.authoring.forms import (
    DeleteMediaForm,
    DeleteModuleForm,
    EditorForm,
    MediaForm,
    ModuleForm,
    MoveForm,
    NewCourseForm,
    NewModuleForm,
    PublishForm,
    RemoveEditorForm,
    SettingsForm,
    lines_of,
)
from lms.authoring.services import drafts, editing
from lms.content import MAX_MEDIA_BYTES, Problem, render_markdown
from lms.content.tomlutil import TomlLines
from lms.courses.services.importer import _without_title_heading, module_path
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l

bp = Blueprint("authoring", __name__, url_prefix="/author")

OPTIONAL_LINKS = ("authoring_history.history", "authoring_history.audit_log",
                  "authoring_history.export_zip", "authoring_quizzes.quiz_list",
                  "authoring_history.import_zip")

MEDIA_MESSAGES = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than 5 MB. Make the picture smaller or split the PDF."),
    "type": _l("%(name)s is not an allowed type. Upload PNG, JPEG, GIF, WebP or PDF files."),
    "mismatch": _l("%(name)s is not what its name says: its content is not a %(ext)s file. "
                   "It was not uploaded."),
    "name": _l("%(name)s needs a file name with an extension such as .png or .pdf."),
    "exists": _l("A file called %(name)s already exists. Delete it first or rename your file."),
}


# ----------------------------------------------------------------------------- helpers


bp.before_request(authors_only)


def authoring_link(endpoint: str, **values) -> str | None:
    """The URL of another authoring page if that page exists in this installation (other parts
    of authoring are optional), else None."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def authoring_course_title(slug: str) -> str:
    """The course's title in the reader's language for headings, breadcrumbs and page titles
    (read once per request and slug)."""
    cache = g.setdefault("authoring_course_titles", {})
    if slug not in cache:
        cache[slug] = editing.course_title(slug, str(get_locale() or "id"))
    return cache[slug]


@bp.app_context_processor
def _authoring_helpers():
    return {"authoring_link": authoring_link, "course_title": authoring_course_title}


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return clock.local(moment).strftime("%d-%m-%Y %H:%M WIB")


def conflict_message(err: drafts.EditConflict) -> str:
    if err.current_revision is None:
        return _("Someone deleted or created this file after you opened the page. Nothing was "
                 "saved; your text is kept below.")
    return _("%(name)s saved a newer version at %(time)s, after you opened this page. Nothing "
             "was saved, so their work is not overwritten. Your text is kept below: copy it, "
             "reload the page to see their version, and add your changes again.",
             name=err.by or _("another editor"), time=when(err.at))


def _revision(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _int_or_400(value: str | None) -> int:
    number = _revision(value)
    if number is None:
        abort(400)
    return number


def _workspace_url(slug: str) -> str:
    return url_for("authoring.workspace", slug=slug)


# ----------------------------------------------------------------------------- list, new


@bp.route("/")
@access.role("trainer")
def index():
    return render_template("authoring/index.html", courses=editing.authorable_courses(
        current_user, str(get_locale())))


@bp.route("/new", methods=["GET", "POST"])
@access.role("trainer")
def new_course():
    form = NewCourseForm()
    if form.validate_on_submit():
        slug = form.slug.data.strip()
        values = _course_values(form) | {"slug": slug}
        try:
            editing.create_course(values, form.first_module_title.data.strip(),
                                   user=current_user)
        except ValueError:
            form.slug.errors.append(_("This address is already used by another course. "
                                      "Choose another one."))
        else:
            flash(_("The course was created. It is not visible to learners until you publish "
                    "it."), "success")
            return redirect(_workspace_url(slug))
    return render_template("authoring/new.html", form=form)


def _course_values(form) -> dict:
    return {
        "version": form.version.data.strip(),
        "title_id": form.title_id.data.strip(), "title_en": form.title_en.data.strip(),
        "summary_id": " ".join((form.summary_id.data or "").split()),
        "summary_en": " ".join((form.summary_en.data or "").split()),
        "area": form.area.data, "hours": form.hours.data, "enrolment": form.enrolment.data,
        "sequential": bool(form.sequential.data),
    }


# ----------------------------------------------------------------------------- workspace


def _render_workspace(draft, *, publish_form=None, stale=None, refused=None, status=200):
    ws = editing.workspace(draft)
    return render_template(
        "authoring/workspace.html", ws=ws, draft=draft, move_form=MoveForm(),
        publish_form=publish_form or PublishForm(), action_form=ActionForm(),
        stale=stale, refused=refused, slug=draft.slug,
        quality_notes=quiz_quality.draft_notes(draft, str(get_locale() or "id")),
    ), status


@bp.route("/<slug>/")
@access.rule("edit_course")
def workspace(slug: str):
    draft = editable_draft_or_abort(slug)
    return _render_workspace(draft)


@bp.route("/<slug>/modules/<module>/move", methods=["POST"])
@access.rule("edit_course")
def move(slug: str, module: str):
    draft = editable_draft_or_abort(slug)
    form = MoveForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    try:
        editing.move_module(draft, module, form.direction.data,
                             expected_revision=_int_or_400(form.revision.data), user=current_user)
    except drafts.EditConflict as err:
        flash(_("The module order was not changed: %(reason)s",
                reason=conflict_message(err)), "error")
    except LookupError:
        abort(404)
    except packfiles.PackFileError:
        flash(_("course.toml cannot be read, so the order cannot be changed. Fix it in the "
                "course settings first."), "error")
    else:
        flash(_("Module order changed. Learners see it after you publish."), "success")
    return redirect(_workspace_url(slug) + f"#module-{module}")


@bp.route("/<slug>/publish", methods=["POST"])
@access.rule("edit_course")
def publish(slug: str):
    draft = editable_draft_or_abort(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_workspace(draft, publish_form=form, status=400)
    try:
        result = drafts.publish(draft, note=form.note.data.strip(), user=current_user,
                                force=form.force.data == "1")
    except drafts.StaleDraft:
        return _render_workspace(draft, publish_form=form, stale=True, status=409)
    except drafts.PublishRefused as err:
        return _render_workspace(draft, publish_form=form, refused=err.problems, status=400)
    if result.status == "unchanged":
        flash(_("Nothing to publish: the course is the same as the published version."), "info")
    else:
        flash(_("Published. Learners now see this version; their progress is kept."), "success")
        notes = quiz_quality.draft_notes(draft, str(get_locale() or "id"))
        if notes:
            flash(_("Note: some questions can be guessed in %(quizzes)s. The quiz editor's "
                    "quality box lists them.", quizzes=", ".join(title for _slug, _n, title in notes)),
                  "info")
    return redirect(_workspace_url(slug))


@bp.route("/<slug>/discard", methods=["GET", "POST"])
@access.rule("edit_course")
def discard(slug: str):
    draft = editable_draft_or_abort(slug)
    if draft.base_version_id is None:
        flash(_("This course was never published: there is no published version to go back to."),
              "error")
        return redirect(_workspace_url(slug))
    form = ActionForm()
    if form.validate_on_submit():
        drafts.discard_changes(draft, user=current_user)
        flash(_("Your unpublished changes were discarded. The workspace is the published "
                "version again."), "success")
        return redirect(_workspace_url(slug))
    return render_template("authoring/confirm_discard.html", form=form, draft=draft, slug=slug)


@bp.route("/<slug>/archive", methods=["POST"])
@access.rule("edit_course")
def archive(slug: str):
    draft = editable_draft_or_abort(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    try:
        drafts.set_archived(draft, archived, user=current_user)
    except LookupError:
        flash(_("Publish the course first."), "error")
    else:
        if archived:
            flash(_("The course is archived: it is no longer in the catalogue and nobody new can "
                    "enrol. Enrolled learners keep their access."), "success")
        else:
            flash(_("The course is back in the catalogue."), "success")
    return redirect(_workspace_url(slug))


# ----------------------------------------------------------------------------- settings


def _settings_from_file(form: SettingsForm, doc: dict) -> None:
    title, summary = doc.get("title") or {}, doc.get("summary") or {}
    completion, cert = doc.get("completion") or {}, doc.get("certificate") or {}
    form.version.data = doc.get("version", "")
    form.title_id.data, form.title_en.data = title.get("id", ""), title.get("en", "")
    form.summary_id.data, form.summary_en.data = summary.get("id", ""), summary.get("en", "")
    form.area.data, form.hours.data = doc.get("area"), doc.get("hours")
    form.enrolment.data = doc.get("enrolment", "open")
    form.sequential.data = bool(doc.get("sequential", False))
    form.authors.data = "\n".join(str(a) for a in doc.get("authors") or [])
    form.prerequisites.data = "\n".join(str(p) for p in doc.get("prerequisites") or [])
    form.completion_modules.data = str(completion.get("modules", "all"))
    form.min_module_quiz_score.data = completion.get("min_module_quiz_score", 70)
    form.final_min_score.data = completion.get("final_min_score", 75)
    form.practical.data = bool(completion.get("practical", False))
    form.certificate_enabled.data = bool(cert.get("enabled", True))
    form.certificate_hours.data = cert.get("hours")
    form.certificate_valid_months.data = cert.get("valid_months", 0)
    form.certificate_show_score.data = bool(cert.get("show_score", False))
    form.certificate_template.data = cert.get("template", "default")


def _number(value: float | None, default):
    if value is None:
        return default
    return int(value) if float(value).is_integer() else value


def _settings_values(form: SettingsForm) -> dict:
    modules = (form.completion_modules.data or "all").strip()
    return _course_values(form) | {
        "authors": lines_of(form.authors.data),
        "prerequisites": lines_of(form.prerequisites.data),
        "completion": {
            "modules": int(modules) if modules.isdigit() else "all",
            "min_module_quiz_score": _number(form.min_module_quiz_score.data, 70),
            "final_min_score": _number(form.final_min_score.data, 75),
            "practical": bool(form.practical.data),
        },
        "certificate": {
            "enabled": bool(form.certificate_enabled.data),
            "hours": form.certificate_hours.data,
            "valid_months": form.certificate_valid_months.data or 0,
            "show_score": bool(form.certificate_show_score.data),
            "template": (form.certificate_template.data or "default").strip(),
        },
    }


# (section, key) in course.toml -> settings form field
SETTINGS_FIELDS = {
    (None, "version"): "version", (None, "area"): "area", (None, "hours"): "hours",
    (None, "enrolment"): "enrolment", (None, "sequential"): "sequential",
    (None, "authors"): "authors", (None, "prerequisites"): "prerequisites",
    ("title", "id"): "title_id", ("title", "en"): "title_en",
    ("summary", "id"): "summary_id", ("summary", "en"): "summary_en",
    ("completion", "modules"): "completion_modules",
    ("completion", "min_module_quiz_score"): "min_module_quiz_score",
    ("completion", "final_min_score"): "final_min_score",
    ("completion", "practical"): "practical",
    ("certificate", "enabled"): "certificate_enabled",
    ("certificate", "hours"): "certificate_hours",
    ("certificate", "valid_months"): "certificate_valid_months",
    ("certificate", "show_score"): "certificate_show_score",
    ("certificate", "template"): "certificate_template",
}


def field_for_line(text: str, line: int | None, fields: dict) -> str | None:
    """The form field whose key is written on `line` of the TOML `text`."""
    if line is None:
        return None
    lines = TomlLines(text)
    for (section, key), name in fields.items():
        found = lines.key_line(key, section)
        if found == line and (section is None or found != lines.header_line(section)):
            return name
    return None


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@access.rule("edit_course")
def settings(slug: str):
    draft = editable_draft_or_abort(slug)
    row = drafts.get_file(draft, editing.COURSE_TOML)
    if row is None:
        abort(404)
    try:
        current = packfiles.parse_course(row.data.decode("utf-8"))
        read_error = None
    except (packfiles.PackFileError, UnicodeDecodeError) as exc:
        current, read_error = {}, str(exc)
    form = SettingsForm()
    current_template = _current_template(current)
    form.certificate_template.choices, template_missing = _template_choices(current_template)
    other_problems: list[Problem] = []
    status = 200
    if form.validate_on_submit():
        pack = drafts.files(draft)
        if not isinstance(current.get("modules"), list):  # unreadable file: keep the modules
            current["modules"] = list(packfiles.module_files(pack))
        text = editing.course_text(_settings_values(form) | {"slug": draft.slug}, current)
        pack[editing.COURSE_TOML] = text.encode()
        problems = [p for p in drafts.validate_files(pack) if p.file == editing.COURSE_TOML]
        mapped = False
        for problem in problems:
            name = field_for_line(text, problem.line, SETTINGS_FIELDS)
            if name is not None:
                getattr(form, name).errors.append(problem.message)
                mapped = True
            else:
                other_problems.append(problem)
        if not mapped:
            try:
                drafts.save_file(draft, editing.COURSE_TOML, text.encode(),
                                 expected_revision=_revision(form.revision.data),
                                 user=current_user, action="course.settings_saved")
            except drafts.EditConflict as err:
                form.form_errors.append(conflict_message(err))
                status = 409
            else:
                flash(_("Settings saved. Learners see them after you publish."), "success")
                return redirect(url_for("authoring.settings", slug=slug))
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    else:
        _settings_from_file(form, current)
        form.revision.data = str(row.revision)
    return render_template("authoring/settings.html", form=form, draft=draft, slug=slug,
                           read_error=read_error, problems=other_problems,
                           template_missing=current_template if template_missing else None
                           ), status


def _current_template(doc: dict) -> str:
    cert = doc.get("certificate")
    name = cert.get("template") if isinstance(cert, dict) else None
    return name if isinstance(name, str) and name else "default"


def _template_choices(current: str) -> tuple[list[tuple[str, str]], bool]:
    """The installed certificate designs (built-in first) for the settings select, plus the
    course's current design when it is not installed (so saving other settings keeps it), and
    whether that is the case."""
    from lms.plugin_api.hooks import certificate_templates

    installed = certificate_templates(current_app)
    choices = [(name, _("Built-in design (default)") if name == "default" else name)
               for name in installed]
    missing = current not in installed
    if missing:
        choices.append((current, _("%(name)s (not installed)", name=current)))
    return choices, missing


# ----------------------------------------------------------------------------- modules


def _module_meta(form: ModuleForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "title_en": (form.title_en.data or "").strip() or None,
        "minutes": form.minutes.data,
        "objectives": lines_of(form.objectives.data),
    }


MODULE_FIELDS = {(None, "title"): "title", (None, "title_en"): "title_en",
                 (None, "minutes"): "minutes", (None, "objectives"): "objectives"}


def _map_module_problems(form: ModuleForm, path: str, text: str,
                         problems: list[Problem]) -> tuple[bool, list[Problem]]:
    """Put the loader's problems about the module file on the form's fields. Returns (whether
    the front matter is invalid, problems that belong to no field)."""
    try:
        doc = packfiles.parse_module(text)
    except packfiles.PackFileError as exc:
        form.form_errors.append(exc.message)
        return True, []
    front = "".join(text.splitlines(keepends=True)[1:doc.body_line_offset - 1])
    front_invalid = False
    rest: list[Problem] = []
    for problem in problems:
        if problem.file != path:
            continue
        if problem.line is not None and problem.line > doc.body_line_offset:
            form.body.errors.append(_("Line %(line)d: %(message)s",
                                      line=problem.line - doc.body_line_offset,
                                      message=problem.message))
            continue
        name = field_for_line(front, None if problem.line is None else problem.line - 1,
                              MODULE_FIELDS)
        if problem.line is not None:
            front_invalid = True
        if name is not None:
            getattr(form, name).errors.append(problem.message)
        else:
            rest.append(problem)
    return front_invalid, rest


def _preview(draft, form: ModuleForm) -> str:
    title = (form.title.data or "").strip()
    html, _toc = render_markdown(
        _without_title_heading(form.body.data or "", title),
        module_url=lambda s, anchor: module_path(draft.slug, s) + (f"#{anchor}" if anchor else ""),
        media_url=lambda path: url_for("authoring.draft_media", slug=draft.slug, path=path),
    )
    return html


def _module_or_404(draft, module: str) -> tuple[str, object]:
    paths = [r.path for r in drafts.list_files(draft)]
    path = packfiles.module_files(paths).get(module)
    if path is None:
        abort(404)
    row = drafts.get_file(draft, path)
    return path, row


@bp.route("/<slug>/modules/<module>/edit", methods=["GET", "POST"])
@access.rule("edit_course")
def edit_module(slug: str, module: str):
    draft = editable_draft_or_abort(slug)
    path, row = _module_or_404(draft, module)
    form = ModuleForm()
    preview_html = None
    other: list[Problem] = []
    status = 200
    if request.method == "GET":
        text = row.data.decode("utf-8", errors="replace")
        try:
            doc = packfiles.parse_module(text)
            meta = doc.meta
            form.body.data = doc.body
        except packfiles.PackFileError as exc:
            meta = {}
            form.body.data = packfiles.split_module_loosely(text)
            form.form_errors.append(_("The front matter of this file cannot be read (%(error)s). "
                                      "Fill in the fields and save to repair it.",
                                      error=str(exc)))
        form.title.data = meta.get("title") if isinstance(meta.get("title"), str) else ""
        form.title_en.data = meta.get("title_en") if isinstance(meta.get("title_en"), str) else ""
        form.minutes.data = meta.get("minutes") if isinstance(meta.get("minutes"), int) else None
        objectives = meta.get("objectives") if isinstance(meta.get("objectives"), list) else []
        form.objectives.data = "\n".join(str(o) for o in objectives)
        form.revision.data = str(row.revision)
        if not form.form_errors:
            _map_module_problems(form, path, text, drafts.validate(draft))
    elif form.validate_on_submit():
        text = packfiles.dump_module(_module_meta(form), form.body.data or "")
        if form.preview.data:
            preview_html = _preview(draft, form)
        else:
            problems = drafts.validate_files(drafts.files(draft) | {path: text.encode()})
            front_invalid, other = _map_module_problems(form, path, text, problems)
            if front_invalid:
                status = 400
            else:
                try:
                    saved = drafts.save_file(draft, path, text.encode(),
                                             expected_revision=_revision(form.revision.data),
                                             user=current_user, action="module.saved")
                except drafts.EditConflict as err:
                    form.form_errors.append(conflict_message(err))
                    status = 409
                else:
                    if not form.body.errors:
                        flash(_("Module saved. Learners see it after you publish."), "success")
                        return redirect(url_for("authoring.edit_module", slug=slug,
                                                module=module))
                    form.revision.data = str(saved.revision)
                    flash(_("Module saved, but the problems marked below must be fixed before "
                            "the course can be published."), "info")
    else:
        status = 400
    return render_template("authoring/module.html", form=form, draft=draft, slug=slug,
                           module=module, path=path, preview_html=preview_html, problems=other,
                           module_title=editing.module_title(row.data, str(get_locale() or "id"),
                                                             module),
                           new=False), status


@bp.route("/<slug>/modules/new", methods=["GET", "POST"])
@access.rule("edit_course")
def new_module(slug: str):
    draft = editable_draft_or_abort(slug)
    course_row = drafts.get_file(draft, editing.COURSE_TOML)
    if course_row is None:
        abort(404)
    form = NewModuleForm()
    preview_html = None
    status = 200
    if request.method == "GET":
        form.course_revision.data = str(course_row.revision)
    elif form.validate_on_submit():
        text = packfiles.dump_module(_module_meta(form), form.body.data or "")
        if form.preview.data:
            preview_html = _preview(draft, form)
        else:
            module = form.slug.data.strip()
            try:
                editing.add_module(draft, module, text,
                                    course_revision=_revision(form.course_revision.data),
                                    user=current_user)
            except ValueError:
                form.slug.errors.append(_("This course already has a module with this address."))
                status = 400
            except drafts.EditConflict as err:
                form.form_errors.append(conflict_message(err))
                status = 409
            except packfiles.PackFileError:
                form.form_errors.append(_("course.toml cannot be read. Fix it in the course "
                                          "settings first."))
                status = 400
            else:
                flash(_("Module added. Learners see it after you publish."), "success")
                return redirect(url_for("authoring.edit_module", slug=slug, module=module))
    else:
        status = 400
    return render_template("authoring/module.html", form=form, draft=draft, slug=slug,
                           module=None, path=None, preview_html=preview_html, problems=[],
                           new=True), status


@bp.route("/<slug>/modules/<module>/delete", methods=["GET", "POST"])
@access.rule("edit_course")
def delete_module(slug: str, module: str):
    draft = editable_draft_or_abort(slug)
    path, row = _module_or_404(draft, module)
    course_row = drafts.get_file(draft, editing.COURSE_TOML)
    form = DeleteModuleForm()
    if form.validate_on_submit():
        try:
            editing.delete_module(draft, module, revision=_int_or_400(form.revision.data),
                                   course_revision=_int_or_400(form.course_revision.data),
                                   user=current_user)
        except drafts.EditConflict as err:
            flash(_("The module was not deleted: %(reason)s", reason=conflict_message(err)),
                  "error")
        except packfiles.PackFileError:
            flash(_("course.toml cannot be read. Fix it in the course settings first."), "error")
        else:
            flash(_("Module deleted. Learners keep their progress; the module disappears for "
                    "them when you publish."), "success")
        return redirect(_workspace_url(slug))
    form.revision.data = str(row.revision)
    form.course_revision.data = str(course_row.revision) if course_row else ""
    return render_template("authoring/confirm_delete_module.html", form=form, draft=draft,
                           slug=slug, module=module, path=path,
                           module_title=editing.module_title(row.data, str(get_locale() or "id"),
                                                             module))


# ----------------------------------------------------------------------------- media


@bp.route("/<slug>/media", methods=["GET", "POST"])
@access.rule("edit_course")
def media(slug: str):
    draft = editable_draft_or_abort(slug)
    form = MediaForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_MEDIA_BYTES + 1)
        try:
            path = editing.upload_media(draft, upload.filename or "", data, user=current_user)
        except editing.MediaRefused as err:
            ext = (upload.filename or "").rpartition(".")[2].upper() or "?"
            form.file.errors.append(MEDIA_MESSAGES[err.reason] % {"name": err.filename,
                                                                  "ext": ext})
            status = 400
        else:
            flash(_("%(name)s uploaded. Paste this into a module: %(snippet)s",
                    name=path.removeprefix("media/"), snippet=packfiles.media_snippet(path)),
                  "success")
            return redirect(url_for("authoring.media", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template("authoring/media.html", form=form, draft=draft, slug=slug,
                           items=editing.media_items(draft), delete_form=DeleteMediaForm(),
                           accept=mediafiles.MEDIA_ACCEPT), status


@bp.route("/<slug>/media/delete", methods=["POST"])
@access.rule("edit_course")
def delete_media(slug: str):
    draft = editable_draft_or_abort(slug)
    form = DeleteMediaForm()
    if not form.validate_on_submit() or not (form.path.data or "").startswith("media/"):
        abort(400)
    try:
        drafts.delete_file(draft, form.path.data, expected_revision=_int_or_400(form.revision.data),
                           user=current_user, action="media.deleted")
    except drafts.EditConflict as err:
        flash(_("The file was not deleted: %(reason)s", reason=conflict_message(err)), "error")
    else:
        flash(_("%(name)s deleted.", name=form.path.data.removeprefix("media/")), "success")
    return redirect(url_for("authoring.media", slug=slug))


@bp.route("/<slug>/media/file/<path:path>")
@access.rule("edit_course")
def draft_media(slug: str, path: str):
    """A media file of the workspace (for previews), served so that it can never run script."""
    draft = editable_draft_or_abort(slug)
    if not path.startswith("media/"):
        abort(404)
    row = drafts.get_file(draft, path)
    if row is None:
        abort(404)
    response = send_file(io.BytesIO(row.data), download_name=path.rsplit("/", 1)[-1],
                         etag=row.sha256, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ----------------------------------------------------------------------------- editors


@bp.route("/<slug>/editors", methods=["GET", "POST"])
@access.rule("edit_course")
def editors(slug: str):
    draft = editable_draft_or_abort(slug)
    form = EditorForm()
    status = 200
    if form.validate_on_submit():
        user = editing.user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("Nobody has an account with this email address."))
            status = 400
        elif not user.is_trainer or not user.active:
            form.email.errors.append(_("%(name)s is not a master trainer. An administrator can "
                                       "change the role first.", name=user.full_name))
            status = 400
        else:
            drafts.add_editor(draft, user, user=current_user)
            flash(_("%(name)s can now edit this course.", name=user.full_name), "success")
            return redirect(url_for("authoring.editors", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template("authoring/editors.html", form=form, draft=draft, slug=slug,
                           editors=editing.editors(draft), remove_form=RemoveEditorForm()
                           ), status


@bp.route("/<slug>/editors/remove", methods=["POST"])
@access.rule("edit_course")
def remove_editor(slug: str):
    draft = editable_draft_or_abort(slug)
    form = RemoveEditorForm()
    if not form.validate_on_submit():
        abort(400)
    editor = db.session.get(User, _int_or_400(form.user_id.data))
    if editor is None:
        abort(404)
    try:
        drafts.remove_editor(draft, editor, user=current_user)
    except LookupError:
        flash(_("%(name)s is not an editor of this course.", name=editor.full_name), "info")
    except drafts.LastEditor:
        flash(_("%(name)s is the only editor of this course and cannot be removed. Add another "
                "editor first, or ask an administrator.", name=editor.full_name), "error")
    else:
        flash(_("%(name)s can no longer edit this course.", name=editor.full_name), "success")
        if editor.id == current_user.id and not current_user.is_admin:
            return redirect(url_for("authoring.index"))
    return redirect(url_for("authoring.editors", slug=slug))
