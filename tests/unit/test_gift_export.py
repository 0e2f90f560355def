"""GIFT export and round trips: parse(export(qs)) == qs modulo ids and line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.quizzes.formats.gift import escape_gift, export_gift, export_gift_report, parse_gift

DATA = Path(__file__).resolve().parent.parent / "data" / "gift"


def comparable(questions):
    return [{k: v for k, v in q.items() if k not in ("id", "_line")} for q in questions]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.gift")), ids=lambda p: p.name)
def test_round_trip_every_data_file(path):
    first = parse_gift(path.read_bytes())
    text, problems = export_gift_report(first.questions)
    assert problems == []
    second = parse_gift(text)
    assert second.problems == []
    assert comparable(second.questions) == comparable(first.questions)
    # Exporting again is stable.
    assert export_gift(second.questions) == text


def test_export_shapes():
    qs = [
        {
            "id": "a",
            "type": "true_false",
            "text": "Benar?",
            "answer": True,
            "feedback_true": "Ya",
            "feedback_false": "Tidak",
        },
        {
            "id": "b",
            "type": "single_choice",
            "title": "Judul: satu",
            "text": "Pilih",
            "options": [
                {"id": "x", "text": "A = 1", "correct": True, "feedback": "ok#1"},
                {"id": "y", "text": "B", "correct": False},
            ],
        },
        {
            "id": "c",
            "type": "numerical",
            "text": "Berapa?",
            "answers": [{"value": 3.5, "tolerance": 0.1}],
        },
        {
            "id": "d",
            "type": "numerical",
            "text": "Rentang?",
            "answers": [{"min": 1, "max": 5}, {"value": 7, "credit": 50, "feedback": "dekat"}],
        },
        {"id": "e", "type": "essay", "text": "Tulis."},
        {"id": "f", "type": "description", "text": "Info {penting}"},
        {
            "id": "g",
            "type": "matching",
            "text": "Pasangkan",
            "pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}],
            "distractors": ["e"],
        },
        {
            "id": "h",
            "type": "short_answer",
            "text": "Kota _____ ada di Jawa.",
            "answers": [{"text": "Bandung"}, {"text": "Band*", "credit": 50}],
        },
    ]
    text = export_gift(qs)
    assert "Benar? {T#Tidak#Ya}" in text
    assert "// [id:b]\n::Judul\\: satu::[markdown]Pilih {\n=A \\= 1#ok\\#1\n~B\n}" in text
    assert "Berapa? {#3.5:0.1}" in text
    assert "Rentang? {\n#\n=1..5\n=%50%7#dekat\n}" in text
    assert "Tulis. {}" in text
    assert "Info \\{penting\\}\n" in text
    assert "= -> e" in text
    assert "Kota {\n=Bandung\n=%50%Band*\n} ada di Jawa." in text
    assert "$CATEGORY" not in text
    assert comparable(parse_gift(text).questions) == [
        {**c, "category": ""} for c in comparable(normalised(qs))
    ]


def normalised(qs):
    """What the parser gives back for the hand-written questions above (defaults made explicit)."""
    out = []
    for q in qs:
        q = {k: v for k, v in q.items()}
        if q["type"] == "single_choice":
            q["options"] = [{**o, "id": f"o{i}"} for i, o in enumerate(q["options"], 1)]
        if q["type"] in ("numerical", "short_answer"):
            q["answers"] = [{**a, "credit": a.get("credit", 100)} for a in q["answers"]]
        out.append(q)
    return out


def test_ordering_is_skipped_and_reported():
    qs = [
        {"id": "o1", "type": "ordering", "text": "Urutkan", "items": ["a", "b"]},
        {"id": "t1", "type": "true_false", "text": "Benar?", "answer": False},
    ]
    text, problems = export_gift_report(qs)
    assert "// Question 'o1' of type 'ordering' skipped" in text
    assert problems == [("o1", "type 'ordering' has no GIFT equivalent; the question was skipped")]
    assert [q["type"] for q in parse_gift(text).questions] == ["true_false"]


def test_lossy_attributes_are_reported():
    qs = [
        {
            "id": "s",
            "type": "short_answer",
            "text": "?",
            "answers": [{"text": "a"}],
            "case_sensitive": True,
            "indonesian": True,
            "variants": {"a": ["b"]},
            "points": 2,
        },
        {"id": "e", "type": "essay", "text": "?", "rubric": "r", "max_words": 10},
        {
            "id": "n",
            "type": "numerical",
            "text": "?",
            "answers": [{"value": 200, "tolerance_pct": 5}],
        },
    ]
    text, problems = export_gift_report(qs)
    messages = [m for _, m in problems]
    assert any("case_sensitive" in m for m in messages)
    assert any("indonesian" in m for m in messages)
    assert any("variants" in m for m in messages)
    assert any("points = 2" in m for m in messages)
    assert any("rubric" in m for m in messages) and any("max_words" in m for m in messages)
    assert any("tolerance_pct" in m for m in messages)
    assert "{#200:10}" in text


def test_categories_are_written_when_they_change():
    qs = [
        {"id": "a", "type": "true_false", "text": "A", "answer": True, "category": "m1"},
        {"id": "b", "type": "true_false", "text": "B", "answer": True, "category": "m1"},
        {"id": "c", "type": "true_false", "text": "C", "answer": True, "category": "m2"},
    ]
    text = export_gift(qs)
    assert text.count("$CATEGORY: m1") == 1 and text.count("$CATEGORY: m2") == 1
    assert [q["category"] for q in parse_gift(text).questions] == ["m1", "m1", "m2"]


def test_escape_gift():
    assert escape_gift("a:b~c=d#e{f}g\\h\ni") == "a\\:b\\~c\\=d\\#e\\{f\\}g\\\\h\\ni"


safe_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co")),
        min_size=1,
        max_size=25,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(
        lambda s: (
            s
            and "->" not in s
            and "_____" not in s
            and not s.startswith(("%", "[", "//", "$", "::"))
            and "%" not in s[:1]
            and s not in ("T", "F", "TRUE", "FALSE")
        )
    )
)


@settings(max_examples=80, deadline=None)
@given(
    text=safe_text,
    options=st.lists(safe_text, min_size=2, max_size=4, unique=True),
    feedback=st.one_of(st.none(), safe_text),
    title=st.one_of(st.none(), safe_text),
)
def test_round_trip_arbitrary_text(text, options, feedback, title):
    q = {
        "type": "single_choice",
        "text": text,
        "options": [
            {"id": f"o{i}", "text": t, "correct": i == 1} for i, t in enumerate(options, 1)
        ],
        "category": "",
    }
    if feedback:
        q["feedback"] = feedback
        q["options"][0]["feedback"] = feedback
    if title:
        q["title"] = title
    result = parse_gift(export_gift([q]))
    assert result.problems == []
    assert comparable(result.questions) == [q]
