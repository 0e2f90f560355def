"""Version history, diffs and the audit log of a course, for its editors only."""

from __future__ import annotations

import pytest

from lms import audit
from lms.authoring.services import drafts
from lms.courses.models import Course
from lms.extensions import db
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import login

SLUG = "kursus-uji"
MODULE = "modules/01-modul-1.md"


@pytest.fixture
def course(app, tmp_path):
    import_folder(make_pack(tmp_path, SLUG, modules=2))
    return db.session.scalar(db.select(Course).where(Course.slug == SLUG))


@pytest.fixture
def editor(course, trainer_user, admin_user):
    draft = drafts.open_draft(SLUG, admin_user)
    drafts.add_editor(draft, trainer_user, user=admin_user)
    return trainer_user


def edit_and_publish(user, text: str, note: str):
    draft = drafts.draft_for(SLUG)
    row = drafts.get_file(draft, MODULE)
    body = row.data.decode()
    body = body.replace("Isi modul", text) if "Isi modul" in body else body + f"\n{text}\n"
    drafts.save_file(draft, MODULE, body.encode(), expected_revision=row.revision, user=user)
    return drafts.publish(draft, note=note, user=user)


def test_history_lists_every_version_newest_first_with_who_and_note(
        client, editor, english_messages):
    first = edit_and_publish(editor, "Isi kedua", "Perbaikan ejaan")
    second = edit_and_publish(editor, "Isi ketiga", "Tambah contoh")
    login(client, editor)
    page = client.get(f"/author/{SLUG}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index(f'id="version-{second.version_id}"') < html.index(
        f'id="version-{first.version_id}"')
    assert "Perbaikan ejaan" in html and "Tambah contoh" in html
    assert editor.full_name in html
    assert "imported from files" in html  # the first version came from `flask lms import`
    live_row = html[html.index(f'id="version-{second.version_id}"'):]
    assert "Live" in live_row[:800] and "Draft based on this" in live_row[:800]
    assert "Draft compared with the live version" in html
    assert "The draft is the same as the version it is based on." in html


def test_history_queries_do_not_grow_with_versions(client, editor, count_queries):
    edit_and_publish(editor, "Isi dua", "satu")
    login(client, editor)
    client.get(f"/author/{SLUG}/history")
    with count_queries() as few:
        assert client.get(f"/author/{SLUG}/history").status_code == 200
    for n in range(3):
        edit_and_publish(editor, f"Isi lagi {n}", f"catatan {n}")
    with count_queries() as many:
        assert client.get(f"/author/{SLUG}/history").status_code == 200
    assert len(many) == len(few)


