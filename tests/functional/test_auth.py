"""Registration, login, logout, profile, password change and reset, as a user meets them."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db
from lms.jobs.services import run_pending
from tests.fixtures import PARTICIPANT_PASSWORD
from tests.helpers.pages import emailed_link, field_error

GOOD_FORM = {
    "full_name": "  Ni Luh  Putu Ayu  ",
    "email": "NiLuh@Contoh.ID",
    "password": "perpustakaan-desa-maju",
    "confirm": "perpustakaan-desa-maju",
    "library_name": "Perpustakaan Desa Tegallalang",
    "library_level": "desa",
    "province_code": "51",  # Bali
    "regency_code": "51.04",  # Kabupaten Gianyar
    "submit": "1",
}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))




def test_register_creates_account_and_logs_in(client):
    response = client.post("/register", data=GOOD_FORM, follow_redirects=True)
    assert response.status_code == 200
    user = db.session.scalar(select(User))
    assert user.email == "niluh@contoh.id"
    assert user.full_name == "Ni Luh Putu Ayu"  # spaces collapsed for the certificate
    assert (user.province_code, user.regency_code, user.role) == ("51", "51.04", "participant")
    assert user.password_hash.startswith("$argon2id$")
    assert "Ni Luh Putu Ayu" in response.text
    assert "Kabupaten Gianyar" in response.text


def test_register_page_lists_real_provinces(client):
    html = client.get("/register").text
    assert '<option value="32">Jawa Barat</option>' in html
    assert '<option value="91">Papua</option>' in html
    assert 'aria-describedby="full_name-desc"' in html


def test_register_without_javascript_loads_regencies_of_chosen_province(client):
    data = {**GOOD_FORM, "load_regencies": "1"}
    data.pop("submit")
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert "Kabupaten Gianyar" in response.text
    assert "Kota Depok" not in response.text
    assert user_count() == 0


def test_duplicate_email_is_refused_on_the_email_field(client, participant):
    data = {**GOOD_FORM, "email": participant.email.upper()}
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert "sudah" in field_error(response.text, "email")  # "... sudah terdaftar/ada"
    assert user_count() == 1


def test_weak_password_is_refused_and_nothing_written(client):
    for weak in ("pendek", "perpustakaan", "aaaaaaaaaaaa"):
        response = client.post("/register", data={**GOOD_FORM, "password": weak, "confirm": weak})
        assert response.status_code == 422
        assert field_error(response.text, "password"), weak
    assert user_count() == 0


def test_name_of_only_spaces_is_refused(client):
    response = client.post("/register", data={**GOOD_FORM, "full_name": "    "})
    assert response.status_code == 422
    assert field_error(response.text, "full_name")
    assert user_count() == 0


def test_unknown_province_and_foreign_regency_are_refused(client):
    response = client.post("/register", data={**GOOD_FORM, "province_code": "99"})
    assert field_error(response.text, "province_code")
    response = client.post("/register", data={**GOOD_FORM, "regency_code": "32.76"})  # Depok, not Bali
    assert field_error(response.text, "regency_code")
    assert user_count() == 0


def test_regencies_json_for_a_province(client):
    data = client.get("/regions/51.json").get_json()
    assert {"code": "51.04", "name": "Kabupaten Gianyar"} in data
    assert client.get("/regions/99.json").status_code == 404


def test_login_and_logout(client, auth, participant):
    response = auth.login(participant.email)
    assert response.status_code == 302
    assert participant.full_name in client.get("/").text
    assert client.get("/logout").status_code == 405  # logging out is a POST with CSRF
    auth.logout()
    assert participant.full_name not in client.get("/").text


def test_failed_login_shows_error_next_to_password(client, auth, participant):
    response = auth.login(participant.email, "salah-kata-sandi")
    assert response.status_code == 422
    assert field_error(response.text, "password")
    assert 'aria-invalid="true"' in response.text
    response = auth.login("tidak-ada@contoh.id", "salah-kata-sandi")
    assert field_error(response.text, "password")  # the same answer: no account oracle


def test_login_redirects_only_to_local_next(client, participant):
    data = {"email": participant.email, "password": PARTICIPANT_PASSWORD}
    response = client.post("/login?next=/profile", data=data)
    assert response.headers["Location"] == "/profile"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_long_lived_cookie(client, auth, participant):
    auth.login(participant.email, remember=True)
    assert client.get_cookie("remember_token") is not None


def test_profile_requires_login_and_saves(client, logged_in, participant):
    anonymous = client.application.test_client()
    assert anonymous.get("/profile").status_code == 302
    response = logged_in.post("/profile", data={
        "full_name": "Siti Aminah", "library_name": "Perpustakaan Kota Depok",
        "library_level": "kota", "province_code": "32", "regency_code": "32.76", "submit": "1",
    }, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(participant)
    assert (participant.full_name, participant.regency_code) == ("Siti Aminah", "32.76")


def test_change_password_logs_out_other_devices(app, client, auth, participant):
    other_device = app.test_client()
    other_device.post("/login", data={"email": participant.email, "password": PARTICIPANT_PASSWORD})
    auth.login(participant.email)
    response = client.post("/password", data={
        "current_password": "bukan-ini", "new_password": "sandi-baru-yang-kuat",
        "confirm": "sandi-baru-yang-kuat"})
    assert field_error(response.text, "current_password")
    response = client.post("/password", data={
        "current_password": PARTICIPANT_PASSWORD, "new_password": "sandi-baru-yang-kuat",
        "confirm": "sandi-baru-yang-kuat"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # this device stays logged in
    assert other_device.get("/profile").status_code == 302  # the other one is logged out
    client.post("/logout")
    assert auth.login(participant.email, "sandi-baru-yang-kuat").status_code == 302


def test_password_reset_by_email_is_single_use(client, auth, participant, mail):
    response = client.post("/reset", data={"email": participant.email})
    assert response.status_code == 302
    assert mail == [] and run_pending() == 1  # sent by the worker
    assert len(mail) == 1 and mail[0]["To"] == participant.email
    link = emailed_link(mail[-1], "/reset/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": "lupa-lalu-ingat-lagi",
                                       "confirm": "lupa-lalu-ingat-lagi"})
    assert response.status_code == 302
    assert auth.login(participant.email, "lupa-lalu-ingat-lagi").status_code == 302
    auth.logout()
    # The same link cannot be used twice.
    again = client.post(link, data={"new_password": "orang-lain-masuk-1",
                                    "confirm": "orang-lain-masuk-1"})
    assert again.status_code == 400
    assert auth.login(participant.email, "orang-lain-masuk-1").status_code == 422


def test_password_reset_gives_no_email_oracle(client, participant, mail, count_queries):
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*', "", html)  # noqa: E731
    email = participant.email
    with count_queries() as known_queries:
        known = client.post("/reset", data={"email": email})
    known_page = client.get(known.headers["Location"]).text
    with count_queries() as unknown_queries:
        unknown = client.post("/reset", data={"email": "siapa@contoh.id"})
    unknown_page = client.get(unknown.headers["Location"]).text
    # The same answer, after the same work: nothing is looked up or sent while the page waits.
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code, unknown.headers["Location"])
    assert [re.sub(r"'[^']*'|\?|%\(\w+\)s|\$\d+", "?", q) for q in known_queries.statements] == [
        re.sub(r"'[^']*'|\?|%\(\w+\)s|\$\d+", "?", q) for q in unknown_queries.statements]
    assert not any("FROM users" in q for q in known_queries.statements)
    assert mail == []
    assert strip(known_page) == strip(unknown_page) and "kami telah mengirimkan tautan" in known_page
    # The worker then sends exactly one email: to the account that exists.
    assert run_pending() == 2
    assert len(mail) == 1 and mail[0]["To"] == email


def test_tampered_and_expired_reset_tokens_are_refused(app, client, participant, mail):
    client.post("/reset", data={"email": participant.email})
    run_pending()
    link = emailed_link(mail[-1], "/reset/")
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.get(tampered).status_code == 400
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "kedaluwarsa" in response.text.lower()


def test_deactivated_user_cannot_log_in(client, auth, participant):
    participant.active = False
    db.session.commit()
    assert auth.login(participant.email).status_code == 422


def test_demo_accounts_can_log_in_through_the_form(client, runner):
    from lms.cli import DEMO_ACCOUNTS

    runner.invoke(args=["lms", "demo"])
    for account in DEMO_ACCOUNTS:
        response = client.post("/login", data={"email": account["email"],
                                               "password": account["password"]})
        assert response.status_code == 302, account["email"]
        client.post("/logout")


def test_idle_session_is_logged_out_on_a_shared_computer(client, auth, participant):
    auth.login(participant.email)
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60  # half an hour without activity
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "tanpa aktivitas" in client.get(response.headers["Location"]).text


def test_remember_me_survives_the_idle_timeout(client, auth, participant):
    auth.login(participant.email, remember=True)
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    assert client.get("/profile").status_code == 200


def test_the_reset_email_is_written_in_the_accounts_language(client, make_user, participant, mail):
    english = make_user(email="english@contoh.id", locale="en")
    client.post("/reset", data={"email": english.email})
    client.post("/reset", data={"email": participant.email})  # no saved language: Indonesian
    assert run_pending() == 2
    subjects = {message["To"]: message["Subject"] for message in mail}
    assert subjects == {english.email: "Reset your Pelita password",
                        participant.email: "Atur ulang kata sandi Pelita Anda"}


def _argon2_parameters(stored: str) -> tuple[int, int, int]:
    """(memory KiB, time cost, parallelism) of a PHC-format Argon2id hash."""
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match, stored
    return tuple(int(g) for g in match.groups())


def test_a_hash_made_with_the_old_parameters_is_replaced_at_login(app, client, auth, participant):
    from argon2 import PasswordHasher

    other_device = app.test_client()
    assert other_device.post("/login", data={
        "email": participant.email, "password": PARTICIPANT_PASSWORD}).status_code == 302
    # The account's hash dates from argon2-cffi's default (m=64 MiB, t=3, p=4).
    participant.password_hash = PasswordHasher().hash(PARTICIPANT_PASSWORD)
    db.session.commit()
    old_hash, version = participant.password_hash, participant.session_version
    assert _argon2_parameters(old_hash) == (65536, 3, 4)

    assert auth.login(participant.email, "salah-kata-sandi").status_code == 422
    db.session.refresh(participant)
    assert participant.password_hash == old_hash  # a failed login never rehashes

    assert auth.login(participant.email).status_code == 302
    db.session.refresh(participant)
    assert _argon2_parameters(participant.password_hash) == (19456, 2, 1)
    assert participant.session_version == version  # not a password change
    assert participant.last_login_at is not None
    assert other_device.get("/profile").status_code == 200  # still logged in there
    assert client.get("/profile").status_code == 200

    new_hash = participant.password_hash
    client.post("/logout")
    assert auth.login(participant.email).status_code == 302  # the new hash lets them in
    db.session.refresh(participant)
    assert participant.password_hash == new_hash  # and is kept: nothing more to rehash
