"""Trainer pages under load: authoring workspace, editors, history and diff, cohort overview and
grading queue (and the participant's dashboard with a cohort deadline), as req/s and p50/p99 and
their ratio to the framework floor (bench/floor/app.py, a separate one-query Flask app) measured in
the same run, plus SQL queries per page; PASS/FAIL for the quiz editor and the cohort overview
against issue 19's target (≥ 0.25× the floor, ≤ 6 statements).

    .venv/bin/python bench/trainer_pages.py [--seconds 10] [--connections 16] [--members 60]

Setup (in-process, through the services): the shipped courses imported, the demo accounts (the
demo trainer edits every course), a cohort of --members over the three curriculum courses with
progress spread over them (modules done, graded quiz attempts), essay submissions of the practical
assignment waiting for grading, literasi-tik published 5 times (so 5 versions) with a few unpublished
edits in its workspace, manajemen-informasi published twice, and a 20-member cohort beside the big
one. Then gunicorn (2 sync workers) serves the app on a throw-away SQLite file (or DATABASE_URL)
and wrk loads each page on 127.0.0.1 as the logged-in trainer.

Also checks that the query count of a cohort overview does not grow with its members (20 vs
--members) nor the history page with the versions (2 vs 5); exit status 1 if one grows.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, bench_env, count_queries, floor, gunicorn, login, wrk  # noqa: E402

CURRICULUM = ["literasi-tik", "manajemen-informasi", "pelibatan-masyarakat"]
VERSIONED = "literasi-tik"  # published 5 times, with unpublished edits in its workspace
TWO_VERSIONS = "manajemen-informasi"  # published twice
ESSAY_COURSE, ESSAY_QUIZ = "pelibatan-masyarakat", "tugas-praktik"
TRAINER = ("trainer@pelita.test", "latih-fasilitator-2026")
PARTICIPANT = ("peserta@pelita.test", "belajar-bersama-2026")
TARGET_RATIO = 0.25  # of the framework floor (bench/floor/app.py), for the targeted pages


# --------------------------------------------------------------------------- setup


def make_app(env):
    os.environ.update({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                       "PELITA_BENCH": "1"})
    from config import Config
    from lms import create_app

    config = Config()
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    logging.getLogger("pelita.mail").setLevel(logging.ERROR)  # 80 invitations are no news
    return app


def setup(app, members: int, essays: int) -> dict:
    """Build the database; returns the ids and slugs the pages need."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lms import clock
    from lms.auth import services as auth_services
    from lms.authoring.services import drafts
    from lms.cohorts import services as cohorts
    from lms.courses.models import Course, Module, Quiz
    from lms.courses.services.importer import import_packs, load_packs
    from lms.extensions import db
    from lms.learning.services import mark_module_done

    rng = random.Random(2026)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        packs, problems = load_packs([ROOT / "courses" / s for s in
                                      ["contoh-kursus", *CURRICULUM]])
        if problems:
            raise SystemExit("\n".join(map(str, problems)))
        import_packs(packs)
        app.test_cli_runner().invoke(args=["lms", "demo"])
        trainer = auth_services.get_user_by_email(TRAINER[0])
        peserta = auth_services.get_user_by_email(PARTICIPANT[0])

        # Versions: literasi-tik 1 + 4 publishes = 5, manajemen-informasi 1 + 1 = 2.
        for slug, publishes in ((VERSIONED, 4), (TWO_VERSIONS, 1)):
            draft = drafts.open_draft(slug, trainer)
            for n in range(publishes):
                _edit_module(drafts, draft, trainer, n, f"Revisi {n + 1}")
                drafts.publish(draft, note=f"Revisi {n + 1}", user=trainer)
        draft = drafts.open_draft(VERSIONED, trainer)
        for n in range(3):  # a few edits waiting to be published
            _edit_module(drafts, draft, trainer, n + 1, f"Catatan draf {n + 1}")

        # Cohorts: the big one (with the demo participant) and a 20-member one.
        course_ids = list(db.session.scalars(select(Course.id).where(Course.slug.in_(CURRICULUM))))
        today = clock.today()  # WIB
        big = cohorts.create_cohort(trainer, name=f"Angkatan Uji {members}",
                                    starts_on=today - timedelta(days=30),
                                    ends_on=today + timedelta(days=45), course_ids=course_ids)
        small = cohorts.create_cohort(trainer, name="Angkatan Uji 20",
                                      starts_on=today - timedelta(days=30),
                                      ends_on=today + timedelta(days=45), course_ids=course_ids)
        people = [peserta.email] + [f"anggota-{i:03d}@contoh.id" for i in range(members - 1)]
        for i, email in enumerate(people):  # invited, then each person accepts
            added = cohorts.add_member(trainer, big, email=email, full_name=f"Anggota Uji {i:03d}",
                                       library_name="Perpustakaan Desa Uji", province_code="32",
                                       regency_code="32.04")
            cohorts.join(added.user, added.member.id)
        for i in range(20):
            added = cohorts.add_member(trainer, small, email=f"kecil-{i:03d}@contoh.id",
                                       full_name=f"Anggota Kecil {i:03d}")
            cohorts.join(added.user, added.member.id)

        # Progress spread over the three courses, the same way for both cohorts.
        found = {c.slug: c for c in db.session.scalars(
            select(Course).where(Course.slug.in_(CURRICULUM)))}
        courses = {slug: found[slug] for slug in CURRICULUM}  # same order, same data everywhere
        modules = {slug: [db.session.scalar(select(Module).where(
            Module.course_id == c.id, Module.slug == m.slug)) for m in _pack(slug).modules]
            for slug, c in courses.items()}
        users = [m.user for m in cohorts.members_of(big)] + [m.user for m in cohorts.members_of(small)]
        attempts = 0
        for user in users:
            for slug, course in courses.items():
                done = rng.randint(0, len(modules[slug]))
                for module in modules[slug][:done]:
                    mark_module_done(user, course, module)
                quizzes = [q for q in _pack(slug).quizzes if q.slug not in (ESSAY_QUIZ, "ujian-akhir")]
                for q in quizzes[:rng.randint(0, min(done, len(quizzes)))]:
                    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id,
                                                                Quiz.slug == q.slug))
                    attempts += _take_quiz(user, quiz, rng)

        # Essays waiting for grading (members of the big cohort).
        essay_quiz = db.session.scalar(select(Quiz).where(
            Quiz.course_id == courses[ESSAY_COURSE].id, Quiz.slug == ESSAY_QUIZ))
        for user in users[1:essays + 1]:
            _submit_essay(user, essay_quiz)
        return {"big": big.id, "small": small.id, "attempts": attempts,
                "versions": _version_ids(VERSIONED)}


