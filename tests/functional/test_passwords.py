"""Passwords people can't guess: the shipped common-password lists and zxcvbn with the user's
own name, email and library, with the reason shown in the user's language wherever a password
is set (registration, password change, reset, cohort invitation)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.cohorts import services as cohort_services
from lms.extensions import db
from tests.fixtures import PARTICIPANT_PASSWORD
from tests.helpers.pages import field_error

FORM = {
    "full_name": "Ni Luh Putu Ayu",
    "email": "niluh@contoh.id",
    "library_name": "Perpustakaan Desa Tegallalang",
    "library_level": "desa",
    "province_code": "51",
    "regency_code": "51.04",
    "submit": "1",
}


def _register(client, password):
    return client.post("/register", data={**FORM, "password": password, "confirm": password})


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("password", [
    "bismillah2024", "Indonesia1945!", "sayangku123", "rahasia-2025", "perpustakaan2024",
    "r4h4s1a123", "1qaz2wsx3edc", "password1234", "merdeka17081945",
])
def test_common_passwords_with_years_and_digits_are_refused(client, password):
    response = _register(client, password)
    assert response.status_code == 422
    assert "paling umum" in field_error(response.text, "password")  # "...the most common..."
    assert _users() == 0


def test_a_password_built_on_the_users_library_or_name_is_refused(client):
    for password in ("tegallalang2024", "Tegallalang!!99", "niluhputuayu1"):
        response = _register(client, password)
        assert response.status_code == 422, password
        assert "nama, alamat email, atau perpustakaan" in field_error(response.text, "password")
    assert _users() == 0


def test_the_reason_is_shown_in_the_users_language(client):
    client.post("/language", data={"lang": "en"})
    response = _register(client, "wertyuiopsdfgh")
    assert response.status_code == 422
    assert "Rows of keys on the keyboard" in field_error(response.text, "password")
    response = _register(client, "abcabcabcabcabc")
    assert "Repeated characters or words" in field_error(response.text, "password")
    response = _register(client, "x" * 129)
    assert "at most 128 characters" in field_error(response.text, "password")


def test_a_strong_password_of_a_few_words_is_accepted(client):
    response = _register(client, "rumah kayu di tepi sungai")
    assert response.status_code == 302
    assert _users() == 1


def test_password_change_shows_the_reason(client, auth, participant):
    auth.login(participant.email)
    response = client.post("/password", data={
        "current_password": PARTICIPANT_PASSWORD, "new_password": "sukamaju2024",
        "confirm": "sukamaju2024"})  # the participant's library is Perpustakaan Desa Sukamaju
    assert response.status_code == 422
    assert "perpustakaan" in field_error(response.text, "new_password")
    response = client.post("/password", data={
        "current_password": PARTICIPANT_PASSWORD, "new_password": "bismillah2024",
        "confirm": "bismillah2024"})
    assert "paling umum" in field_error(response.text, "new_password")


def test_password_reset_shows_the_reason(client, participant):
    from lms.auth.services import make_reset_token

    link = f"/reset/{make_reset_token(participant)}"
    response = client.post(link, data={"new_password": "sayangku2024",
                                       "confirm": "sayangku2024"})
    assert response.status_code == 422
    assert "paling umum" in field_error(response.text, "new_password")


def test_accepting_a_cohort_invitation_shows_the_reason(client, make_user):
    trainer = make_user("trainer")
    cohort = cohort_services.create_cohort(trainer, name="Angkatan Sandi", course_ids=[])
    added = cohort_services.add_member(trainer, cohort, email="ani@contoh.id",
                                       full_name="Ani Lestari", library_name="TBM Pelangi Pagi")
    link = added.link.removeprefix("http://localhost")
    for password, reason in (("indonesia2025", "paling umum"),
                             ("pelangipagi2024", "perpustakaan"),
                             ("aniLestari2024!", "nama")):
        response = client.post(link, data={"full_name": "Ani Lestari", "password": password,
                                           "confirm": password})
        assert response.status_code == 422, password
        assert reason in field_error(response.text, "password"), password
    ok = client.post(link, data={"full_name": "Ani Lestari", "password": "buku-baru-datang-pagi",
                                 "confirm": "buku-baru-datang-pagi"})
    assert ok.status_code == 302
