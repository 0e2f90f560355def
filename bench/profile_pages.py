"""Where a learner page's time goes, in-process (Flask test client, no gunicorn, no wrk).

    .venv/bin/python bench/profile_pages.py [-n 200] [--page module] [--profile] [--top 30]

Same setup as bench/pages.py (a throw-away SQLite file unless DATABASE_URL). Prints the mean
milliseconds per request of each page and its SQL statements; with --profile, the cProfile
functions with the most cumulative time for --page (or every page).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_env  # noqa: E402
from bench.pages import LEARNER, count_queries, make_app, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--course", default="literasi-tik")
    parser.add_argument("--page", default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--encoding", default=None, help="Accept-Encoding to send")
    args = parser.parse_args()

    env = bench_env()
    app = make_app(env)
    pages = setup(app, args.course)
    queries = count_queries(app, LEARNER, pages)
    if args.page:
        pages = {args.page: pages[args.page]}
    headers = {"Accept-Encoding": args.encoding} if args.encoding else {}
    if True:  # no outer app context: each request has its own, as under gunicorn
        client = app.test_client()
        client.post("/login", data={"email": LEARNER[0], "password": LEARNER[1]})
        for name, path in pages.items():
            for _ in range(20):
                client.get(path, headers=headers)
            profiler = cProfile.Profile() if args.profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(args.n):
                resp = client.get(path, headers=headers)
            if profiler:
                profiler.disable()
            ms = (time.perf_counter() - start) * 1000 / args.n
            print(f"{name:<14} {ms:6.2f} ms/request  {queries[name][0]:>2} SQL  "
                  f"{len(resp.data):>6} bytes  HTTP {resp.status_code}")
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
                print(out.getvalue())


if __name__ == "__main__":
    main()
