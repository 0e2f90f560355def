"""Two instances of Pelita on one database behave as one site: a login made on one is valid on
the other and a logout on either ends it, the login rate limit counts across both (with Redis
as the shared limiter storage), and a job queued through one is run by the worker and its
result used through the other.

Real processes, as in production: two gunicorn instances (`wsgi:app`, one sync worker each) on
one database (the suite's PostgreSQL database, else a SQLite file), a throw-away redis-server,
and the worker (`flask lms worker`). Skipped with the reason when gunicorn or redis-server is missing
(only the rate-limit test needs Redis). Nothing here waits on a timer: each step waits for the
answer it needs, with a timeout.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest

import config
from lms import create_app
from lms.auth.services import create_user
from lms.extensions import db
from tests.fixtures import PARTICIPANT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
FLASK = Path(sys.executable).parent / "flask"
EMAIL = "dua.instansi@perpus.id"  # one account per test: the rate-limit test uses its own up
LIMITED = "dibatasi@perpus.id"
RESETTING = "lupa.sandi@perpus.id"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int, path: str = "/healthz") -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait_until(check, seconds: float, what: str) -> None:
    """Poll `check()` until it is true; fail after `seconds` (a bound, never an assertion)."""
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            pytest.fail(f"{what} within {seconds:.0f} s")
        time.sleep(0.1)


@contextmanager
def _redis():
    """A throw-away redis-server on a spare port: its URL, or None without redis-server."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def pong() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    try:
        _wait_until(pong, 10, "redis-server did not answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


class Site:
    """The two instances (ports A and B), the worker's log, and the limiter storage."""

    def __init__(self, ports: list[int], worker_log: Path, redis_url: str | None) -> None:
        self.a, self.b = ports
        self.worker_log = worker_log
        self.redis_url = redis_url


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn not installed at {GUNICORN}")
    tmp = tmp_path_factory.mktemp("two-instances")
    url = database_url if database_url.startswith("postgresql") else (
        f"sqlite:///{tmp / 'pelita.sqlite3'}")
    app = create_app(config.TestConfig(url))
    with app.app_context():
        db.create_all()
    try:
        with app.app_context():
            for email in (EMAIL, LIMITED, RESETTING):
                create_user(email=email, full_name="Dua Instansi", password=PARTICIPANT_PASSWORD,
                            role="participant")
        with _redis() as redis_url, _servers(url, redis_url, tmp) as ports:
            yield Site(ports, tmp / "worker.log", redis_url)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@contextmanager
def _servers(url: str, redis_url: str | None, tmp: Path):
    """Two gunicorn instances (one sync worker each) and the worker, sharing one configuration."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PELITA_ENV", "FLASK_ENV", "REDIS_URL", "PELITA_BASE_URL")}
    env.update({"DATABASE_URL": url, "SECRET_KEY": "two-instances-test-secret",
                "PELITA_INSTANCE_DIR": str(tmp / "instance"), "MAIL_BACKEND": "log",
                "LOGIN_ACCOUNT_RATE_LIMIT": "3 per hour"})
    if redis_url:
        env["REDIS_URL"] = redis_url
    ports = [_free_port(), _free_port()]
    procs = []
    try:
        for name, cmd in [("worker", [str(FLASK), "--app", "wsgi", "lms", "worker",
                                      "--interval", "0.2"])] + [
                (f"gunicorn-{port}", [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers",
                                      "1", "--control-socket", str(tmp / f"{port}.ctl"),
                                      "--log-level", "warning", "wsgi:app"]) for port in ports]:
            with (tmp / f"{name}.log").open("wb") as out:
                procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        for port in ports:
            _wait_until(lambda p=port: _answers(p), 60,
                        f"gunicorn on port {port} did not start (log: {tmp}/gunicorn-{port}.log)")
        yield ports
    finally:
        # gunicorn's quick shutdown is SIGQUIT; the worker finishes its job on SIGTERM.
        for proc, sig in zip(procs, [signal.SIGTERM, signal.SIGQUIT, signal.SIGQUIT], strict=False):
            proc.send_signal(sig)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


class Browser:
    """One browser: cookies are per host, not per port, so it sends the same ones to A and B."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def open(self, port: int, method: str, path: str, data: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Language": "en"}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in rest and "expires=Thu, 01 Jan 1970" not in rest:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return resp.status, resp.headers, text

    def get(self, port: int, path: str):
        return self.open(port, "GET", path)

    def post_form(self, port: int, page: str, data: dict, action: str | None = None):
        """Open `page`, then post its form with the page's CSRF token (as a person would)."""
        _status, _headers, html = self.get(port, page)
        match = CSRF.search(html)
        assert match, f"no form on {page}"
        return self.open(port, "POST", action or page, {"csrf_token": match.group(1), **data})


def _log_in(browser: Browser, port: int, email: str = EMAIL,
            password: str = PARTICIPANT_PASSWORD):
    return browser.post_form(port, "/login", {"email": email, "password": password})


def test_a_login_on_one_instance_is_valid_on_the_other_and_a_logout_there_ends_it(site):
    browser = Browser()
    status, headers, _ = _log_in(browser, site.a)
    assert status == 302 and "/login" not in headers["Location"]
    status, _headers, page = browser.get(site.b, "/profile")
    assert status == 200 and "Dua Instansi" in page  # the session made on A, read by B
    copy = Browser()  # the same cookies, kept: what a second tab (or a thief) still holds
    copy.cookies = dict(browser.cookies)
    status, _headers, _ = browser.post_form(site.b, "/profile", {}, action="/logout")
    assert status == 302
    for port in (site.a, site.b):  # the login ended on the server: the old cookies open nothing
        status, headers, _ = copy.get(port, "/profile")
        assert status == 302 and "/login" in headers["Location"]


def test_the_login_rate_limit_counts_across_both_instances(site):
    if site.redis_url is None:
        pytest.skip("redis-server is not installed: without a shared limiter storage each "
                    "instance counts on its own (apt-get install redis-server)")
    wrong = "bukan-kata-sandinya-1"
    statuses = [_log_in(Browser(), port, LIMITED, wrong)[0] for port in (site.a, site.b, site.a)]
    assert statuses == [422, 422, 422]  # three failed logins of the account, on two instances
    # The limit is 3 per hour per account: the fourth try is refused whichever instance gets
    # it, even with the right password.
    assert _log_in(Browser(), site.b, LIMITED, wrong)[0] == 429
    assert _log_in(Browser(), site.a, LIMITED)[0] == 429


def test_a_job_queued_through_one_instance_runs_and_its_result_works_on_the_other(site):
    browser = Browser()
    status, _headers, _ = browser.post_form(site.a, "/reset", {"email": RESETTING})
    assert status == 302  # the reset mail is queued: nothing is sent while the page waits
    # The worker sends it (MAIL_BACKEND=log: the message goes to its log).
    def links() -> list[str]:
        return re.findall(r"https?://[^/\s]+(/reset/[^\s]+)", site.worker_log.read_text())

    _wait_until(links, 30, f"the worker did not send the reset mail: {site.worker_log}")
    [link] = links()
    status, _headers, page = browser.get(site.b, link)
    assert status == 200 and 'name="new_password"' in page
    new = "dua-instansi-baru-77"
    status, _headers, _ = browser.post_form(site.b, link, {"new_password": new,
                                                               "confirm": new})
    assert status == 302
    assert _log_in(Browser(), site.a, RESETTING, new)[0] == 302
