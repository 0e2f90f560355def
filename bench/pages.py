"""Learner pages under load: requests/s and p50/p99 for catalogue, course and module pages,
next to the framework floor (/healthz) measured in the same run, plus SQL queries per page.

    .venv/bin/python bench/pages.py [--seconds 10] [--course contoh-kursus]

Serves the app with gunicorn (2 sync workers) on a throw-away SQLite database (or DATABASE_URL)
and loads it with wrk (apt-get install wrk) on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, bench_env, flask, gunicorn, login, wrk  # noqa: E402


def queries_per_page(env, slug: str, module: str) -> dict[str, int]:
    """SQL statements per page for a logged-in learner, counted in-process."""
    import os

    os.environ.update({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"]})
    from sqlalchemy import event

    from config import Config
    from lms import create_app
    from lms.extensions import db

    config = Config()
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    counts = {}
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"email": "peserta@pelita.test",
                                    "password": "belajar-bersama-2026"})
        for name, path in pages(slug, module).items():
            client.get(path)
            seen: list[str] = []

            def listener(conn, cursor, statement, *args, seen=seen):
                seen.append(statement)

            event.listen(db.engine, "before_cursor_execute", listener)
            client.get(path)
            event.remove(db.engine, "before_cursor_execute", listener)
            counts[name] = len(seen)
    return counts


def pages(slug: str, module: str) -> dict[str, str]:
    return {"catalogue": "/courses/", "course": f"/courses/{slug}",
            "module": f"/courses/{slug}/modules/{module}", "dashboard": "/"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--course", default="contoh-kursus")
    args = parser.parse_args()

    env = bench_env()
    flask(env, "db", "upgrade")
    flask(env, "lms", "import", str(ROOT / "courses" / args.course))
    flask(env, "lms", "demo")
    module = _first_module(env, args.course)

    with gunicorn(env) as port:
        cookie = login(port, "peserta@pelita.test", "belajar-bersama-2026")
        # Enrol through the page once, so course and module pages show a learner's view.
        cookie = _enrol(port, cookie, args.course)
        rows = [("floor /healthz", wrk(port, "/healthz", seconds=args.seconds))]
        for name, path in pages(args.course, module).items():
            rows.append((name, wrk(port, path, cookie, seconds=args.seconds)))
    queries = queries_per_page(env, args.course, module)

    print(f"\ngunicorn sync -w 2, wrk -t2 -c16 -d{args.seconds}s, SQLite: {env['DATABASE_URL']}")
    print(f"{'page':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'queries':>8}")
    for name, r in rows:
        q = queries.get(name, "")
        print(f"{name:<16} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>8} {q!s:>8}")


def _first_module(env, slug: str) -> str:
    from lms.content import load_pack

    return load_pack(ROOT / "courses" / slug).modules[0].slug


def _enrol(port: int, cookie: str, slug: str) -> str:
    import http.client
    import re
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/courses/{slug}", headers={"Cookie": cookie})
    resp = conn.getresponse()
    html = resp.read().decode()
    cookie = (resp.getheader("Set-Cookie") or cookie).split(";")[0]  # the CSRF token lives in it
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if match and f"/courses/{slug}/enrol" in html:
        conn.request("POST", f"/courses/{slug}/enrol", body=urlencode({"csrf_token": match.group(1)}),
                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        cookie = (resp.getheader("Set-Cookie") or cookie).split(";")[0]
    return cookie


if __name__ == "__main__":
    main()
