"""Shared helpers for the benchmark scripts: a throw-away database, gunicorn, wrk, login."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database_url: str | None = None) -> dict[str, str]:
    """Environment for a benchmark server: its own SQLite file unless DATABASE_URL is given."""
    env = dict(os.environ)
    if database_url is None and not env.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="pelita-bench-")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    elif database_url:
        env["DATABASE_URL"] = database_url
    env.setdefault("SECRET_KEY", "bench-secret-key")
    env["PELITA_BENCH"] = "1"
    return env


def flask(env, *args: str) -> str:
    out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    return out.stdout


@contextmanager
def gunicorn(env, workers: int = 2, app: str = "wsgi:app", ready: str = "/healthz"):
    """Serve the app with gunicorn sync workers on a free port for the duration of the block."""
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level",
         "warning", app], cwd=ROOT, env=env)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", ready)
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def login(port: int, email: str, password: str) -> str:
    """Log in through the real form; return the Cookie header value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    html = resp.read().decode()
    cookie = resp.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise RuntimeError(f"login failed: {resp.status}")
    return resp.getheader("Set-Cookie", "").split(";")[0]


# What a browser sends; wrk sends no Accept-Encoding unless told, so pages go uncompressed.
BROWSER_ENCODINGS = "gzip, deflate, br"


def wrk(port: int, path: str, cookie: str | None = None, seconds: int = 10,
        connections: int = 16, encoding: str | None = None) -> dict[str, float]:
    """Run wrk and return requests/s and p50/p99 latency in ms (`encoding`: an Accept-Encoding
    header to send, e.g. BROWSER_ENCODINGS)."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if encoding:
        cmd += ["-H", f"Accept-Encoding: {encoding}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout

    def latency(label: str) -> float:
        value = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        number, unit = float(value.group(1)), value.group(2)
        return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def floor(env, seconds: int = 10, connections: int = 16) -> dict[str, float]:
    """The framework floor measured now: bench/floor/app.py (one primary-key query and a small
    template, no Pelita) under the same gunicorn and wrk settings as the pages. Its own
    SQLite file, or a table in the PostgreSQL database of DATABASE_URL (dropped afterwards)."""
    from bench.floor import app as floor_app

    url = env["DATABASE_URL"]
    own_file = url.startswith("sqlite")
    if own_file:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='pelita-floor-')}/floor.sqlite3"
    floor_app.seed(url)
    try:
        with gunicorn({**env, "FLOOR_DATABASE_URL": url}, app="bench.floor.app:app",
                      ready="/floor") as port:
            return wrk(port, "/floor", seconds=seconds, connections=connections)
    finally:
        if not own_file:
            floor_app.drop(url)
