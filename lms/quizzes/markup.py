"""Question texts between formats (pure): what an imported text becomes, and how the short texts
of a question (options, matching and ordering items, feedback) are shown.

A course pack's question texts are **Markdown** (which may hold HTML, sanitised when shown), so
every imported text is converted once, when it is imported, by its own format (GIFT's
`[html]`/`[markdown]`/`[plain]`/`[moodle]` markers, Moodle XML's `format` attribute):

* `markdown` — kept as it is;
* `html` — sanitised with nh3 (the allow-list of module pages; `<b>`/`<i>` become
  `<strong>`/`<em>`), line breaks outside `<pre>` folded, and the characters Markdown would read
  (`* _ \\ [ ] `` ` ``) written as character references, so the HTML shows exactly as in Moodle;
* `moodle` (Moodle's auto-format) — HTML whose line breaks are kept as `<br>`;
* `plain` — shown literally: `& < >` become character references and Markdown's characters are
  escaped with a backslash (Aiken is plain text: `<html class="cool">` stays visible).

Short texts are shown with `inline_html` (inline Markdown: emphasis, code, links; no headings
or lists, paragraphs joined by line breaks; sanitised) and, where HTML cannot go — an
`<option>` of a matching or ordering question, the right answer in a review — with
`plain_text` (the same text without any markup: `*flashdisk*` shows as "flashdisk").
"""

from __future__ import annotations

import contextvars
import html
import re
import threading
from collections.abc import Callable
from functools import lru_cache

import markdown
import nh3

from lms.content.render import (
    URL_SCHEMES,
    clean_html,
)

TEXT_FORMATS = ("markdown", "html", "moodle", "plain")
INLINE_TAGS = {"a", "abbr", "br", "code", "em", "strong", "sub", "sup", "img"}
INLINE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
}
LINK_REL = "noopener noreferrer nofollow"

_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_SIMPLE_TOKEN = re.compile(
    r"<(?P<slash>/?)(?P<name>p|br|strong|em|b|i|code|sub|sup)\s*/?>"
    r"|(?P<entity>&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)"
    r"|(?P<other>[<&])",
    re.IGNORECASE,
)
_SIMPLE_RENAME = {"b": "strong", "i": "em"}
_RENAME = re.compile(r"<(/?)(b|i)(?=[\s>/])", re.IGNORECASE)
_PROTECT = {"\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;"}
_PROTECT_RE = re.compile(r"[\\`*_\[\]]")
_PLAIN_ESCAPE = re.compile(r"([\\`*_\[\]])")
_LIST_START = re.compile(r"^(\s*\d+)([.)])(\s)")
_BLOCK_START = re.compile(r"^(#{1,6}(?:\s|$)|>|[-+*](?:\s|$)|=+\s*$|-+\s*$)")
_NUMBERED = re.compile(r"^(\d+)([.)])(\s|$)")
_BLOCK_END = re.compile(
    r"</(?:p|li|h[1-6]|div|blockquote|tr|pre|table|ul|ol|details|summary)>|<hr\s*/?>",
    re.IGNORECASE,
)
_BREAKS = re.compile(r"(?:\s*<br\s*/?>\s*)+")
_ANY_TAG = re.compile(r"<[^>]*>")

_local = threading.local()

# Where a page's media live ("/courses/<slug>/v<version id>/"): set by the quiz pages for the
# attempt's course version so an image in an option, item or feedback (`../media/x.png`) loads,
# as it does in the question text (rendered when the version is imported). None: left as written.
_media_base: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "quiz_media_base", default=None)


def set_media_base(base: str | None) -> None:
    """Resolve `media/...` references of short texts against `base` (None: stop resolving)."""
    _media_base.set(base.rstrip("/") + "/" if base else None)


def media_base() -> str | None:
    return _media_base.get()


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=["sane_lists"])
    md.reset()
    return md


# ------------------------------------------------------------------ imported text -> Markdown


def _escape_block(line: str) -> str:
    """A line (without leading space) that Markdown cannot read as a heading, list or quote."""
    line = _BLOCK_START.sub(lambda m: "\\" + m.group(1), line, count=1)
    return _NUMBERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}{m.group(3)}", line, count=1)


def _simple_html(text: str) -> str | None:
    """`text` unchanged (but `<b>`/`<i>` renamed, `>` escaped) when it holds only balanced,
    attribute-free tags of a few kinds and well-formed character references — what most
    exported answers look like (`<p>Jakarta</p>`); None when it needs the full sanitiser."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _SIMPLE_TOKEN.finditer(text):
        out.append(text[pos:m.start()].replace(">", "&gt;"))
        pos = m.end()
        if m.group("entity"):
            out.append(m.group("entity"))
            continue
        if m.group("other"):
            return None
        closing, name = m.group("slash"), m.group("name").lower()
        name = _SIMPLE_RENAME.get(name, name)
        if name == "br":
            if closing:
                return None
            out.append("<br>")
            continue
        if closing:
            if not stack or stack.pop() != name:
                return None
        else:
            stack.append(name)
        out.append(f"<{closing}{name}>")
    out.append(text[pos:].replace(">", "&gt;"))
    return None if stack else "".join(out)


def sanitise_html(text: str) -> str:
    """HTML reduced to what module pages allow (the pack's Markdown renderer allow-list)."""
    simple = _simple_html(text)
    if simple is not None:
        return simple
    text = _RENAME.sub(lambda m: f"<{m.group(1)}{'strong' if m.group(2).lower() == 'b' else 'em'}",
                       text)
    return clean_html(text)


def html_to_markdown(text: str, *, keep_line_breaks: bool = False) -> str:
    """Sanitised HTML that the Markdown renderer shows exactly as HTML (see the docstring).

    `keep_line_breaks` (Moodle's auto-format): line breaks in the text become `<br>`."""
    if keep_line_breaks:
        text = "<br>\n".join(text.replace("\r\n", "\n").split("\n"))
    clean = sanitise_html(text)
    out: list[str] = []
    in_pre = 0
    for part in _TAG_SPLIT.split(clean):
        if part.startswith("<"):
            name = part[1:].split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if name == "pre":
                in_pre += 1
            elif name == "/pre":
                in_pre = max(0, in_pre - 1)
            out.append(part)
            continue
        if not in_pre:
            part = re.sub(r"\s*\n\s*", " ", part)
        out.append(_PROTECT_RE.sub(lambda m: _PROTECT[m.group(0)], part))
    result = "".join(out).strip()
    # Text starting like a Markdown list or heading ("1. ", "# ", "- ") is not one in HTML.
    if result and not result.startswith("<"):
        result = _LIST_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};{m.group(3)}", result)
        if result[:1] in "#-+=":
            result = f"&#{ord(result[0])};{result[1:]}"
    return result


