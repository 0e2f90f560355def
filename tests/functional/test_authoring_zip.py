"""Export a course as a zip and import a zip back: safe, previewed, confirmed, lossless."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.authoring.models import CourseDraft, CourseEditor
from lms.authoring.services import drafts, zips
from lms.authoring.zipio import read_zip, write_zip
from lms.courses.models import Course, CourseVersion
from lms.courses.services.importer import version_files
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (ROOT / "courses").iterdir() if (p / "course.toml").is_file())
BROKEN = ROOT / "tests" / "data" / "courses" / "broken" / "several-errors"
SLUG = "kursus-uji"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["AUTHORING_UPLOAD_DIR"] = str(folder)
    return folder


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def pack_with_media(root: Path, slug: str = SLUG) -> Path:
    pack = make_pack(root, slug, modules=2)
    (pack / "media").mkdir(exist_ok=True)
    (pack / "media" / "titik.png").write_bytes(PNG)
    module = pack / "modules" / "01-modul-1.md"
    module.write_text(module.read_text() + "\n![Titik](../media/titik.png)\n")
    return pack


def zip_of(files: dict[str, bytes], top: str | None = "paket") -> bytes:
    return write_zip(files, top) if top else _root_zip(files)


def _root_zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "kursus.zip"):
    return client.post("/author/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def confirm(client, html: str, note: str = "Impor dari zip"):
    return client.post("/author/import", data={"token": token_of(html), "note": note,
                                               "action": "confirm"})


def nothing_written(upload_dir: Path, courses_before: int = 0):
    assert db.session.scalar(select(func.count()).select_from(Course)) == courses_before
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


# ----------------------------------------------------------------------------- export


def test_export_zip_holds_the_live_version_byte_for_byte(client, admin_user, tmp_path):
    pack = pack_with_media(tmp_path)
    import_folder(pack)
    login(client, admin_user)
    response = client.get(f"/author/{SLUG}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert all(n.startswith(f"{SLUG}/") for n in names)
    assert read_zip(response.data).files == folder_files(pack)


def test_export_of_the_draft(client, admin_user, tmp_path):
    import_folder(make_pack(tmp_path, SLUG))
    draft = drafts.open_draft(SLUG, admin_user)
    drafts.save_file(draft, "media/baru.png", PNG, expected_revision=None, user=admin_user)
    login(client, admin_user)
    response = client.get(f"/author/{SLUG}/export.zip?source=draft")
    assert f'filename="{SLUG}-draft.zip"' in response.headers["Content-Disposition"]
    assert read_zip(response.data).files["media/baru.png"] == PNG
    assert "media/baru.png" not in read_zip(client.get(f"/author/{SLUG}/export.zip").data).files


def test_export_zip_cli(runner, app, tmp_path):
    pack = pack_with_media(tmp_path)
    import_folder(pack)
    dest = tmp_path / "out.zip"
    result = runner.invoke(args=["lms", "export-zip", SLUG, str(dest)])
    assert result.exit_code == 0, result.output
    assert read_zip(dest.read_bytes()).files == folder_files(pack)
    missing = runner.invoke(args=["lms", "export-zip", "tidak-ada", str(dest)])
    assert missing.exit_code != 0 and "no published version" in missing.output


# ----------------------------------------------------------------------------- import


def test_trainer_imports_a_new_course_after_a_preview(client, trainer_user, tmp_path,
                                                      upload_dir):
    files = folder_files(pack_with_media(tmp_path))
    login(client, trainer_user)
    assert client.get("/author/import").status_code == 200
    page = upload(client, zip_of(files, top=SLUG))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "This creates a NEW course, kursus-uji" in html
    assert "Modul modul-1" in html and "Modul modul-2" in html
    nothing = db.session.scalar(select(func.count()).select_from(Course))
    assert nothing == 0  # the preview writes nothing but the stashed upload
    assert len(list(upload_dir.glob("zip-*.zip"))) == 1

    done = confirm(client, html, note="Versi pertama dari zip")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/author/{SLUG}/history")
    course = db.session.scalar(select(Course).where(Course.slug == SLUG))
    version = db.session.get(CourseVersion, course.current_version_id)
    assert version.note == "Versi pertama dari zip"
    assert version_files(version.id) == files
    draft = drafts.draft_for(SLUG)
    assert db.session.scalar(select(CourseEditor.user_id).where(
        CourseEditor.draft_id == draft.id)) == trainer_user.id
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.scope == f"course:{SLUG}")))
    assert {"course.created", "course.zip_imported", "course.published"} <= actions
    assert not list(upload_dir.glob("zip-*"))  # the stash is gone once used
    history = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "was imported and published as version" in history
    assert "Versi pertama dari zip" in history


def test_importing_an_update_previews_the_changed_lines(client, admin_user, tmp_path):
    import_folder(make_pack(tmp_path, SLUG))
    login(client, admin_user)
    files = read_zip(client.get(f"/author/{SLUG}/export.zip").data).files
    files["modules/01-modul-1.md"] = files["modules/01-modul-1.md"].replace(
        b"Isi modul", b"Isi yang diperbarui")
    del files["modules/03-modul-3.md"]
    files["course.toml"] = files["course.toml"].replace(b', "modul-3"', b"")
    html = upload(client, zip_of(files, top=None)).get_data(as_text=True)
    assert "This UPDATES the existing course kursus-uji" in html
    assert "modules/01-modul-1.md</code> — changed" in html
    assert "modules/03-modul-3.md</code> — removed" in html
    assert "+Isi yang diperbarui" in html
    before = db.session.scalar(select(Course.current_version_id).where(Course.slug == SLUG))
    assert confirm(client, html).status_code == 302
    after = db.session.scalar(select(Course).where(Course.slug == SLUG))
    assert after.current_version_id != before and after.module_count == 2


def test_import_replaces_unpublished_draft_edits_with_a_warning(client, admin_user,
                                                                tmp_path):
    import_folder(make_pack(tmp_path, SLUG))
    login(client, admin_user)
    exported = client.get(f"/author/{SLUG}/export.zip").data
    draft = drafts.open_draft(SLUG, admin_user)
    drafts.save_file(draft, "media/coretan.png", PNG, expected_revision=None, user=admin_user)
    html = upload(client, exported).get_data(as_text=True)
    assert "The course's draft has unpublished changes" in html
    confirm(client, html)
    assert "media/coretan.png" not in drafts.files(drafts.draft_for(SLUG))


def test_trainer_who_is_not_an_editor_cannot_import_an_existing_course(
        client, trainer_user, admin_user, tmp_path, upload_dir):
    import_folder(make_pack(tmp_path, SLUG))
    data = zip_of(folder_files(tmp_path / SLUG))
    login(client, trainer_user)
    page = upload(client, data)
    assert page.status_code == 403
    assert "You are not an editor of the course kursus-uji" in page.get_data(as_text=True)
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
    draft = drafts.open_draft(SLUG, admin_user)
    drafts.add_editor(draft, trainer_user, user=admin_user)
    assert upload(client, data).status_code == 200


def test_participants_cannot_import(client, participant, tmp_path):
    login(client, participant)
    assert client.get("/author/import").status_code == 403
    assert upload(client, zip_of(folder_files(make_pack(tmp_path)))).status_code == 403
    client.post("/logout")
    assert client.get("/author/import").status_code == 302


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("paket/course.toml", b'slug = "x"\n')
        link = zipfile.ZipInfo("paket/media/passwd.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, b"/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize("name,data,message", [
    ("slip", _root_zip({"course.toml": b"x", "../../evil.md": b"x"}),
     "A path in the zip is unsafe"),
    ("absolute", _root_zip({"course.toml": b"x", "/etc/cron.d/evil": b"x"}),
     "A path in the zip is unsafe"),
    ("symlink", _symlink_zip(), "symbolic link"),
    ("bomb", _root_zip({"course.toml": b"x", "media/nol.bin": bytes(8 * 1024 * 1024)}),
     "zip bomb"),
    ("many", _root_zip({f"media/{i}.txt": b"" for i in range(2001)}), "too many files"),
    ("not-a-zip", b"%PDF-1.4 definitely not a zip", "This is not a zip file"),
    ("oversize", _root_zip({"course.toml": b"#" * (600 * 1024)}), "over the size limit"),
])
def test_unsafe_zips_are_refused_and_nothing_is_written(client, admin_user, upload_dir,
                                                        name, data, message):
    login(client, admin_user)
    page = upload(client, data, f"{name}.zip")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "The zip was refused; nothing was changed." in html and message in html
    nothing_written(upload_dir)


def test_media_the_uploader_refuses_are_refused_in_a_zip_too(client, admin_user,
                                                             upload_dir, tmp_path):
    """SVG and HTML would run script, and a .png that is really a web page would too: the zip
    import holds media/ to the media uploader's allow-list and content check, naming each file."""
    files = folder_files(pack_with_media(tmp_path))
    files.update({
        "media/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "media/halaman.html": b"<script>fetch('/admin/users')</script>",
        "media/foto.png": b"<html><script>alert(document.cookie)</script></html>",
        "README.html": b"<script>alert(1)</script>",
    })
    login(client, admin_user)
    page = upload(client, zip_of(files))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "The zip was refused; nothing was changed." in html
    assert "id=\"preview\"" not in html
    for message, entry in [
        ("A media file is not an allowed type. Course media may be PNG, JPEG, GIF, WebP or PDF "
         "files.", "paket/media/logo.svg"),
        ("A media file is not an allowed type.", "paket/media/halaman.html"),
        ("A file is not what its name says", "paket/media/foto.png"),
        ("Web pages and SVG images are not accepted in a course", "paket/README.html"),
    ]:
        assert re.search(rf"<li>{re.escape(message)}[^<]*<code>{re.escape(entry)}</code></li>",
                         html), entry
    assert "paket/media/titik.png" not in html  # the real PNG passes
    nothing_written(upload_dir)


