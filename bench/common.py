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
from contextlib import contextmanager, suppress
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


_SERVED: dict[int, int] = {}  # port -> gunicorn master pid, while `gunicorn()` serves it


def children(pid: int) -> list[int]:
    """A process's children (a gunicorn master's workers), from /proc."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) the master's children (its workers) have used so far (/proc)."""
    total = 0
    for pid in children(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


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
        _SERVED[port] = proc.pid
        yield port
    finally:
        _SERVED.pop(port, None)
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
    header to send, e.g. BROWSER_ENCODINGS). For a server started by `gunicorn()`, also the
    workers' CPU milliseconds per request ("cpu_ms"): what a request costs the server, which
    moves far less than req/s when other work shares the machine."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if encoding:
        cmd += ["-H", f"Accept-Encoding: {encoding}"]
    master = _SERVED.get(port)
    cpu_before = workers_cpu_seconds(master) if master else 0.0
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    cpu = workers_cpu_seconds(master) - cpu_before if master else None
    requests = int(re.search(r"(\d+) requests in", out).group(1))

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
        "cpu_ms": cpu * 1000 / requests if cpu is not None and requests else None,
    }


# --------------------------------------------------------------------------- servers a bench owns
# Used by quiz_load.py: a throw-away Redis, a throw-away PostgreSQL database or whole cluster, and
# gunicorn instances that can be killed and started again on the same port.


def wait_http(port: int, seconds: float, path: str = "/healthz") -> bool:
    """True once GET `path` answers 200 on 127.0.0.1:`port` within `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def redis_server():
    """A throw-away redis-server (no persistence) on a spare port; yields its URL, or None
    (with the reason printed) when redis-server is not installed or does not start."""
    binary = shutil.which("redis-server")
    if binary is None:
        print("redis: redis-server not installed (apt-get install redis-server)")
        yield None
        return
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="pelita-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", tmp, "--loglevel", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.1)
        else:
            print("redis: redis-server did not answer within 10 s")
            yield None
            return
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb in a temp folder, a spare port, trust logins on
    127.0.0.1 only) that a bench may stop and start. initdb refuses to run as root, so as root
    the cluster belongs to the `postgres` system user (runuser)."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pelita-pg-"))
        self.data = self.dir / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bindir / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c shared_buffers=64MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE `name` on the server of `server_url`; returns the new database's URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


class Gunicorn:
    """One gunicorn instance (`make serve`'s command) on a fixed port, in its own process group
    and with its own control socket, so it can be killed whole and started again."""

    def __init__(self, name: str, env: dict[str, str], workers: int, port: int | None = None,
                 extra: list[str] | None = None, log_dir: Path | None = None) -> None:
        self.name = name
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.extra = extra or []
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="pelita-gunicorn-"))
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, wait: float = 60, *, listening_only: bool = False) -> None:
        """Start and wait until /healthz answers, or (`listening_only`, for a restart under
        load, when /healthz queues behind the clients' requests) until the port accepts."""
        self.starts += 1
        log = open(self.log_dir / f"gunicorn-{self.name}.log", "ab")  # noqa: SIM115 - kept by Popen
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers), "--control-socket", str(self.log_dir / f"{self.name}.ctl"),
             "--log-level", "warning", *self.extra, "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        if listening_only:
            end = time.monotonic() + wait
            while time.monotonic() < end:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.1)
            raise RuntimeError(f"gunicorn {self.name} did not listen on port {self.port}")
        if not wait_http(self.port, wait):
            raise RuntimeError(f"gunicorn {self.name} did not answer on port {self.port} "
                               f"(log: {self.log_dir / f'gunicorn-{self.name}.log'})")

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc."""
        return children(self.proc.pid) if self.proc is not None else []

    def cpu_seconds(self) -> float:
        """CPU time (user + system) its workers have used so far, from /proc."""
        return workers_cpu_seconds(self.proc.pid) if self.proc is not None else 0.0

    def kill(self) -> None:
        """SIGKILL the master and its workers (the whole process group): a crashed instance."""
        import signal

        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        import signal

        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


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


def count_queries(app, who: tuple[str, str], paths: dict[str, str]) -> dict[str, tuple[int, int]]:
    """(SQL statements, HTTP status) of one in-process request per page, after a warm-up. Each
    request has its own app context and database session, as under gunicorn."""
    from sqlalchemy import event

    from lms.extensions import db

    with app.app_context():
        engine = db.engine
    counts = {}
    client = app.test_client()
    resp = client.post("/login", data={"email": who[0], "password": who[1]})
    assert resp.status_code == 302, f"login of {who[0]} failed: {resp.status_code}"
    for name, path in paths.items():
        client.get(path)
        seen: list[str] = []

        def listener(conn, cursor, statement, *args, seen=seen):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        status = client.get(path).status_code
        event.remove(engine, "before_cursor_execute", listener)
        counts[name] = (len(seen), status)
    engine.dispose()
    return counts
