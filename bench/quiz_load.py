"""Load test of the quiz engine across two instances: is every acknowledged answer stored?

What it starts (and removes afterwards): a throw-away PostgreSQL database (on DATABASE_URL's
server, default 127.0.0.1:5432; with --stop-db a whole cluster of its own, initdb'ed in a
temp folder on a spare port), a throw-away redis-server on a spare port as the rate limiter's
shared storage (if redis-server is missing the instances count in memory, each its own, and the
output says so), two gunicorn instances A and B (`make serve`'s command, each with its own port
and control socket) on that one database, and the job worker (`flask lms worker`).

Setup (in-process, through the services, not timed): a course pack with one module and a final
quiz of --questions single-choice questions; --learners accounts enrolled with the module done,
so passing the quiz completes the course and issues a certificate (rendered by the worker).

Phase 1, logins (timed on its own: "a class logs in at once"): every learner at once opens the
login form and posts it, learner n on instance n % 2. Each learner has its own loopback source
address (127.x.y.z), as learners have their own IPs.

Phase 2, the quiz (timed): every learner at once opens the quiz, presses Start on both
instances at the same moment (a double click across instances), opens the attempt page and
answers each question with the background save quiz.js sends (multipart: `sync_client`, and per
field `shown`, `sync_seq-<field>` and the value; headers X-CSRFToken, X-Requested-With, Accept),
alternating between the instances. On top: one answer is changed (two edits) and the older save
is replayed afterwards on the other instance (a late retry: it must not overwrite the newer
answer); one save is sent to both instances at once; Submit is pressed on both instances at once.

The client behaves like quiz.js, never more: a request is sent once. A connection refused
(nothing reached the server) goes to the other instance, as nginx's upstream failover would.
Any other failure — a reset or closed connection, a timeout (the page's data-timeout), 408, 429,
5xx, or an answer that is not the save JSON — is counted, and the pending answers are sent again
with the same edit numbers after quiz.js's backoff (1 s doubling to 60 s, with jitter, or
Retry-After), while the learner goes on answering (new answers join the pending ones). An answer
is acknowledged only when the JSON `acked` holds a number >= its own. Submit waits until nothing
is pending (quiz.js's first button press), and is pressed again after a failure.

At the end every answer is compared with the database, per question and attempt (the attempt's
layout maps field q<n> to its question; the value through the question type's normalisation):
stored = the value of the latest acknowledged edit (or of a later edit sent but not
acknowledged: its response was lost, not its commit); mismatched = another value; lost = an
acknowledged answer with nothing stored. Also: duplicate attempts, duplicate certificates,
attempts not graded after an acknowledged submit, p50/p99 latency, throughput.

Faults (mid-run, once 30 % of the answers are acknowledged; --fault-at changes it):
  --kill-worker        SIGKILL one gunicorn worker of instance A (its master starts another)
  --kill-instance      SIGKILL instance A whole (master and workers); restarted after
                       --restart-after seconds, as systemd's Restart=always would
  --stop-db SECONDS    stop the script's own PostgreSQL cluster (pg_ctl -m immediate: a crash)
                       and start it again SECONDS later

Exit status 1 on any mismatch, lost answer, duplicate attempt or certificate, submit not
stored, or learner that could not finish.

Usage:
  .venv/bin/python bench/quiz_load.py [--learners 500] [--questions 20] [--workers 2]
      [--kill-worker] [--kill-instance] [--stop-db 10] [--logins-only] [--instances 2]
Needs PostgreSQL: DATABASE_URL (a PostgreSQL URL; its server gets a throw-away database), else
127.0.0.1:5432 as user postgres; --stop-db needs the server binaries (/usr/lib/postgresql/*/bin).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402  (path set up above)
    BIN,
    Gunicorn,
    PostgresCluster,
    create_database,
    drop_database,
    redis_server,
)

PASSWORD = "beban-uji-kuis-2026"  # noqa: S105 - throw-away bench accounts
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIELD_RE = re.compile(r'data-field="(q\d+)"')
TIMEOUT_RE = re.compile(r'data-timeout="([\d.]+)"')
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --------------------------------------------------------------------------- setup


def write_pack(root: Path, slug: str, questions: int) -> Path:
    pack = root / slug
    (pack / "modules").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "course.toml").write_text(
        f'slug = "{slug}"\nversion = "1"\narea = "ict"\nhours = 1\nmodules = ["satu"]\n\n'
        '[title]\nid = "Uji Beban"\nen = "Load Test"\n\n[completion]\nfinal_min_score = 75\n'
    )
    (pack / "modules" / "01-satu.md").write_text('+++\ntitle = "Satu"\n+++\n# Satu\n\nIsi.\n')
    parts = [
        'kind = "final"\npass_mark = 75\nattempts = 0\ntime_limit_minutes = 60\n'
        'shuffle_questions = true\nshuffle_options = true\n\n[title]\nid = "Kuis Beban"\n'
    ]
    for i in range(1, questions + 1):
        parts.append(
            f'\n[[questions]]\nid = "s{i}"\ntype = "single_choice"\ntext = "Soal nomor {i}?"\n'
            "options = [\n"
            '  { id = "a", text = "Jawaban A", correct = true },\n'
            '  { id = "b", text = "Jawaban B", correct = false },\n'
            '  { id = "c", text = "Jawaban C", correct = false },\n'
            '  { id = "d", text = "Jawaban D", correct = false },\n]\n'
        )
    (pack / "quizzes" / "beban.toml").write_text("".join(parts))
    return pack


def setup(learners: int, questions: int, workdir: Path) -> tuple[int, list[str]]:
    """Migrate, import the pack, create and enrol learners with the module done.

    Rows are inserted in bulk (the state enrolling and marking the module done leaves): through
    the services, 500 learners took 90 s of setup that measures nothing. Accounts share one
    Argon2id hash made by the app (the same password)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from lms import create_app
    from lms.auth.models import User
    from lms.auth.passwords import hash_password
    from lms.courses.models import Course, Module, Quiz
    from lms.courses.services.importer import import_packs, load_packs
    from lms.extensions import db
    from lms.learning.models import Enrollment, ModuleCompletion

    app = create_app()
    run = uuid.uuid4().hex[:8]
    slug = f"uji-beban-{run}"
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        packs, problems = load_packs([write_pack(workdir, slug, questions)])
        if problems:
            raise SystemExit("\n".join(map(str, problems)))
        import_packs(packs)
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
        module = db.session.scalar(select(Module).where(Module.course_id == course.id))
        hashed = hash_password(PASSWORD)
        emails = [f"beban-{run}-{n}@contoh.id" for n in range(learners)]
        db.session.execute(insert(User), [
            {"email": email, "password_hash": hashed, "full_name": f"Peserta Beban {n}",
             "role": "participant", "library_name": "Perpustakaan Desa Uji",
             "library_level": "desa", "province_code": "32", "regency_code": "32.04"}
            for n, email in enumerate(emails)])
        ids = list(db.session.scalars(select(User.id).where(User.email.in_(emails))))
        db.session.execute(insert(Enrollment), [
            {"user_id": uid, "course_id": course.id, "status": "active",
             "last_module_id": module.id} for uid in ids])
        db.session.execute(insert(ModuleCompletion), [
            {"user_id": uid, "module_id": module.id} for uid in ids])
        db.session.commit()
        return quiz.id, emails


