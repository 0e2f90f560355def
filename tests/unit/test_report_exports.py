"""The gradebook's CSV and XLSX writers (lms.reports.exports): what a spreadsheet in Indonesian
or English reads, checked by reading the files back."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from lms.reports.exports import DATE, DATETIME, NUMBER, Column, number_text, to_csv, to_xlsx

COLUMNS = [Column("Nama"), Column("Nilai (%)", NUMBER), Column("Aktivitas", DATE),
           Column("Dikirim", DATETIME)]
ROWS = [["Siti Aminah", 87.5, date(2026, 11, 26), datetime(2026, 11, 26, 9, 30)],
        ["=HYPERLINK(\"http://x\")", 100, None, None],
        ["Budi", None, date(2026, 1, 2), None]]


def _read_csv(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_indonesian_csv_uses_semicolons_and_decimal_commas():
    rows = _read_csv(to_csv(COLUMNS, ROWS, locale="id"), ";")
    assert rows[0] == ["Nama", "Nilai (%)", "Aktivitas", "Dikirim"]
    assert rows[1] == ["Siti Aminah", "87,5", "2026-11-26", "2026-11-26 09:30"]
    assert rows[2][1] == "100" and rows[3] == ["Budi", "", "2026-01-02", ""]


def test_english_csv_uses_commas_and_decimal_points():
    rows = _read_csv(to_csv(COLUMNS, ROWS, locale="en"), ",")
    assert rows[1] == ["Siti Aminah", "87.5", "2026-11-26", "2026-11-26 09:30"]


def test_csv_text_that_looks_like_a_formula_is_defused():
    rows = _read_csv(to_csv(COLUMNS, ROWS, locale="en"), ",")
    assert rows[2][0] == "'=HYPERLINK(\"http://x\")"


def test_numbers_are_written_as_people_write_them():
    assert number_text(66.666666, ",") == "66,67"
    assert number_text(100.0) == "100"
    assert number_text(-0.001) == "0"
    assert number_text(33.3) == "33.3"


def test_xlsx_has_numeric_cells_and_date_cells_and_text_never_a_formula():
    book = load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS, sheet="Buku nilai: A/B")))
    ws = book.active
    assert ws.title == "Buku nilai- A-B"
    assert [c.value for c in ws[1]] == ["Nama", "Nilai (%)", "Aktivitas", "Dikirim"]
    grade = ws.cell(row=2, column=2)
    assert grade.data_type == "n" and grade.value == 87.5 and grade.number_format == "0.0"
    day = ws.cell(row=2, column=3)
    assert day.is_date and day.value == datetime(2026, 11, 26)
    # Excel's built-in short date (id 14): shown in the reader's regional format.
    assert day.number_format == "mm-dd-yy"
    moment = ws.cell(row=2, column=4)
    assert moment.is_date and moment.value == datetime(2026, 11, 26, 9, 30)
    text = ws.cell(row=3, column=1)
    assert text.data_type == "s" and text.value == "=HYPERLINK(\"http://x\")"
    assert ws.cell(row=4, column=2).value is None
