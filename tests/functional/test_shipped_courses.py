"""The curriculum that ships in courses/ is valid, imports, and every question can be answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.content import load_pack
from lms.quizzes.registry import default_registry
from tests.packs import import_folder

COURSES = Path(__file__).resolve().parents[2] / "courses"
PACKS = sorted(p for p in COURSES.iterdir() if (p / "course.toml").exists())
CURRICULUM = {"literasi-tik", "manajemen-informasi", "pelibatan-masyarakat"}
CURRICULUM_V2 = {"literasi-tik", "manajemen-informasi", "pelibatan-masyarakat"}  # packs already reworked for issue 15 (curriculum v2)


def test_the_three_curriculum_courses_ship():
    assert CURRICULUM <= {p.name for p in PACKS}


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda p: p.name)
def test_pack_validates_and_every_question_has_a_reachable_right_answer(pack_dir):
    registry = default_registry()
    pack = load_pack(pack_dir, registry.validate_question)
    for quiz in pack.quizzes:
        for q in quiz.questions:
            qtype = registry.get(q["type"])
            if not qtype.auto_graded or not qtype.is_question:
                continue
            response = qtype.correct_response(q)
            assert response is not None, (quiz.slug, q["id"])
            # The answer a learner would submit through the form grades as fully correct.
            assert qtype.grade(q, response).fraction == 1, (quiz.slug, q["id"])


@pytest.mark.parametrize("slug", sorted(CURRICULUM))
def test_curriculum_meets_the_module_and_quiz_standard(slug):
    pack = load_pack(COURSES / slug, default_registry().validate_question)
    assert 5 <= len(pack.modules) <= 6
    for module in pack.modules:
        words = len(module.body_markdown.split())
        assert 750 <= words <= 1700, (module.slug, words)
        assert "Referensi" in module.body_markdown, module.slug
        quizzes = pack.quizzes_for(module.slug)
        assert quizzes, module.slug
        questions = quizzes[0].questions
        assert len(questions) >= 8 and len({q["type"] for q in questions}) >= 4, module.slug
    final = pack.final_quiz
    assert final is not None and len(final.questions) >= 24
    if slug not in CURRICULUM_V2:
        assert final.settings.get("draw", 0) and final.settings["draw"] < len(final.questions)
        return
    # Every module is tested in every attempt: one category per module, drawn per category.
    categories = final.settings.get("draw_categories") or {}
    assert set(categories) == {m.slug for m in pack.modules}, slug
    assert all(q.get("category") in categories for q in final.questions), slug
    assert 12 <= sum(categories.values()) < len(final.questions)


def test_community_course_has_a_trainer_graded_practical_assignment():
    pack = load_pack(COURSES / "pelibatan-masyarakat", default_registry().validate_question)
    practical = [q for q in pack.quizzes if q.kind == "practical"]
    assert practical and practical[0].questions[0]["type"] == "essay"
    assert pack.completion.practical is True


def test_all_shipped_packs_import_together(app):
    results = import_folder(*PACKS)
    assert {r.status for r in results} == {"created"}
