"""The Markdown writing surface of the module and question editors (issue 21, item 1): the page
carries the toolbar's markup and the vendored script, the live preview renders exactly what
learners would see (sanitised), the media picker lists and uploads pictures — all only for the
course's editors and admins, with CSRF, as the editor pages themselves."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms.authoring.services import drafts
from tests.helpers.pages import login
from tests.helpers.quizzes import PNG, basic_quiz, import_pack, write_pack

SLUG = "kursus-uji"
PREVIEW = f"/author/{SLUG}/editor/preview"
MEDIA = f"/author/{SLUG}/editor/media"

TEXT = """## Rak koleksi

| Rak | Isi |
| --- | --- |
| A | Fiksi |

!!! tip "Tips fasilitator"
    Ajak peserta menghitung buku.

![Rak buku di perpustakaan desa](../media/rak.png)

<script>alert("x")</script><img src="x.png" onerror="alert(1)">
[bahaya](javascript:alert(1))
"""


@pytest.fixture
def course(tmp_path, trainer_user):
    """An imported course with one picture and one PDF; the trainer is its editor."""
    pack = write_pack(tmp_path, slug=SLUG, quizzes={"kuis": basic_quiz()})
    (pack / "media").mkdir()
    (pack / "media" / "rak.png").write_bytes(PNG)
    (pack / "media" / "panduan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    import_pack(pack)
    drafts.add_editor(drafts.open_draft(SLUG, None), trainer_user, user=None)
    return SLUG


@pytest.fixture
def editor(client, trainer_user, course):
    return login(client, trainer_user.email)


def preview(client, text, **extra):
    """As the script posts it: the page's token in the X-CSRFToken header."""
    return client.post(PREVIEW, data={"text": text, **extra}, csrf=False,
                       headers={"X-CSRFToken": client.csrf_token()})


def test_the_module_editor_offers_the_toolbar_and_serves_the_vendored_library(editor):
    page = editor.get(f"/author/{SLUG}/modules/satu/edit").text
    assert re.search(r'<textarea[^>]*data-markdown-editor[^>]*name="body"', page)
    assert 'role="toolbar"' not in page  # the toolbar exists only once the script runs
    for label in ("Heading", "Bold", "Italic", "Bulleted list", "Numbered list", "Link",
                  "Table", "Call-out box", "Picture"):
        assert f">{label}</button>" in page
    assert "Description of the picture (required)" in page
    assert f'data-preview-url="{PREVIEW}"' in page
    script = re.search(r'src="(/static/vendor/markdown-toolbar-element/[^"]+)"', page).group(1)
    with editor.get(script.replace("&amp;", "&")) as library:
        assert library.status_code == 200
        assert b"customElements.define('markdown-toolbar'" in library.data
    with editor.get("/static/vendor/markdown-toolbar-element/LICENSE") as licence:
        assert licence.status_code == 200 and b"Copyright (c) 2017-2018 GitHub" in licence.data
    # Without JavaScript the form is the plain one: its own Preview and Save buttons.
    assert 'name="preview"' in page and 'name="submit"' in page


def test_the_live_preview_renders_what_learners_see_and_strips_script(editor):
    response = preview(editor, TEXT)
    assert response.status_code == 200
    assert response.mimetype == "text/html" and response.headers["Cache-Control"] == "no-store"
    html = response.text
    assert "<table>" in html and "<td>Fiksi</td>" in html
    assert '<div class="admonition tip">' in html and "Tips fasilitator" in html
    assert re.search(r'<img[^>]*alt="Rak buku di perpustakaan desa"', html)
    assert f'src="/author/{SLUG}/media/file/media/rak.png"' in html  # the workspace's copy
    assert "<script" not in html and "alert(" not in html and "onerror" not in html
    assert "javascript:" not in html
    assert "<html" not in html  # a fragment, not a page


def test_the_preview_drops_the_title_heading_as_the_preview_button_does(editor):
    html = preview(editor, "# Pendahuluan\n\nIsi.", title="Pendahuluan").text
    assert "Pendahuluan" not in html and "<p>Isi.</p>" in html


