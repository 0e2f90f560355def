"""The cohort's progress table as CSV (pure: no Flask, no database).

UTF-8 with a byte-order mark, so Excel (which the trainers use) shows "Kabupaten Bandung" and
"Siti Aminah" right when the file is double-clicked; separated by semicolons for the Indonesian
interface (Excel set to Indonesian, whose list separator is ";", splits the columns) and by
commas for English — the rule of `lms.reports.exports`. A cell that a
spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

from lms import regions

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """A cell's text, defused if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def progress_csv(members, courses, progress: dict, completed_on: dict[tuple[int, int], date], *,
                 headers: dict[str, str], course_headers: Callable[[str], tuple[str, str]],
                 locale: str = "id") -> bytes:
    """One row per member: name, email, library, province, regency, then per course the
    percent done and the completion date (YYYY-MM-DD, empty if not completed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", delimiter=";" if locale == "id" else ",")
    head = [headers[k] for k in ("name", "email", "library", "province", "regency")]
    for cc in courses:
        head.extend(course_headers(cc.course.title(locale)))
    writer.writerow([safe(h) for h in head])
    for m in members:
        u = m.user
        row = [u.full_name, u.email, u.library_name or "",
               regions.name(u.province_code) if u.province_code else "",
               regions.name(u.regency_code) if u.regency_code else ""]
        for cc in courses:
            p = progress[(m.user_id, cc.course_id)]
            done = completed_on.get((m.user_id, cc.course_id))
            row.extend([p.percent, done.isoformat() if done else ""])
        writer.writerow([safe(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")
