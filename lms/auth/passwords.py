"""Password hashing with Argon2id, its cost set by configuration (pure: no Flask, no database).

The defaults are OWASP's minimum for Argon2id (Password Storage Cheat Sheet): 19 MiB of
memory, 2 passes, 1 lane. They cost a few tens of milliseconds of one core per login instead of
the 0.3-1.4 s of argon2-cffi's own default (RFC 9106 low-memory profile: 64 MiB, t=3, p=4), so a
class logging in at once fits on a small server; `bench/login.py` measures both. `create_app`
calls `configure()` with `PASSWORD_ARGON2_TIME_COST`, `PASSWORD_ARGON2_MEMORY_KIB` and
`PASSWORD_ARGON2_PARALLELISM`; a hash made with other parameters still verifies and is replaced
at the next successful login (`needs_rehash`).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_TIME_COST = 2
DEFAULT_MEMORY_KIB = 19 * 1024  # 19456 KiB
DEFAULT_PARALLELISM = 1

_hasher = PasswordHasher(time_cost=DEFAULT_TIME_COST, memory_cost=DEFAULT_MEMORY_KIB,
                         parallelism=DEFAULT_PARALLELISM)
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def configure(time_cost: int = DEFAULT_TIME_COST, memory_kib: int = DEFAULT_MEMORY_KIB,
              parallelism: int = DEFAULT_PARALLELISM) -> None:
    """Hash new passwords with these parameters (called once by create_app)."""
    global _hasher
    current = _hasher
    if (current.time_cost, current.memory_cost, current.parallelism) != (
            time_cost, memory_kib, parallelism):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                 parallelism=parallelism)


def parameters() -> tuple[int, int, int]:
    """(time cost, memory in KiB, parallelism) of new hashes."""
    return _hasher.time_cost, _hasher.memory_cost, _hasher.parallelism


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True if the password matches; never raises on a malformed hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True if the hash was made with other parameters than new hashes get."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return False


def dummy_hash() -> str:
    """A real hash of a random string with the current parameters, verified against when the
    email is unknown so that login takes the same time whether or not an account exists."""
    key = parameters()
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hash_password("pelita-timing-equaliser")
    return _dummy_hashes[key]