def check_database(quiz_id: int, ledgers: list[Ledger]) -> dict:
    """Compare every answer the learners sent with what the database holds."""
    from sqlalchemy import func, select

    from lms import create_app
    from lms.auth.models import User
    from lms.certificates.models import Certificate
    from lms.courses.models import Quiz
    from lms.extensions import db
    from lms.jobs.models import Job
    from lms.quizzes.models import GRADED, QuestionResponse, QuizAttempt
    from lms.quizzes.queries import definitions, registry
    from lms.quizzes.rules import field_name

    app = create_app()
    out = {"sent": 0, "acknowledged": 0, "stored": 0, "stored_newer": 0, "mismatched": 0,
           "lost": 0, "unacknowledged": 0, "problems": []}
    with app.app_context():
        course_id = db.session.scalar(select(Quiz.course_id).where(Quiz.id == quiz_id))
        attempts = {}
        for a in db.session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id)):
            attempts.setdefault(a.user_id, []).append(a)
        user_ids = dict(db.session.execute(select(User.email, User.id)).all())
        out["attempts"] = sum(len(v) for v in attempts.values())
        out["duplicate_attempts"] = sum(len(v) - 1 for v in attempts.values() if len(v) > 1)
        out["graded"] = sum(1 for v in attempts.values() for a in v if a.status == GRADED)
        certs = db.session.execute(
            select(Certificate.user_id, func.count()).where(Certificate.course_id == course_id)
            .group_by(Certificate.user_id)).all()
        out["certificates"] = sum(n for _u, n in certs)
        out["duplicate_certificates"] = sum(n - 1 for _u, n in certs if n > 1)
        out["jobs"] = dict(db.session.execute(
            select(Job.status, func.count()).where(Job.kind == "certificates.render")
            .group_by(Job.status)).all())
        out["submit_not_stored"] = 0
        reg = registry()
        for ledger in ledgers:
            uid = user_ids.get(ledger.email)
            mine = attempts.get(uid, [])
            if ledger.attempt_id is None:
                continue
            attempt = next((a for a in mine if a.id == ledger.attempt_id), None)
            if attempt is None:
                out["problems"].append(f"{ledger.email}: attempt {ledger.attempt_id} not found")
                continue
            if ledger.submitted and attempt.status == "in_progress":
                out["submit_not_stored"] += 1
            defs = definitions(attempt.quiz_version)
            qid_of = {field_name(pos): qid for pos, qid in enumerate(attempt.question_ids)}
            rows = {r.question_id: r for r in db.session.scalars(
                select(QuestionResponse).where(QuestionResponse.attempt_id == attempt.id))}
            for fname, edits in ledger.edits.items():
                out["sent"] += 1
                qid = qid_of.get(fname)
                q = defs.get(qid) if qid else None
                if q is None:
                    out["problems"].append(f"{ledger.email}: field {fname} not in the layout")
                    continue
                qtype = reg.get(q["type"])
                acked = [e for e in edits if e.acked]
                if not acked:
                    out["unacknowledged"] += 1
                    continue
                out["acknowledged"] += 1
                last = max(acked, key=lambda e: e.seq)
                later = [e for e in edits if e.seq > last.seq]
                row = rows.get(qid)
                if row is None or row.response is None:
                    out["lost"] += 1
                    out["problems"].append(f"{ledger.email} attempt {attempt.id} {fname}: "
                                           f"acknowledged {last.value!r} (#{last.seq}), nothing stored")
                    continue
                if (row.response == qtype.normalise_response(q, [last.value])
                        and row.client_seq == last.seq and row.client_id == ledger.device):
                    out["stored"] += 1
                elif any(row.response == qtype.normalise_response(q, [e.value])
                         and row.client_seq == e.seq for e in later):
                    out["stored"] += 1
                    out["stored_newer"] += 1
                else:
                    out["mismatched"] += 1
                    out["problems"].append(
                        f"{ledger.email} attempt {attempt.id} {fname}: acknowledged "
                        f"{last.value!r} (#{last.seq}), stored {row.response!r} "
                        f"(#{row.client_seq} from {row.client_id})")
    return out


