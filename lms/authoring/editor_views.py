"""What the Markdown writing surface (`lms/static/js/markdown-editor.js`) asks the server for.

Three small routes under `/author/<slug>/editor/`, all with the rule of the editor pages
(`edit_course`: the course's editors and admins) and CSRF on the POSTs (the script sends the
page's token in the `X-CSRFToken` header):

- `POST preview`: a Markdown text to the sanitised HTML fragment learners would see, through the
  same `render_markdown` as the module editor's Preview button (`views._preview`) and the
  importer; `context=question` resolves links as a quiz file does. Nothing is saved.
- `GET media`: the course's pictures for the media picker (JSON).
- `POST media`: upload a picture from inside the picker (the media page's check and writer).

Without JavaScript none of them is needed: the form's own Preview button and the media page do
the same work."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user

from lms import access
from lms.authoring import packfiles
from lms.authoring.access import authors_only, editable_draft_or_abort
from lms.authoring.services import editing
from lms.content import MAX_MEDIA_BYTES, render_markdown
from lms.courses.services.importer import _without_title_heading, module_path
from lms.i18n import gettext as _

bp = Blueprint("authoring_editor", __name__, url_prefix="/author")

# The longest text the live preview renders (a module of a few hundred pages is far less).
MAX_PREVIEW_CHARS = 200_000


bp.before_request(authors_only)


def render_fragment(slug: str, text: str, *, context: str = "module") -> str:
    """`text` rendered as learners see it: sanitised HTML with module links and workspace media
    resolved (media from the workspace, so unpublished pictures show)."""
    html, _toc = render_markdown(
        text,
        module_url=lambda s, anchor: module_path(slug, s) + (f"#{anchor}" if anchor else ""),
        media_url=lambda path: url_for("authoring.draft_media", slug=slug, path=path),
        module_dir="quizzes" if context == "question" else "modules",
    )
    return html


@bp.route("/<slug>/editor/preview", methods=["POST"])
@access.rule("edit_course")
def preview(slug: str):
    editable_draft_or_abort(slug)
    text = request.form.get("text", "")
    if len(text) > MAX_PREVIEW_CHARS:
        return "", 413
    context = request.form.get("context", "module")
    if context == "module":  # as the Preview button: a first "# Title" equal to the title goes
        text = _without_title_heading(text, request.form.get("title", "").strip())
    html = render_fragment(slug, text, context=context)
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _media_entry(slug: str, path: str) -> dict:
    return {"name": path.removeprefix("media/"), "src": "../" + path,
            "url": url_for("authoring.draft_media", slug=slug, path=path)}


@bp.route("/<slug>/editor/media", methods=["GET"])
@access.rule("edit_course")
def media(slug: str):
    draft = editable_draft_or_abort(slug)
    images = [_media_entry(slug, item.path) for item in editing.media_items(draft)
              if item.is_image]
    return jsonify(images=images)


@bp.route("/<slug>/editor/media", methods=["POST"])
@access.rule("edit_course")
def upload(slug: str):
    from lms.authoring.views import MEDIA_MESSAGES

    draft = editable_draft_or_abort(slug)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error=_("Choose a picture to upload.")), 400
    name = upload.filename
    ext = name.rpartition(".")[2].upper() or "?"
    if not packfiles.media_snippet(f"media/{name}").startswith("!"):
        # The picker inserts pictures; PDFs and templates go through the media page.
        return jsonify(error=_("%(name)s is not a picture. Choose a PNG, JPEG, GIF or WebP "
                               "file.", name=name)), 400
    data = upload.read(MAX_MEDIA_BYTES + 1)
    try:
        path = editing.upload_media(draft, name, data, user=current_user)
    except editing.MediaRefused as err:
        return jsonify(error=str(MEDIA_MESSAGES[err.reason] % {"name": err.filename,
                                                                "ext": ext})), 400
    return jsonify(image=_media_entry(slug, path)), 201
