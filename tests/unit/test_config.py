"""Start-up configuration: secret keys and production safety."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import config


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "PELITA_ENV", "FLASK_ENV", "DATABASE_URL", "REDIS_URL",
                 "PELITA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    return tmp_path / "instance"


def test_development_generates_a_secret_key_once_and_keeps_it(clean_env):
    first = config.Config().SECRET_KEY
    second = config.Config().SECRET_KEY
    assert first == second and len(first) >= 64
    key_file = clean_env / "secret_key"
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_production_refuses_to_start_without_a_secret_key(clean_env, monkeypatch):
    monkeypatch.setenv("PELITA_ENV", "production")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.Config()
    assert not (clean_env / "secret_key").exists()


def test_production_settings(clean_env, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PELITA_BASE_URL", "https://pelita.contoh.id/")
    cfg = config.Config()
    assert cfg.BASE_URL == "https://pelita.contoh.id" and not cfg.BASE_URL_IS_DEFAULT
    assert cfg.SESSION_COOKIE_SECURE and cfg.REMEMBER_COOKIE_SECURE
    assert cfg.MAIL_BACKEND == "smtp"
    assert cfg.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_sqlite_in_instance_is_the_default_database(clean_env):
    assert config.Config().SQLALCHEMY_DATABASE_URI == f"sqlite:///{clean_env / 'pelita.sqlite3'}"


def test_production_refuses_to_start_without_a_public_address(clean_env, monkeypatch):
    monkeypatch.setenv("PELITA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    with pytest.raises(config.ConfigError, match="PELITA_BASE_URL is not set"):
        config.Config()


def test_a_public_address_must_be_a_full_address(clean_env, monkeypatch):
    for value in ("pelita.contoh.id", "ftp://pelita.contoh.id", "https://"):
        monkeypatch.setenv("PELITA_BASE_URL", value)
        with pytest.raises(config.ConfigError, match="full address"):
            config.Config()


def test_development_falls_back_to_the_default_address_and_says_so(clean_env, monkeypatch):
    cfg = config.Config()
    assert (cfg.BASE_URL, cfg.BASE_URL_IS_DEFAULT) == ("http://127.0.0.1:5000", True)
    monkeypatch.setenv("PELITA_BASE_URL", "http://192.168.1.20:8080")
    cfg = config.Config()
    assert (cfg.BASE_URL, cfg.BASE_URL_IS_DEFAULT) == ("http://192.168.1.20:8080", False)


def test_addresses_only_the_server_can_open_look_like_development():
    for url in ("http://127.0.0.1:5000", "http://localhost:8080", "http://0.0.0.0:8080",
                "http://[::1]:5000", "http://pelita.localhost"):
        assert config.looks_like_development(url), url
    for url in ("https://pelita.contoh.id", "http://192.168.1.20:8080", "http://10.0.0.5"):
        assert not config.looks_like_development(url), url


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
@pytest.mark.parametrize(("given", "expected"), [
    (None, "http://127.0.0.1:8080"),  # the README's `PORT=8080 make run`
    ("https://pelita.contoh.id", "https://pelita.contoh.id"),  # an address set stays
])
def test_make_run_gives_the_app_the_address_it_serves_on(monkeypatch, given, expected):
    """`make run` exports PELITA_BASE_URL from HOST and PORT unless it is set (the commands are
    replaced by `printenv`, and `-o install` skips the installation)."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items()
           if k not in ("PELITA_BASE_URL", "MAKEFLAGS", "PELITA_ENV", "FLASK_ENV")}
    env["PORT"] = "8080"
    if given:
        env["PELITA_BASE_URL"] = given
    result = subprocess.run(["make", "-s", "-o", "install", "run", "FLASK=printenv PELITA_BASE_URL #"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    shown, *commands = result.stdout.splitlines()
    assert shown == f"Public address (PELITA_BASE_URL): {expected}"
    assert commands == [expected] * 3  # db upgrade, lms setup and run all get it
    worker = subprocess.run(["make", "-s", "-o", "install", "worker",
                             "FLASK=printenv PELITA_BASE_URL #"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert worker.stdout.splitlines() == [expected]  # emailed links from the worker agree