# --------------------------------------------------------------------------- the client


class Transport(Exception):
    """The request may have reached the server, but no answer came back (reset, timeout...)."""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str
    instance: int


@dataclass
class Edit:
    value: str
    seq: int
    acked: bool = False


@dataclass
class Ledger:
    """What one learner sent and what the server acknowledged."""

    n: int
    email: str
    device: str = field(default_factory=lambda: secrets.token_hex(12))
    seq: int = 0
    attempt_id: int | None = None
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    pending: dict[str, Edit] = field(default_factory=dict)  # quiz.js's device copy
    logged_in: bool = False
    submitted: bool = False
    finished: bool = False

    def edit(self, fname: str, value: str) -> Edit:
        self.seq += 1
        e = Edit(value, self.seq)
        self.edits.setdefault(fname, []).append(e)
        self.pending[fname] = e
        return e


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    login: list[float] = field(default_factory=list)
    save: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acked_edits: int = 0

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Browser:
    """A cookie-keeping HTTP/1.1 client bound to one loopback source address, talking to the
    instances through a "balancer" that only fails over a refused connection (nothing sent)."""

    def __init__(self, ports: list[int], source: str, stats: Stats) -> None:
        self.ports = ports
        self.source = source
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, instance: int, method: str, path: str, *, body: bytes | None = None,
                content_type: str | None = None, headers: dict | None = None,
                timeout: float = 60) -> Answer:
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs = {"Cookie": cookie, "Connection": "close"}
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        tried = 0
        while True:
            inst = (instance + tried) % len(self.ports)
            conn = http.client.HTTPConnection("127.0.0.1", self.ports[inst], timeout=timeout,
                                              source_address=(self.source, 0))
            try:
                conn.connect()
            except ConnectionRefusedError:
                conn.close()
                tried += 1
                self.stats.count("refused, sent to the other instance")
                if tried >= 2 * len(self.ports):
                    raise Transport("every instance refused the connection") from None
                if tried % len(self.ports) == 0:
                    time.sleep(1)  # all refused: wait a moment, like a proxy's retry
                continue
            except OSError as err:
                conn.close()
                raise Transport(f"connect: {type(err).__name__}") from None
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
            except (http.client.HTTPException, OSError) as err:
                raise Transport(type(err).__name__) from None
            finally:
                conn.close()
            break
        with self.lock:
            for value in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Answer(resp.status, resp.headers, text, inst)

    def form(self, instance: int, path: str, data: dict, timeout: float = 60) -> Answer:
        return self.request(instance, "POST", path, body=urlencode(data, doseq=True).encode(),
                            content_type="application/x-www-form-urlencoded", timeout=timeout)


