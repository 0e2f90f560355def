"""Report pages on a programme-sized database: p50/p95 and SQL queries per page.

    .venv/bin/python bench/reports.py [--runs 20] [--participants 2000] [--attempts 50000]
                                      [--facilitators 500] [--activities 20000]
    make bench-reports

Seeds (bulk inserts, `seed_programme`, reusable by other report benchmarks): the three curriculum
courses, --participants learners spread over every province and several regencies/cities of each
(5% without a region), enrolled in one to three courses with activity over the last 90 days, a
third of the enrolments completed, certificates for most completions (5% revoked), --attempts
graded quiz attempts, --facilitators accounts with role "facilitator", a target per province
and, when `lms.cascade.models.FieldActivity` exists, --activities field activities (80%
confirmed) — else a printed note. Plus one cohort of 60 members for the cohort reports.

The statistics' quiz (the first course's final assessment) has a graded response on 20 of its
questions in each of its attempts, right with the probability of the attempt's score.

Then the pages are requested in-process with Flask's test client as a logged-in admin: the
programme roll-up (by province, one province, one course), its CSV exports and — when their
routes exist in the URL map — the cohort dashboard and gradebook, a quiz's item statistics,
the cascade tree and the field-activity list and CSV (a missing one is skipped with a note);
then the same pages but the roll-up as a master trainer, who trains the 60-member cohort and a
cohort of 50 facilitators (20 other trainers run cohorts of 60), so the access filters
(`oversees_clause`, `activities_clause`: EXISTS over memberships) are measured. Each page: one warm-up, then --runs
timed requests. Exit status 1 if a page fails or its p95 reaches 1 s.

SQLite (a throw-away file) by default; with DATABASE_URL=postgresql+psycopg://... a fresh
database is created on that server for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CURRICULUM = ["literasi-tik", "manajemen-informasi", "pelibatan-masyarakat"]
ADMIN = ("admin-bench@pelita.test", "kelola-laporan-bench-2026")
TRAINER = ("pelatih-bench@pelita.test", "latih-laporan-bench-2026")
P95_LIMIT_MS = 1000.0
CHUNK = 5000


# --------------------------------------------------------------------------- database


class Database:
    """The run's database: a temporary SQLite file, or a fresh PostgreSQL database on the
    server DATABASE_URL names (dropped by `close`)."""

    def __init__(self, url: str | None):
        self._admin_url = None
        if url and url.startswith("postgresql"):
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            base = make_url(url)
            self.name = f"pelita_bench_{uuid.uuid4().hex[:10]}"
            engine = create_engine(base, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            engine.dispose()
            self._admin_url = base
            self.url = base.set(database=self.name).render_as_string(hide_password=False)
            self.kind = "PostgreSQL"
        else:
            folder = tempfile.mkdtemp(prefix="pelita-bench-reports-")
            self.url = url or f"sqlite:///{folder}/bench.sqlite3"
            self.kind = "SQLite"

    def close(self) -> None:
        if self._admin_url is None:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


def make_app(database_url: str):
    os.environ.update({"DATABASE_URL": database_url, "PELITA_BENCH": "1"})
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from config import Config
    from lms import create_app

    config = Config()
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    config.TABLES_CREATED_AFTER_START = True  # seed_programme migrates after create_app
    app = create_app(config)
    logging.getLogger("pelita.plugins").setLevel(logging.WARNING)
    return app


# --------------------------------------------------------------------------- seeding


def _bulk(model, rows: list[dict]) -> None:
    from sqlalchemy import insert

    from lms.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])
    db.session.commit()


def _places(rng: random.Random) -> list[tuple[str, str]]:
    """(province, regency) pairs: up to four regencies/cities of every province."""
    from lms import regions

    places = []
    for province in regions.provinces():
        regencies = list(regions.regencies(province.code))
        for regency in rng.sample(regencies, min(4, len(regencies))):
            places.append((province.code, regency.code))
    return places


def seed_programme(app, *, participants: int = 2000, attempts: int = 50_000,
                   facilitators: int = 500, activities: int = 20_000, cohort_members: int = 60,
                   seed: int = 2026) -> dict:
    """Fill an empty (migrated here) database with a programme-sized world, in bulk.

    Returns ids the report pages need: {"admin": (email, password), "courses": [...],
    "quiz": id, "cohort": id, "busiest_province": code, "counts": {...}}.
    """
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from lms import clock
    from lms.auth import services as auth_services
    from lms.auth.models import User
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Cohort, CohortCourse, CohortMember, CohortTrainer
    from lms.courses.models import Course, Quiz, QuizVersion
    from lms.courses.services.importer import import_packs, load_packs
    from lms.extensions import db
    from lms.learning.models import Enrollment
    from lms.quizzes.models import QuizAttempt
    from lms.reports.models import RegionTarget

    rng = random.Random(seed)
    now = clock.now()
    counts: dict[str, int | str] = {}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        packs, problems = load_packs([ROOT / "courses" / slug for slug in CURRICULUM])
        if problems:
            raise SystemExit("\n".join(map(str, problems)))
        import_packs(packs)
        admin = auth_services.register_participant(
            full_name="Admin Laporan", email=ADMIN[0], password=ADMIN[1],
            library_name="Perpustakaan Nasional RI", library_level="provinsi",
            province_code="31", regency_code="31.71", role="admin")
        courses = list(db.session.execute(
            select(Course.id, Course.current_version_id).where(Course.slug.in_(CURRICULUM))
            .order_by(Course.id)))
        places = _places(rng)

        # People: participants (5% without a region), then facilitators.
        run = uuid.uuid4().hex[:6]

        def person(n: int, role: str) -> dict:
            province, regency = rng.choice(places)
            if role == "participant" and rng.random() < 0.05:
                province = regency = None
            return {"email": f"{role}-{run}-{n}@contoh.id", "password_hash": "!",
                    "full_name": f"{role.title()} {n}", "role": role, "active": True,
                    "library_name": "Perpustakaan Desa Uji", "library_level": "desa",
                    "province_code": province, "regency_code": regency}

        _bulk(User, [person(n, "participant") for n in range(participants)])
        _bulk(User, [person(n, "facilitator") for n in range(facilitators)])
        learner_ids = list(db.session.scalars(
            select(User.id).where(User.role == "participant").order_by(User.id)))
        facilitator_ids = list(db.session.scalars(
            select(User.id).where(User.role == "facilitator").order_by(User.id)))

        # Enrolments (1-3 courses each), completions and certificates.
        enrolments, certificates = [], []
        for uid in learner_ids:
            for course_id, version_id in rng.sample(courses, rng.randint(1, len(courses))):
                active_at = now - timedelta(days=rng.randint(0, 90))
                done = rng.random() < 0.33
                enrolments.append({
                    "user_id": uid, "course_id": course_id, "status":
                    "withdrawn" if rng.random() < 0.05 else "active",
                    "enrolled_at": active_at - timedelta(days=30), "last_activity_at": active_at,
                    "completed_at": active_at if done else None,
                    "completed_version_id": version_id if done else None})
                if done and rng.random() < 0.8:
                    certificates.append({
                        "code": f"PLT-{len(certificates):04d}-{run[:4].upper()}-B",
                        "user_id": uid, "course_id": course_id, "course_version_id": version_id,
                        "holder_name": f"Peserta {uid}", "course_title_id": "Kursus",
                        "course_title_en": "Course", "content_version": "1", "hours": 10,
                        "modules": [], "completed_on": active_at.date(), "issuer_name": "Pelita",
                        "place": "Jakarta", "signatory_name": "Kepala", "signatory_role": "Kepala",
                        "issued_at": active_at, "issue_reason": "", "credential": {},
                        "revoked_at": now if rng.random() < 0.05 else None})
        _bulk(Enrollment, enrolments)
        _bulk(Certificate, certificates)

        # Graded quiz attempts over the curriculum's quizzes.
        quizzes = list(db.session.execute(
            select(Quiz.id, func.max(QuizVersion.id)).join(QuizVersion, QuizVersion.quiz_id == Quiz.id)
            .where(Quiz.course_id.in_([c for c, _v in courses])).group_by(Quiz.id)
            .order_by(Quiz.id)))
        numbers: dict[tuple[int, int], int] = {}
        rows = []
        for _ in range(attempts):
            uid = rng.choice(learner_ids)
            quiz_id, version_id = rng.choice(quizzes)
            number = numbers[(uid, quiz_id)] = numbers.get((uid, quiz_id), 0) + 1
            started = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
            score = round(rng.uniform(20, 100), 1)
            rows.append({"user_id": uid, "quiz_id": quiz_id, "quiz_version_id": version_id,
                         "graded_version_id": version_id, "number": number, "status": "graded",
                         "started_at": started, "submitted_at": started + timedelta(minutes=12),
                         "graded_at": started + timedelta(minutes=12), "closed_by": "learner",
                         "score": score, "points": score / 10, "max_points": 10.0,
                         "layout": {"questions": []}})
        _bulk(QuizAttempt, rows)
        # The statistics' quiz: the first course's final assessment (the largest question
        # bank), each of its attempts answered on up to 20 of its questions.
        bench_quiz = _bench_quiz(courses[0][0], quizzes)
        counts["responses"] = _seed_responses(bench_quiz, rng)

        # Targets per province.
        from lms import regions

        _bulk(RegionTarget, [{"region_code": p.code, "villages_target": rng.randint(50, 600),
                              "facilitators_target": rng.randint(5, 30), "updated_at": now}
                             for p in regions.provinces()])

        # Field activities, when the cascade model exists on this branch.
        counts["activities"] = _seed_activities(facilitator_ids, places, activities, rng, now)

        # One cohort of 60 members over the curriculum, trained by the admin and a master
        # trainer; the master trainer also trains a cohort of 50 facilitators (whose field
        # activities they see and confirm), and 20 other trainers run cohorts of 60 learners
        # each, so the access filters (EXISTS over memberships) have rows to skip.
        trainer = auth_services.register_participant(
            full_name="Pelatih Laporan", email=TRAINER[0], password=TRAINER[1],
            library_name="Perpustakaan Provinsi Jawa Barat", library_level="provinsi",
            province_code="32", regency_code="32.73", role="trainer")

        def make_cohort(name, trainer_ids, member_ids):
            cohort = Cohort(name=name, created_by_id=trainer_ids[0])
            db.session.add(cohort)
            db.session.flush()
            for position, (course_id, _v) in enumerate(courses):
                db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id,
                                            position=position))
            for tid in trainer_ids:
                db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=tid))
            _bulk(CohortMember, [{"cohort_id": cohort.id, "user_id": uid,
                                  "invitation": "accepted", "invited_at": now,
                                  "accepted_at": now, "added_by_id": trainer_ids[0]}
                                 for uid in member_ids])
            return cohort

        cohort = make_cohort("Angkatan Laporan", [admin.id, trainer.id],
                             learner_ids[:cohort_members])
        make_cohort("Angkatan Fasilitator", [trainer.id], facilitator_ids[:50])
        others = [{"email": f"trainer-{run}-{n}@contoh.id", "password_hash": "!",
                   "full_name": f"Pelatih {n}", "role": "trainer", "active": True}
                  for n in range(20)]
        _bulk(User, others)
        other_ids = list(db.session.scalars(select(User.id).where(
            User.email.in_([o["email"] for o in others])).order_by(User.id)))
        for n, tid in enumerate(other_ids):
            start = cohort_members + n * 60
            make_cohort(f"Angkatan {n}", [tid], learner_ids[start:start + 60])
        db.session.commit()

        busiest = db.session.execute(
            select(User.province_code, func.count()).where(User.province_code.is_not(None))
            .group_by(User.province_code).order_by(func.count().desc()).limit(1)).first()[0]
        counts.update(participants=len(learner_ids), facilitators=len(facilitator_ids),
                      enrolments=len(enrolments), certificates=len(certificates),
                      attempts=len(rows))
        return {"admin": ADMIN, "trainer": TRAINER, "courses": [c for c, _v in courses],
                "quiz": bench_quiz,
                "cohort": cohort.id, "busiest_province": busiest, "counts": counts}


def _bench_quiz(course_id: int, quizzes) -> int:
    """The quiz of the course whose newest version has the most questions."""
    from sqlalchemy import select

    from lms.courses.models import QuizVersion
    from lms.extensions import db

    ids = {vid: qid for qid, vid in quizzes}
    sizes = [(len(questions or []), ids[vid]) for vid, questions in db.session.execute(
        select(QuizVersion.id, QuizVersion.questions).where(QuizVersion.id.in_(list(ids))))
        if db.session.get(QuizVersion, vid).quiz.course_id == course_id]
    return max(sizes)[1]


def _response(q: dict, right: bool, rng):
    """A stored response to `q` (as its question type keeps it), right or wrong."""
    options = [o for o in q.get("options") or [] if isinstance(o, dict)]
    kind = q.get("type")
    if kind == "single_choice" and options:
        correct = [o["id"] for o in options if o.get("correct")]
        wrong = [o["id"] for o in options if not o.get("correct")] or correct
        return rng.choice(correct if right else wrong)
    if kind == "multiple_choice" and options:
        correct = [o["id"] for o in options if o.get("correct")]
        if right:
            return correct
        return rng.sample([o["id"] for o in options], rng.randint(1, len(options)))
    if kind == "true_false":
        return bool(q.get("answer")) if right else not q.get("answer")
    return "jawaban" if right else "lain"


def _seed_responses(quiz_id: int, rng, per_attempt: int = 20) -> int:
    """A graded response on up to `per_attempt` scored questions of each attempt at the quiz,
    right with the probability of the attempt's score (so items discriminate)."""
    from sqlalchemy import select

    from lms.courses.models import QuizVersion
    from lms.extensions import db
    from lms.quizzes.models import QuestionResponse, QuizAttempt
    from lms.reports.queries.statistics import _marks

    rows = []
    versions: dict[int, list[dict]] = {}
    for attempt_id, version_id, score, at in db.session.execute(
            select(QuizAttempt.id, QuizAttempt.graded_version_id, QuizAttempt.score,
                   QuizAttempt.graded_at).where(QuizAttempt.quiz_id == quiz_id)):
        if version_id not in versions:
            questions = db.session.get(QuizVersion, version_id).questions or []
            versions[version_id] = [q for q in questions if _marks(q) is not None]
        scored = versions[version_id]
        for q in rng.sample(scored, min(per_attempt, len(scored))):
            p = float(score) / 100
            if q.get("type") == "multiple_choice" or rng.random() < 0.15:
                fraction = round(min(1.0, max(0.0, rng.gauss(p, 0.25))), 2)
            else:
                fraction = 1.0 if rng.random() < p else 0.0
            rows.append({"attempt_id": attempt_id, "question_id": str(q["id"]),
                         "response": _response(q, fraction >= 0.5, rng), "saved_at": at,
                         "fraction": fraction, "state": "correct" if fraction == 1 else
                         "partial" if fraction else "incorrect"})
    _bulk(QuestionResponse, rows)
    return len(rows)


