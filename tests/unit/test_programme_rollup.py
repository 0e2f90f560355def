"""The roll-up's pure arithmetic (lms/reports/rollup.py): rows, unknown region, totals,
percentages, sorting, the CSV in both languages, and targets as people type them."""

from __future__ import annotations

import csv
import io

import pytest

from lms.reports import rollup

REGIONS = [("32", "Jawa Barat"), ("35", "Jawa Timur"), ("51", "Bali")]
FIGS = ("enrolled", "certified", "facilitators")


def rows_for(counts, targets=None):
    return rollup.build_rows(REGIONS, counts, targets or {}, name_of=lambda c: f"?{c}",
                             unknown_label="Unknown region")


def test_every_listed_region_has_a_row_and_missing_counts_are_zero():
    rows = rows_for({"enrolled": {"32": 3}, "certified": {}})
    assert [(r.code, r.name, r.count("enrolled"), r.count("certified")) for r in rows] == [
        ("32", "Jawa Barat", 3, 0), ("35", "Jawa Timur", 0, 0), ("51", "Bali", 0, 0)]


def test_people_without_a_region_get_the_unknown_row_none_and_empty_alike():
    rows = rows_for({"enrolled": {None: 2, "": 1, "32": 1}, "certified": {None: 1}})
    assert rows[-1].unknown and rows[-1].name == "Unknown region"
    assert (rows[-1].count("enrolled"), rows[-1].count("certified")) == (3, 1)
    assert rows[-1].villages_target is None


def test_no_unknown_row_when_nobody_is_there():
    assert not any(r.unknown for r in rows_for({"enrolled": {"32": 1, None: 0}}))


def test_codes_missing_from_the_list_are_kept_never_dropped():
    rows = rows_for({"enrolled": {"99": 4, "32": 1}})
    assert [(r.code, r.name, r.count("enrolled")) for r in rows][-1] == ("99", "?99", 4)


def test_totals_sum_every_row_and_the_targets_that_are_set():
    rows = rows_for({"enrolled": {"32": 3, "35": 1, None: 2}, "certified": {"32": 1}},
                    {"32": (100, 4), "35": (50, None)})
    total = rollup.totals(rows, ("enrolled", "certified"), "Total")
    assert (total.count("enrolled"), total.count("certified")) == (6, 1)
    assert (total.villages_target, total.facilitators_target) == (150, 4)
    assert rollup.totals(rows_for({}), FIGS, "Total").villages_target is None


@pytest.mark.parametrize(("value", "target", "expected"), [
    (1, 4, 25.0), (1, 3, 33.3), (5, 4, 125.0), (0, 10, 0.0), (3, 0, None), (3, None, None)])
def test_percent_of_a_target(value, target, expected):
    assert rollup.percent(value, target) == expected


def test_sorting_by_a_figure_keeps_the_unknown_row_last():
    rows = rows_for({"enrolled": {"32": 1, "35": 5, "51": 3, None: 9}})
    by_count = rollup.sort_rows(rows, "enrolled", descending=True)
    assert [r.code for r in by_count] == ["35", "51", "32", ""]
    assert [r.code for r in rollup.sort_rows(rows, "name")] == ["51", "32", "35", ""]
    assert [r.code for r in rollup.sort_rows(rows, "name", True)] == ["35", "32", "51", ""]
    assert [r.code for r in rollup.sort_rows(rows, "drop table")] == ["51", "32", "35", ""]


HEADERS = {"code": "Kode", "region": "Wilayah", "enrolled": "Terdaftar",
           "certified": "Bersertifikat", "facilitators": "Fasilitator",
           "facilitators_target": "Target fasilitator", "facilitators_percent": "%F",
           "villages": "Desa", "villages_target": "Target desa", "villages_percent": "%D"}


def read(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_indonesian_semicolons_decimal_comma_and_totals_last():
    rows = rows_for({"enrolled": {"32": 3}, "certified": {"32": 1},
                     "facilitators": {"32": 1}}, {"32": (100, 3)})
    data = rollup.rollup_csv(rows, rollup.totals(rows, FIGS, "Total"), figures=FIGS,
                             headers=HEADERS, locale="id")
    table = read(data, ";")
    assert table[0] == ["Kode", "Wilayah", "Terdaftar", "Bersertifikat", "Fasilitator",
                        "Target fasilitator", "%F", "Target desa"]
    assert table[1] == ["32", "Jawa Barat", "3", "1", "1", "3", "33,3", "100"]
    assert table[2] == ["35", "Jawa Timur", "0", "0", "0", "", "", ""]
    assert table[-1] == ["", "Total", "3", "1", "1", "3", "33,3", "100"]


def test_csv_english_commas_and_the_village_columns_once_counted():
    figures = (*FIGS, "villages")
    rows = rows_for({"enrolled": {}, "villages": {"32": 15}}, {"32": (40, None)})
    data = rollup.rollup_csv(rows, rollup.totals(rows, figures, "Total"), figures=figures,
                             headers=HEADERS, locale="en")
    table = read(data, ",")
    assert table[0][-3:] == ["Desa", "Target desa", "%D"]
    assert table[1][-3:] == ["15", "40", "37.5"]


def test_csv_defuses_cells_a_spreadsheet_would_run():
    rows = rollup.build_rows([("32", "=HYPERLINK(\"x\")")], {"enrolled": {"32": 1}}, {},
                             name_of=str, unknown_label="@Unknown")
    rows += rollup.build_rows([], {"enrolled": {None: 1}}, {}, name_of=str,
                              unknown_label="@Unknown")
    data = rollup.rollup_csv(rows, rollup.totals(rows, ("enrolled",), "+Total"),
                             figures=("enrolled",), headers=HEADERS, locale="en")
    cells = [c for row in read(data, ",") for c in row]
    assert "'=HYPERLINK(\"x\")" in cells and "'@Unknown" in cells and "'+Total" in cells
    assert not any(c[:1] in ("=", "+", "@") for c in cells)


@pytest.mark.parametrize(("text", "expected"), [
    ("120", 120), (" 0 ", 0), ("1.200", 1200), ("1,200", 1200), ("2.500.000", 2500000),
    ("-3", None), ("1,5", None), ("12.5", None), ("1.200,5", None), ("dua", None), ("", None),
    (None, None), ("1234567890", None), ("1e3", None), ("١٢", None)])
def test_a_target_as_people_type_it(text, expected):
    assert rollup.parse_target(text) == expected