def multipart(pairs: list[tuple[str, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as the browser makes of quiz.js's FormData."""
    boundary = "----PelitaBench" + secrets.token_hex(8)
    out = []
    for name, value in pairs:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n")
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode(), f"multipart/form-data; boundary={boundary}"


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def pause_for(failures: int, retry_after: float) -> float:
    """quiz.js's backoff: 1 s doubling up to 60 s, half of it jittered, at least Retry-After."""
    base = min(60.0, 1.0 * 2 ** (failures - 1))
    return min(60.0, max(base / 2 + random.random() * base / 2, retry_after))


class Learner:
    def __init__(self, ledger: Ledger, ports: list[int], quiz_id: int, questions: int,
                 stats: Stats, deadline: list[float], think: float) -> None:
        self.me = ledger
        n = ledger.n
        self.b = Browser(ports, f"127.{1 + n // 65025}.{(n // 255) % 255}.{1 + n % 254}", stats)
        self.instances = len(ports)
        self.quiz_id = quiz_id
        self.questions = questions
        self.stats = stats
        self.deadline = deadline  # [monotonic deadline], set when the phase starts
        self.think = think
        self.turn = n % self.instances
        self.token = ""
        self.timeout = 20.0
        self.failures = 0
        self.retry_at = 0.0

    def next_instance(self) -> int:
        self.turn = (self.turn + 1) % self.instances
        return self.turn

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline[0]

    def page(self, method: str, path: str, data: dict | None = None, *, expect=(200,)) -> Answer:
        """A page or form post as a person would make it: on a failure, counted, they press
        again after a pause (a reload or a second press), until the time budget is used up."""
        tries = 0
        while True:
            inst = self.next_instance()
            try:
                ans = (self.b.form(inst, path, data) if data is not None
                       else self.b.request(inst, method, path))
                if ans.status in expect:
                    return ans
                self.stats.count(f"page {path.split('/')[1]} answered {ans.status}")
            except Transport as err:
                self.stats.count(f"connection errors on pages ({err})")
            tries += 1
            if self.out_of_time():
                raise RuntimeError(f"{method} {path} failed {tries} times")
            self.stats.count("pages pressed again")
            time.sleep(pause_for(tries, 0))

    # -- phase 1 -----------------------------------------------------------------------
    def login(self) -> None:
        inst = self.me.n % self.instances
        t0 = time.perf_counter()
        tries = 0
        while True:
            try:
                html = self.b.request(inst, "GET", "/login").text
                ans = self.b.form(inst, "/login", {"csrf_token": csrf_of(html),
                                                   "email": self.me.email, "password": PASSWORD})
                if ans.status == 302 and "/login" not in ans.headers.get("Location", ""):
                    break
                self.stats.count(f"logins answered {ans.status}")
            except (Transport, RuntimeError) as err:
                self.stats.count(f"login connection errors ({err})")
            tries += 1
            if self.out_of_time():
                raise RuntimeError(f"login failed {tries} times")
            self.stats.count("logins pressed again")
            time.sleep(pause_for(tries, 0))
        with self.stats.lock:
            self.stats.login.append(time.perf_counter() - t0)
        self.me.logged_in = True

    # -- phase 2 -----------------------------------------------------------------------
    def both(self, fn) -> list:
        """Run fn(instance) on every instance at the same moment; the results (or exceptions)."""
        results: list = [None] * self.instances
        barrier = threading.Barrier(self.instances)

        def run(i):
            try:
                barrier.wait(5)
                results[i] = fn(i)
            except Exception as err:  # noqa: BLE001 - returned to the caller
                results[i] = err

        threads = [threading.Thread(target=run, args=(i,)) for i in range(self.instances)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def save_body(self, edits: dict[str, Edit]) -> tuple[bytes, str]:
        pairs = [("sync_client", self.me.device)]
        for fname, e in edits.items():
            pairs += [("shown", fname), (f"sync_seq-{fname}", str(e.seq)), (fname, e.value)]
        return multipart(pairs)

    def post_save(self, inst: int, edits: dict[str, Edit]) -> dict[str, int] | float:
        """One background save of `edits`; the acked numbers, or the pause before a retry."""
        body, ctype = self.save_body(edits)
        path = f"/attempts/{self.me.attempt_id}/save"
        self.stats.count("save requests")
        t0 = time.perf_counter()
        try:
            ans = self.b.request(inst, "POST", path, body=body, content_type=ctype,
                                 timeout=self.timeout, headers={
                                     "X-CSRFToken": self.token, "X-Requested-With": "fetch",
                                     "Accept": "application/json"})
        except Transport as err:
            self.stats.count(f"save connection errors ({err})")
            return 0.0
        elapsed = time.perf_counter() - t0
        with self.stats.lock:
            self.stats.save.append(elapsed)
        if ans.status == 200 and "application/json" in ans.headers.get("Content-Type", ""):
            try:
                acked = json.loads(ans.text).get("acked")
            except ValueError:
                acked = None
            if isinstance(acked, dict):
                return acked
            self.stats.count("saves answered 200 without acked")
            return 0.0
        if ans.status == 409:
            self.stats.error(f"learner {self.me.n}: save refused, attempt closed: {ans.text[:120]}")
            self.stats.count("saves answered 409 (closed)")
            return 0.0
        self.stats.count(f"saves answered {ans.status}")
        after = ans.headers.get("Retry-After", "")
        return float(after) if after.isdigit() else 0.0

    def acknowledge(self, acked: dict[str, int]) -> None:
        for fname, number in acked.items():
            e = self.me.pending.get(fname)
            if e is not None and isinstance(number, int) and e.seq <= number:
                del self.me.pending[fname]
            for edit in self.me.edits.get(fname, []):
                # The server holds `number` (or newer) from this device: this edit was stored,
                # or overtaken by a newer one of the same device.
                if isinstance(number, int) and edit.seq <= number and not edit.acked:
                    edit.acked = True
                    with self.stats.lock:
                        self.stats.acked_edits += 1

    def send_pending(self) -> None:
        """quiz.js's send(): the whole device copy in one request, unless in backoff."""
        if not self.me.pending or time.monotonic() < self.retry_at:
            return
        copy = dict(self.me.pending)
        if any(self.me.edits[f][-1] is not e for f, e in copy.items()):
            raise AssertionError("pending copy out of step")
        result = self.post_save(self.next_instance(), copy)
        if isinstance(result, dict):
            self.acknowledge(result)
            self.failures = 0
            self.retry_at = 0.0
            if self.me.pending and set(self.me.pending) & set(copy):
                self.stats.count("saves acknowledged only in part")
        else:
            self.failures += 1
            self.stats.count("saves to send again (backoff)")
            self.retry_at = time.monotonic() + pause_for(self.failures, result)

    def drain(self) -> None:
        """Wait for the backoff timer and send until nothing is pending (or time is up)."""
        while self.me.pending and not self.out_of_time():
            wait = self.retry_at - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, max(0.0, self.deadline[0] - time.monotonic())))
            self.send_pending()

    def quiz(self) -> None:
        me = self.me
        html = self.page("GET", f"/quizzes/{self.quiz_id}").text
        self.token = csrf_of(html)
        starts = self.both(lambda i: self.b.form(i, f"/quizzes/{self.quiz_id}/start",
                                                  {"csrf_token": self.token}))
        ids = set()
        for ans in starts:
            if isinstance(ans, Answer) and ans.status == 302:
                m = re.search(r"/attempts/(\d+)", ans.headers.get("Location", ""))
                if m:
                    ids.add(int(m.group(1)))
            else:
                self.stats.count(f"double start: one press failed ({_short(ans)})")
        if len(ids) > 1:
            self.stats.error(f"learner {me.n}: the two Start presses opened attempts {sorted(ids)}")
        if not ids:  # both presses failed: press again, on one instance at a time
            ans = self.page("POST", f"/quizzes/{self.quiz_id}/start",
                            {"csrf_token": self.token}, expect=(302,))
            m = re.search(r"/attempts/(\d+)", ans.headers.get("Location", ""))
            if not m:
                raise RuntimeError(f"start answered {ans.headers.get('Location')}")
            ids.add(int(m.group(1)))
        me.attempt_id = min(ids)
        html = self.page("GET", f"/attempts/{me.attempt_id}").text
        fields = FIELD_RE.findall(html)
        if len(set(fields)) != self.questions:
            raise RuntimeError(f"attempt page shows {len(set(fields))} questions, "
                               f"not {self.questions} (one page expected)")
        m = TIMEOUT_RE.search(html)
        self.timeout = float(m.group(1)) if m else 20.0
        self.token = csrf_of(html)
        n = me.n
        changed, doubled = 3 % self.questions, 7 % self.questions
        for i in range(self.questions):
            fname = f"q{i}"
            right = "a" if (n + i) % 10 else "bcd"[(n + i) % 3]  # 90 %: passes (75 % needed)
            if i == changed:
                first = me.edit(fname, "c")
                self.send_pending()
                if self.think:
                    time.sleep(self.think)
                me.edit(fname, right)
                self.send_pending()
                self.drain()
                # The first save, sent again late (a retry that took a detour) on the other
                # instance: it must be acknowledged with the newer number and change nothing.
                late = self.post_save(self.next_instance(), {fname: first})
                self.stats.count("late replays of an older save")
                if isinstance(late, dict) and late.get(fname, 0) <= first.seq:
                    self.stats.error(f"learner {n}: a late older save was acknowledged as "
                                     f"#{late.get(fname)} over the newer #{first.seq + 1}")
            elif i == doubled and not me.pending:
                e = me.edit(fname, right)
                results = self.both(lambda inst, e=e, f=fname: self.post_save(inst, {f: e}))
                self.stats.count("saves sent to both instances at once")
                acks = [r for r in results if isinstance(r, dict)]
                for r in acks:
                    self.acknowledge(r)
                if not acks:
                    self.failures += 1
                    self.retry_at = time.monotonic() + pause_for(self.failures, 0)
            else:
                me.edit(fname, right)
                self.send_pending()
            if self.think:
                time.sleep(self.think)
        self.drain()
        if me.pending:
            raise RuntimeError(f"{len(me.pending)} answers still not acknowledged at the time limit")
        self.submit()

    def submit(self) -> None:
        path = f"/attempts/{self.me.attempt_id}/submit"
        tries = 0
        while True:
            t0 = time.perf_counter()
            results = self.both(lambda i: self.b.form(i, path, {"csrf_token": self.token}))
            elapsed = time.perf_counter() - t0
            ok = [r for r in results if isinstance(r, Answer) and r.status == 302
                  and f"/attempts/{self.me.attempt_id}/review" in r.headers.get("Location", "")]
            for r in results:
                if r not in ok:
                    self.stats.count(f"submits: one press failed ({_short(r)})")
            if ok:
                with self.stats.lock:
                    self.stats.submit.append(elapsed)
                self.me.submitted = True
                return
            tries += 1
            if self.out_of_time():
                raise RuntimeError(f"submit failed {tries} times")
            self.stats.count("submits pressed again")
            time.sleep(pause_for(tries, 0))


def _short(result) -> str:
    if isinstance(result, Answer):
        return f"HTTP {result.status}"
    return type(result).__name__ + (f": {result}" if isinstance(result, Transport) else "")


# --------------------------------------------------------------------------- faults


class Faults(threading.Thread):
    """Injects the chosen fault once `at` of the expected answers are acknowledged."""

    def __init__(self, args, stats: Stats, total: int, instance_a: Gunicorn,
                 cluster: PostgresCluster | None) -> None:
        super().__init__(daemon=True)
        self.args = args
        self.stats = stats
        self.total = total
        self.a = instance_a
        self.cluster = cluster
        self.done = threading.Event()
        self.log: list[str] = []

    def note(self, text: str) -> None:
        stamp = time.monotonic() - self.t0
        self.log.append(f"t+{stamp:5.1f} s  {text}")
        print(f"  fault: t+{stamp:5.1f} s {text}", flush=True)

    def run(self) -> None:
        self.t0 = time.monotonic()
        a = self.args
        if not (a.kill_worker or a.kill_instance or a.stop_db):
            return
        while not self.done.is_set() and self.stats.acked_edits < self.total * a.fault_at:
            time.sleep(0.05)
        if self.done.is_set():
            self.note("the run ended before the fault point")
            return
        self.note(f"{self.stats.acked_edits} of {self.total} answers acknowledged")
        if a.kill_worker:
            pids = self.a.worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                self.note(f"SIGKILL gunicorn worker {pids[0]} of instance A")
            else:
                self.note("no worker of instance A found to kill")
        if a.stop_db:
            self.cluster.stop("immediate")
            self.note(f"PostgreSQL stopped (pg_ctl -m immediate) for {a.stop_db:g} s")
            time.sleep(a.stop_db)
            self.cluster.start()
            self.note("PostgreSQL started again")
        if a.kill_instance:
            self.a.kill()
            self.note(f"SIGKILL instance A (master and workers); restart in {a.restart_after:g} s")
            time.sleep(a.restart_after)
            try:
                self.a.start(listening_only=True)
                self.note("instance A listening again")
            except RuntimeError as err:
                self.note(f"instance A did not come back: {err}")


# --------------------------------------------------------------------------- main


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def run_threads(targets, budget: float) -> float:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, budget + 120 - (time.perf_counter() - t0)))
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--instances", type=int, choices=(1, 2), default=2)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a learner thinks between answers (default 0: flat out)")
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds each phase may take before learners give up")
    parser.add_argument("--logins-only", action="store_true", help="stop after the login phase")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--kill-instance", action="store_true")
    parser.add_argument("--restart-after", type=float, default=5.0)
    parser.add_argument("--stop-db", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--fault-at", type=float, default=0.3,
                        help="share of the answers acknowledged when the fault is injected")
    parser.add_argument("--own-cluster", action="store_true",
                        help="run on a PostgreSQL cluster of the script's own (implied by --stop-db)")
    args = parser.parse_args()
    if args.kill_instance and args.instances < 2:
        parser.error("--kill-instance needs two instances")

    workdir = Path(tempfile.mkdtemp(prefix="pelita-load-"))
    with ExitStack() as stack:
        # ---- infrastructure
        cluster = None
        if args.stop_db or args.own_cluster:
            cluster = PostgresCluster()
            stack.callback(cluster.destroy)
            server = cluster.url()
            where = f"own cluster ({cluster.bindir.parent.name}) on port {cluster.port}"
        else:
            server = os.environ.get("DATABASE_URL") or DEFAULT_PG
            if not server.startswith("postgresql"):
                raise SystemExit("quiz_load.py needs PostgreSQL: DATABASE_URL is not a "
                                 "postgresql URL")
            where = "throw-away database on " + server.split("@")[-1].rsplit("/", 1)[0]
        db_url = create_database(server, f"pelita_load_{uuid.uuid4().hex[:10]}")
        stack.callback(drop_database, db_url)
        redis_url = stack.enter_context(redis_server())
        env = dict(os.environ)
        env.update({"DATABASE_URL": db_url, "SECRET_KEY": "quiz-load-" + secrets.token_hex(16),
                    "PELITA_INSTANCE_DIR": str(workdir / "instance"), "PELITA_BENCH": "1",
                    "MAIL_BACKEND": "log"})
        env.pop("PELITA_ENV", None)
        env.pop("FLASK_ENV", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        else:
            env.pop("REDIS_URL", None)
        os.environ.clear()
        os.environ.update(env)  # the in-process setup and check read the same configuration
        limiter = (f"Redis {redis_url} (shared by both instances)" if redis_url else
                   "memory, each instance its own (redis-server unavailable: the login limits "
                   "are not shared)")
        print(f"database: PostgreSQL, {where}")
        print(f"rate-limit storage: {limiter}")

        t0 = time.perf_counter()
        quiz_id, emails = setup(args.learners, args.questions, workdir)
        print(f"setup: {args.learners} learners enrolled (module done), final quiz {quiz_id} with "
              f"{args.questions} questions ({time.perf_counter() - t0:.1f} s, not timed)")

        instances = [Gunicorn(name, env, args.workers, log_dir=workdir,
                              extra=["--timeout", "60"])
                     for name in ("A", "B")[:args.instances]]
        for inst in instances:
            inst.start()
            stack.callback(inst.stop)
        worker_log = open(workdir / "worker.log", "ab")  # noqa: SIM115 - closed below
        stack.callback(worker_log.close)
        worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "lms", "worker",
                                   "--interval", "1"], cwd=ROOT, env=env, stdout=worker_log,
                                  stderr=subprocess.STDOUT)
        stack.callback(lambda: (worker.terminate(), worker.wait(20)))
        print("instances: " + ", ".join(f"{i.name} :{i.port} ({i.workers} sync workers)"
                                       for i in instances)
              + f"; worker pid {worker.pid}; logs in {workdir}")
        ports = [i.port for i in instances]

        stats = Stats()
        ledgers = [Ledger(n, email) for n, email in enumerate(emails)]
        deadline = [0.0]
        learners = [Learner(led, ports, quiz_id, args.questions, stats, deadline, args.think)
                    for led in ledgers]

        # ---- phase 1: logins
        def login_of(learner):
            def go():
                try:
                    learner.login()
                except Exception as err:  # noqa: BLE001 - counted and reported
                    stats.error(f"learner {learner.me.n} login: {type(err).__name__}: {err}")
            return go

        deadline[0] = time.monotonic() + args.budget
        cpu0 = sum(i.cpu_seconds() for i in instances)
        wall = run_threads([login_of(x) for x in learners], args.budget)
        cpu = sum(i.cpu_seconds() for i in instances) - cpu0
        ok = sum(1 for led in ledgers if led.logged_in)
        print(f"\nlogins: {ok} of {args.learners} at once through the form in {wall:.1f} s "
              f"({ok / wall:.1f}/s), p50 {pct(stats.login, .5):.0f} ms p99 "
              f"{pct(stats.login, .99):.0f} ms; learner n on instance n % {args.instances}; "
              f"{_load()}")
        cores = os.cpu_count() or 1
        print(f"  gunicorn workers' CPU: {cpu:.1f} s, {cpu / max(ok, 1) * 1000:.0f} ms per login "
              f"(form + post); with {cores} cores to themselves 500 logins would take about "
              f"{cpu / max(ok, 1) * 500 / cores:.0f} s")
        if args.logins_only:
            _print_counts(stats)
            return _done(ok == args.learners and not stats.errors, workdir)

        # ---- phase 2: the quiz
        total = sum(1 for led in ledgers if led.logged_in) * args.questions
        faults = Faults(args, stats, total, instances[0], cluster)

        def quiz_of(learner):
            def go():
                if not learner.me.logged_in:
                    return
                try:
                    learner.quiz()
                    learner.me.finished = True
                except Exception as err:  # noqa: BLE001 - counted and reported
                    stats.error(f"learner {learner.me.n}: {type(err).__name__}: {err}")
            return go

        deadline[0] = time.monotonic() + args.budget
        cpu0 = sum(i.cpu_seconds() for i in instances)
        faults.start()
        threading.Thread(target=_progress, args=(stats, total, faults.done), daemon=True).start()
        wall = run_threads([quiz_of(x) for x in learners], args.budget)
        faults.done.set()
        cpu = sum(i.cpu_seconds() for i in instances) - cpu0  # a killed worker's share is missing
        faults.join(args.stop_db + args.restart_after + 90)
        if worker.poll() is not None:
            print(f"worker exited with status {worker.returncode} (see {workdir / 'worker.log'})")
        time.sleep(2)  # let the worker pick up the last render jobs before they are counted
        result = check_database(quiz_id, ledgers)

    finished = sum(1 for led in ledgers if led.finished)
    print(f"\nquiz: {finished} of {ok} learners answered {args.questions} questions and "
          f"submitted in {wall:.1f} s across {args.instances} instance(s); {_load()}")
    print(f"  answers sent:          {result['sent']}")
    print(f"  answers acknowledged:  {result['acknowledged']}")
    print(f"  answers stored:        {result['stored']}  (of them a newer edit whose answer was "
          f"lost: {result['stored_newer']})")
    print(f"  mismatched:            {result['mismatched']}")
    print(f"  lost:                  {result['lost']}")
    print(f"  never acknowledged:    {result['unacknowledged']}")
    print(f"  attempts:              {result['attempts']} for {ok} learners, duplicates "
          f"{result['duplicate_attempts']}, graded {result['graded']}, submitted but not "
          f"stored {result['submit_not_stored']}")
    print(f"  certificates:          {result['certificates']}, duplicates "
          f"{result['duplicate_certificates']}; render jobs "
          + ", ".join(f"{k} {v}" for k, v in sorted(result["jobs"].items())))
    print(f"  save   p50 {pct(stats.save, .5):7.1f} ms   p99 {pct(stats.save, .99):7.1f} ms   "
          f"(n={len(stats.save)}, mean "
          f"{statistics.fmean(stats.save) * 1000 if stats.save else 0:.1f} ms)")
    print(f"  submit p50 {pct(stats.submit, .5):7.1f} ms   p99 {pct(stats.submit, .99):7.1f} ms   "
          f"(n={len(stats.submit)}, both instances at once)")
    print(f"  throughput: {stats.acked_edits / wall:.0f} acknowledged answers/s, "
          f"{stats.counts.get('save requests', 0) / wall:.0f} save requests/s")
    requests = stats.counts.get("save requests", 0)
    print(f"  gunicorn workers' CPU in the quiz phase: {cpu:.1f} s, "
          f"{cpu / max(requests, 1) * 1000:.0f} ms per save request (pages, starts and submits "
          f"included{'; without the killed processes' if args.kill_worker or args.kill_instance else ''})")
    _print_counts(stats)
    for line in faults.log:
        print(f"  fault {line}")
    for problem in result["problems"][:10]:
        print(f"  ! {problem}")
    ok_run = (result["mismatched"] == 0 and result["lost"] == 0
              and result["duplicate_attempts"] == 0 and result["duplicate_certificates"] == 0
              and result["submit_not_stored"] == 0 and finished == args.learners
              and not stats.errors and not result["problems"])
    print("OK: every acknowledged answer stored, no duplicates" if ok_run else
          "FAILED: see the counts above")
    return _done(ok_run, workdir)


def _done(ok: bool, workdir: Path) -> int:
    """Exit status; the folder with the servers' logs is removed after a good run, kept after
    a bad one."""
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs kept in {workdir}")
    return 0 if ok else 1


def _load() -> str:
    """The machine's load: figures from a shared machine are only comparable at similar load."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def _progress(stats: Stats, total: int, done: threading.Event) -> None:
    """A line every 15 s while the learners answer, so a stalled run shows."""
    t0 = time.monotonic()
    while not done.wait(15):
        with stats.lock:
            line = (f"  t+{time.monotonic() - t0:4.0f} s: {stats.acked_edits} of ~{total} answers "
                    f"acknowledged, {stats.counts.get('save requests', 0)} save requests, "
                    f"{len(stats.submit)} submitted, {len(stats.errors)} learners failed")
        print(line, flush=True)


def _print_counts(stats: Stats) -> None:
    for name, value in sorted(stats.counts.items()):
        print(f"  {name}: {value}")
    if stats.errors:
        print(f"  errors: {len(stats.errors)}; first: {stats.errors[:5]}")


if __name__ == "__main__":
    raise SystemExit(main())
