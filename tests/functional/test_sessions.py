"""Sessions that end: logging out ends this device's login on the server, copies of its cookies
included; "log out of every device" ends all of them; the idle rule is skipped only for a real
remember-me login."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit import AuditEvent
from lms.extensions import db
from tests.helpers.pages import login


def _copy(app, client, *names):
    """A second browser holding copies of `names` cookies of `client` (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_a_copied_session_cookie_does_not_work_after_logout(app, client, participant):
    login(client, participant, in_english=False)
    thief = _copy(app, client, "session")
    assert _logged_in(thief)  # the copy works while the login lasts...
    client.post("/logout")
    assert not _logged_in(client)
    assert not _logged_in(thief)  # ...and not after logging out


def test_a_copied_remember_cookie_does_not_work_after_logout(app, client, participant):
    login(client, participant, remember=True, in_english=False)
    stolen = client.get_cookie("remember_token").value
    thief = _copy(app, client, "remember_token")
    assert _logged_in(thief)  # a remember-me cookie alone opens the account
    client.post("/logout")
    assert not _logged_in(client)
    assert not _logged_in(thief)
    fresh_browser = app.test_client()  # only the copied cookie, no session at all
    fresh_browser.set_cookie("remember_token", stolen)
    assert not _logged_in(fresh_browser)


def test_logout_ends_only_this_devices_login(app, client, participant):
    other_device = login(app.test_client(), participant, in_english=False)
    login(client, participant, in_english=False)
    client.post("/logout")
    assert not _logged_in(client)
    assert _logged_in(other_device)


def test_log_out_of_every_device(app, client, participant):
    laptop = login(app.test_client(), participant, remember=True, in_english=False)
    copied_remember = _copy(app, laptop, "remember_token")
    login(client, participant, in_english=False)
    page = client.get("/profile").text
    assert 'action="/logout/everywhere"' in page
    assert "Keluar dari semua perangkat" in page  # "Log out of every device", in Indonesian
    assert client.post("/logout/everywhere", csrf=False).status_code == 400  # POST with CSRF only
    assert _logged_in(laptop)
    response = client.post("/logout/everywhere", follow_redirects=True)
    assert "semua perangkat" in response.text  # the confirmation, in the user's language
    assert not _logged_in(client)
    assert not _logged_in(laptop)
    assert not _logged_in(copied_remember)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "account.logged_out_everywhere"))
    assert event is not None and event.actor_id == participant.id
    assert event.target == f"user:{participant.id}"
    # Logging in again afterwards works as usual.
    assert _logged_in(login(client, participant, in_english=False))


def test_idle_rule_is_not_skipped_by_a_forged_remember_cookie(client, participant):
    login(client, participant, in_english=False)  # no "remember me"
    assert _logged_in(client)
    client.set_cookie("remember_token", "anything")
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "tanpa aktivitas" in client.get(response.headers["Location"]).text
    assert not _logged_in(client)


def test_idle_rule_is_not_skipped_by_another_logins_remember_cookie(app, client, participant):
    remembered = login(app.test_client(), participant, remember=True, in_english=False)
    login(client, participant, in_english=False)  # this browser did not tick "remember me"
    assert _logged_in(client)
    client.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    assert client.get("/profile").status_code == 302


def test_idle_logout_ends_the_login_on_the_server(app, client, participant):
    login(client, participant, in_english=False)
    assert _logged_in(client)
    thief = _copy(app, client, "session")
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    assert client.get("/profile").status_code == 302
    assert not _logged_in(thief)


def test_a_real_remember_me_login_is_not_idled_out(client, participant):
    login(client, participant, remember=True, in_english=False)
    assert _logged_in(client)
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    assert _logged_in(client)
    # The browser restarted: the session cookie is gone, the remember-me cookie logs in again,
    # and that login is not idled out either.
    client.delete_cookie("session")
    assert _logged_in(client)
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    assert _logged_in(client)


def test_a_remember_me_login_ends_when_its_cookie_would_have_expired(client, clock, participant):
    login(client, participant, remember=True, in_english=False)
    clock.advance(days=15)  # REMEMBER_COOKIE_DURATION is two weeks
    assert not _logged_in(client)


def test_a_cookie_copied_from_the_login_answer_is_idled_out_too(app, client, participant, clock):
    """The cookie the login answers with carries the time of the login: a copy taken from that
    answer (before the browser's next page) cannot wait out the idle rule."""
    response = client.post("/login", data={"email": participant.email,
                                           "password": "kata-sandi-kuat-42"})
    assert response.status_code == 302
    thief = _copy(app, client, "session")
    clock.advance(days=3)
    assert not _logged_in(thief)