_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def plain_to_markdown(text: str, *, minimal: bool = False) -> str:
    """Plain text that the Markdown renderer shows literally (see the docstring).

    `minimal`: `&` and `<` are written as references only where Markdown would read them as a
    character reference or a tag ("Teh & kopi" stays as typed; "&amp;" becomes "&amp;amp;")."""
    text = text.replace("\r\n", "\n")
    if minimal:
        text = _TAG_START.sub("&lt;", _ENTITY_START.sub("&amp;", text))
    else:
        text = html.escape(text, quote=False)
    text = _PLAIN_ESCAPE.sub(r"\\\1", text)
    lines = []
    for line in text.split("\n"):
        lines.append(_escape_block(line.strip()))
    out = "\n".join(lines).strip()
    if "\n" in out:
        out = out.replace("|", "&#124;")  # no Markdown table out of plain lines
    return out


@lru_cache(maxsize=4096)
def to_markdown(text: str, fmt: str | None) -> str:
    """`text` in format `fmt` (one of TEXT_FORMATS, None = Markdown) as pack Markdown."""
    if not text.strip():
        return ""
    if fmt == "html":
        return html_to_markdown(text)
    if fmt == "moodle":
        return html_to_markdown(text, keep_line_breaks=True)
    if fmt == "plain":
        return plain_to_markdown(text)
    return text


# ------------------------------------------------------------------ showing short texts


def _inline_source(text: str) -> str:
    """Markdown whose block syntax (headings, lists, quotes) is escaped: only inline remains."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("<"):
            lines.append(stripped)  # raw HTML (an imported <p>...</p>) stays HTML
            continue
        lines.append(_escape_block(stripped))
    return "\n".join(lines)


def _render_inline(text: str, media_url: Callable[[str], str] | None) -> str:
    raw = _markdown().convert(_inline_source(text))
    raw = _BLOCK_END.sub("<br>", raw)

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if media_url is not None and (tag, attribute) == ("img", "src"):
            from lms.content.references import classify_reference

            ref = classify_reference(value, "quizzes")
            if ref.kind == "media" and ref.path:
                return media_url(ref.path)
        return value

    clean = nh3.clean(
        raw,
        tags=INLINE_TAGS,
        clean_content_tags={"script", "style"},
        attributes=INLINE_ATTRIBUTES,
        attribute_filter=rewrite,
        link_rel=LINK_REL,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
    )
    clean = _BREAKS.sub("<br>", clean).strip()
    clean = re.sub(r"^(?:<br>)+|(?:<br>)+$", "", clean).strip()
    return clean


@lru_cache(maxsize=8192)
def _inline_cached(text: str) -> str:
    return _render_inline(text, None)


def inline_html(text: object, media_url: Callable[[str], str] | None = None) -> str:
    """A short Markdown text (an option, an item, feedback) as sanitised inline HTML.

    Media references (`../media/x.png`) go through `media_url`, else against the base set with
    `set_media_base` (the quiz pages set the attempt's course version)."""
    if not isinstance(text, str) or not text:
        return ""
    if media_url is not None:
        return _render_inline(text, media_url)
    base = _media_base.get()
    if base is not None and "media/" in text:
        return _inline_with_base(text, base)
    return _inline_cached(text)


@lru_cache(maxsize=4096)
def _inline_with_base(text: str, base: str) -> str:
    return _render_inline(text, lambda path: base + path)


def has_image(text: object) -> bool:
    """True when a short text shows an image (which an <option> cannot show)."""
    return isinstance(text, str) and "<img" in _inline_cached(text)


def plain_text(text: object) -> str:
    """A short Markdown text without any markup ("*flashdisk*" -> "flashdisk")."""
    if not isinstance(text, str) or not text:
        return ""
    return _plain_cached(text)


_IMG_ALT = re.compile(r'\balt="([^"]*)"')
_IMG_SRC = re.compile(r'\bsrc="([^"]*)"')


def _image_words(match: re.Match[str]) -> str:
    """An image as words: its alt text, else its file name ("peta.png")."""
    alt = _IMG_ALT.search(match.group(0))
    if alt and alt.group(1).strip():
        return f" {alt.group(1)} "
    src = _IMG_SRC.search(match.group(0))
    name = src.group(1).rsplit("/", 1)[-1] if src else ""
    return f" {name} " if name else " "


@lru_cache(maxsize=8192)
def _plain_cached(text: str) -> str:
    shown = _BREAKS.sub(" ", _inline_cached(text))
    shown = re.sub(r"<img[^>]*>", _image_words, shown)
    return " ".join(html.unescape(_ANY_TAG.sub("", shown)).split())