def test_the_zip_media_check_speaks_indonesian(client, auth, admin_user, upload_dir, tmp_path):
    files = {**folder_files(pack_with_media(tmp_path)), "media/logo.svg": b"<svg/>"}
    auth.login(admin_user.email)  # the default language
    html = upload(client, zip_of(files)).get_data(as_text=True)
    assert "Media kursus hanya boleh berupa berkas PNG, JPEG, GIF, WebP, atau PDF." in html
    assert "<code>paket/media/logo.svg</code>" in html


def test_a_broken_pack_shows_every_problem_with_file_and_line(client, admin_user,
                                                              upload_dir):
    login(client, admin_user)
    page = upload(client, zip_of(folder_files(BROKEN), top="several-errors"))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "The course pack has 6 problems; nothing was changed." in html
    # The same lines as `flask lms validate` (relative to the pack folder).
    assert "course.toml:3: `area` must be one of" in html
    assert "modules/01-satu.md:4: image `../media/hilang.png`" in html
    assert "catatan.txt: unexpected file at the pack root" in html
    assert "<td><code>quizzes/kuis.toml</code></td><td>1</td>" in html
    nothing_written(upload_dir)


def test_missing_file_is_a_form_error(client, admin_user):
    login(client, admin_user)
    page = client.post("/author/import", data={})
    assert page.status_code == 422 and "Choose the zip file to import." in page.get_data(
        as_text=True)


