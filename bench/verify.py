"""The public verification page under load: requests/s and p50/p99 for a valid code (HTML and
JSON) next to the framework floor, on gunicorn with 2 sync workers and wrk on 127.0.0.1.

    .venv/bin/python bench/verify.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_env, flask, gunicorn, wrk  # noqa: E402


def issue_one(env) -> str:
    """Import the example course, complete it as the demo learner, return the certificate code."""
    import os

    os.environ.update({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"]})
    from sqlalchemy import select

    from config import Config
    from lms import create_app
    from lms.auth.services import get_user_by_email
    from lms.certificates.services import standing_certificate
    from lms.courses.models import Course, Module
    from lms.extensions import db
    from lms.learning.services import enrol, mark_module_done

    app = create_app(Config())
    with app.app_context():
        user = get_user_by_email("peserta@pelita.test")
        course = db.session.scalar(select(Course).where(Course.slug == "kursus-bench"))
        enrol(user, course)
        for module in db.session.scalars(select(Module).where(Module.course_id == course.id)):
            mark_module_done(user, course, module)
        return standing_certificate(user.id, course.id).code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    import tempfile

    from tests.helpers.packs import make_pack

    env = bench_env()
    flask(env, "db", "upgrade")
    pack = make_pack(Path(tempfile.mkdtemp()), "kursus-bench", modules=6)
    flask(env, "lms", "import", str(pack))
    flask(env, "lms", "demo")
    code = issue_one(env)
    with gunicorn(env) as port:
        rows = [("floor /healthz", wrk(port, "/healthz", seconds=args.seconds)),
                ("verify HTML", wrk(port, f"/verify/{code}", seconds=args.seconds)),
                ("verify JSON", wrk(port, f"/verify/{code}.json", seconds=args.seconds))]
    print(f"\ngunicorn sync -w 2, wrk -t2 -c16 -d{args.seconds}s, code {code}")
    print(f"{'page':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in rows:
        print(f"{name:<16} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>8}")


if __name__ == "__main__":
    main()