def _pack(slug: str):
    from lms.content import load_pack

    return load_pack(ROOT / "courses" / slug)


def _edit_module(drafts, draft, user, n: int, note: str) -> None:
    from lms.authoring import packfiles

    paths = [r.path for r in drafts.list_files(draft)]
    module_paths = sorted(packfiles.module_files(paths).values())
    path = module_paths[n % len(module_paths)]
    row = drafts.get_file(draft, path)
    data = row.data + f"\n\n{note}: paragraf tambahan untuk uji kinerja halaman pelatih.\n".encode()
    drafts.save_file(draft, path, data, expected_revision=row.revision, user=user)


def _take_quiz(user, quiz, rng) -> int:
    """Start, answer (mostly right) and submit one attempt through the form fields a learner's
    browser sends; 1 if it was submitted."""
    from werkzeug.datastructures import MultiDict

    from lms.quizzes import queries as quiz_queries
    from lms.quizzes.errors import QuizError
    from lms.quizzes.rules import field_name
    from lms.quizzes.services import attempts

    try:
        attempt = attempts.start_or_resume(user, quiz, rng=rng)
    except QuizError:
        return 0
    form = MultiDict()
    for pos, q, _order in quiz_queries.attempt_questions(attempt):
        options = q.get("options") or []
        right = [str(o.get("id")) for o in options if o.get("correct")]
        wrong = [str(o.get("id")) for o in options if not o.get("correct")]
        chosen = right if (rng.random() < 0.8 or not wrong) else wrong[:1]
        for value in chosen:  # a type that takes other answers (or none) stays unanswered
            form.add(field_name(pos), value)
    attempts.save_responses(attempt, form)
    attempts.submit(attempt)
    return 1


def _submit_essay(user, quiz) -> None:
    from werkzeug.datastructures import MultiDict

    from lms.quizzes import queries as quiz_queries
    from lms.quizzes.rules import field_name
    from lms.quizzes.services import attempts

    attempt = attempts.start_or_resume(user, quiz)
    text = ("Rencana pendampingan Perpustakaan Desa Sukamaju. " * 60).strip()
    form = MultiDict([(field_name(pos), text) for pos, q, _o in quiz_queries.attempt_questions(attempt)
                      if q.get("type") == "essay"])
    attempts.save_responses(attempt, form)
    attempts.submit(attempt)


