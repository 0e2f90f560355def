"""Pure import/export formats for questions: GIFT, Aiken, Moodle XML.

`detect_format(data, name)` names the format of an uploaded file: by its name first —
`.xml` Moodle XML, `.gift` and `.gift.txt` GIFT, `.aiken` and `.aiken.txt` (Moodle's own naming)
Aiken — and for any other name (`.txt`, none) by its content: XML when it starts with `<?xml`
or `<quiz`, Aiken when it has `ANSWER:` lines (at least as many as GIFT answer blocks `{`),
else GIFT.
"""

from __future__ import annotations

import re

FORMATS = ("gift", "aiken", "moodle_xml")
FORMAT_LABELS = {"gift": "GIFT", "aiken": "Aiken", "moodle_xml": "Moodle XML"}
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|quiz[\s>])")


def detect_format(data: bytes, name: str = "") -> str:
    """"gift", "aiken" or "moodle_xml" for a file called `name` holding `data`."""
    lower = (name or "").lower()
    if lower.endswith(".xml"):
        return "moodle_xml"
    if lower.endswith((".aiken", ".aiken.txt")):
        return "aiken"
    if lower.endswith((".gift", ".gift.txt")):
        return "gift"
    if _XML_START.match(data[:512]):
        return "moodle_xml"
    from lms.quizzes.formats.aiken import looks_like_aiken

    text = data.decode("utf-8", "replace") if isinstance(data, bytes | bytearray) else str(data)
    return "aiken" if looks_like_aiken(text) else "gift"
