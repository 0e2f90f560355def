"""Reading a question file's bytes safely, before any parser sees them (pure).

Every path that imports questions (the CLI, the authoring upload and its confirm step) goes
through `decode_text` (GIFT, Aiken) or `check_file` (Moodle XML), so a file is refused *before*
parsing when it is:

* larger than the limit (`MAX_TEXT_BYTES` for GIFT and Aiken, `MAX_XML_BYTES` for Moodle XML,
  which carries its images);
* not text: a PDF, a Word/Excel/LibreOffice file (zip or OLE), RTF, an image, or mostly control
  bytes;
* UTF-16 or UTF-32 (with or without a byte order mark: Windows "Unicode" text);
* neither UTF-8 nor Windows-1252 (the bytes Windows-1252 leaves undefined).

A text file may still hold a few control characters (NUL, a Word line break U+000B, ...):
`control_problems(text)` names each line that has one, and the parsers report them as problems,
so the import stops with the lines to fix. Tabs and line breaks are fine.

`BankFileError.reason` is one of REASONS (pages translate it); `str(error)` is English.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_CONTROL_LINES = 20

REASONS = ("too_large", "empty", "pdf", "office", "rtf", "image", "binary", "utf16", "encoding")
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "office"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
)
_MESSAGES = {
    "too_large": "the file is larger than {limit} MB; split it into smaller files",
    "empty": "the file is empty",
    "pdf": "this is a PDF file, not a question file; export the questions from Moodle as GIFT, "
           "Aiken or Moodle XML",
    "office": "this is a Word, Excel or LibreOffice file, not a question file; save it as plain "
              "text (UTF-8) or export the questions from Moodle",
    "rtf": "this is an RTF document, not a question file; save it as plain text (UTF-8)",
    "image": "this is an image, not a question file",
    "binary": "this is not a text file (it is mostly control bytes)",
    "utf16": "the file is UTF-16 (Windows \"Unicode\") text; save it as UTF-8",
    "encoding": "the file is neither UTF-8 nor Windows-1252 text; save it as UTF-8",
}
# Control characters that have no place in a question file (tab, LF, CR are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


class BankFileError(ValueError):
    """A question file refused as a whole; `reason` is one of REASONS."""

    def __init__(self, reason: str, *, limit: int = MAX_TEXT_BYTES) -> None:
        self.reason = reason
        self.limit_mb = limit // (1024 * 1024)
        super().__init__(_MESSAGES[reason].format(limit=self.limit_mb))


def sniff(data: bytes) -> str | None:
    """The reason `data` is not a text file at all, or None."""
    head = data[:8]
    for signature, reason in _SIGNATURES:
        if head.startswith(signature):
            return reason
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (
        b"\xff\xfe", b"\xfe\xff"
    ):
        return "utf16"
    sample = data[:8192]
    if sample.count(0) * 4 >= len(sample) >= 8:
        # Every other byte NUL: UTF-16 without a byte order mark.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) * 2 >= len(sample) // 2:
            return "utf16"
        return "binary"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls * 10 > len(sample):
        return "binary"
    return None


def check_file(data: bytes, *, limit: int = MAX_TEXT_BYTES) -> None:
    """Refuse (BankFileError) a file that is too large, empty, or not text at all."""
    if len(data) > limit:
        raise BankFileError("too_large", limit=limit)
    if not data.strip():
        raise BankFileError("empty")
    reason = sniff(data)
    if reason:
        raise BankFileError(reason, limit=limit)


def decode_text(data: str | bytes, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Text of a GIFT or Aiken file: UTF-8 (a BOM is dropped), else Windows-1252; \\n line
    breaks. Refuses what `check_file` refuses, and bytes that are neither encoding."""
    if isinstance(data, str):
        if len(data) > limit or len(data.encode("utf-8", "surrogatepass")) > limit:
            raise BankFileError("too_large", limit=limit)
        text = data
    else:
        data = bytes(data)
        if not data.strip():
            return ""
        check_file(data, limit=limit)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if _CP1252_UNDEFINED.search(data):
                raise BankFileError("encoding", limit=limit) from None
            text = data.decode("cp1252")
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _char_name(c: str) -> str:
    names = {"\x00": "NUL", "\x0b": "vertical tab (a Word line break)", "\x0c": "form feed",
             "\x1b": "ESC", "\x7f": "DEL"}
    return names.get(c) or unicodedata.name(c, "control character")


def control_problems(text: str) -> list[tuple[int, str]]:
    """(line, message) for each line holding a control character (at most MAX_CONTROL_LINES
    lines are named; one more problem says how many lines there are in all)."""
    found = list(_CONTROL.finditer(text))
    if not found:
        return []
    breaks = [m.start() for m in re.finditer("\n", text)]
    problems: list[tuple[int, str]] = []
    lines: set[int] = set()
    for m in found:
        line = bisect.bisect_right(breaks, m.start()) + 1
        if line in lines:
            continue
        lines.add(line)
        if len(problems) < MAX_CONTROL_LINES:
            c = m.group(0)
            problems.append((line, f"control character U+{ord(c):04X} ({_char_name(c)}) in the "
                                   "text; remove it (question files are plain text)"))
    if len(lines) > MAX_CONTROL_LINES:
        problems.append((min(lines), f"control characters on {len(lines)} lines in all; is this "
                                     "really a text file?"))
    return problems
