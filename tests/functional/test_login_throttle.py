"""Login throttling for a library lab: many people behind one address must not lock each other
out, while one account being guessed is slowed down (per normalised email), and the answers
never tell whether an account exists. Registration is rate-limited too."""

from __future__ import annotations

import re

import pytest

from lms.auth.services import create_user
from tests.fixtures import PARTICIPANT_PASSWORD

WRONG = "bukan-kata-sandinya"


@pytest.fixture
def lab(limited_app):
    return limited_app.test_client()


def _post(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_a_library_lab_of_forty_behind_one_address_can_all_log_in(limited_app):
    people = [create_user(email=f"staf{n}@perpus.id", full_name=f"Staf {n}",
                          password=PARTICIPANT_PASSWORD, role="participant") for n in range(40)]
    for person in people:  # each mistypes once, then gets it right; all from one address
        browser = limited_app.test_client()
        assert _post(browser, person.email, WRONG).status_code == 422
        assert _post(browser, person.email, PARTICIPANT_PASSWORD).status_code == 302, person.email


def test_one_account_being_guessed_does_not_block_the_others(limited_app, lab):
    target = create_user(email="kepala@perpus.id", full_name="Kepala", password=PARTICIPANT_PASSWORD,
                         role="participant")
    colleague = create_user(email="rekan@perpus.id", full_name="Rekan",
                            password=PARTICIPANT_PASSWORD, role="participant")
    statuses = [_post(lab, target.email, WRONG).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # The same account, written differently, is the same account...
    assert _post(lab, "  KEPALA@Perpus.ID ", PARTICIPANT_PASSWORD).status_code == 429
    page = _post(lab, target.email, PARTICIPANT_PASSWORD)
    assert page.status_code == 429 and "Terlalu banyak percobaan" in page.text
    # ...while a colleague at the next computer logs in as usual.
    assert _post(limited_app.test_client(), colleague.email,
                 PARTICIPANT_PASSWORD).status_code == 302


def test_the_throttle_does_not_tell_whether_an_account_exists(limited_app, lab):
    create_user(email="ada@perpus.id", full_name="Ada", password=PARTICIPANT_PASSWORD,
                role="participant")
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*|value="[^"]*@perpus.id"', "", html)  # noqa: E731
    known = [_post(lab, "ada@perpus.id", WRONG) for _ in range(6)]
    unknown = [_post(lab, "tidak-ada@perpus.id", WRONG) for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [422] * 5 + [429]
    assert [strip(r.text) for r in known] == [strip(r.text) for r in unknown]


def test_many_accounts_guessed_from_one_address_hit_the_address_limit(limited_app, lab):
    limited_app.config["LOGIN_RATE_LIMIT"] = "8 per minute"
    statuses = [_post(lab, f"orang{n}@perpus.id", WRONG).status_code for n in range(9)]
    assert statuses == [422] * 8 + [429]
    assert lab.get("/login").status_code == 200  # reading the form is never limited


def test_registration_is_rate_limited_per_address(limited_app, lab):
    limited_app.config["REGISTER_RATE_LIMIT"] = "3 per minute"
    form = {"full_name": "Siti", "library_name": "TBM Siti", "library_level": "desa",
            "province_code": "32", "regency_code": "32.04", "password": "pendek",
            "confirm": "pendek", "submit": "1"}
    # Showing the regencies without JavaScript is not an attempt.
    for _ in range(4):
        reload = lab.post("/register", data={**form, "email": "a@perpus.id", "submit": "",
                                             "load_regencies": "1"})
        assert reload.status_code == 200
    statuses = [lab.post("/register", data={**form, "email": f"s{n}@perpus.id"}).status_code
                for n in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert lab.get("/register").status_code == 200
