"""Aiken import."""

from __future__ import annotations

from pathlib import Path

from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.registry import default_registry

DATA = Path(__file__).resolve().parent.parent / "data" / "aiken"


def test_good_file():
    questions, problems = parse_aiken((DATA / "good.aiken").read_text(encoding="utf-8"))
    assert problems == []
    assert len(questions) == 3
    q = questions[0]
    assert q["type"] == "single_choice"
    assert q["text"] == "Apa kepanjangan TPBIS?"
    assert [(o["id"], o["correct"]) for o in q["options"]] == [
        ("a", True),
        ("b", False),
        ("c", False),
    ]
    assert q["options"][0]["text"] == "Transformasi Perpustakaan Berbasis Inklusi Sosial"
    assert q["_line"] == 1
    assert questions[1]["options"][1]["correct"] is True  # "B)" options, ANSWER: B
    assert (
        questions[2]["text"] == "Which of these is a library classification\nspread over two lines?"
    )
    assert questions[2]["options"][0]["correct"] is True  # lower-case "answer: a"
    reg = default_registry()
    for q in questions:
        assert reg.validate_question({k: v for k, v in q.items() if not k.startswith("_")}) == []


def test_errors_file_reports_lines_and_keeps_good_questions():
    result = parse_aiken((DATA / "errors.aiken").read_bytes())
    assert [q["text"] for q in result.questions] == ["A good question after the broken ones?"]
    problems = dict(result.problems)
    assert "not one of the options A, B" in problems[4]
    assert "at least two options" in problems[8]
    assert "follows the options" in problems[13]
    assert "no 'ANSWER: X' line" in problems[21]


def test_cp1252_bytes_and_crlf():
    data = "Apa arti \u201cpustaka\u201d?\r\nA. Buku\r\nB. Meja\r\nANSWER: A\r\n".encode("cp1252")
    questions, problems = parse_aiken(data)
    assert problems == []
    assert questions[0]["text"] == "Apa arti \u201cpustaka\u201d?"


def test_duplicate_option_and_missing_text():
    _, problems = parse_aiken("Q?\nA. x\nA. y\nANSWER: A\n")
    assert problems == [(3, "option A appears twice in the question")]
    questions, problems = parse_aiken("A. x\nB. y\nANSWER: A\n")
    assert not questions
    # The first line is always the question text (as in Moodle), so only B counts as an option.
    assert problems == [(3, "a question needs at least two options like 'A. text' before ANSWER:")]


def test_empty():
    assert parse_aiken("") == ([], [])
