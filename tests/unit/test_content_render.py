"""Markdown rendering: link/media rewriting, table of contents and sanitising."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content import render_markdown


def module_url(slug, anchor):
    return f"/kursus/x/modul/{slug}" + (f"#{anchor}" if anchor else "")


def media_url(path):
    return f"/kursus/x/{path}"


def render(text, **kwargs):
    return render_markdown(text, module_url=module_url, media_url=media_url, **kwargs)


def test_script_onerror_and_javascript_urls_are_neutralised():
    html, _ = render(
        "<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1))\n\n"
        '<a href="JaVaScRiPt:alert(1)" onclick="alert(1)" style="color:red">y</a>\n\n'
        '<p style="background:url(javascript:alert(1))">z</p>\n\n'
        '<iframe src="https://evil.example"></iframe><object data=x></object>\n\n'
        "![i](data:image/svg+xml;base64,PHN2Zz4=)\n"
    )
    lowered = html.lower()
    assert "<script" not in lowered and "alert(1)</script" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "style=" not in lowered
    assert "<iframe" not in lowered and "<object" not in lowered
    assert "data:" not in lowered
    assert "<img" in lowered  # the tag survives without the handler


def test_module_links_and_media_are_rewritten_with_sizes():
    text = (
        "# Judul\n\n"
        '![Foto](../media/foto.png "Judul foto")\n\n'
        "[lanjut](02-praktik.md#langkah-1) [awal](pengenalan.md) [pdf](media/a%20b.pdf#page=2)\n\n"
        '<img src="../media/foto.png" alt="mentah" width="10">\n'
    )
    sizes = {"media/foto.png": (640, 480)}
    html, _ = render(text, media_size=sizes.get)
    assert (
        '<img alt="Foto" src="/kursus/x/media/foto.png" title="Judul foto" loading="lazy" width="640" height="480">'
        in html
    )
    assert 'href="/kursus/x/modul/praktik#langkah-1"' in html
    assert 'href="/kursus/x/modul/pengenalan"' in html
    assert 'href="/kursus/x/media/a b.pdf#page=2"' in html
    # author-given width is kept; no second width added
    raw = re.search(r'<img[^>]*alt="mentah"[^>]*>', html).group(0)
    assert raw.count("width=") == 1 and 'loading="lazy"' in raw and "height" not in raw


def test_images_are_lazy_even_without_size_callback():
    html, _ = render("![a](../media/a.png)")
    assert 'loading="lazy"' in html and "width=" not in html


def test_author_cannot_set_loading_or_rel_or_target():
    html, _ = render(
        '<img src="../media/a.png" loading="eager"> <a href="/x" rel="opener" target="_self">x</a>'
    )
    assert "eager" not in html and 'opener"' not in html and "_self" not in html


def test_external_links_get_rel_and_target_and_internal_do_not():
    html, _ = render(
        "[web](https://example.org) [mail](mailto:a@b.id) [bagian](#atas) [m](01-a.md)"
    )
    external = re.search(r'<a href="https://example.org"[^>]*>', html).group(0)
    assert 'rel="noopener noreferrer nofollow"' in external and 'target="_blank"' in external
    for href in ("mailto:a@b.id", "#atas", "/kursus/x/modul/a"):
        tag = re.search(rf'<a href="{re.escape(href)}"[^>]*>', html).group(0)
        assert "rel=" not in tag and "target=" not in tag


def test_headings_keep_ids_and_toc_is_flat():
    html, toc = render("# Satu & Dua\n\n## Bagian *A*\n\n### Rinci\n\n## Bagian B\n")
    # The page title is the page's only <h1>: module headings start one level down.
    assert '<h2 id="satu-dua">' in html and "<h1" not in html
    assert 'class="headerlink"' in html
    assert toc == [
        {"id": "satu-dua", "name": "Satu & Dua", "level": 2},
        {"id": "bagian-a", "name": "Bagian A", "level": 3},
        {"id": "rinci", "name": "Rinci", "level": 4},
        {"id": "bagian-b", "name": "Bagian B", "level": 3},
    ]


def test_extensions_tables_fenced_code_admonition_sane_lists_details():
    text = (
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "```python\nprint('<b>hi</b>')\n```\n\n"
        '!!! warning "Perhatian"\n    Hati-hati.\n\n'
        "3. tiga\n4. empat\n\n"
        "<details><summary>Lihat</summary>Isi</details>\n\n"
        'H~2~O<sup>2</sup> <abbr title="Perpustakaan">Perpus</abbr>\n'
    )
    html, _ = render(text)
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert "<pre><code>print('&lt;b&gt;hi&lt;/b&gt;')\n</code></pre>" in html  # code, as text
    assert "<b>hi</b>" not in html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Perhatian</p>' in html
    assert '<ol start="3">' in html
    assert "<details><summary>Lihat</summary>" in html
    assert "<sup>2</sup>" in html and '<abbr title="Perpustakaan">' in html


def test_unknown_classes_and_ids_outside_headings_are_dropped():
    html, _ = render('<div class="admonition note evil" id="x">a</div><p class="x">b</p>')
    assert 'class="admonition note"' in html and "evil" not in html
    assert 'id="x"' not in html and 'class="x"' not in html


def test_callback_returning_unsafe_url_is_dropped():
    html, _ = render_markdown(
        "[m](01-a.md)", module_url=lambda s, a: "javascript:alert(1)", media_url=media_url
    )
    assert "javascript" not in html


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("<>\"'=/ :()[]!#&;\n\t")
            + [
                "script",
                "img",
                "src",
                "onerror",
                "alert(1)",
                "javascript",
                "a href",
                "style",
                "svg",
                "onload",
                "iframe",
                "x",
                "data",
                "&#106;",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_fuzzed_markup_never_yields_active_content(text):
    html, _ = render(text)
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    assert not re.search(r"<[^>]*\son[a-z]+=", lowered)
    assert not re.search(r'(href|src)="\s*(javascript|data):', lowered)
    assert not re.search(r"<[^>]*\sstyle=", lowered)
