"""Load test of the quiz engine: N learners answer and submit a quiz at once against gunicorn.

Setup (in-process, through the services): a throw-away course pack with one quiz of
--questions single-choice questions is imported, --learners accounts are registered and
enrolled. Then gunicorn (`gunicorn -w 2 wsgi:app`) serves the app and one thread per learner
logs in through the real form, starts an attempt, saves every answer one by one with the
background-save request quiz.js sends, and submits. Each learner uses its own loopback source
address (127.x.y.z), as real learners have their own IPs, so the per-IP login limit applies
to each one separately.

Prints the answers sent, the answers stored (must be equal: zero lost) and p50/p99 latency
of save and submit. Exit status 1 if an answer was lost or an attempt was not graded.

Usage:
  .venv/bin/python bench/quiz_load.py [--learners 200] [--questions 20] [--workers 2]
  DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/quiz_load.py
Without DATABASE_URL a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "beban-uji-kuis-2026"  # noqa: S105 - throw-away bench accounts
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --------------------------------------------------------------------------- setup


def write_pack(root: Path, slug: str, questions: int) -> Path:
    pack = root / slug
    (pack / "modules").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "course.toml").write_text(
        f'slug = "{slug}"\nversion = "1"\narea = "ict"\nhours = 1\nmodules = ["satu"]\n\n'
        '[title]\nid = "Uji Beban"\nen = "Load Test"\n'
    )
    (pack / "modules" / "01-satu.md").write_text('+++\ntitle = "Satu"\n+++\n# Satu\n\nIsi.\n')
    parts = [
        'kind = "final"\npass_mark = 50\nattempts = 0\ntime_limit_minutes = 30\n'
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


def setup(learners: int, questions: int, workdir: Path) -> tuple[int, list[str], str]:
    """Import the pack, register and enrol learners; returns (quiz id, emails, course slug)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lms import create_app
    from lms.auth import services as auth_services
    from lms.courses.models import Quiz
    from lms.courses.services.importer import import_packs, load_packs
    from lms.extensions import db
    from lms.learning.models import Enrollment

    app = create_app()
    run = uuid.uuid4().hex[:8]
    slug = f"uji-beban-{run}"
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        packs, problems = load_packs([write_pack(workdir, slug, questions)])
        if problems:
            raise SystemExit("\n".join(map(str, problems)))
        import_packs(packs)
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "beban",
                                                    Quiz.course_id == _course_id(db, slug)))
        emails = []
        for n in range(learners):
            email = f"beban-{run}-{n}@contoh.id"
            user = auth_services.register_participant(
                full_name=f"Peserta Beban {n}", email=email, password=PASSWORD,
                library_name="Perpustakaan Desa Uji", library_level="desa",
                province_code="32", regency_code="32.04")
            db.session.add(Enrollment(user_id=user.id, course_id=quiz.course_id))
            emails.append(email)
        db.session.commit()
        return quiz.id, emails, slug


def _course_id(db, slug: str) -> int:
    from sqlalchemy import select

    from lms.courses.models import Course

    return db.session.scalar(select(Course.id).where(Course.slug == slug))


def stored_answers(quiz_id: int) -> tuple[int, int, int]:
    """(answers stored, attempts, attempts graded) for the quiz."""
    from sqlalchemy import func, select

    from lms import create_app
    from lms.extensions import db
    from lms.quizzes.models import QuestionResponse, QuizAttempt

    app = create_app()
    with app.app_context():
        answers = db.session.scalar(
            select(func.count(QuestionResponse.id))
            .join(QuizAttempt, QuizAttempt.id == QuestionResponse.attempt_id)
            .where(QuizAttempt.quiz_id == quiz_id, QuestionResponse.response.is_not(None)))
        attempts = db.session.scalar(
            select(func.count(QuizAttempt.id)).where(QuizAttempt.quiz_id == quiz_id))
        graded = db.session.scalar(select(func.count(QuizAttempt.id)).where(
            QuizAttempt.quiz_id == quiz_id, QuizAttempt.status == "graded"))
        return answers, attempts, graded


# --------------------------------------------------------------------------- HTTP client


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    save: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    sent: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


