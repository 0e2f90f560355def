"""Read a participant list (CSV) for a cohort: parse and validate every row, write nothing.

Pure: no Flask, no database. The caller decides which valid rows are new or existing accounts.
Spreadsheet programs differ, so the reader accepts UTF-8 with or without a byte-order mark (and
falls back to Windows-1252, which older Excel versions export), `,`, `;` or tab as separator
(guessed from the header line), header names in English or Indonesian in any letter case, and
skips empty lines. Regions may be given by Kemendagri code (``32``, ``32.04``) or by name
(``Jawa Barat``, ``Kabupaten Bandung``, ``Kab. Bandung``), case-insensitively.

Every problem names the spreadsheet row (the header is row 1) and the column, as a code with
parameters; the web page turns codes into translated sentences (`PROBLEM_CODES`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from lms import regions

MAX_ROWS = 1000
MAX_BYTES = 512 * 1024

# Canonical column -> accepted header spellings (lower case, single spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "full_name", "nama", "nama lengkap", "nama_lengkap"),
    "email": ("email", "e-mail", "email address", "surel", "alamat email", "alamat surel"),
    "library": ("library", "library name", "library_name", "perpustakaan", "nama perpustakaan",
                "nama_perpustakaan"),
    "province": ("province", "provinsi", "province code", "kode provinsi"),
    "regency": ("regency", "regency/city", "city", "kabupaten", "kota", "kabupaten/kota",
                "kab/kota", "regency code", "kode kabupaten"),
}
REQUIRED = ("name", "email")
MAX_LENGTH = {"name": 200, "email": 254, "library": 200}

# Every problem code the reader reports (params in brackets):
PROBLEM_CODES = (
    "empty_file", "too_big", "too_many_rows",  # file-level [max]
    "missing_column",  # header row: a required column is absent
    "duplicate_column",  # header row: two columns mean the same thing
    "required",  # an empty name or email
    "invalid_email",
    "duplicate_email",  # [first_row]
    "too_long",  # [max]
    "unknown_province", "unknown_regency",
    "ambiguous_regency",  # a bare name matching a kabupaten and a kota
    "regency_not_in_province",
)

EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]{2,}$")
_REGENCY_PREFIXES = (("kabupaten ", "kabupaten "), ("kab. ", "kabupaten "), ("kab ", "kabupaten "),
                     ("kota ", "kota "))


@dataclass
class Problem:
    row: int  # spreadsheet row: 1 is the header
    column: str  # canonical column name ("" for the whole file)
    code: str
    params: dict = field(default_factory=dict)
    value: str = ""


@dataclass
class Row:
    row: int
    name: str = ""
    email: str = ""
    library: str = ""
    province_code: str | None = None
    regency_code: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ParseResult:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # file-level and header problems
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.ok for r in self.rows)

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for r in self.rows for p in r.problems)]


def _norm(text: str) -> str:
    return " ".join((text or "").replace("\u00a0", " ").split()).lower()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def guess_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def resolve_province(value: str) -> str | None:
    """The province code for a code or a name (any case, optional "Provinsi"), or None."""
    v = _norm(value)
    for prefix in ("provinsi ", "prov. ", "prov "):
        if v.startswith(prefix):
            v = v[len(prefix):]
    for r in regions.provinces():
        if v in (r.code, _norm(r.name)):
            return r.code
    return None


def _regency_candidates(value: str, province_code: str | None) -> list[regions.Region]:
    v = _norm(value)
    provinces = [province_code] if province_code else [p.code for p in regions.provinces()]
    everything = [r for p in provinces for r in regions.regencies(p)]
    by_code = [r for r in everything if r.code == v]
    if by_code:
        return by_code
    wanted = v
    for prefix, full in _REGENCY_PREFIXES:
        if v.startswith(prefix):
            wanted = full + v[len(prefix):]
            break
    exact = [r for r in everything if _norm(r.name) == wanted]
    if exact:
        return exact
    # A bare name ("Bandung") matches "Kabupaten Bandung" and "Kota Bandung".
    return [r for r in everything
            if _norm(r.name) in (f"kabupaten {wanted}", f"kota {wanted}")]


def _check_regency(row: Row, value: str) -> None:
    found = _regency_candidates(value, row.province_code)
    if len(found) == 1:
        row.regency_code = found[0].code
        return
    if len(found) > 1:
        row.problems.append(Problem(row.row, "regency", "ambiguous_regency", value=value))
        return
    if row.province_code and _regency_candidates(value, None):
        row.problems.append(Problem(row.row, "regency", "regency_not_in_province", value=value))
    else:
        row.problems.append(Problem(row.row, "regency", "unknown_regency", value=value))


def parse(data: bytes) -> ParseResult:
    """Parse and validate a participant list; every problem is reported, nothing is written."""
    result = ParseResult()
    if len(data) > MAX_BYTES:
        result.problems.append(Problem(0, "", "too_big", {"max": MAX_BYTES // 1024}))
        return result
    text, result.encoding = decode(data)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip(" ,;\t")), None)
    if first is None:
        result.problems.append(Problem(0, "", "empty_file"))
        return result
    result.delimiter = guess_delimiter(first)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter))
    except csv.Error:  # e.g. a cell over the csv module's field limit
        result.problems.append(Problem(0, "", "unreadable"))
        return result
    # Leading empty lines: the header is the first non-empty record.
    start = next(i for i, rec in enumerate(records) if any(c.strip() for c in rec))
    header_row = start + 1
    columns: dict[str, int] = {}
    for index, raw in enumerate(records[start]):
        key = _norm(raw)
        for canonical, spellings in COLUMNS.items():
            if key in spellings:
                if canonical in columns:
                    result.problems.append(Problem(header_row, canonical, "duplicate_column",
                                                   value=raw))
                else:
                    columns[canonical] = index
    for needed in REQUIRED:
        if needed not in columns:
            result.problems.append(Problem(header_row, needed, "missing_column"))
    if result.problems:
        return result
    data_records = [(i + 1, rec) for i, rec in enumerate(records) if i > start
                    and any(c.strip() for c in rec)]
    if len(data_records) > MAX_ROWS:
        result.problems.append(Problem(0, "", "too_many_rows", {"max": MAX_ROWS}))
        return result
    first_seen: dict[str, int] = {}
    for number, rec in data_records:
        def cell(name: str, rec=rec) -> str:
            i = columns.get(name)
            return " ".join(rec[i].split()) if i is not None and i < len(rec) else ""

        row = Row(number, name=cell("name"), email=cell("email").lower(), library=cell("library"))
        for col in ("name", "email"):
            if not getattr(row, col):
                row.problems.append(Problem(number, col, "required"))
        for col, limit in MAX_LENGTH.items():
            if len(getattr(row, col)) > limit:
                row.problems.append(Problem(number, col, "too_long", {"max": limit}))
        if row.email and not EMAIL_RE.match(row.email):
            row.problems.append(Problem(number, "email", "invalid_email", value=row.email))
        elif row.email in first_seen:
            row.problems.append(Problem(number, "email", "duplicate_email",
                                        {"first_row": first_seen[row.email]}, value=row.email))
        elif row.email:
            first_seen[row.email] = number
        province = cell("province")
        if province:
            row.province_code = resolve_province(province)
            if row.province_code is None:
                row.problems.append(Problem(number, "province", "unknown_province", value=province))
        regency = cell("regency")
        if regency and not (province and row.province_code is None):
            _check_regency(row, regency)
            if row.regency_code and not row.province_code:
                row.province_code = row.regency_code.split(".")[0]
        result.rows.append(row)
    return result
