"""Tables written as CSV and XLSX files for spreadsheets (pure: no Flask, no database).

A table is a list of `Column`s (a title and a kind: text, number, date, datetime) and rows of
plain values (None: an empty cell).

- **CSV**, in the form Excel in the reader's language expects: for Indonesian `;` between cells
  and a decimal comma (Excel set to Indonesian splits on `;`, because the comma is its decimal
  separator), for English `,` and a decimal point; UTF-8 with a byte-order mark; dates as
  YYYY-MM-DD (read as dates in every locale); text that a spreadsheet would run as a formula
  gets a leading apostrophe (`lms.cohorts.csvexport.safe`, the one rule).
- **XLSX** (XlsxWriter): numbers are numeric cells with the format `0.0` and dates are date
  cells with Excel's built-in short date format, so the spreadsheet program shows them in the
  reader's own locale (decimal comma and Indonesian dates for Indonesian) by itself. Text is
  always written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter

from lms.cohorts.csvexport import BOM, safe

TEXT, NUMBER, DATE, DATETIME = "text", "number", "date", "datetime"
KINDS = (TEXT, NUMBER, DATE, DATETIME)
# Excel's built-in formats 14 (short date) and 22 (short date and time) follow the reader's
# regional settings, unlike a format code written out such as "dd/mm/yyyy".
BUILTIN_DATE, BUILTIN_DATETIME = 14, 22
NUMBER_FORMAT = "0.0"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: int = 14  # XLSX column width (characters)


def is_indonesian(locale: str) -> bool:
    return (locale or "").replace("-", "_").split("_")[0].lower() == "id"


def number_text(value: float, decimal: str = ".") -> str:
    """A number as people write it: at most two decimals, no trailing zeros."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace(".", decimal)


def _csv_cell(value, kind: str, decimal: str) -> str:
    if value is None or value == "":
        return ""
    if kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value, decimal)
    if kind == DATETIME and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind in (DATE, DATETIME) and isinstance(value, date):
        return value.isoformat()
    return safe(value)


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence], *, locale: str) -> bytes:
    """The table as CSV for a spreadsheet in `locale` (see the module doc)."""
    indonesian = is_indonesian(locale)
    decimal = "," if indonesian else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if indonesian else ",", lineterminator="\r\n")
    writer.writerow([safe(c.title) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(v, c.kind, decimal) for c, v in zip(columns, row, strict=True)])
    return (BOM + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence], *, sheet: str) -> bytes:
    """The table as an XLSX workbook of one sheet named `sheet` (see the module doc)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(_sheet_name(sheet))
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {NUMBER: book.add_format({"num_format": NUMBER_FORMAT}),
               DATE: book.add_format({"num_format": BUILTIN_DATE}),
               DATETIME: book.add_format({"num_format": BUILTIN_DATETIME})}
    for i, column in enumerate(columns):
        ws.write_string(0, i, column.title, header)
        ws.set_column(i, i, column.width)
    n = 0
    for n, row in enumerate(rows, start=1):
        for i, (column, value) in enumerate(zip(columns, row, strict=True)):
            _write(ws, n, i, column.kind, value, formats)
    ws.freeze_panes(1, 1)
    if columns:
        ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
    book.close()
    return buffer.getvalue()


def _write(ws, r: int, c: int, kind: str, value, formats) -> None:
    if value is None or value == "":
        return
    if kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), formats[NUMBER])
    elif kind == DATETIME and isinstance(value, datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), formats[DATETIME])
    elif kind in (DATE, DATETIME) and isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), formats[DATE])
    else:
        ws.write_string(r, c, str(value))


def _sheet_name(name: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\ ."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip("'").strip()
    return (cleaned or "Sheet1")[:31]
