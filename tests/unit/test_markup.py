"""What learners see of the short texts of a question: options, matching and ordering items,
feedback (inline Markdown, sanitised), and what an imported HTML or plain text becomes."""

from __future__ import annotations

import re
from html import unescape

from lms.content.render import render_markdown
from lms.quizzes.markup import html_to_markdown, inline_html, plain_text, plain_to_markdown
from lms.quizzes.registry import default_registry

REG = default_registry()


def visible(html) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(html))).split())


def page(markdown_text: str) -> str:
    """The question text as the course importer renders it for learners."""
    return render_markdown(markdown_text, module_url=lambda s, a: "", media_url=lambda p: p)[0]


def test_options_show_emphasis_and_code_not_asterisks_and_backticks():
    q = {"type": "single_choice", "text": "Pilih", "options": [
        {"id": "a", "text": "Salin ke *flashdisk*", "correct": True},
        {"id": "b", "text": '`=COUNTIF(C2:C40;"P")`', "correct": False}]}
    html = str(REG.get("single_choice").render(q, field="f"))
    assert "Salin ke <em>flashdisk</em>" in html
    assert '<code>=COUNTIF(C2:C40;"P")</code>' in html.replace("&#34;", '"')
    assert "*" not in visible(html) and "`" not in visible(html)


def test_matching_and_ordering_items_show_no_markup():
    matching = {"type": "matching", "text": "Pasangkan", "pairs": [
        {"left": "Media *daring*", "right": "`.go.id`"}, {"left": "b", "right": "**c**"}]}
    html = str(REG.get("matching").render(matching, field="m"))
    assert "Media <em>daring</em>" in html  # the left-hand label holds inline HTML
    assert ">.go.id</option>" in html and ">c</option>" in html  # an <option> only text
    assert 'value="0:`.go.id`"' in html  # what the form sends is unchanged
    ordering = {"type": "ordering", "text": "Urutkan", "items": ["Salin ke *flashdisk*", "b"]}
    html = str(REG.get("ordering").render(ordering, field="o"))
    assert ">Salin ke flashdisk</option>" in html
    assert REG.get("ordering").right_answer_text(ordering) == "1. Salin ke flashdisk; 2. b"


def test_inline_markdown_is_sanitised_and_has_no_blocks():
    assert inline_html("<script>alert(1)</script>ok") == "ok"
    assert "javascript" not in inline_html("[x](javascript:alert(1))")
    assert inline_html("1. Buka peramban") == "1. Buka peramban"  # not a list
    assert inline_html("# bukan judul") == "# bukan judul"
    assert inline_html("<p>Jakarta</p>") == "Jakarta"
    assert inline_html("satu\n\ndua") == "satu<br>dua"
    assert plain_text("*flashdisk* dan `kode`") == "flashdisk dan kode"


def test_imported_html_shows_as_moodle_shows_it():
    source = '<p dir="ltr" style="text-align:left">Apa <b>2*3*4</b> [x]_y?</p><script>x</script>'
    markdown_text = html_to_markdown(source)
    assert "<script>" not in markdown_text and "style" not in markdown_text
    assert visible(page(markdown_text)) == "Apa 2*3*4 [x]_y?"
    assert "<strong>2*3*4</strong>" in page(markdown_text)
    assert inline_html(html_to_markdown("<p>Jakarta</p>")) == "Jakarta"
    assert visible(page(html_to_markdown("1. satu"))) == "1. satu"


def test_imported_plain_text_shows_literally():
    source = '<html class="cool"> 2*3 = 6_x [a](b) # 1. `k`'
    markdown_text = plain_to_markdown(source)
    assert visible(page(markdown_text)) == source
    assert visible(inline_html(markdown_text)) == source
    assert visible(page(plain_to_markdown("# judul\n- butir\n1. satu"))) == "# judul - butir 1. satu"
