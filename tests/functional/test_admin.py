"""Admins promote users and deactivate accounts; everyone else is refused on the server."""

from lms.extensions import db


def test_participant_cannot_open_admin(logged_in):
    assert logged_in.get("/admin/users").status_code == 403


def test_trainer_cannot_change_roles(client, auth, make_user, participant):
    trainer = make_user("trainer")
    auth.login(trainer.email)
    response = client.post(f"/admin/users/{participant.id}/role", data={"role": "admin"})
    assert response.status_code == 403
    db.session.refresh(participant)
    assert participant.role == "participant"


def test_admin_promotes_a_participant_to_trainer(client, auth, admin_user, participant):
    auth.login(admin_user.email)
    page = client.get("/admin/users?q=peserta")
    assert participant.email in page.text
    response = client.post(f"/admin/users/{participant.id}/role", data={"role": "trainer"},
                           follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(participant)
    assert participant.role == "trainer"


def test_admin_deactivates_and_the_user_is_logged_out(app, client, auth, admin_user, participant):
    learner = app.test_client()
    learner.post("/login", data={"email": participant.email, "password": "kata-sandi-kuat-42"})
    assert learner.get("/profile").status_code == 200
    auth.login(admin_user.email)
    client.post(f"/admin/users/{participant.id}/active", data={"active": "0"})
    db.session.refresh(participant)
    assert participant.active is False
    assert learner.get("/profile").status_code == 302
    client.post(f"/admin/users/{participant.id}/active", data={"active": "1"})
    db.session.refresh(participant)
    assert participant.active is True


def test_admin_cannot_lock_themselves_out(client, auth, admin_user):
    auth.login(admin_user.email)
    client.post(f"/admin/users/{admin_user.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{admin_user.id}/role", data={"role": "participant"})
    db.session.refresh(admin_user)
    assert admin_user.active and admin_user.role == "admin"


def test_create_admin_command(runner):
    from lms.auth.services import get_user_by_email

    result = runner.invoke(args=["lms", "create-admin", "--email", "kepala@contoh.id",
                                 "--name", "Kepala Perpustakaan", "--password", "sangat-rahasia-sekali"])
    assert result.exit_code == 0, result.output
    assert get_user_by_email("kepala@contoh.id").role == "admin"
    result = runner.invoke(args=["lms", "create-admin", "--email", "dua@contoh.id",
                                 "--name", "Dua", "--password", "pendek"])
    assert result.exit_code == 1
    assert get_user_by_email("dua@contoh.id") is None


def test_demo_command_is_idempotent(runner):
    from lms.auth.services import count_users

    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert count_users() == 4  # participant, facilitator, master trainer, admin


def _audit_rows(client) -> list[str]:
    """The rows of /admin/audit as plain text, newest first."""
    import re

    html = client.get("/admin/audit").text
    body = html.split('<tbody>', 1)[1].split('</tbody>', 1)[0] if "<tbody>" in html else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def test_role_changes_are_in_the_audit_log_with_who_whom_and_from_to(client, auth, admin_user,
                                                                      participant):
    auth.login(admin_user.email)
    client.post(f"/admin/users/{participant.id}/role", data={"role": "trainer"})
    client.post(f"/admin/users/{participant.id}/role", data={"role": "trainer"})  # no change
    client.post(f"/admin/users/{participant.id}/role", data={"role": "participant"})
    rows = _audit_rows(client)
    assert len(rows) == 2
    # Newest first, in Indonesian: who, what, whom, from → to.
    assert admin_user.full_name in rows[0] and "Mengubah peran" in rows[0]
    assert participant.email in rows[0] and "Master trainer → Peserta" in rows[0]
    assert "Peserta → Master trainer" in rows[1]


def test_deactivation_and_reactivation_are_in_the_audit_log(client, auth, admin_user, participant):
    auth.login(admin_user.email)
    client.post(f"/admin/users/{participant.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{participant.id}/active", data={"active": "1"})
    rows = _audit_rows(client)
    assert len(rows) == 2
    assert "Mengaktifkan kembali akun" in rows[0] and "Nonaktif → Aktif" in rows[0]
    assert "Menonaktifkan akun" in rows[1] and "Aktif → Nonaktif" in rows[1]
    assert all(admin_user.full_name in row and participant.email in row for row in rows)


def test_a_refused_role_change_is_not_audited(client, auth, admin_user):
    auth.login(admin_user.email)
    client.post(f"/admin/users/{admin_user.id}/role", data={"role": "participant"})
    assert _audit_rows(client) == []


def test_the_public_address_is_shown_to_admins_with_a_warning_when_it_cannot_work(
        app, client, auth, admin_user, participant):
    auth.login(participant.email)
    assert client.get("/admin/site").status_code == 403
    auth.logout()
    auth.login(admin_user.email)
    assert 'href="/admin/site"' in client.get("/admin/").text  # on the administration page
    app.config.update(PRODUCTION=True, BASE_URL="http://127.0.0.1:5000")
    page = client.get("/admin/site").text
    assert '<code id="base-url">http://127.0.0.1:5000</code>' in page
    assert 'id="address-warning"' in page and "hanya berfungsi di server itu sendiri" in page
    app.config.update(BASE_URL="http://pelita.contoh.id")
    page = client.get("/admin/site").text
    assert 'id="address-warning"' not in page
    assert 'id="http-warning"' in page and "https://" in page
    app.config.update(BASE_URL="https://pelita.contoh.id")
    page = client.get("/admin/site").text
    assert 'id="address-warning"' not in page and 'id="http-warning"' not in page
    assert "http://localhost" in page  # "you opened this page at ..., not the public address"


def test_administration_is_one_menu_link_with_what_needs_attention(client, admin_user,
                                                                    trainer_user, participant):
    """The menu keeps one "Administration" link (nine links wrapped to three rows on a phone);
    its page leads to every admin section and says what waits for an admin."""
    from lms.jobs.models import FAILED, Job
    from tests.helpers.pages import login

    login(client, admin_user)
    home = client.get("/").get_data(as_text=True)
    menu = home.split('class="nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/admin/"' in menu and 'href="/admin/users"' not in menu
    page = client.get("/admin/").get_data(as_text=True)
    for url in ("/admin/users", "/admin/site", "/admin/plugins", "/admin/audit",
                "/reports/programme", "/certificates/requests"):
        assert f'href="{url}"' in page, url
    assert "3 accounts" in page
    # The shipped placeholder signatory is the one thing waiting on a fresh site.
    attention = page.split("Needs your attention", 1)[1].split("</ul>", 1)[0]
    assert attention.count("<li>") == 1 and 'href="/admin/certificate"' in attention

    db.session.add(Job(kind="certificates.render", payload={}, status=FAILED, attempts=5))
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "1 background job failed" in page.split("Needs your attention", 1)[1]

    for who in (trainer_user, participant):
        login(client, who)
        assert client.get("/admin/").status_code == 403
        assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
