"""Markdown to sanitised HTML for module pages, with link and media rewriting."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
import nh3

from .references import classify_reference

EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists"]
EXTENSION_CONFIGS = {
    # baselevel 2: the page title is the only <h1>; a "# Heading" in a module becomes <h2>.
    "toc": {"permalink": True, "permalink_title": "Tautan ke bagian ini", "baselevel": 2},
    "tables": {"use_align_attribute": True},
}

ADMONITION_TYPES = {
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "danger",
    "attention",
    "error",
    "info",
    "example",
    "question",
    "success",
    "failure",
    "bug",
    "abstract",
    "quote",
}
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "blockquote",
    "a",
    "img",
    "div",
    "details",
    "summary",
    "hr",
    "br",
    "em",
    "strong",
    "sup",
    "sub",
    "abbr",
}
ALLOWED_ATTRIBUTES = {
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
}
ALLOWED_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
}
ALLOWED_CLASSES = {
    "div": {"admonition"} | ADMONITION_TYPES,
    "p": {"admonition-title"},
    "a": {"headerlink"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTERNAL_REL = "noopener noreferrer nofollow"

_TAG = re.compile(r"<(a|img)((?:\s+[^\s=>/]+(?:=\"[^\"]*\")?)*)\s*/?>")
_ATTR = re.compile(r"([^\s=>/]+)(?:=\"([^\"]*)\")?")
_SAFE_URL = re.compile(r"^(?:(?:https?|mailto|tel):|[^:]*$)", re.IGNORECASE)

ModuleUrl = Callable[[str, str | None], str]
MediaUrl = Callable[[str], str]
MediaSize = Callable[[str], tuple[int, int] | None]


def render_markdown(
    text: str,
    *,
    module_url: ModuleUrl,
    media_url: MediaUrl,
    media_size: MediaSize | None = None,
    module_dir: str = "modules",
) -> tuple[str, list[dict]]:
    """Render module Markdown to (sanitised HTML, table of contents [{id, name, level}]).

    Links to modules (`NN-slug.md#anchor` or `slug.md`) go through `module_url(slug, anchor)`;
    media references (`../media/x.png` or `media/x.png`) through `media_url("media/x.png")`.
    """
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    raw_html = md.convert(text)
    toc = _flatten_toc(getattr(md, "toc_tokens", []))

    media_by_url: dict[str, str] = {}

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in (("a", "href"), ("img", "src")):
            return value
        ref = classify_reference(value, module_dir)
        if ref.kind == "module" and tag == "a":
            new = module_url(ref.slug or "", ref.fragment)
        elif ref.kind == "media" and ref.path:
            new = media_url(ref.path)
            if ref.fragment:
                new += "#" + ref.fragment
            media_by_url[new] = ref.path
        else:
            return value
        # nh3 checks URL schemes before this filter runs, so re-check what we produce.
        return new if _SAFE_URL.match(new) else None

    clean = clean_html(raw_html, attribute_filter=rewrite)
    return _decorate(clean, media_by_url, media_size), toc


def clean_html(raw_html: str, *, attribute_filter: Callable | None = None) -> str:
    """HTML reduced to the module pages' allow-list (nh3): the ONE sanitiser of course texts —
    rendered Markdown and HTML imported from question banks alike."""
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        link_rel=None,
        tag_attribute_values=ALLOWED_VALUES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
    )


def _decorate(clean: str, media_by_url: dict[str, str], media_size: MediaSize | None) -> str:
    """Add lazy loading and sizes to images, rel/target to external links and aria-hidden to
    heading permalinks."""

    def replace(match: re.Match[str]) -> str:
        tag, attrs_text = match.group(1), match.group(2)
        attrs = {m.group(1): html.unescape(m.group(2) or "") for m in _ATTR.finditer(attrs_text)}
        extra = ""
        if tag == "img":
            extra += ' loading="lazy"'
            path = media_by_url.get(attrs.get("src", ""))
            if path and media_size and "width" not in attrs and "height" not in attrs:
                size = media_size(path)
                if size:
                    extra += f' width="{int(size[0])}" height="{int(size[1])}"'
        elif tag == "a":
            href = attrs.get("href", "").lower()
            if href.startswith(("http://", "https://")):
                extra += f' rel="{EXTERNAL_REL}" target="_blank"'
            if attrs.get("class") == "headerlink":
                # The toc extension's "¶" permalink: a pointer convenience, hidden from screen
                # readers and the tab order so a heading's accessible name is its text alone.
                # Added after sanitising: authors cannot hide anything themselves.
                extra += ' aria-hidden="true" tabindex="-1"'
        return f"<{tag}{attrs_text}{extra}>"

    return _TAG.sub(replace, clean)


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    out: list[dict] = []
    for token in tokens:
        out.append(
            {"id": token["id"], "name": html.unescape(token["name"]), "level": token["level"]}
        )
        out.extend(_flatten_toc(token.get("children", [])))
    return out
