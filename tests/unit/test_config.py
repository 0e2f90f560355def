"""Start-up configuration: secret keys and production safety."""

import pytest

import config


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "PELITA_ENV", "FLASK_ENV", "DATABASE_URL", "REDIS_URL"):
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
    cfg = config.Config()
    assert cfg.SESSION_COOKIE_SECURE and cfg.REMEMBER_COOKIE_SECURE
    assert cfg.MAIL_BACKEND == "smtp"
    assert cfg.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_sqlite_in_instance_is_the_default_database(clean_env):
    assert config.Config().SQLALCHEMY_DATABASE_URI == f"sqlite:///{clean_env / 'pelita.sqlite3'}"