def test_diff_shows_the_changed_line_with_text_markers(client, editor, course,
                                                       english_messages):
    old = course.current_version_id
    new = edit_and_publish(editor, "Isi yang sudah diperbarui", "ubah").version_id
    login(client, editor)
    page = client.get(f"/author/{SLUG}/diff?from={old}&to={new}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert MODULE in html and "changed" in html
    assert "<del><span class=\"visually-hidden\">removed line: </span>-Isi modul modul-1" in html
    assert "<ins><span class=\"visually-hidden\">added line: </span>+Isi yang sudah diperbarui" in html
    assert "1 file differs." in html


def test_diff_draft_against_live_and_binary_sizes(client, editor, english_messages):
    draft = drafts.draft_for(SLUG)
    drafts.save_file(draft, "media/foto.png", b"\x89PNG\r\n\x1a\n" + bytes(2000),
                     expected_revision=None, user=editor)
    login(client, editor)
    html = client.get(f"/author/{SLUG}/diff?to=draft").get_data(as_text=True)
    assert "media/foto.png" in html and "added" in html and "New file, 2.0 kB." in html
    history = client.get(f"/author/{SLUG}/history").get_data(as_text=True)
    assert "The draft has changes that are not published yet." in history
    same = client.get(f"/author/{SLUG}/diff?from=draft&to=draft").get_data(as_text=True)
    assert "No differences" in same


def test_diff_of_another_courses_version_is_404(client, editor, tmp_path, course):
    other = import_folder(make_pack(tmp_path / "lain", "kursus-lain"))[0]
    login(client, editor)
    assert client.get(f"/author/{SLUG}/diff?from={other.version_id}&to=draft").status_code == 404
    assert client.get(f"/author/{SLUG}/diff?from=abc&to=draft").status_code == 404
    assert client.get(f"/author/{SLUG}/diff?from=999999&to=draft").status_code == 404


@pytest.mark.parametrize("path", ["history", "diff", "audit", "export.zip"])
def test_participants_and_other_trainers_get_403(client, auth, editor, participant, make_user,
                                                 path):
    login(client, participant)
    assert client.get(f"/author/{SLUG}/{path}").status_code == 403
    auth.logout()
    stranger = make_user("trainer", email="lain@contoh.id")
    login(client, stranger)
    assert client.get(f"/author/{SLUG}/{path}").status_code == 403
    auth.logout()
    assert client.get(f"/author/{SLUG}/{path}").status_code == 302  # to the login page


def test_unknown_course_is_404_for_admins(client, admin_user):
    login(client, admin_user)
    assert client.get("/author/tidak-ada/history").status_code == 404


def test_course_audit_log_lists_events_and_pages_by_50(client, editor, admin_user,
                                                       count_queries, english_messages):
    edit_and_publish(editor, "Isi baru", "Catatan rilis")
    login(client, editor)
    html = client.get(f"/author/{SLUG}/audit").get_data(as_text=True)
    assert "Published a version" in html and "Saved a file" in html
    assert "Catatan rilis" in html and MODULE in html and editor.full_name in html
    with count_queries() as few:
        client.get(f"/author/{SLUG}/audit")
    for n in range(60):
        audit.record("file.saved", actor=editor, scope=f"course:{SLUG}", target=f"media/{n}.png")
    audit.record("file.saved", actor=editor, scope="course:kursus-lain", target="bukan-milik")
    db.session.commit()
    with count_queries() as many:
        first = client.get(f"/author/{SLUG}/audit").get_data(as_text=True)
    assert len(many) == len(few)
    assert "Page 1 of 2" in first and "media/59.png" in first and "bukan-milik" not in first
    second = client.get(f"/author/{SLUG}/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "media/59.png" not in second


def test_site_audit_is_for_admins_and_filters_by_scope(client, auth, editor, admin_user,
                                                       make_user, count_queries):
    audit.record("plugin.disabled", actor=admin_user, scope="plugin:contoh", target="contoh")
    db.session.commit()
    login(client, editor)
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    login(client, admin_user)
    with count_queries() as few:
        everything = client.get("/admin/audit").get_data(as_text=True)
    for n in range(30):
        audit.record("cohort.created", actor=make_user("trainer"), scope=f"cohort:{n}")
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert len(many) == len(few)
    assert "plugin:contoh" in everything and f"course:{SLUG}" in everything
    only_plugin = client.get("/admin/audit?scope=plugin:contoh").get_data(as_text=True)
    assert "Disabled a plugin" in only_plugin and "Added an editor" not in only_plugin
    courses = client.get("/admin/audit?scope=course:").get_data(as_text=True)
    assert "Added an editor" in courses and "Disabled a plugin" not in courses
    none = client.get("/admin/audit?scope=course:%25").get_data(as_text=True)
    assert "No events yet." in none  # % is matched literally, not as a wildcard


def test_every_action_code_in_use_has_a_label_and_unknown_codes_show_raw(
        client, editor, admin_user, english_messages):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    used: set[str] = set()
    pattern = re.compile(r'(?:record\(\s*|action\s*[=:][^"\n]*?)"([a-z_]+\.[a-z_]+)"')
    for folder in ("lms", "plugins"):
        for source in (root / folder).rglob("*.py"):
            if "tests" in source.parts:
                continue
            text = source.read_text(encoding="utf-8")
            used |= set(pattern.findall(text))
            used |= set(re.findall(r'record\(\s*"([a-z_]+\.[a-z_]+)" if', text))
            used |= set(re.findall(r'else "([a-z_]+\.[a-z_]+)", actor=', text))
    used -= {"course.toml"}
    assert {"course.published", "module.saved", "cohort.created", "plugin.disabled",
            "plugin.enabled", "course.unarchived", "webhooks.endpoint_added"} <= used
    assert sorted(used - set(audit.ACTION_LABELS)) == []
    for code in ("webhooks.secret_regenerated", "course.editor_removed", "quiz.deleted",
                 "cohort.member_removed", "mystery.thing"):
        audit.record(code, actor=admin_user, scope=f"course:{SLUG}", target=code)
    db.session.commit()
    login(client, editor)
    html = client.get(f"/author/{SLUG}/audit").get_data(as_text=True)
    for label in ("Made a new webhook secret", "Removed an editor", "Deleted a quiz",
                  "Removed a member from the cohort"):
        assert label in html
    assert "<td>mystery.thing" in html  # an unknown code is shown as it is