def _seed_activities(facilitator_ids, places, n: int, rng, now) -> int | str:
    """20,000 field activities if `lms.cascade.models.FieldActivity` exists; else a note."""
    try:
        from lms.cascade.models import FieldActivity
    except ImportError:
        print("note: lms.cascade.models.FieldActivity does not exist on this branch: "
              "no field activities seeded", flush=True)
        return "skipped (no lms.cascade)"
    rows = []
    for _ in range(n):
        province, regency = rng.choice(places)
        day = (now - timedelta(days=rng.randint(0, 365))).date()
        women, men = rng.randint(0, 30), rng.randint(0, 30)
        rows.append({"facilitator_id": rng.choice(facilitator_ids), "activity_date": day,
                     "village_code": f"{regency}.{rng.randint(1, 30):02d}.{2000 + rng.randint(1, 25)}",
                     "province_code": province, "regency_code": regency, "women": women,
                     "men": men, "kind": rng.choice(["training", "mentoring"]),
                     "topic": "Literasi informasi",
                     "confirmed_at": now if rng.random() < 0.8 else None})
    _bulk(FieldActivity, rows)
    return len(rows)


# --------------------------------------------------------------------------- pages


# Pages found in the URL map by their rule, skipped if absent: (label, rule pattern, the id
# its parameter takes, query string).
OPTIONAL = [
    ("cohort dashboard", re.compile(r"^/reports/cohorts/<[^>]+>$"), "cohort", ""),
    ("cohort gradebook", re.compile(r"^/reports/cohorts/<[^>]+>/gradebook$"), "cohort", ""),
    ("question statistics", re.compile(r"^/reports/quizzes/<[^>]+>/statistics$"), "quiz", ""),
    ("question statistics, all attempts", re.compile(r"^/reports/quizzes/<[^>]+>/statistics$"),
     "quiz", "?attempts=all"),
    ("cascade tree", re.compile(r"^/cascade/tree$"), None, ""),
    ("field activities, page 1", re.compile(r"^/cascade/activities$"), None, ""),
    ("field activities, page 100", re.compile(r"^/cascade/activities$"), None, "?page=100"),
    ("field activities CSV", re.compile(r"^/cascade/activities\.csv$"), None, ""),
]


