"""The cascade's rules that need no database (pure): the edit window of a field activity,
the gap that marks an inactive facilitator, participant counts, village codes, attachments.

An attachment is checked by its first bytes with the evidence-upload checks
(`lms.quizzes.uploads.detect_kind`), narrowed to what a field report needs: a photo (JPEG,
PNG), a PDF, an attendance list as CSV or XLSX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.quizzes.uploads import detect_kind, sanitise_filename

TRAINING = "training"
MENTORING = "mentoring"
KINDS = (TRAINING, MENTORING)

# A facilitator may change an activity for 7 days after recording it; then it is locked.
EDIT_WINDOW = timedelta(days=7)
# A certified facilitator with no activity for this many days is a gap in the tree.
GAP_DAYS = 60

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
MAX_COUNT = 100_000


def editable_until(created_at: datetime) -> datetime:
    return created_at + EDIT_WINDOW


def is_locked(created_at: datetime, now: datetime) -> bool:
    """Whether the edit window of an activity recorded at `created_at` has closed."""
    return now >= editable_until(created_at)


def is_gap(last_activity: date | None, today: date, since: date | None = None) -> bool:
    """A facilitator with no activity in the last GAP_DAYS days — counted from the day they
    became a facilitator (`since`) when they have recorded nothing yet, so a facilitator made
    yesterday is not a gap; with neither date, a gap."""
    start = last_activity or since
    return start is None or (today - start).days > GAP_DAYS


def count_problem(women: int | None, men: int | None) -> str | None:
    """None when the counts are whole numbers >= 0 with at least one participant, else a code:
    "negative", "too_many" or "empty"."""
    if women is None or men is None or women < 0 or men < 0:
        return "negative"
    if women > MAX_COUNT or men > MAX_COUNT:
        return "too_many"
    if women + men == 0:
        return "empty"
    return None


def date_problem(day: date | None, today: date) -> str | None:
    """None for a date not in the future (in the facilitator's zone), else "future"/"missing"."""
    if day is None:
        return "missing"
    if day > today:
        return "future"
    return None


def split_village(code: str) -> tuple[str, str]:
    """(province code, regency code) of a village code: "32.76.01.1006" -> ("32", "32.76")."""
    if not VILLAGE_CODE.match(code or ""):
        raise ValueError(f"not a village code: {code!r}")
    pieces = code.split(".")
    return pieces[0], ".".join(pieces[:2])


# --------------------------------------------------------------------------- attachments


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str


KINDS_ALLOWED = {
    "jpeg": ("image/jpeg", ("jpg", "jpeg")),
    "png": ("image/png", ("png",)),
    "pdf": ("application/pdf", ("pdf",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "csv": ("text/csv", ("csv",)),
}
ACCEPT = ",".join(f".{ext}" for _m, exts in KINDS_ALLOWED.values() for ext in exts)


class AttachmentRefused(ValueError):
    """`reason`: "empty", "too_large", "type" (not an allowed type) or "mismatch" (the content
    is not what the name says)."""

    def __init__(self, reason: str, filename: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.reason, self.filename = reason, filename


def check_attachment(filename: str, data: bytes,
                     max_bytes: int = MAX_ATTACHMENT_BYTES) -> Attachment:
    """A photo (JPEG/PNG), PDF, CSV or XLSX, recognised by its content and its extension."""
    clean = sanitise_filename(filename)
    shown = clean or "file"
    if not data:
        raise AttachmentRefused("empty", shown)
    if len(data) > max_bytes:
        raise AttachmentRefused("too_large", shown)
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    claimed = next((k for k, (_m, exts) in KINDS_ALLOWED.items() if ext in exts), None)
    if claimed is None:
        raise AttachmentRefused("type", shown)
    detected = detect_kind(data)
    if detected == "txt":  # a CSV is plain text with the .csv extension
        detected = "csv"
    if detected != claimed:
        raise AttachmentRefused("mismatch", shown)
    return Attachment(clean, KINDS_ALLOWED[claimed][0])
