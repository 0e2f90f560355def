"""Question statistics as CSV (pure: no Flask, no database).

Like the cohort progress CSV (`lms.cohorts.csvexport`): UTF-8 with a byte-order mark, and text
cells a spreadsheet would run as a formula defused (`csvexport.safe`). Numbers are written as
numbers, never defused (a negative discrimination index stays a number), rounded to two
decimals like Moodle's table. For Indonesian readers the decimals take a comma and the
cells are separated by semicolons — what a spreadsheet set to Indonesian (decimal comma,
list separator ";") reads as numbers when the file is opened; English uses a point and commas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from lms.cohorts.csvexport import BOM, safe


def number(value: float | None, locale: str, digits: int = 2) -> str:
    """A figure as the locale writes it: "12.35" (en), "12,35" (id); "" when undefined."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace(".", ",") if locale == "id" else text


def table_csv(head: Sequence[str], rows: Sequence[Sequence[object]], *, locale: str,
              footer: Sequence[Sequence[object]] = ()) -> bytes:
    """`head` and `rows` (then an empty row and `footer` rows, if any). Floats are written with
    `number`; everything else as defused text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "id" else ",", lineterminator="\r\n")

    def cell(value: object) -> str:
        if isinstance(value, float):
            return number(value, locale)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return safe(value)

    writer.writerow([safe(h) for h in head])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    if footer:
        writer.writerow([])
        for row in footer:
            writer.writerow([cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")
