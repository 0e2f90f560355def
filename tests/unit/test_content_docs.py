"""docs/course-packs.md stays in step with the loader and the example pack."""

from pathlib import Path

import pytest

from lms.content import loader

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "course-packs.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "courses" / "contoh-kursus"


@pytest.mark.parametrize(
    "spec",
    [
        loader.COURSE_SPEC,
        loader.TITLE_SPEC,
        loader.COMPLETION_SPEC,
        loader.CERTIFICATE_SPEC,
        loader.MODULE_SPEC,
        loader.QUIZ_SPEC,
    ],
)
def test_every_key_is_documented(spec):
    for key, *_ in spec:
        assert f"`{key}`" in DOC, key


def test_allowed_values_are_documented():
    from lms.content import AREAS, ENROLMENTS, GRADING_METHODS, QUIZ_KINDS

    for value in (*AREAS, *ENROLMENTS, *GRADING_METHODS, *QUIZ_KINDS):
        assert f'`"{value}"`' in DOC, value


def test_example_pack_is_quoted_verbatim():
    for path in sorted(EXAMPLE.rglob("*")):
        if path.suffix in (".toml", ".md"):
            assert path.read_text(encoding="utf-8") in DOC, path
