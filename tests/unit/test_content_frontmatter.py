"""Front matter parsing shared by the loader and the authoring editor."""

import pytest

from lms.content import FrontMatterError, read_markdown_front_matter


def test_front_matter_body_and_offset():
    text = '+++\ntitle = "A"\nminutes = 5\n+++\n# Judul\n\nIsi\n'
    meta, body, offset = read_markdown_front_matter(text)
    assert meta == {"title": "A", "minutes": 5}
    assert body == "# Judul\n\nIsi\n"
    assert offset == 4
    assert text.splitlines()[offset + 1 - 1] == "# Judul"  # body line 1 is file line 5


def test_bom_and_crlf_are_accepted():
    meta, body, offset = read_markdown_front_matter('\ufeff+++\r\ntitle = "A"\r\n+++\r\nIsi\r\n')
    assert meta == {"title": "A"} and body == "Isi\r\n" and offset == 3


def test_empty_front_matter_is_an_empty_dict():
    assert read_markdown_front_matter("+++\n+++\n") == ({}, "", 2)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("# no front matter\n", 1, "does not start"),
        ("", 1, "does not start"),
        ('+++\ntitle = "A"\n', 1, "never closed"),
        ('+++\ntitle = "A"\nbad line\n+++\n', 3, "not valid TOML"),
        ('+++\ntitle = "A\n+++\n', 2, "not valid TOML"),
    ],
)
def test_front_matter_errors_have_file_lines(text, line, fragment):
    with pytest.raises(FrontMatterError) as info:
        read_markdown_front_matter(text)
    assert info.value.line == line
    assert fragment in info.value.message
