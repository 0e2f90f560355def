"""Classifying and finding URLs in module Markdown."""

import pytest

from lms.content import classify_reference, find_references


@pytest.mark.parametrize(
    ("url", "kind", "path", "slug", "fragment"),
    [
        ("#bagian", "anchor", None, None, "bagian"),
        ("https://example.org/x", "external", None, None, None),
        ("mailto:a@b.id", "external", None, None, None),
        ("javascript:alert(1)", "scheme", None, None, None),
        ("file:///etc/passwd", "scheme", None, None, None),
        ("/etc/passwd", "absolute", None, None, None),
        ("//evil.example/x.png", "absolute", None, None, None),
        ("../../x.png", "escape", "../x.png", None, None),
        ("media/../../x", "escape", "../x", None, None),
        ("02-praktik.md#langkah", "module", "modules/02-praktik.md", "praktik", "langkah"),
        ("praktik.md", "module", "modules/praktik.md", "praktik", None),
        ("./01-a.md", "module", "modules/01-a.md", "a", None),
        ("../media/foto.png", "media", "media/foto.png", None, None),
        ("media/foto%20baru.png", "media", "media/foto baru.png", None, None),
        ("<../media/x.pdf#page=2>", "media", "media/x.pdf", None, "page=2"),
        ("../quizzes/a.toml", "other", "quizzes/a.toml", None, None),
        ("Intro.md", "other", "modules/Intro.md", None, None),
    ],
)
def test_classify_reference(url, kind, path, slug, fragment):
    ref = classify_reference(url)
    assert (ref.kind, ref.path, ref.slug, ref.fragment) == (kind, path, slug, fragment)


def test_find_references_skips_code_and_reports_lines():
    text = (
        "![a](../media/a.png)\n"
        "teks [b](02-b.md) dan `[c](c.md)`\n"
        "```\n[d](d.md)\n```\n"
        '[e]: ../media/e.pdf "E"\n'
        "<img src=\"../media/f.png\"> <a href='g.md'>g</a>\n"
        "~~~~\n![h](h.png)\n~~~~\n"
    )
    found = [(r.line, r.url, r.image) for r in find_references(text)]
    assert found == [
        (1, "../media/a.png", True),
        (2, "02-b.md", False),
        (6, "../media/e.pdf", False),
        (7, "../media/f.png", True),
        (7, "g.md", False),
    ]
