"""Password hashing cost per login: argon2-cffi's default (what Pelita used) vs the configured
Argon2id parameters (OWASP's minimum unless PASSWORD_ARGON2_* say otherwise).

A login verifies one hash; registration, password change and a rehash after a parameter change
make one. For each parameter set this times -n hashes and -n verifies and prints one line:

    parameters   hash ms (p50, CPU)   verify ms (p50 wall, p50 CPU)   logins/s on N cores   500 logins

CPU time counts every Argon2 thread (p>1 hashes in parallel threads), so it is the comparable
figure on a shared machine and what bounds throughput: logins/s = cores / CPU seconds per
verify, i.e. with every core doing nothing but verifying passwords (an upper bound: the login
page itself, the session row and the redirect come on top). --cores defaults to this machine's.

Usage:
  .venv/bin/python bench/login.py [-n 20] [--cores 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402  (path set up above)

PASSWORD = "perpustakaan-desa-maju"  # noqa: S105 - hashed and thrown away
OLD = ("argon2-cffi default (RFC 9106 low-mem)", 3, 65536, 4)


def configured() -> tuple[str, int, int, int]:
    from config import Config

    time_cost = int(os.environ.get("PASSWORD_ARGON2_TIME_COST", Config.PASSWORD_ARGON2_TIME_COST))
    memory = int(os.environ.get("PASSWORD_ARGON2_MEMORY_KIB", Config.PASSWORD_ARGON2_MEMORY_KIB))
    lanes = int(os.environ.get("PASSWORD_ARGON2_PARALLELISM", Config.PASSWORD_ARGON2_PARALLELISM))
    return ("configured (PASSWORD_ARGON2_*)", time_cost, memory, lanes)


def timed(action, runs: int) -> tuple[float, float]:
    """p50 wall-clock and p50 CPU milliseconds of `action()`."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def measure(label: str, time_cost: int, memory: int, lanes: int, runs: int, cores: int) -> None:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory, parallelism=lanes)
    stored = hasher.hash(PASSWORD)  # warm up
    _hash_wall, hash_cpu = timed(lambda: hasher.hash(PASSWORD), runs)
    verify_wall, verify_cpu = timed(lambda: hasher.verify(stored, PASSWORD), runs)
    per_second = cores / (verify_cpu / 1000) if verify_cpu else float("inf")
    params = f"m={memory},t={time_cost},p={lanes}"
    print(f"{label:<40} {params:<18} {hash_cpu:>9.1f} {verify_wall:>11.1f} {verify_cpu:>10.1f} "
          f"{per_second:>13.0f} {500 / per_second:>9.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="hashes and verifies per parameter set")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"Argon2id per login, p50 of {args.n}, {args.cores} cores")
    print(f"{'parameters':<40} {'':<18} {'hash CPU':>9} {'verify wall':>11} {'verify CPU':>10} "
          f"{'logins/s':>13} {'500 logins':>11}")
    print(f"{'':<40} {'':<18} {'ms':>9} {'ms':>11} {'ms':>10} {f'({args.cores} cores)':>13}")
    for label, time_cost, memory, lanes in (OLD, configured()):
        measure(label, time_cost, memory, lanes, args.n, args.cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
