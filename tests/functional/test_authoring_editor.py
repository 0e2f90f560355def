"""The course and module editors in the browser, as a master trainer uses them: create a course,
write modules, preview, publish, reorder, upload media, manage editors, archive."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms.audit import AuditEvent
from lms.authoring.models import CourseDraft, CourseEditor, DraftFile
from lms.authoring.services import drafts
from lms.courses.models import Course
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import field_error, hidden, login

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")








def audit_actions(slug: str) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.scope == f"course:{slug}").order_by(AuditEvent.id)))


NEW_COURSE = {"slug": "kursus-baru", "title_id": "Kursus Baru", "title_en": "New Course",
              "summary_id": "Ringkasan.", "summary_en": "Summary.", "area": "ict", "hours": "3",
              "enrolment": "open", "version": "1.0.0", "first_module_title": "Pendahuluan"}


@pytest.fixture
def trainer(client, trainer_user):
    return login(client, trainer_user.email)


@pytest.fixture
def learner(app, make_user):
    user = make_user(email="belajar@contoh.id")
    return login(app.test_client(), user.email), user


@pytest.fixture
def shipped(tmp_path, trainer_user):
    """An imported course (3 modules) whose workspace lists the trainer as editor."""
    import_folder(make_pack(tmp_path, "kursus-uji", modules=3))
    draft = drafts.open_draft("kursus-uji", None)
    drafts.add_editor(draft, trainer_user, user=None)
    return "kursus-uji"


def add_module(client, slug, module, title, body):
    page = client.get(f"/author/{slug}/modules/new").text
    return client.post(f"/author/{slug}/modules/new", data={
        "course_revision": hidden(page, "course_revision"), "slug": module, "title": title,
        "title_en": "", "minutes": "5", "objectives": "Tujuan satu\nTujuan dua", "body": body,
        "submit": "1"})


def edit(client, slug, module, **changes):
    page = client.get(f"/author/{slug}/modules/{module}/edit").text
    data = {"revision": hidden(page, "revision"), "title": "Judul", "title_en": "",
            "minutes": "", "objectives": "", "body": "", "submit": "1", **changes}
    return client.post(f"/author/{slug}/modules/{module}/edit", data=data)


def publish(client, slug, note="Perubahan", **extra):
    return client.post(f"/author/{slug}/publish", data={"note": note, **extra})


# ----------------------------------------------------------------------------- the whole way


def test_create_write_preview_publish_and_learner_reads_it(trainer, learner, trainer_user):
    assert "New course" in trainer.get("/author/").text
    response = trainer.post("/author/new", data=NEW_COURSE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/author/kursus-baru/")
    page = trainer.get("/author/kursus-baru/").text
    assert "Unpublished changes" in page and "Pendahuluan" in page
    assert "No problems found" in page
    assert "/courses/kursus-baru" not in page.split("<main", 1)[1].split("Modules")[0] \
        or "Never published" in page

    response = add_module(trainer, "kursus-baru", "praktik", "Praktik Lapangan",
                          "## Langkah\n\nKunjungi **balai desa**.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/author/kursus-baru/modules/praktik/edit")
    assert "Praktik Lapangan" in trainer.get("/author/kursus-baru/").text

    evil = ("Teks aman.\n\n<script>alert('x')</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">"
            "\n\n[klik](javascript:alert(1))")
    page = trainer.get("/author/kursus-baru/modules/praktik/edit").text
    assert "data-unsaved-warning" in page and "js/unsaved.js" in page
    preview = trainer.post("/author/kursus-baru/modules/praktik/edit", data={
        "revision": hidden(page, "revision"), "title": "Praktik Lapangan", "body": evil,
        "preview": "1"})
    assert preview.status_code == 200
    shown = preview.text.split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "Teks aman." in shown
    assert "<script" not in shown and "onerror" not in shown and "javascript:" not in shown
    assert "<script>alert" not in preview.text  # the textarea shows it escaped
    assert "&lt;script&gt;" in preview.text     # ... and keeps the author's text
    # previewing saves nothing
    assert "Kunjungi" in trainer.get("/author/kursus-baru/modules/praktik/edit").text

    response = edit(trainer, "kursus-baru", "praktik", title="Praktik Lapangan",
                    body="## Langkah\n\nKunjungi **perpustakaan kecamatan**.")
    assert response.status_code == 302

    assert publish(trainer, "kursus-baru", note="Terbit pertama").status_code == 302
    page = trainer.get("/author/kursus-baru/").text
    assert "Published." in page and "No unpublished changes." in page

    client, _user = learner
    assert "New Course" in client.get("/courses/").text
    client.post("/courses/kursus-baru/enrol")
    module = client.get("/courses/kursus-baru/modules/praktik").text
    assert "<strong>perpustakaan kecamatan</strong>" in module

    actions = audit_actions("kursus-baru")
    assert actions[:1] == ["course.created"]
    assert {"module.added", "module.saved", "course.published"} <= set(actions)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published"))
    assert event.actor_id == trainer_user.id and event.detail["note"] == "Terbit pertama"


def test_new_course_form_errors_are_on_the_fields(trainer, shipped):
    response = trainer.post("/author/new", data={**NEW_COURSE, "slug": "Kursus Baru!",
                                                 "hours": "0", "title_en": "  "})
    assert response.status_code == 200
    html = response.text
    assert "lower-case letters" in field_error(html, "slug")
    assert "at least 1" in field_error(html, "hours")
    assert field_error(html, "title_en")
    # A screen reader reads the error with the field: the input points at it and is invalid.
    hours = re.search(r'<input [^>]*id="hours"[^>]*>', html).group(0)
    assert "hours-error" in re.search(r'aria-describedby="([^"]*)"', hours).group(1).split()
    assert 'aria-invalid="true"' in hours
    taken = trainer.post("/author/new", data={**NEW_COURSE, "slug": shipped})
    assert "already used" in field_error(taken.text, "slug")
    assert db.session.scalar(select(CourseDraft).where(CourseDraft.slug == "kursus-baru")) is None


# ----------------------------------------------------------------------------- learners


def test_publishing_keeps_the_progress_of_a_learner_in_the_middle(trainer, learner, shipped):
    client, _user = learner
    client.post(f"/courses/{shipped}/enrol")
    client.post(f"/courses/{shipped}/modules/modul-1/done")
    assert "1 of 3" in client.get(f"/courses/{shipped}").text

    assert edit(trainer, shipped, "modul-2", title="Modul dua (baru)",
                body="Isi yang diperbarui.").status_code == 302
    assert publish(trainer, shipped).status_code == 302

    page = client.get(f"/courses/{shipped}").text
    assert "1 of 3" in page and "Modul dua (baru)" in page
    assert "Isi yang diperbarui." in client.get(f"/courses/{shipped}/modules/modul-2").text


def test_reorder_changes_the_learner_order_after_publishing(trainer, learner, shipped):
    page = trainer.get(f"/author/{shipped}/").text
    revision = hidden(page, "revision")
    response = trainer.post(f"/author/{shipped}/modules/modul-3/move",
                            data={"revision": revision, "direction": "up"})
    assert response.status_code == 302
    page = trainer.get(f"/author/{shipped}/").text
    assert page.index("module-modul-3") < page.index("module-modul-2")

    client, _user = learner
    before = client.get(f"/courses/{shipped}").text
    assert before.index("Modul modul-2") < before.index("Modul modul-3")  # not yet published

    # a stale form (old revision) is refused and changes nothing
    stale = trainer.post(f"/author/{shipped}/modules/modul-1/move",
                         data={"revision": revision, "direction": "down"}, follow_redirects=True)
    assert "was not changed" in stale.text

    assert publish(trainer, shipped, note="Urutan baru").status_code == 302
    after = client.get(f"/courses/{shipped}").text
    assert after.index("Modul modul-3") < after.index("Modul modul-2")
    toml = drafts.get_file(drafts.draft_for(shipped), "course.toml").data.decode()
    assert 'modules = ["modul-1", "modul-3", "modul-2"]' in toml
    assert "module.moved" in audit_actions(shipped)


# ----------------------------------------------------------------------------- invalid input


def test_invalid_front_matter_values_are_reported_on_the_fields(trainer, shipped):
    response = edit(trainer, shipped, "modul-1", title=" ", minutes="sepuluh",
                    body="Teks yang tidak boleh hilang.")
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "title") and "whole number" in field_error(html, "minutes")
    assert 'aria-invalid="true"' in html and "Teks yang tidak boleh hilang." in html
    response = edit(trainer, shipped, "modul-1", minutes="-3")
    assert "at least 0" in field_error(response.text, "minutes")


def test_broken_markdown_links_are_reported_on_the_text_field(trainer, shipped):
    response = edit(trainer, shipped, "modul-1", title="Judul",
                    body="Baris satu.\n\n![foto](../media/tidak-ada.png)\n")
    assert response.status_code == 200  # saved, but the problem is shown on the field
    assert "Line 3" in field_error(response.text, "body")
    assert "tidak-ada.png" in field_error(response.text, "body")
    refused = publish(trainer, shipped)
    assert refused.status_code == 400 and "Not published" in refused.text
    assert "modules/01-modul-1.md:" in refused.text


def test_a_module_file_with_unreadable_front_matter_can_be_repaired(trainer, shipped, trainer_user):
    draft = drafts.draft_for(shipped)
    row = drafts.get_file(draft, "modules/01-modul-1.md")
    drafts.save_file(draft, row.path, b'+++\ntitle = "Judul\n+++\nIsi penting.\n',
                     expected_revision=row.revision, user=trainer_user)
    page = trainer.get(f"/author/{shipped}/modules/modul-1/edit").text
    assert "cannot be read" in page and "Isi penting." in page
    assert "modules/01-modul-1.md:2" in trainer.get(f"/author/{shipped}/").text
    assert edit(trainer, shipped, "modul-1", title="Judul baru",
                body="Isi penting.\n").status_code == 302
    assert "No problems found" in trainer.get(f"/author/{shipped}/").text


def test_settings_show_every_key_and_map_loader_problems_to_fields(trainer, shipped):
    page = trainer.get(f"/author/{shipped}/settings").text
    for name in ("title_id", "title_en", "summary_id", "summary_en", "area", "hours", "version",
                 "authors", "enrolment", "sequential", "prerequisites", "completion_modules",
                 "min_module_quiz_score", "final_min_score", "practical", "certificate_enabled",
                 "certificate_hours", "certificate_valid_months", "certificate_show_score",
                 "certificate_template"):
        assert f'id="{name}"' in page, name
    base = {"revision": hidden(page, "revision"), "version": "1.1", "title_id": "Judul",
            "title_en": "Title", "area": "ict", "hours": "4", "enrolment": "cohort",
            "completion_modules": "all", "min_module_quiz_score": "70",
            "final_min_score": "75", "certificate_enabled": "y",
            "certificate_valid_months": "0", "certificate_template": "default"}

    bad = trainer.post(f"/author/{shipped}/settings", data={
        **base, "completion_modules": "5", "prerequisites": shipped, "hours": "x",
        "min_module_quiz_score": "120"})
    assert bad.status_code == 400
    assert "whole number" in field_error(bad.text, "hours")
    assert "0 to 100" in field_error(bad.text, "min_module_quiz_score")
    bad = trainer.post(f"/author/{shipped}/settings", data={
        **base, "completion_modules": "5", "prerequisites": shipped})
    assert bad.status_code == 400
    assert "more than the number of modules" in field_error(bad.text, "completion_modules")
    assert "lists itself" in field_error(bad.text, "prerequisites")

    good = trainer.post(f"/author/{shipped}/settings", data={
        **base, "min_module_quiz_score": "72,5", "authors": "Tim Pelita\nBudi",
        "certificate_hours": "6", "sequential": "y"})
    assert good.status_code == 302
    text = drafts.get_file(drafts.draft_for(shipped), "course.toml").data.decode()
    assert 'enrolment = "cohort"' in text and "min_module_quiz_score = 72.5" in text
    assert 'authors = ["Tim Pelita", "Budi"]' in text and "hours = 6" in text
    assert "No problems found" in trainer.get(f"/author/{shipped}/").text
    assert publish(trainer, shipped).status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == shipped))
    db.session.refresh(course)
    assert course.enrolment == "cohort" and course.sequential is True
    assert "course.settings_saved" in audit_actions(shipped)


# ----------------------------------------------------------------------------- conflicts


def test_a_save_over_someone_elses_newer_save_is_refused_and_the_text_kept(
        app, trainer, shipped, make_user):
    colleague_user = make_user("trainer", email="rekan@contoh.id", full_name="Rina Rekan")
    drafts.add_editor(drafts.draft_for(shipped), colleague_user, user=None)
    colleague = login(app.test_client(), colleague_user.email)

    mine = trainer.get(f"/author/{shipped}/modules/modul-1/edit").text
    theirs = colleague.get(f"/author/{shipped}/modules/modul-1/edit").text
    assert colleague.post(f"/author/{shipped}/modules/modul-1/edit", data={
        "revision": hidden(theirs, "revision"), "title": "Versi Rina", "body": "Teks Rina.",
        "submit": "1"}).status_code == 302

    response = trainer.post(f"/author/{shipped}/modules/modul-1/edit", data={
        "revision": hidden(mine, "revision"), "title": "Versi saya",
        "body": "Teks saya yang panjang.", "submit": "1"})
    assert response.status_code == 409
    assert "Rina Rekan saved a newer version" in response.text
    assert "Teks saya yang panjang." in response.text and 'value="Versi saya"' in response.text
    stored = drafts.get_file(drafts.draft_for(shipped), "modules/01-modul-1.md").data.decode()
    assert "Teks Rina." in stored and "Teks saya" not in stored


def test_publish_after_someone_else_published_asks_for_confirmation(trainer, shipped, tmp_path):
    edit(trainer, shipped, "modul-1", title="Judul dari editor", body="Teks editor.")
    import_folder(make_pack(tmp_path / "lain", shipped, modules=3, body="Versi dari Git."))
    response = publish(trainer, shipped, note="Dari browser")
    assert response.status_code == 409
    assert "Publish anyway" in response.text and 'name="force" value="1"' in response.text
    assert publish(trainer, shipped, note="Dari browser", force="1").status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == shipped))
    db.session.refresh(course)
    assert drafts.draft_for(shipped).base_version_id == course.current_version_id


# ----------------------------------------------------------------------------- media


def upload(client, slug, name, data):
    # Encoded here in memory: the test client would spool a large body to an unclosed temp file.
    boundary, body = encode_multipart(MultiDict({
        "csrf_token": client.csrf_token(),
        "file": FileStorage(io.BytesIO(data), filename=name, content_type="image/png")}))
    return client.post(f"/author/{slug}/media", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_media_upload_checks_content_and_shows_the_snippet(trainer, shipped):
    response = upload(trainer, shipped, "Foto Desa (1).png", PNG)
    assert response.status_code == 302
    page = trainer.get(f"/author/{shipped}/media").text
    assert "![Foto-Desa-1](../media/Foto-Desa-1.png)" in page
    assert trainer.get(f"/author/{shipped}/media/file/media/Foto-Desa-1.png").data == PNG

    disguised = upload(trainer, shipped, "foto.png", b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 400 and "is not what its name says" in disguised.text
    exe = upload(trainer, shipped, "panduan.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert exe.status_code == 400 and "is not what its name says" in exe.text
    html_file = upload(trainer, shipped, "halaman.html", b"<html></html>")
    assert html_file.status_code == 400 and "not an allowed type" in html_file.text
    big = upload(trainer, shipped, "besar.png", PNG + b"\x00" * (5 * 1024 * 1024))
    assert big.status_code == 400 and "larger than 5 MB" in big.text
    again = upload(trainer, shipped, "Foto-Desa-1.png", PNG)
    assert again.status_code == 400 and "already exists" in again.text
    paths = {r.path for r in drafts.list_files(drafts.draft_for(shipped))}
    assert {p for p in paths if p.startswith("media/")} == {"media/Foto-Desa-1.png"}

    edit(trainer, shipped, "modul-1", title="Judul", body="![Foto](../media/Foto-Desa-1.png)")
    assert publish(trainer, shipped).status_code == 302

    page = trainer.get(f"/author/{shipped}/media").text
    response = trainer.post(f"/author/{shipped}/media/delete", data={
        "path": "media/Foto-Desa-1.png", "revision": hidden(page, "revision")})
    assert response.status_code == 302
    assert "media.uploaded" in audit_actions(shipped) and "media.deleted" in audit_actions(shipped)


# ----------------------------------------------------------------------------- permissions


def test_participants_get_403_on_every_author_url(logged_in, shipped):
    urls = ["/author/", "/author/new", f"/author/{shipped}/", f"/author/{shipped}/settings",
            f"/author/{shipped}/modules/new", f"/author/{shipped}/modules/modul-1/edit",
            f"/author/{shipped}/modules/modul-1/delete", f"/author/{shipped}/media",
            f"/author/{shipped}/media/file/media/x.png", f"/author/{shipped}/editors",
            f"/author/{shipped}/discard"]
    for url in urls:
        assert logged_in.get(url).status_code == 403, url
    posts = ["/author/new", f"/author/{shipped}/publish", f"/author/{shipped}/archive",
             f"/author/{shipped}/modules/modul-1/move", f"/author/{shipped}/settings",
             f"/author/{shipped}/modules/modul-1/edit", f"/author/{shipped}/media/delete",
             f"/author/{shipped}/editors", f"/author/{shipped}/discard"]
    for url in posts:
        assert logged_in.post(url, data={"note": "x"}).status_code == 403, url
    assert "/author/" not in logged_in.get("/").text


def test_guests_are_sent_to_log_in(client, shipped):
    response = client.get(f"/author/{shipped}/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_trainer_who_is_not_an_editor_gets_403(app, shipped, make_user):
    other = login(app.test_client(), make_user("trainer", email="lain@contoh.id").email)
    assert "Authoring" in other.get("/").text
    assert shipped not in other.get("/author/").text
    for url in (f"/author/{shipped}/", f"/author/{shipped}/settings",
                f"/author/{shipped}/modules/modul-1/edit", f"/author/{shipped}/media"):
        assert other.get(url).status_code == 403, url
    assert other.post(f"/author/{shipped}/publish", data={"note": "x"}).status_code == 403
    assert other.get("/author/tidak-ada/").status_code == 404


def test_admin_opens_any_course_and_the_list_runs_constant_queries(
        app, tmp_path, admin_user, count_queries):
    admin = login(app.test_client(), admin_user.email)
    import_folder(make_pack(tmp_path, "kursus-satu", modules=2))
    with count_queries() as few:
        assert "kursus-satu" in admin.get("/author/").text
    import_folder(make_pack(tmp_path, "kursus-dua"), make_pack(tmp_path, "kursus-tiga"))
    admin.post("/author/new", data={**NEW_COURSE, "slug": "kursus-empat"})
    with count_queries() as many:
        html = admin.get("/author/").text
    assert "kursus-tiga" in html and "New Course" in html and "Never published" in html
    assert len(many) == len(few)
    assert admin.get("/author/kursus-dua/").status_code == 200  # opened on first visit
    assert drafts.draft_for("kursus-dua") is not None


def test_editors_are_added_by_email_and_audited(app, trainer, shipped, make_user, participant):
    colleague = make_user("trainer", email="rekan@contoh.id", full_name="Rina Rekan")
    assert "Peserta Uji" in trainer.get(f"/author/{shipped}/editors").text  # the trainer
    unknown = trainer.post(f"/author/{shipped}/editors", data={"email": "siapa@contoh.id"})
    assert unknown.status_code == 400 and "Nobody has an account" in unknown.text
    learner = trainer.post(f"/author/{shipped}/editors", data={"email": participant.email})
    assert learner.status_code == 400 and "is not a master trainer" in learner.text
    ok = trainer.post(f"/author/{shipped}/editors", data={"email": "REKAN@contoh.id"})
    assert ok.status_code == 302
    assert "Rina Rekan" in trainer.get(f"/author/{shipped}/editors").text
    assert login(app.test_client(), colleague.email).get(f"/author/{shipped}/").status_code == 200
    assert "course.editor_added" in audit_actions(shipped)


# ----------------------------------------------------------------------------- modules, archive


def test_delete_module_and_discard_changes(trainer, shipped):
    page = trainer.get(f"/author/{shipped}/modules/modul-2/delete").text
    assert "Delete the module Modul modul-2?" in page  # its title
    response = trainer.post(f"/author/{shipped}/modules/modul-2/delete", data={
        "revision": hidden(page, "revision"), "course_revision": hidden(page, "course_revision")})
    assert response.status_code == 302
    overview = trainer.get(f"/author/{shipped}/").text
    assert "module-modul-2" not in overview and "No problems found" in overview
    assert "Unpublished changes" in overview
    assert "module.deleted" in audit_actions(shipped)

    assert "Discard all unpublished changes?" in trainer.get(f"/author/{shipped}/discard").text
    assert trainer.post(f"/author/{shipped}/discard").status_code == 302
    overview = trainer.get(f"/author/{shipped}/").text
    assert "module-modul-2" in overview and "No unpublished changes." in overview
    assert "draft.discarded" in audit_actions(shipped)


def test_archive_hides_the_course_but_enrolled_learners_keep_access(
        app, trainer, learner, shipped, make_user):
    client, _user = learner
    client.post(f"/courses/{shipped}/enrol")
    newcomer = login(app.test_client(), make_user(email="baru@contoh.id").email)

    assert trainer.post(f"/author/{shipped}/archive", data={"archived": "1"}).status_code == 302
    assert shipped not in client.get("/courses/").text
    assert client.get(f"/courses/{shipped}").status_code == 200
    assert client.get(f"/courses/{shipped}/modules/modul-1").status_code == 200
    assert newcomer.get(f"/courses/{shipped}").status_code == 404
    assert newcomer.post(f"/courses/{shipped}/enrol").status_code == 404
    assert "Archived" in trainer.get("/author/").text

    assert trainer.post(f"/author/{shipped}/archive", data={"archived": "0"}).status_code == 302
    assert shipped in newcomer.get("/courses/").text
    assert audit_actions(shipped)[-2:] == ["course.archived", "course.unarchived"]


def test_demo_setup_makes_the_demo_trainer_an_editor_of_shipped_courses(app, runner):
    result = runner.invoke(args=["lms", "setup"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    slugs = set(db.session.scalars(select(Course.slug)))
    assert slugs
    editors = set(db.session.scalars(select(CourseDraft.slug).join(
        CourseEditor, CourseEditor.draft_id == CourseDraft.id)))
    assert editors == slugs
    assert db.session.scalar(select(DraftFile.id).limit(1)) is not None
    again = runner.invoke(args=["lms", "demo"])
    assert again.exit_code == 0 and "edits" not in again.output


def test_an_unreadable_course_toml_is_repaired_from_the_settings_form(trainer, shipped,
                                                                       trainer_user):
    draft = drafts.draft_for(shipped)
    row = drafts.get_file(draft, "course.toml")
    drafts.save_file(draft, "course.toml", b'slug = "kursus-uji"\nhours = \n',
                     expected_revision=row.revision, user=trainer_user)
    overview = trainer.get(f"/author/{shipped}/").text
    assert "course.toml cannot be read" in overview and "course.toml:2" in overview
    page = trainer.get(f"/author/{shipped}/settings").text
    assert "cannot be read" in page
    response = trainer.post(f"/author/{shipped}/settings", data={
        "revision": hidden(page, "revision"), "version": "2", "title_id": "Judul",
        "title_en": "Title", "area": "other", "hours": "2", "enrolment": "open",
        "certificate_enabled": "y"})
    assert response.status_code == 302
    overview = trainer.get(f"/author/{shipped}/").text
    assert "No problems found" in overview
    assert overview.index("module-modul-1") < overview.index("module-modul-3")


# ----------------------------------------------------------------------------- review polish


def test_editors_can_be_removed_but_a_trainer_cannot_remove_the_last_one(
        app, trainer, trainer_user, shipped, make_user, admin_user):
    colleague = make_user("trainer", email="rekan@contoh.id", full_name="Rina Rekan")
    page = trainer.get(f"/author/{shipped}/editors").text
    assert "Remove" not in page and "at least one editor" in page  # the only editor
    alone = trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": trainer_user.id})
    assert alone.status_code == 302
    page = trainer.get(f"/author/{shipped}/editors").text
    assert "is the only editor of this course" in page
    assert "course.editor_removed" not in audit_actions(shipped)
    assert trainer.post(f"/author/{shipped}/editors", data={"email": colleague.email}
                        ).status_code == 302
    page = trainer.get(f"/author/{shipped}/editors").text
    assert f'name="user_id" value="{colleague.id}"' in page
    assert 'aria-label="Remove Rina Rekan as editor"' in page
    assert trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": "x"}
                        ).status_code == 400
    assert trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": "999999"}
                        ).status_code == 404
    removed = trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": colleague.id},
                           follow_redirects=True)
    assert "Rina Rekan can no longer edit this course." in removed.text
    assert login(app.test_client(), colleague.email).get(f"/author/{shipped}/").status_code == 403
    again = trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": colleague.id},
                         follow_redirects=True)
    assert "is not an editor of this course" in again.text
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "course.editor_removed")).all()
    assert [(e.target, e.actor_id) for e in events] == [(colleague.email, trainer_user.id)]
    # An admin may remove the last editor (admins edit every course anyway).
    admin = login(app.test_client(), admin_user.email)
    assert admin.post(f"/author/{shipped}/editors/remove", data={"user_id": trainer_user.id}
                      ).status_code == 302
    assert trainer.get(f"/author/{shipped}/").status_code == 403
    assert db.session.scalar(select(CourseEditor.id).where(
        CourseEditor.draft_id == drafts.draft_for(shipped).id)) is None
    assert "Removed an editor" in admin.get(f"/author/{shipped}/audit").text


def test_a_trainer_who_removes_themselves_goes_back_to_their_course_list(
        app, trainer, trainer_user, shipped, make_user):
    colleague = make_user("trainer", email="rekan@contoh.id", full_name="Rina Rekan")
    drafts.add_editor(drafts.draft_for(shipped), colleague, user=trainer_user)
    response = trainer.post(f"/author/{shipped}/editors/remove", data={"user_id": trainer_user.id})
    assert response.status_code == 302 and response.headers["Location"].endswith("/author/")
    assert trainer.get(f"/author/{shipped}/editors").status_code == 403


def test_certificate_design_is_a_select_of_installed_designs(app, trainer, shipped):
    from pathlib import Path

    from lms.plugin_api.hooks import TEMPLATES, CertificateTemplate

    app.extensions.setdefault(TEMPLATES, {})["klasik"] = CertificateTemplate(
        "klasik", Path("/nowhere"), owner="contoh")
    page = trainer.get(f"/author/{shipped}/settings").text
    assert re.search(r'<select[^>]*id="certificate_template"', page)
    assert re.search(r'<option selected value="default">Built-in design \(default\)</option>',
                     page)
    assert '<option value="klasik">klasik</option>' in page
    assert "not installed" not in page
    base = {"revision": hidden(page, "revision"), "version": "1.0", "title_id": "Judul",
            "title_en": "Title", "area": "ict", "hours": "4", "enrolment": "open",
            "completion_modules": "all", "min_module_quiz_score": "70",
            "final_min_score": "75", "certificate_enabled": "y",
            "certificate_valid_months": "0"}
    bad = trainer.post(f"/author/{shipped}/settings",
                       data={**base, "certificate_template": "palsu"})
    assert bad.status_code == 400 and field_error(bad.text, "certificate_template")
    ok = trainer.post(f"/author/{shipped}/settings",
                      data={**base, "certificate_template": "klasik"})
    assert ok.status_code == 302
    text = drafts.get_file(drafts.draft_for(shipped), "course.toml").data.decode()
    assert 'template = "klasik"' in text
    # The plugin is uninstalled: the course keeps its value, shown as not installed.
    del app.extensions[TEMPLATES]["klasik"]
    page = trainer.get(f"/author/{shipped}/settings").text
    assert "klasik (not installed)" in page and 'id="template-missing"' in page
    kept = trainer.post(f"/author/{shipped}/settings",
                        data={**base, "revision": hidden(page, "revision"), "title_id": "Baru",
                              "certificate_template": "klasik"})
    assert kept.status_code == 302
    text = drafts.get_file(drafts.draft_for(shipped), "course.toml").data.decode()
    assert 'template = "klasik"' in text and "Baru" in text


def test_two_uploads_of_the_same_name_at_once_give_the_exists_message(
        trainer, shipped, monkeypatch):
    """The second upload passed the "already exists" check before the first one was written:
    the unique constraint refuses it and the author sees the usual message, not a 500."""
    from lms import clock
    from lms.authoring.services import drafts as drafts_module

    draft = drafts.draft_for(shipped)

    class OtherUploadLandsFirst:
        """Stands in for the clock the upload reads just before it writes."""

        @staticmethod
        def now():
            monkeypatch.setattr(drafts_module, "clock", clock)
            db.session.add(DraftFile(draft_id=draft.id, path="media/peta.png", data=PNG,
                                     sha256="x"))
            return clock.now()

    monkeypatch.setattr(drafts_module, "clock", OtherUploadLandsFirst)
    response = upload(trainer, shipped, "peta.png", PNG)
    assert response.status_code == 400
    assert "A file called peta.png already exists" in field_error(response.text, "file")
    assert "media.uploaded" not in audit_actions(shipped)
