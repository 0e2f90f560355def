"""Version history, diffs, the audit log, and zip export/import of a course's pack.

Every page here checks the role on the server: course pages need an editor of the course
(`access.editable_draft_or_abort`), `/admin/audit` an admin, the zip import a trainer or admin
(and, for an existing course, one of its editors).
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms import access
from lms.audit import AuditEvent
from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.authoring.access import editable_draft_or_abort, require_author
from lms.authoring.forms import ZipConfirmForm, ZipImportForm
from lms.authoring.services import drafts, zips
from lms.authoring.zipio import MAX_ENTRIES, MAX_TOTAL_BYTES, ZipRefused
from lms.content import MAX_MEDIA_BYTES, MAX_TEXT_BYTES
from lms.courses.models import Course, CourseVersion
from lms.courses.services.importer import version_files
from lms.extensions import db
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.storage import StorageUnavailable

bp = Blueprint("authoring_history", __name__)

AUDIT_PER_PAGE = 50
MAX_DIFF_LINES = 3000  # per file; longer diffs are cut with a note

# What a refused zip means, in words a trainer understands (zipio.ZipProblem.code -> message).
ZIP_REASONS = {
    "not_zip": _l("This is not a zip file, or the file is damaged."),
    "too_many": _l("The zip holds too many files (at most %(max)d).", max=MAX_ENTRIES),
    "too_large": _l("The files in the zip are too large together (at most %(mb)d MB unpacked).",
                    mb=MAX_TOTAL_BYTES // (1024 * 1024)),
    "unsafe_path": _l("A path in the zip is unsafe (absolute, too long, or it leaves the folder "
                      "with ..)."),
    "symlink": _l("The zip contains a symbolic link; put the file itself in the zip."),
    "special": _l("The zip contains something that is not a regular file."),
    "encrypted": _l("A file in the zip is protected by a password; make the zip without one."),
    "duplicate": _l("The zip contains the same path twice."),
    "bomb": _l("A file in the zip expands far too much when unpacked (a zip bomb)."),
    "file_too_large": _l("A file is over the size limit (%(text)d KB for text, %(media)d MB for "
                         "media).", text=MAX_TEXT_BYTES // 1024,
                         media=MAX_MEDIA_BYTES // (1024 * 1024)),
    "lying_size": _l("A file is larger than the zip says; the zip is damaged or forged."),
    "file_and_folder": _l("The zip holds a file and a folder with the same name."),
    "damaged": _l("A file in the zip cannot be unpacked; the zip is damaged."),
    # zipio.content_problems: the same checks as the module media uploader.
    "media_empty": _l("A media file is empty."),
    "media_too_large": _l("A file is over the size limit (%(text)d KB for text, %(media)d MB for "
                          "media).", text=MAX_TEXT_BYTES // 1024,
                          media=MAX_MEDIA_BYTES // (1024 * 1024)),
    "media_name": _l("A media file needs a name with an extension such as .png or .pdf."),
    "media_type": _l("A media file is not an allowed type. Course media may be PNG, JPEG, GIF, "
                     "WebP or PDF files."),
    "media_mismatch": _l("A file is not what its name says: its content is not the type its "
                         "extension claims."),
    "active_content": _l("Web pages and SVG images are not accepted in a course: they could run "
                         "scripts in learners' browsers."),
}


# ----------------------------------------------------------------------------- helpers


def _course_or_404(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _publishers(slug: str) -> dict[int, AuditEvent]:
    """The "course.published" event of each version of the course, by version id (one query)."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.scope == f"course:{slug}",
                                 AuditEvent.action == "course.published")
        .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id))
    found: dict[int, AuditEvent] = {}
    for event in events:
        version_id = (event.detail or {}).get("version_id")
        if isinstance(version_id, int) and version_id not in found:
            found[version_id] = event  # the first publication created the version
    return found


# ----------------------------------------------------------------------------- history, diff


@bp.route("/author/<slug>/history")
@access.rule("edit_course")
def history(slug: str):
    draft = editable_draft_or_abort(slug)
    course = _course_or_404(slug)
    versions = drafts.versions(course.id) if course is not None else []
    return render_template(
        "authoring/history.html", slug=slug, course=course, draft=draft, versions=versions,
        publishers=_publishers(slug), live_id=course.current_version_id if course else None,
        draft_changed=drafts.has_changes(draft))