def _version_ids(slug: str) -> list[int]:
    from sqlalchemy import select

    from lms.courses.models import Course, CourseVersion
    from lms.extensions import db

    course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
    return list(db.session.scalars(select(CourseVersion.id).where(
        CourseVersion.course_id == course_id).order_by(CourseVersion.id)))


# --------------------------------------------------------------------------- pages


def trainer_pages(ids: dict) -> dict[str, str]:
    pack = _pack(VERSIONED)
    first, last = ids["versions"][0], ids["versions"][-1]
    return {
        "author index": "/author/",
        "workspace": f"/author/{VERSIONED}/",
        "module edit": f"/author/{VERSIONED}/modules/{pack.modules[0].slug}/edit",
        "quiz edit": f"/author/{VERSIONED}/quizzes/{pack.quizzes[0].slug}",
        "history (5 v.)": f"/author/{VERSIONED}/history",
        "diff v1..v5": f"/author/{VERSIONED}/diff?from={first}&to={last}",
        "cohort overview": f"/cohorts/{ids['big']}",
        "cohort grading": f"/cohorts/{ids['big']}/grading",
    }


def scaling_pages(ids: dict) -> dict[str, str]:
    return {"cohort 20 members": f"/cohorts/{ids['small']}",
            "cohort big": f"/cohorts/{ids['big']}",
            "history 2 versions": f"/author/{TWO_VERSIONS}/history",
            "history 5 versions": f"/author/{VERSIONED}/history"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--essays", type=int, default=8)
    args = parser.parse_args()

    env = bench_env()
    app = make_app(env)
    ids = setup(app, args.members, args.essays)
    pages = trainer_pages(ids)
    queries = count_queries(app, TRAINER, pages)
    queries.update(count_queries(app, PARTICIPANT, {"participant dashboard": "/"}))
    scaling = count_queries(app, TRAINER, scaling_pages(ids))
    from lms.extensions import db

    with app.app_context():
        db.engine.dispose()  # no connection held open while gunicorn serves

    run = {"seconds": args.seconds, "connections": args.connections}
    floors = [floor(env, **run)]  # bench/floor/app.py, before and after the pages
    with gunicorn(env) as port:
        trainer = login(port, *TRAINER)
        peserta = login(port, *PARTICIPANT)
        rows = []
        for name, path in pages.items():
            rows.append((name, wrk(port, path, trainer, **run)))
        rows.append(("participant dashboard", wrk(port, "/", peserta, **run)))
    floors.append(floor(env, **run))

    from bench.pages import print_table

    backend = env["DATABASE_URL"].split(":", 1)[0]
    # The targets of issue 19 apply to the quiz editor and the cohort overview (≥ 0.25× the
    # floor, ≤ 6 statements); the other trainer pages are printed for information.
    targeted = {"quiz edit", "cohort overview"}
    title = (f"Trainer pages: gunicorn sync -w 2, wrk -t2 -c{args.connections} -d{args.seconds}s, "
             f"{backend}; cohort of {args.members} members, {ids['attempts']} graded quiz "
             f"attempts, {args.essays} essays waiting, {len(ids['versions'])} versions of "
             f"{VERSIONED}")
    targets_met = print_table(title, floors, [r for r in rows if r[0] in targeted], queries,
                              TARGET_RATIO)
    print_table("Other trainer pages (information; no target)", floors,
                [r for r in rows if r[0] not in targeted], queries, 0.0)

    print("\nqueries per request as the data grows (must be constant):")
    for name, (q, status) in scaling.items():
        print(f"  {name:<22} {q:>4}  (HTTP {status})")
    grows = []
    if scaling["cohort 20 members"][0] != scaling["cohort big"][0]:
        grows.append("cohort overview grows with its members")
    if scaling["history 2 versions"][0] != scaling["history 5 versions"][0]:
        grows.append("history grows with the versions")
    bad = [n for n, (_q, s) in {**queries, **scaling}.items() if s != 200]
    for problem in grows + [f"{n}: HTTP status not 200" for n in bad]:
        print(f"PROBLEM: {problem}")
    sys.exit(1 if grows or bad or not targets_met else 0)


if __name__ == "__main__":
    main()
