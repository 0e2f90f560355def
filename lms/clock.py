"""The one clock, and Indonesia's three time zones.

Everything in Pelita that needs "now" asks this module: `now()` (aware UTC), `timestamp()`
(whole seconds, for cookies and signed tokens) and `today()` (a calendar date in a zone). No other
module reads the wall clock (`tests/unit/test_clock.py` searches the code for it), so a test can
freeze time for the whole app — web requests, services, the worker, the CLI — with
`freeze(at)` / `advance(...)` (the `clock` fixture in `tests/fixtures.py`), and the suite gives the
same result at any hour of the day.

Stored times are UTC. Dates people read (a certificate's completion date, a deadline, "today")
are calendar dates in a zone: the learner's own (WIB, WITA or WIT, from the province of their
library) or, where no person is involved, WIB. Indonesia has no daylight saving time.
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")    # UTC+7: Sumatra, Java, West and Central Kalimantan
WITA = ZoneInfo("Asia/Makassar")  # UTC+8: Bali, Nusa Tenggara, Sulawesi, South/East/North Kalimantan
WIT = ZoneInfo("Asia/Jayapura")   # UTC+9: Maluku and Papua
DEFAULT_ZONE = WIB
ZONE_LABELS = {WIB.key: "WIB", WITA.key: "WITA", WIT.key: "WIT"}

# Province codes (Kemendagri/BPS, two digits) by zone; every other province is WIB.
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})

_frozen: datetime | None = None


# --------------------------------------------------------------------------- now


def now() -> datetime:
    """The current time, aware, in UTC (the frozen time while a test holds the clock)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


def timestamp() -> int:
    """`now()` as whole seconds since the epoch (signed tokens, the idle-session stamp)."""
    if _frozen is not None:
        return int(_frozen.timestamp())
    return int(_time.time())


def today(zone: ZoneInfo = DEFAULT_ZONE) -> date:
    """Today's calendar date in `zone` (WIB unless a person's own zone is given)."""
    return now().astimezone(zone).date()


# --------------------------------------------------------------------------- tests hold the clock


def freeze(at: datetime) -> datetime:
    """Stop the clock at `at` (an aware time; naive values are read as UTC). For tests only."""
    global _frozen
    _frozen = aware(at)
    return _frozen


def advance(delta: timedelta | None = None, **kwargs) -> datetime:
    """Move a frozen clock forward (`advance(minutes=5)`); it stays frozen."""
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock: call freeze() first")
    return freeze(_frozen + (delta or timedelta(**kwargs)))


def thaw() -> None:
    """Let the clock run with the wall clock again."""
    global _frozen
    _frozen = None


def is_frozen() -> bool:
    return _frozen is not None


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """`with clock.frozen(datetime(...)):` — the previous state comes back afterwards."""
    previous = _frozen
    try:
        yield freeze(at)
    finally:
        if previous is None:
            thaw()
        else:
            freeze(previous)


# --------------------------------------------------------------------------- zones and dates


def aware(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive values; they are UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def zone_for_province(code: str | None) -> ZoneInfo:
    """The time zone of a province (Kemendagri code such as "91" or a regency code "91.03")."""
    prefix = (code or "")[:2]
    if prefix in _WIT_PROVINCES:
        return WIT
    if prefix in _WITA_PROVINCES:
        return WITA
    return WIB


def zone_of(user) -> ZoneInfo:
    """A person's zone, from the province of their library; WIB when unknown."""
    return zone_for_province(getattr(user, "province_code", None))


def zone_label(zone: ZoneInfo) -> str:
    """The Indonesian abbreviation people read after a time: WIB, WITA or WIT."""
    return ZONE_LABELS.get(zone.key, zone.key)


def local(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """A stored UTC time as the wall-clock time in `zone`."""
    return aware(moment).astimezone(zone)


def local_date(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> date:
    """The calendar date in `zone` of a stored UTC time."""
    return local(moment, zone).date()


def start_of_day(day: date, zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """The UTC instant at which `day` begins in `zone`."""
    return datetime.combine(day, clock_time(0, 0), tzinfo=zone).astimezone(UTC)


def end_of_day(day: date, zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """The last second of `day` in `zone`, in UTC (a date "valid until" is valid all that day)."""
    return start_of_day(day + timedelta(days=1), zone) - timedelta(seconds=1)
