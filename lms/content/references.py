"""Find and classify links and image references in module Markdown."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")
MODULE_FILE = re.compile(r"^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_MODULE_LINK = re.compile(r"^modules/(?:\d\d-)?([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


@dataclass(frozen=True)
class Reference:
    """What a URL in a module points at.

    kind is one of: anchor, external, module, media, other (another pack file),
    escape (leaves the pack), absolute, scheme (unsupported URL scheme).
    """

    kind: str
    url: str
    path: str | None = None
    slug: str | None = None
    fragment: str | None = None


def classify_reference(url: str, module_dir: str = "modules") -> Reference:
    """Classify `url` written in a file inside `module_dir` (pack-relative)."""
    url = url.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    if not url or url.startswith("#"):
        return Reference("anchor", url, fragment=url[1:] or None)
    try:
        parts = urlsplit(url)
    except ValueError:
        return Reference("scheme", url)
    if parts.scheme:
        if parts.scheme.lower() in EXTERNAL_SCHEMES:
            return Reference("external", url)
        return Reference("scheme", url)
    if parts.netloc or url.startswith("/") or url.startswith("\\"):
        return Reference("absolute", url)
    fragment = parts.fragment or None
    raw = unquote(parts.path).replace("\\", "/")
    if raw.startswith("media/"):
        path = posixpath.normpath(raw)
    else:
        path = posixpath.normpath(posixpath.join(module_dir, raw))
    if path == ".." or path.startswith("../") or path.startswith("/"):
        return Reference("escape", url, path=path, fragment=fragment)
    match = _MODULE_LINK.match(path)
    if match:
        return Reference("module", url, path=path, slug=match.group(1), fragment=fragment)
    if path.startswith("media/"):
        return Reference("media", url, path=path, fragment=fragment)
    return Reference("other", url, path=path, fragment=fragment)


@dataclass(frozen=True)
class FoundReference:
    """A URL found in Markdown source, with its 1-based line in that source."""

    line: int
    url: str
    image: bool


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE = re.compile(r"(!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^>\n]*>|[^\s)]+)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
_HTML_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_HTML_ATTR = re.compile(r"""\b(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _mask_code(text: str) -> str:
    """Blank out fenced code blocks and code spans, keeping line structure."""
    out = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            out.append("\n" if line.endswith("\n") else "")
            continue
        if fence is not None:
            if match and match.group(1).startswith(fence):
                fence = None
            out.append("\n" if line.endswith("\n") else "")
            continue
        out.append(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return "".join(out)


def find_references(markdown_text: str) -> list[FoundReference]:
    """Every link/image URL in Markdown (inline, reference definitions, raw HTML)."""
    text = _mask_code(markdown_text)
    found: list[tuple[int, str, bool]] = []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for match in _INLINE.finditer(text):
        found.append((match.start(2), match.group(2), match.group(1) == "!"))
    for match in _REFDEF.finditer(text):
        found.append((match.start(1), match.group(1), False))
    for tag in _HTML_TAG.finditer(text):
        for attr in _HTML_ATTR.finditer(tag.group(0)):
            value = next(v for v in attr.group(2, 3, 4) if v is not None)
            found.append((tag.start() + attr.start(), value, tag.group(1).lower() == "img"))
    found.sort(key=lambda item: item[0])
    return [FoundReference(line_of(pos), url, image) for pos, url, image in found]
