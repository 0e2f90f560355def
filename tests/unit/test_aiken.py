"""Aiken import."""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------ Aiken as Moodle reads it


def visible(markdown_text: str) -> str:
    from html import unescape

    from lms.content.render import render_markdown

    html = render_markdown(markdown_text, module_url=lambda s, a: "", media_url=lambda p: p)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_moodle_fixtures_import_with_moodles_counts():
    # Was: "A)Correct" refused, so questions 2 and 4 of the second file were lost.
    questions, problems = parse_aiken((DATA / "moodle_docs.aiken.txt").read_bytes())
    assert problems == []
    assert len(questions) == 2  # Moodle: "Importing 2 questions from file"
    assert [o["correct"] for o in questions[0]["options"]] == [False, False, False, True]
    assert len(questions[1]["options"]) == 6 and questions[1]["options"][0]["correct"]
    questions, problems = parse_aiken((DATA / "moodle_tests.aiken.txt").read_bytes())
    assert problems == []
    assert len(questions) == 6
    for q in questions[:4]:
        assert [(o["text"], o["correct"]) for o in q["options"]] == [
            ("Wrong", False), ("Correct", True)], q["text"]
    # "J.K." starts no option: a letter without a space counts only as the next option.
    assert questions[5]["text"] == "J.K. Rowling wrote which series?"


def test_aiken_text_is_plain_text_as_in_moodle():
    # Was: read as Markdown, so <html class="cool"> disappeared and *this* became emphasis.
    questions, _ = parse_aiken((DATA / "moodle_tests.aiken.txt").read_bytes())
    q = questions[4]
    assert visible(q["text"]) == 'Question 5 <html class="cool"> is plain text, and so is *this*'
    html = str(default_registry().get("single_choice").render(q, field="f"))
    assert "&lt;b&gt;bold&lt;/b&gt; stays literal" in html and "2*3*4" in html


def test_every_problem_is_reported_with_its_line():
    text = ("Q1?\nA. x\nB. y\nANSWER: Z\n\n"       # 4: no option Z
            "Q2?\nA. x\nANSWER: A\n\n"             # 8: one option
            "Q3?\nA. x\nB. y\nstray\nANSWER: A\n\n"  # 13: a line after the options
            "Q4?\nA. x\nA. y\nANSWER: A\n\n"       # 18: option A twice
            "Q5?\nA. x\x00\nB. y\nANSWER: A\n\n"   # 22: a control character
            "Q6?\nA. x\nB. y\n")                     # 26: no ANSWER line
    questions, problems = parse_aiken(text.encode())
    assert [line for line, _ in problems] == [4, 8, 13, 18, 22, 26]
    assert [q["text"] for q in questions] == ["Q5?"]  # parsed, but the NUL stops the import


def test_lowercase_and_punctuated_answer_letters():
    questions, problems = parse_aiken("Q?\nA. x\nB. y\nANSWER: b.\n")
    assert problems == [] and questions[0]["options"][1]["correct"] is True
