"""The programme roll-up's arithmetic and its CSV (pure: no Flask, no database).

`lms.reports.queries.programme_rollup` counts in SQL, one GROUP BY query per figure, each giving
``{region code: count}`` (``None`` for people without a region). This module turns those
mappings into table rows — one per region of the level shown, in the order given, then any code
the counts hold that the list does not know, then "Unknown region" — adds the targets and the
percentages, sorts, totals and writes the CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from lms.cohorts.csvexport import BOM, safe

# The counted figures, in table order. "villages" is present only when the count of village
# libraries reached is wired in (lms.reports.queries.FIGURE_QUERIES).
FIGURES = ("enrolled", "active", "completed", "certified", "facilitators", "villages")
SORT_KEYS = ("name", *FIGURES)
UNKNOWN = ""  # the row code of people without a region


@dataclass(frozen=True)
class Row:
    code: str  # Kemendagri code; UNKNOWN for the "Unknown region" row; "total" for the totals
    name: str
    counts: Mapping[str, int] = field(default_factory=dict)
    villages_target: int | None = None
    facilitators_target: int | None = None

    def count(self, figure: str) -> int:
        return int(self.counts.get(figure, 0))

    @property
    def villages_percent(self) -> float | None:
        return percent(self.count("villages"), self.villages_target)

    @property
    def facilitators_percent(self) -> float | None:
        return percent(self.count("facilitators"), self.facilitators_target)

    @property
    def unknown(self) -> bool:
        return self.code == UNKNOWN


def percent(value: int, target: int | None) -> float | None:
    """`value` as a percentage of `target`, one decimal; None without a (positive) target."""
    if not target or target <= 0:
        return None
    return round(100.0 * value / target, 1)


def build_rows(regions: Sequence[tuple[str, str]], counts: Mapping[str, Mapping[str | None, int]],
               targets: Mapping[str, tuple[int | None, int | None]], *,
               name_of: Callable[[str], str], unknown_label: str) -> list[Row]:
    """One row per region in `regions` ((code, name) pairs, in that order), then codes found in
    `counts` but not in `regions` (named by `name_of`), then the unknown-region row when anyone
    is counted there. `counts[figure][code]`; a missing code counts 0. `targets[code]` is
    (villages target, facilitators target)."""
    listed = [code for code, _name in regions]
    known = set(listed)
    extra: set[str] = set()
    unknown_seen = False
    for per_code in counts.values():
        for code, n in per_code.items():
            if not code:
                unknown_seen = unknown_seen or bool(n)
            elif code not in known:
                extra.add(code)
    names = dict(regions)
    order = listed + sorted(extra)

    def row(code: str, name: str) -> Row:
        if code:
            got = {figure: int(per_code.get(code, 0)) for figure, per_code in counts.items()}
            villages, facilitators = targets.get(code, (None, None))
        else:  # None and "" alike: people whose region was never given
            got = {figure: sum(int(n) for c, n in per_code.items() if not c)
                   for figure, per_code in counts.items()}
            villages = facilitators = None
        return Row(code, name, got, villages, facilitators)

    rows = [row(code, names.get(code) or name_of(code)) for code in order]
    if unknown_seen:
        rows.append(row(UNKNOWN, unknown_label))
    return rows


def sort_rows(rows: list[Row], key: str = "name", descending: bool = False) -> list[Row]:
    """Rows sorted by name or by a figure (ties by name); the unknown-region row stays last."""
    if key not in SORT_KEYS:
        key = "name"
    regions = [r for r in rows if not r.unknown]
    rest = [r for r in rows if r.unknown]
    regions.sort(key=lambda r: r.name.casefold())
    if key != "name":
        regions.sort(key=lambda r: r.count(key), reverse=descending)
    elif descending:
        regions.reverse()
    return regions + rest


def totals(rows: Sequence[Row], figures: Sequence[str], label: str) -> Row:
    """The totals row: every figure summed (each person and village belongs to one region, so
    the sum of distinct counts is the distinct count), targets summed over the rows that have
    one (None when no row has)."""
    counts = {f: sum(r.count(f) for r in rows) for f in figures}

    def total(values):
        present = [v for v in values if v is not None]
        return sum(present) if present else None

    return Row("total", label, counts, total(r.villages_target for r in rows),
               total(r.facilitators_target for r in rows))


def format_percent(value: float | None, locale: str) -> str:
    """"45,5" in Indonesian, "45.5" in English; empty without a target."""
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text.replace(".", ",") if locale == "id" else text


def rollup_csv(rows: Sequence[Row], total: Row, *, figures: Sequence[str],
               headers: Mapping[str, str], locale: str = "id") -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark; Indonesian spreadsheets get `;` and a
    decimal comma, English ones `,` and a decimal point. Cells that look like formulas are
    defused (`lms.cohorts.csvexport.safe`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "id" else ",", lineterminator="\r\n")
    columns = ["code", "region", *[f for f in figures if f != "villages"],
               "facilitators_target", "facilitators_percent"]
    if "villages" in figures:
        columns += ["villages", "villages_target", "villages_percent"]
    else:
        columns += ["villages_target"]
    writer.writerow([safe(headers[c]) for c in columns])
    for r in [*rows, total]:
        values = {"code": "" if r.code == "total" else r.code, "region": r.name,
                  "facilitators_target": "" if r.facilitators_target is None
                  else r.facilitators_target,
                  "facilitators_percent": format_percent(r.facilitators_percent, locale),
                  "villages_target": "" if r.villages_target is None else r.villages_target,
                  "villages_percent": format_percent(r.villages_percent, locale)}
        values.update({f: r.count(f) for f in figures})
        writer.writerow([safe(values[c]) for c in columns])
    return (BOM + out.getvalue()).encode("utf-8")


_WHOLE = re.compile(r"\d{1,9}|\d{1,3}(?:([.,])\d{3})(?:\1\d{3}){0,2}", re.ASCII)


def parse_target(text: str | None) -> int | None:
    """A target as people type it ("1200", " 1.200 ", "1,200"): a non-negative whole number of
    at most nine digits, or None when it is not one ("1,5", "-3", "dua")."""
    value = (text or "").strip()
    if not _WHOLE.fullmatch(value):
        return None
    return int(value.replace(".", "").replace(",", ""))