def _side(value: str | None, course: Course | None, draft) -> tuple[str, dict[str, bytes]]:
    """('draft' | version id as text, files) for a diff side; 404 for anything else."""
    if value == "draft":
        return "draft", drafts.files(draft)
    if value and value.isdigit() and course is not None:
        version = db.session.get(CourseVersion, int(value))
        if version is not None and version.course_id == course.id:
            return str(version.id), version_files(version.id)
    abort(404)


@bp.route("/author/<slug>/diff")
@access.rule("edit_course")
def diff(slug: str):
    draft = editable_draft_or_abort(slug)
    course = _course_or_404(slug)
    live = str(course.current_version_id) if course and course.current_version_id else None
    old_key, old = _side(request.args.get("from") or live or "draft", course, draft)
    new_key, new = _side(request.args.get("to") or "draft", course, draft)
    changes = drafts.diff_files(old, new)
    for change in changes:
        change.truncated = len(change.lines) > MAX_DIFF_LINES
        change.lines = change.lines[:MAX_DIFF_LINES]
    labels = {key: (_("the draft") if key == "draft" else _("version #%(id)s", id=key))
              for key in (old_key, new_key)}
    versions = drafts.versions(course.id) if course is not None else []
    return render_template("authoring/diff.html", slug=slug, changes=changes, old_key=old_key,
                           new_key=new_key, labels=labels, versions=versions,
                           live_id=course.current_version_id if course else None)


# ----------------------------------------------------------------------------- audit


def _audit_page(stmt):
    stmt = stmt.options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at.desc(),
                                                                  AuditEvent.id.desc())
    return db.paginate(stmt, per_page=AUDIT_PER_PAGE, error_out=False)


@bp.route("/author/<slug>/audit")
@access.rule("edit_course")
def audit_log(slug: str):
    editable_draft_or_abort(slug)
    page = _audit_page(select(AuditEvent).where(AuditEvent.scope == f"course:{slug}"))
    return render_template("authoring/audit.html", page=page, slug=slug, scope=None,
                           page_args={"slug": slug}, endpoint="authoring_history.audit_log")


@bp.route("/admin/audit")
@role_required(Role.ADMIN)
def site_audit():
    scope = (request.args.get("scope") or "").strip()[:120]
    stmt = select(AuditEvent)
    if scope.endswith(":"):
        stmt = stmt.where(AuditEvent.scope.startswith(scope, autoescape=True))
    elif scope:
        stmt = stmt.where(AuditEvent.scope == scope)
    page = _audit_page(stmt)
    return render_template("authoring/audit.html", page=page, slug=None, scope=scope,
                           page_args={"scope": scope} if scope else {},
                           endpoint="authoring_history.site_audit")


# ----------------------------------------------------------------------------- export


