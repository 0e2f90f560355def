"""The one clock: frozen in tests, zones by province, and nobody else reads the wall clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lms import clock as app_clock

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_runs_with_the_clock_frozen(clock):
    first = clock()
    assert clock() == first  # no time passes unless the test says so
    clock.advance(minutes=90)
    assert clock() == first + timedelta(minutes=90)


def test_frozen_context_restores_the_previous_time(clock):
    before = clock()
    with app_clock.frozen(datetime(2030, 1, 1, tzinfo=UTC)) as at:
        assert clock() == at == datetime(2030, 1, 1, tzinfo=UTC)
    assert clock() == before


@pytest.mark.parametrize(("province", "label", "offset"), [
    ("31", "WIB", 7),       # DKI Jakarta
    ("32.04", "WIB", 7),    # a regency in West Java
    ("51", "WITA", 8),      # Bali
    ("73.71", "WITA", 8),   # Makassar
    ("91", "WIT", 9),       # Papua
    ("81", "WIT", 9),       # Maluku
    (None, "WIB", 7),       # unknown: WIB
])
def test_zone_of_a_province(province, label, offset):
    zone = app_clock.zone_for_province(province)
    assert app_clock.zone_label(zone) == label
    assert datetime(2026, 12, 5, tzinfo=UTC).astimezone(zone).utcoffset() == timedelta(hours=offset)


def test_local_dates_change_at_local_midnight():
    evening_utc = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 WIB, 00:59 WITA
    assert app_clock.local_date(evening_utc) == date(2026, 12, 31)
    assert app_clock.local_date(evening_utc, app_clock.WITA) == date(2027, 1, 1)
    assert app_clock.local_date(evening_utc.replace(tzinfo=None)) == date(2026, 12, 31)  # naive=UTC
    assert app_clock.start_of_day(date(2027, 1, 1)) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert app_clock.end_of_day(date(2027, 1, 1)) == datetime(2027, 1, 1, 16, 59, 59, tzinfo=UTC)


def test_today_is_the_date_in_the_zone(clock):
    clock.set(datetime(2026, 12, 5, 20, 0, tzinfo=UTC))  # 03:00 WIB on the 6th
    assert app_clock.today() == date(2026, 12, 6)
    assert app_clock.today(app_clock.WIT) == date(2026, 12, 6)
    clock.set(datetime(2026, 12, 5, 16, 30, tzinfo=UTC))  # 23:30 WIB, 00:30 WITA
    assert app_clock.today() == date(2026, 12, 5)
    assert app_clock.today(app_clock.WITA) == date(2026, 12, 6)


# Reading the wall clock anywhere but lms/clock.py makes a test depend on the hour it runs at.
WALL_CLOCK = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(\)|"
                        r"time\.time_ns\(\)|datetime\.fromtimestamp\(time")


def test_nothing_but_the_clock_module_reads_the_wall_clock():
    offenders = []
    for folder in ("lms", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "lms" / "clock.py" or "/tests/" in str(path):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line.split("#", 1)[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use lms.clock instead:\n" + "\n".join(offenders)