def test_question_text_previews_resolve_pictures_from_the_quiz_folder(editor):
    html = preview(editor, "![Peta](../media/rak.png)", context="question").text
    assert f'src="/author/{SLUG}/media/file/media/rak.png"' in html


def test_the_preview_needs_the_csrf_token(editor):
    response = editor.post(PREVIEW, data={"text": "**x**"}, csrf=False)
    assert response.status_code == 400
    assert "<strong>" not in response.text


@pytest.mark.parametrize("who", ["learner", "other_trainer"])
def test_only_the_course_editors_may_preview_or_use_the_picker(app, course, make_user, who):
    user = make_user("trainer" if who == "other_trainer" else "participant",
                     email=f"{who.replace('_', '-')}@contoh.id")
    client = login(app.test_client(), user.email)
    assert preview(client, TEXT).status_code == 403
    assert client.get(MEDIA).status_code == 403
    assert upload(client, "foto.png", PNG).status_code == 403
    missing = client.post("/author/tidak-ada/editor/preview", data={"text": "x"}, csrf=False,
                          headers={"X-CSRFToken": client.csrf_token()})
    assert missing.status_code == (404 if who == "other_trainer" else 403)


def test_guests_are_sent_to_log_in(client, course):
    response = client.post(PREVIEW, data={"text": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_may_preview_any_course(app, course, admin_user):
    client = login(app.test_client(), admin_user.email)
    assert "<strong>x</strong>" in preview(client, "**x**").text


def upload(client, name, data):
    boundary, body = encode_multipart(MultiDict({
        "file": FileStorage(io.BytesIO(data), filename=name, content_type="image/png")}))
    return client.post(MEDIA, data=body, csrf=False,
                       content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"X-CSRFToken": client.csrf_token()})


def test_the_picker_lists_the_pictures_and_uploads_new_ones(editor):
    listed = editor.get(MEDIA).get_json()
    assert listed == {"images": [{"name": "rak.png", "src": "../media/rak.png",
                                  "url": f"/author/{SLUG}/media/file/media/rak.png"}]}

    added = upload(editor, "Foto Desa.png", PNG)
    assert added.status_code == 201
    assert added.get_json()["image"]["src"] == "../media/Foto-Desa.png"
    assert [i["name"] for i in editor.get(MEDIA).get_json()["images"]] == [
        "Foto-Desa.png", "rak.png"]

    pdf = upload(editor, "panduan-baru.pdf", b"%PDF-1.4\n%%EOF\n")
    assert pdf.status_code == 400 and "is not a picture" in pdf.get_json()["error"]
    disguised = upload(editor, "foto.png", b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 400
    assert "is not what its name says" in disguised.get_json()["error"]
    again = upload(editor, "Foto-Desa.png", PNG)
    assert again.status_code == 400 and "already exists" in again.get_json()["error"]


def test_a_picker_upload_without_the_token_is_refused(editor):
    boundary, body = encode_multipart(MultiDict({
        "file": FileStorage(io.BytesIO(PNG), filename="a.png", content_type="image/png")}))
    response = editor.post(MEDIA, data=body, csrf=False,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert [i["name"] for i in editor.get(MEDIA).get_json()["images"]] == ["rak.png"]


def test_question_text_and_feedback_use_the_same_surface(editor):
    page = editor.get(f"/author/{SLUG}/quizzes/kuis/questions/new?type=single_choice").text
    for name in ("text", "feedback"):
        textarea = re.search(rf'<textarea id="e-{name}"[^>]*>', page).group(0)
        # the toolbar only: the question editor shows the whole question's preview itself
        assert 'data-markdown-editor="compact"' in textarea, name
    assert 'data-context="question"' in page and f'data-media-url="{MEDIA}"' in page


def test_an_overlong_text_is_not_rendered(editor):
    assert preview(editor, "x" * 200_001).status_code == 413
