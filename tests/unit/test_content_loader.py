"""Loading good course packs, including the shipped example pack."""

import shutil
from pathlib import Path

import pytest

from lms.content import (
    CertificateSettings,
    Completion,
    CoursePackError,
    Problem,
    compute_content_hash,
    load_pack,
    validate_pack,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "courses"
EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "contoh-kursus"


def test_minimal_pack_loads_with_defaults():
    pack = load_pack(DATA / "good-minimal")
    assert pack.slug == "good-minimal"
    assert pack.enrolment == "open"
    assert pack.sequential is False
    assert pack.authors == [] and pack.prerequisites == []
    assert pack.summary == {}
    assert pack.completion == Completion("all", 70, 75, False)
    assert pack.certificate == CertificateSettings(True, 2, 0, False, "default")
    assert [m.slug for m in pack.modules] == ["satu"]
    assert pack.modules[0].minutes == 0 and pack.modules[0].title_en is None
    assert pack.quizzes == [] and pack.media == []
    assert set(pack.files) == {"course.toml", "modules/01-satu.md"}
    assert pack.source == str(DATA / "good-minimal")


def test_rich_pack_loads_everything():
    pack = load_pack(DATA / "good-rich", source="test")
    assert pack.source == "test"
    assert pack.area == "community-engagement" and pack.enrolment == "cohort"
    assert pack.sequential is True and pack.authors == ["Ani", "Budi"]
    assert pack.prerequisites == ["good-minimal"]
    assert pack.title == {"id": "Kursus Lengkap", "en": "Full Course"}
    assert pack.summary == {"id": "Ringkasan", "en": "Summary"}
    assert pack.completion == Completion(2, 60, 80.5, True)
    assert pack.certificate == CertificateSettings(True, 8, 24, True, "tpbis")
    assert [(m.slug, m.position, m.filename) for m in pack.modules] == [
        ("pembuka", 1, "modules/01-pembuka.md"),
        ("inti", 2, "modules/02-inti.md"),
        ("penutup", 3, "modules/03-penutup.md"),
    ]
    first = pack.modules[0]
    assert first.title_en == "Opening" and first.minutes == 10
    assert first.objectives == ["Tujuan satu", "Tujuan dua"]
    assert first.body_line_offset == 6
    assert first.body_markdown.startswith("# Pembuka")
    assert pack.media == ["media/docs/panduan.pdf", "media/foto.png"]
    assert "README.md" in pack.files and "LICENSE.txt" in pack.files
    quizzes = {q.slug: q for q in pack.quizzes}
    assert set(quizzes) == {"akhir", "kuis-pembuka", "praktik"}
    assert pack.final_quiz is quizzes["akhir"]
    opening = quizzes["kuis-pembuka"]
    assert opening.module == "pembuka" and opening.kind == "module"
    assert opening.filename == "quizzes/kuis-pembuka.toml"
    assert opening.title == {"id": "Kuis Pembuka", "en": "Opening Quiz"}
    assert opening.settings == {
        "pass_mark": 60,
        "attempts": 2,
        "grading": "last",
        "time_limit_minutes": 0,
        "shuffle_questions": False,
        "shuffle_options": True,
        "draw": 1,
        "per_page": 0,  # default filled in; opens_at, closes_at and review are left out when unset
    }
    assert [q["_line"] for q in opening.questions] == [12, 18]
    assert opening.questions[1]["options"][0] == {"id": "x", "text": "X", "correct": True}
    assert quizzes["praktik"].module is None and quizzes["praktik"].kind == "practical"
    assert quizzes["akhir"].title == {"id": "Ujian Akhir"}
    assert pack.quizzes_for("pembuka") == [opening]
    assert pack.module("inti").title == "Inti" and pack.module("nope") is None


def test_content_hash_is_sha256_of_sorted_files_and_changes_with_content(tmp_path):
    pack = load_pack(DATA / "good-minimal")
    assert pack.content_hash == compute_content_hash(pack.files)
    assert len(pack.content_hash) == 64
    copy = tmp_path / "copy"
    shutil.copytree(DATA / "good-minimal", copy)
    assert load_pack(copy).content_hash == pack.content_hash
    module = copy / "modules" / "01-satu.md"
    module.write_text(module.read_text() + "\nTambahan.\n")
    assert load_pack(copy).content_hash != pack.content_hash


def test_hidden_files_and_pycache_are_ignored(tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(DATA / "good-minimal", copy)
    (copy / ".DS_Store").write_bytes(b"\0")
    (copy / "__init__.py").write_text("")
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref")
    pack = load_pack(copy)
    assert set(pack.files) == {"course.toml", "modules/01-satu.md"}


def test_example_pack_is_valid_and_complete():
    assert validate_pack(EXAMPLE) == []
    pack = load_pack(EXAMPLE)
    assert pack.slug == "contoh-kursus"
    assert [m.slug for m in pack.modules] == ["pengenalan", "praktik"]
    assert pack.media == ["media/pelita.png"]
    assert (EXAMPLE / "media" / "pelita.png").stat().st_size < 5 * 1024
    kinds = sorted((q.kind, q.module) for q in pack.quizzes)
    assert kinds == [("final", None), ("module", "pengenalan")]
    types = {q["type"] for quiz in pack.quizzes for q in quiz.questions}
    assert {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "ordering",
        "matching",
        "numerical",
    } <= types


def test_question_validator_problems_get_the_quiz_file_and_line():
    seen = []

    def validator(question):
        seen.append(question)
        if question["type"] == "single_choice":
            return [("options", "needs one correct option"), ("", "looks odd")]
        return []

    with pytest.raises(CoursePackError) as info:
        load_pack(DATA / "good-rich", question_validator=validator)
    assert len(seen) == 4
    assert all("_line" not in q for q in seen)
    assert info.value.problems == [
        Problem("quizzes/kuis-pembuka.toml", 18, "question `b`: looks odd"),
        Problem(
            "quizzes/kuis-pembuka.toml", 23, "question `b`, `options`: needs one correct option"
        ),
    ]


def test_validator_is_not_needed_for_unknown_types(tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(DATA / "good-rich", copy)
    quiz = copy / "quizzes" / "akhir.toml"
    quiz.write_text(quiz.read_text().replace('"numerical"', '"no-such-type"'))
    assert validate_pack(copy) == []
    known = {"true_false", "single_choice", "essay", "numerical"}

    def validator(question):
        if question["type"] in known:
            return []
        return [("type", f"unknown question type {question['type']!r}")]

    problems = validate_pack(copy, question_validator=validator)
    assert [str(p) for p in problems] == [
        "quizzes/akhir.toml:10: question `n1`, `type`: unknown question type 'no-such-type'"
    ]


def test_missing_folder_is_a_problem(tmp_path):
    missing = tmp_path / "nope"
    problems = validate_pack(missing)
    assert len(problems) == 1 and problems[0].file == str(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    messages = [p.message for p in validate_pack(empty)]
    assert any("course.toml not found" in m for m in messages)


def test_problem_str_and_error_message():
    assert str(Problem("modules/01-x.md", 12, "bad")) == "modules/01-x.md:12: bad"
    assert str(Problem("/packs/x", None, "bad")) == "/packs/x: bad"
    error = CoursePackError([Problem("a", 1, "x"), Problem("b", None, "y")])
    assert "2 problems" in str(error) and "a:1: x" in str(error)
    assert len(error.problems) == 2
