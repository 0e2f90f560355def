"""The deployment files under deploy/ are real files that say what docs/deploy.md says: the
systemd units (checked by `systemd-analyze verify` where it exists), the nginx site matching
the app's upload limit and proxy settings, and gunicorn's per-instance paths."""

from __future__ import annotations

import configparser
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ["pelita@.service", "pelita-worker.service", "pelita-backup.service",
         "pelita-backup.timer"]


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize("name", ["pelita@.service", "pelita-worker.service"])
def test_web_instances_and_the_worker_are_always_restarted_with_their_whole_group(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "always"
    assert service["KillMode"] == "control-group"  # orphaned gunicorn workers die too
    assert service["EnvironmentFile"] == "/etc/pelita/pelita.env"
    assert unit(name)["Unit"]["StartLimitIntervalSec"] == "0"  # never give up


def test_each_web_instance_has_its_own_port_and_runtime_folder():
    service = unit("pelita@.service")["Service"]
    assert service["Environment"] == "PORT=%i PELITA_INSTANCE=%i"
    assert service["RuntimeDirectory"] == "pelita-%i"
    assert service["Type"] == "notify"
    assert "deploy/gunicorn.conf.py" in service["ExecStart"]


def test_the_worker_gets_longer_than_a_job_to_stop():
    assert int(unit("pelita-worker.service")["Service"]["TimeoutStopSec"]) >= 300


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path):
    # The units name /opt/pelita; point them at this checkout and at this interpreter's
    # virtualenv, wherever it is, so the commands exist.
    for name in UNITS:
        text = ((DEPLOY / "systemd" / name).read_text()
                .replace("/opt/pelita/.venv/bin", str(Path(sys.executable).parent))
                .replace("/opt/pelita", str(ROOT)))
        (tmp_path / name.replace("@.", "@8001.")).write_text(text)
    names = [f"./{p.name}" for p in sorted(tmp_path.iterdir())]
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr


def nginx() -> str:
    return (DEPLOY / "nginx" / "pelita.conf").read_text()


def directives(name: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^[ \t]*{name}[ \t]+([^;{{\n]*);", nginx(), re.M)]


def test_nginx_blocks_are_balanced_and_every_directive_ends():
    code = "\n".join(line.split("#", 1)[0] for line in nginx().splitlines())
    assert code.count("{") == code.count("}")
    for line in code.splitlines():
        line = line.strip()
        assert not line or line.endswith((";", "{", "}")), line


def test_nginx_takes_what_the_app_takes_and_no_more():
    size = directives("client_max_body_size")
    assert size == [f"{Config.MAX_CONTENT_LENGTH // (1024 * 1024)}m"]


def test_nginx_leaves_compression_to_the_app_and_forwards_what_proxyfix_reads():
    assert directives("gzip") == ["off"]  # Flask-Compress compresses (brotli, gzip)
    assert Config.COMPRESS_ALGORITHM  # ... as long as the app does
    headers = dict(h.split(None, 1) for h in directives("proxy_set_header"))
    # lms/app.py: ProxyFix(x_for=..., x_proto=..., x_host=...) with PROXY_FIX_X_FOR=1.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == "$host"
    env = (DEPLOY / "pelita.env.example").read_text()
    assert "PROXY_FIX_X_FOR=1" in env.splitlines()


def test_nginx_upstream_lists_the_instances():
    assert directives("server") == ["127.0.0.1:8001", "127.0.0.1:8002"]


def gunicorn_settings(monkeypatch, tmp_path, port: str) -> dict:
    monkeypatch.setenv("PORT", port)
    monkeypatch.delenv("PELITA_INSTANCE", raising=False)
    monkeypatch.setenv("PELITA_RUN_DIR", str(tmp_path))
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_two_gunicorn_instances_never_share_a_control_socket_or_pid_file(monkeypatch, tmp_path):
    one = gunicorn_settings(monkeypatch, tmp_path, "8001")
    two = gunicorn_settings(monkeypatch, tmp_path, "8002")
    assert one["control_socket"] == str(tmp_path / "pelita-8001.ctl")
    assert two["control_socket"] == str(tmp_path / "pelita-8002.ctl")
    assert one["pidfile"] != two["pidfile"]
    assert one["bind"] == ["127.0.0.1:8001"]


def test_gunicorn_sheds_load_early_and_times_out(monkeypatch, tmp_path):
    settings = gunicorn_settings(monkeypatch, tmp_path, "8001")
    assert settings["backlog"] <= 128  # gunicorn's default, 2048, queues minutes of logins
    assert settings["timeout"] == 30 and settings["graceful_timeout"] == 30
    assert settings["worker_class"] == "sync"


def test_the_backup_scripts_are_executable_shell():
    for script in ("backup.sh", "restore.sh"):
        path = ROOT / "tools" / script
        assert os.access(path, os.X_OK)
        assert subprocess.run(["sh", "-n", str(path)], timeout=10).returncode == 0