def pages(app, ids: dict, *, admin: bool = True) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, path) of every report page to time, and notes on the ones not found. The
    programme roll-up is for admins only (`admin=False`: the pages a master trainer opens)."""
    found = [
        ("programme roll-up", "/reports/programme"),
        ("province drill-down", f"/reports/programme?province={ids['busiest_province']}"),
        ("roll-up, one course", f"/reports/programme?course={ids['courses'][0]}"),
        ("roll-up CSV", "/reports/programme.csv"),
        ("drill-down CSV", f"/reports/programme.csv?province={ids['busiest_province']}"),
    ] if admin else []
    notes = []
    rules = list(app.url_map.iter_rules())
    for label, pattern, param, query in OPTIONAL:
        rule = next((r for r in rules if pattern.match(r.rule)), None)
        if rule is None:
            notes.append(f"note: no route for the {label} ({pattern.pattern}): skipped")
            continue
        values = {name: ids[param] for name in rule.arguments} if param else {}
        found.append((label, rule.build(values, append_unknown=False)[1] + query))
    return found, notes


def measure(app, client, path: str, runs: int) -> dict:
    from sqlalchemy import event

    from lms.extensions import db

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    first = client.get(path)  # warm-up (template compilation, caches)
    times = []
    with app.app_context():
        engine = db.engine
    for _ in range(runs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            break
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {"status": response.status_code if first.status_code == 200 else first.status_code,
            "p50": statistics.median(times), "p95": p95, "queries": len(statements),
            "bytes": len(response.get_data())}


def login(client, email: str, password: str) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"login as {email} failed: {response.status_code}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--facilitators", type=int, default=500)
    parser.add_argument("--activities", type=int, default=20_000)
    args = parser.parse_args(argv)

    database = Database(os.environ.get("DATABASE_URL"))
    try:
        app = make_app(database.url)
        started = time.perf_counter()
        ids = seed_programme(app, participants=args.participants, attempts=args.attempts,
                             facilitators=args.facilitators, activities=args.activities)
        seeded = time.perf_counter() - started
        print(f"{database.kind}: seeded in {seeded:.1f} s — " + ", ".join(
            f"{k} {v}" for k, v in ids["counts"].items()), flush=True)
        failed = False
        for who, admin in (("admin", True), ("trainer", False)):
            client = app.test_client()
            login(client, *ids[who])
            targets, notes = pages(app, ids, admin=admin)
            for note in notes if admin else []:
                print(note)
            print(f"\nas {'an admin' if admin else 'a master trainer (their cohorts only)'}"
                  f"\n{'page':<48} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
                  f"{'KB':>6}")
            for label, path in targets:
                result = measure(app, client, path, args.runs)
                bad = result["status"] != 200 or result["p95"] >= P95_LIMIT_MS
                failed |= bad
                print(f"{label:<48} {result['status']:>6} {result['p50']:>8.1f} "
                      f"{result['p95']:>8.1f} {result['queries']:>8} "
                      f"{result['bytes'] / 1024:>6.1f}{'  <-- FAIL' if bad else ''}", flush=True)
        print(f"\n{args.runs} runs per page after one warm-up; target: p95 < "
              f"{P95_LIMIT_MS:.0f} ms on {database.kind}.")
        return 1 if failed else 0
    finally:
        database.close()


if __name__ == "__main__":
    sys.exit(main())