def test_confirm_needs_a_valid_token_of_the_same_user(client, admin_user, make_user,
                                                      tmp_path, upload_dir):
    files = folder_files(make_pack(tmp_path))
    other = make_user("admin", email="admin2@contoh.id")
    login(client, other)
    html = upload(client, zip_of(files)).get_data(as_text=True)
    client.post("/logout")
    login(client, admin_user)
    stolen = confirm(client, html)
    assert stolen.status_code == 302
    assert "expired or does not exist" in client.get("/author/import").get_data(as_text=True)
    forged = client.post("/author/import", data={"token": "../../etc/passwd", "note": "x",
                                                 "action": "confirm"})
    assert forged.status_code == 302
    no_csrf = client.post("/author/import", data={"token": token_of(html), "action": "confirm"},
                          csrf=False)
    assert no_csrf.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_cancel_discards_the_upload(client, admin_user, tmp_path, upload_dir):
    login(client, admin_user)
    html = upload(client, zip_of(folder_files(make_pack(tmp_path)))).get_data(as_text=True)
    response = client.post("/author/import", data={"token": token_of(html), "action": "cancel"})
    assert response.status_code == 302
    assert not list(upload_dir.glob("zip-*"))
    nothing_written(upload_dir)


def test_a_publish_between_preview_and_confirm_refuses_the_import(client, admin_user,
                                                                  tmp_path):
    pack = make_pack(tmp_path, SLUG)
    import_folder(pack)
    login(client, admin_user)
    files = folder_files(pack)
    files["modules/01-modul-1.md"] += b"\nTambahan\n"
    html = upload(client, zip_of(files)).get_data(as_text=True)
    (pack / "modules" / "02-modul-2.md").write_text(
        "+++\ntitle = 'Modul modul-2'\n+++\nBerubah lewat CLI\n")
    import_folder(pack)
    live = db.session.scalar(select(Course.current_version_id).where(Course.slug == SLUG))
    response = confirm(client, html)
    assert response.status_code == 302
    assert "Someone published this course after you saw the preview" in client.get(
        "/author/import").get_data(as_text=True)
    assert db.session.scalar(select(Course.current_version_id).where(Course.slug == SLUG)) == live