class Browser:
    """A minimal cookie-keeping HTTP/1.1 client bound to one loopback source address."""

    def __init__(self, port: int, source: str, deadline: float) -> None:
        self.port = port
        self.source = source
        self.deadline = deadline
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        if time.monotonic() > self.deadline:
            raise TimeoutError("time budget used up")
        data = urlencode(body, doseq=True) if body is not None else None
        hdrs = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        hdrs.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if resp.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, dict(resp.headers), text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def learner(n: int, email: str, quiz_id: int, questions: int, port: int, stats: Stats,
            deadline: float) -> None:
    source = f"127.{1 + n // 65025}.{(n // 255) % 255}.{1 + n % 254}"
    b = Browser(port, source, deadline)
    try:
        _status, _h, html = b.request("GET", "/login")
        status, _h, _t = b.request("POST", "/login", {
            "csrf_token": csrf_of(html), "email": email, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login answered {status}")
        _status, _h, html = b.request("GET", f"/quizzes/{quiz_id}")
        token = csrf_of(html)
        status, headers, _t = b.request("POST", f"/quizzes/{quiz_id}/start",
                                        {"csrf_token": token})
        match = re.search(r"/attempts/(\d+)", headers.get("Location", ""))
        if status != 302 or not match:
            raise RuntimeError(f"start answered {status} {headers.get('Location')}")
        attempt = int(match.group(1))
        status, _h, html = b.request("GET", f"/attempts/{attempt}")
        if status != 200:
            raise RuntimeError(f"attempt page answered {status}")
        for i in range(questions):
            field_name = f"q{i}"
            t0 = time.perf_counter()
            with stats.lock:
                stats.sent += 1
            status, _h, _t = b.request(
                "POST", f"/attempts/{attempt}/save",
                {"shown": field_name, field_name: "abcd"[(n + i) % 4]},
                {"X-CSRFToken": token, "X-Requested-With": "fetch",
                 "Accept": "application/json"})
            elapsed = time.perf_counter() - t0
            with stats.lock:
                stats.save.append(elapsed)
                if status == 200:
                    stats.acknowledged += 1
                else:
                    stats.errors.append(f"save {status}")
        t0 = time.perf_counter()
        status, headers, _t = b.request("POST", f"/attempts/{attempt}/submit",
                                        {"csrf_token": token})
        elapsed = time.perf_counter() - t0
        with stats.lock:
            stats.submit.append(elapsed)
            if status != 302:
                stats.errors.append(f"submit {status}")
    except Exception as exc:  # noqa: BLE001 - count and report every failure
        with stats.lock:
            stats.errors.append(f"learner {n}: {type(exc).__name__}: {exc}")
    finally:
        b.close()


# --------------------------------------------------------------------------- main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--budget", type=float, default=150.0,
                        help="seconds the learners may take before they give up")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pelita-bench-"))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    env.setdefault("PELITA_ENV", "development")
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    db_kind = env["DATABASE_URL"].split(":", 1)[0]

    t0 = time.perf_counter()
    quiz_id, emails, _slug = setup(args.learners, args.questions, workdir)
    print(f"setup: {args.learners} learners enrolled, quiz {quiz_id} with {args.questions} "
          f"questions, {db_kind} ({time.perf_counter() - t0:.1f} s)")

    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.workers), "-b",
         f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    try:
        wait_for(port, 30)
        stats = Stats()
        deadline = time.monotonic() + args.budget
        threads = [threading.Thread(target=learner, args=(n, email, quiz_id, args.questions,
                                                          port, stats, deadline))
                   for n, email in enumerate(emails)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.budget + 60)
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(20)

    stored, attempts, graded = stored_answers(quiz_id)
    print(f"run: {wall:.1f} s wall, {args.workers} gunicorn workers, "
          f"{args.learners} concurrent learners")
    print(f"answers sent:     {stats.sent}")
    print(f"answers acked:    {stats.acknowledged}")
    print(f"answers stored:   {stored}")
    print(f"attempts:         {attempts} ({graded} graded)")
    print(f"save   p50 {pct(stats.save, .5):7.1f} ms   p99 {pct(stats.save, .99):7.1f} ms   "
          f"(n={len(stats.save)}, mean {statistics.fmean(stats.save) * 1000 if stats.save else 0:.1f} ms)")
    print(f"submit p50 {pct(stats.submit, .5):7.1f} ms   p99 {pct(stats.submit, .99):7.1f} ms   "
          f"(n={len(stats.submit)})")
    if stats.errors:
        print(f"errors: {len(stats.errors)}; first: {stats.errors[:5]}")
    ok = stored == stats.sent and graded == attempts == args.learners and not stats.errors
    print("OK: zero answers lost" if ok else "FAILED: answers or attempts missing")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
