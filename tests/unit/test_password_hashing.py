"""lms/auth/passwords.py without an app: OWASP's Argon2id minimum by default, configurable, and
old hashes still verify but are flagged for a rehash."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

import config
from lms.auth import passwords

PHC = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
# argon2-cffi's own default (RFC 9106 low-memory profile), what Pelita used before.
OLD = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


@pytest.fixture(autouse=True)
def _restore_parameters():
    saved = passwords.parameters()
    yield
    passwords.configure(*saved)


def _params(stored: str) -> tuple[int, int, int]:
    match = PHC.match(stored)
    assert match, stored
    memory, time_cost, parallelism = (int(g) for g in match.groups())
    return time_cost, memory, parallelism


def test_new_hashes_use_owasps_argon2id_minimum():
    passwords.configure()
    stored = passwords.hash_password("perpustakaan-desa-maju")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(stored, "perpustakaan-desa-maju")
    assert not passwords.verify_password(stored, "perpustakaan-desa-mundur")
    assert not passwords.needs_rehash(stored)


def test_a_hash_with_the_old_default_parameters_verifies_and_needs_a_rehash():
    passwords.configure()
    stored = OLD.hash("perpustakaan-desa-maju")
    assert _params(stored) == (3, 65536, 4)
    assert passwords.verify_password(stored, "perpustakaan-desa-maju")
    assert passwords.needs_rehash(stored)


def test_other_parameters_can_be_configured_and_then_the_owasp_hash_is_the_old_one():
    passwords.configure()
    owasp = passwords.hash_password("sandi")
    passwords.configure(time_cost=3, memory_kib=8192, parallelism=2)
    stored = passwords.hash_password("sandi")
    assert _params(stored) == (3, 8192, 2)
    assert passwords.needs_rehash(owasp) and not passwords.needs_rehash(stored)
    assert passwords.verify_password(owasp, "sandi")  # an old hash still lets its owner in
    assert _params(passwords.dummy_hash()) == (3, 8192, 2)  # unknown emails cost the same


def test_a_malformed_hash_neither_verifies_nor_raises():
    for stored in ("", "not-a-hash", "$argon2id$v=19$m=x"):
        assert not passwords.verify_password(stored, "sandi")
        assert not passwords.needs_rehash(stored)


def test_the_config_defaults_and_environment(monkeypatch):
    settings = config.TestConfig()
    assert (settings.PASSWORD_ARGON2_TIME_COST, settings.PASSWORD_ARGON2_MEMORY_KIB,
            settings.PASSWORD_ARGON2_PARALLELISM) == (2, 19456, 1)
    monkeypatch.setenv("PASSWORD_ARGON2_MEMORY_KIB", "47104")
    monkeypatch.setenv("PASSWORD_ARGON2_TIME_COST", "1")
    settings = config.TestConfig()
    assert (settings.PASSWORD_ARGON2_TIME_COST, settings.PASSWORD_ARGON2_MEMORY_KIB) == (1, 47104)