def test_system_files_from_zip_tools_are_ignored_and_listed(client, admin_user, tmp_path):
    files = {f"paket/{k}": v for k, v in folder_files(make_pack(tmp_path)).items()}
    files.update({"__MACOSX/paket/._course.toml": b"\0\5", "paket/.DS_Store": b"\0\0"})
    login(client, admin_user)
    html = upload(client, _root_zip(files)).get_data(as_text=True)
    assert "Ignored (system files): __MACOSX/paket/._course.toml, paket/.DS_Store" in html
    confirm(client, html)
    course = db.session.scalar(select(Course).where(Course.slug == SLUG))
    assert ".DS_Store" not in version_files(course.current_version_id)


def test_a_user_keeps_only_a_few_pending_uploads(app, upload_dir, admin_user, make_user, clock):
    other = make_user("admin", email="lain@contoh.id")
    theirs = zips.stash(b"PK", user=other, filename="a.zip", slug="x",
                                  live_version_id=None)
    tokens = []
    for n in range(5):
        tokens.append(zips.stash(b"PK", user=admin_user, filename=f"{n}.zip", slug="x",
                                           live_version_id=None))
        clock.advance(seconds=1)
    kept = [t for t in tokens if zips.unstash(t, user=admin_user) is not None]
    assert kept == tokens[-zips.STASH_PER_USER:]
    assert zips.unstash(theirs, user=other) is not None


def test_old_uploads_expire(app, upload_dir, admin_user, clock):
    token = zips.stash(b"PK", user=admin_user, filename="a.zip", slug="x",
                                 live_version_id=None)
    assert zips.unstash(token, user=admin_user) is not None
    clock.advance(seconds=zips.UPLOAD_TTL_SECONDS + 10)
    assert zips.unstash(token, user=admin_user) is None  # too old to confirm
    assert zips.expire_stash() == 1
    assert not list(upload_dir.glob(f"zip-{token}*"))
    assert zips.unstash(token, user=admin_user) is None


# ----------------------------------------------------------------------------- round trip


def _import_through_the_browser(client, data: bytes) -> str:
    html = upload(client, data).get_data(as_text=True)
    assert 'id="preview"' in html, html
    response = confirm(client, html)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_round_trip_of_every_shipped_course_and_a_media_pack_is_lossless(
        client, admin_user, tmp_path):
    packs = [*SHIPPED, pack_with_media(tmp_path)]
    import_folder(*packs)
    login(client, admin_user)
    for pack in packs:
        slug = pack.name
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        before = db.session.get(CourseVersion, course.current_version_id)
        exported = client.get(f"/author/{slug}/export.zip").data
        assert read_zip(exported).files == folder_files(pack), slug
        html = upload(client, exported).get_data(as_text=True)
        assert "importing it changes nothing" in html, slug
        page = _import_through_the_browser(client, exported)
        assert "Nothing changed: the zip holds exactly the live version" in page
        db.session.expire_all()
        after = db.session.get(Course, course.id)
        assert after.current_version_id == before.id
        assert db.session.get(CourseVersion, after.current_version_id).content_hash == \
            before.content_hash


def test_export_then_import_into_a_fresh_database_is_byte_for_byte(
        app, client, admin_user, make_user, tmp_path):
    packs = [*SHIPPED, pack_with_media(tmp_path)]
    import_folder(*packs)
    login(client, admin_user)
    zips = {pack.name: client.get(f"/author/{pack.name}/export.zip").data for pack in packs}
    client.post("/logout")
    db.session.remove()
    db.drop_all()
    db.create_all()
    fresh_admin = make_user("admin", email="admin-baru@contoh.id")
    login(client, fresh_admin)
    for pack in packs:
        page = _import_through_the_browser(client, zips[pack.name])
        assert "was imported and published as version" in page
        course = db.session.scalar(select(Course).where(Course.slug == pack.name))
        assert version_files(course.current_version_id) == folder_files(pack), pack.name


def test_a_failing_publish_of_a_new_course_leaves_no_workspace(app, trainer_user, tmp_path,
                                                               upload_dir, monkeypatch):
    """Creating the workspace of a NEW course and publishing it are one transaction: when the
    publish fails, there is no orphan workspace (and the import can simply be tried again)."""
    data = zip_of(folder_files(pack_with_media(tmp_path)), top=SLUG)
    token = zips.stash(data, user=trainer_user, filename="kursus.zip", slug=SLUG,
                                 live_version_id=None)
    stashed, meta = zips.unstash(token, user=trainer_user)

    def broken_import(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(drafts, "import_packs", broken_import)
    with pytest.raises(RuntimeError):
        zips.import_zip(stashed, meta, user=trainer_user, note="Percobaan")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0
    assert db.session.scalar(select(func.count()).select_from(CourseEditor)) == 0
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0

    monkeypatch.undo()
    result = zips.import_zip(stashed, meta, user=trainer_user, note="Percobaan 2")
    assert result.slug == SLUG and drafts.draft_for(SLUG) is not None