@bp.route("/author/<slug>/export.zip")
@access.rule("edit_course")
def export_zip(slug: str):
    draft = editable_draft_or_abort(slug)
    if request.args.get("source") == "draft":
        files, name = drafts.files(draft), f"{slug}-draft.zip"
    else:
        files, name = zips.live_files(slug), f"{slug}.zip"
        if files is None:
            abort(404)
    response = Response(zips.export_zip_bytes(slug, files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------- import


def _refused(form: ZipImportForm, *, reasons=None, problems=None, status: int = 422):
    return render_template("authoring/import_zip.html", form=form, reasons=reasons or [],
                           problems=problems or [], preview=None), status


@bp.route("/author/import", methods=["GET", "POST"])
@access.role("trainer")
def import_zip():
    require_author()
    form = ZipImportForm()
    if request.method == "POST" and request.form.get("token") is not None:
        return _confirm()
    if not form.validate_on_submit():
        return render_template("authoring/import_zip.html", form=form, reasons=[], problems=[],
                               preview=None), (422 if form.errors else 200)
    upload = form.file.data
    filename = (upload.filename or "upload.zip").rsplit("/", 1)[-1][:200]
    data = upload.read()
    try:
        contents, pack = zips.check_zip(data, filename)
    except ZipRefused as err:
        return _refused(form, reasons=[(ZIP_REASONS.get(p.code, p.message), p)
                                       for p in err.problems])
    except zips.PackInvalid as err:
        return _refused(form, problems=err.problems)
    if not zips.may_import(current_user, pack.slug):
        form.file.errors.append(_("You are not an editor of the course %(slug)s, so you cannot "
                                  "import it. Ask an administrator to add you.", slug=pack.slug))
        return _refused(form, status=403)
    summary = zips.preview(contents, pack)
    try:
        token = zips.stash(data, user=current_user, filename=filename, slug=pack.slug,
                           live_version_id=summary.live_version_id)
    except StorageUnavailable:
        form.file.errors.append(STORAGE_REFUSED_UPLOAD)
        return _refused(form, status=503)
    confirm = ZipConfirmForm(formdata=None, token=token,
                          note=_("Imported from %(file)s", file=filename))
    return render_template("authoring/import_zip.html", form=form, reasons=[], problems=[],
                           preview=summary, confirm=confirm, filename=filename)


# The storage folder cannot be written (lms/storage.py): what the author is told. Nothing was
# imported and nothing of theirs was lost; the administrators see it on their health page.
STORAGE_REFUSED_UPLOAD = _l(
    "The server could not keep your zip: its storage folder cannot be written to right now. "
    "Nothing was imported or changed, and your zip is still on your computer. The "
    "administrators see the problem on their page; upload the zip again once it is fixed.")
STORAGE_REFUSED_IMPORT = _l(
    "The server could not write its working files, so nothing was imported or changed. Your "
    "upload is kept: confirm the import below again in a few minutes.")


def _confirm():
    form = ZipConfirmForm()
    token = request.form.get("token", "")
    if request.form.get("action") == "cancel":
        zips.discard(token)
        flash(_("The import was cancelled; nothing was changed."), "info")
        return redirect(url_for("authoring_history.import_zip"))
    if not form.validate_on_submit():
        if form.note.errors:  # only possible without the browser's maxlength check
            abort(400)
        flash(_("The form expired or was sent from another page, so nothing was imported. "
                "Upload the zip again."), "error")
        return redirect(url_for("authoring_history.import_zip"))
    stashed = zips.unstash(token, user=current_user)
    if stashed is None:
        flash(_("This upload has expired or does not exist, so nothing was imported. Upload the "
                "zip again."), "error")
        return redirect(url_for("authoring_history.import_zip"))
    data, meta = stashed
    note = (form.note.data or "").strip() or _("Imported from %(file)s", file=meta["filename"])
    try:
        result = zips.import_zip(data, meta, user=current_user, note=note)
    except OSError as err:  # the disk is full or read-only: import_zip rolled everything back
        logging.getLogger("pelita").error("Zip import of %s not written: %s", meta.get("slug"), err)
        contents, pack = zips.check_zip(data, meta["filename"])
        flash(STORAGE_REFUSED_IMPORT, "error")
        return render_template("authoring/import_zip.html", form=ZipImportForm(formdata=None),
                               reasons=[], problems=[], preview=zips.preview(contents, pack),
                               confirm=form, filename=meta["filename"]), 503
    except zips.NotAllowed:
        abort(403)
    except zips.ChangedSincePreview:
        zips.discard(token)
        flash(_("Someone published this course after you saw the preview, so nothing was "
                "imported. Upload the zip again to see the new changes."), "error")
        return redirect(url_for("authoring_history.import_zip"))
    except (ZipRefused, zips.PackInvalid):
        zips.discard(token)
        flash(_("The zip could not be read again, so nothing was imported. Upload it again."),
              "error")
        return redirect(url_for("authoring_history.import_zip"))
    zips.discard(token)
    if result.status == "unchanged":
        flash(_("Nothing changed: the zip holds exactly the live version of %(slug)s.",
                slug=result.slug), "info")
    else:
        flash(_("%(slug)s was imported and published as version #%(id)d.", slug=result.slug,
                id=result.version_id), "success")
    return redirect(url_for("authoring_history.history", slug=result.slug))
