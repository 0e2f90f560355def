"""The curriculum that ships in courses/ is valid, imports, and every question can be answered."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from lms.content import load_pack
from lms.quizzes.registry import default_registry
from tests.packs import import_folder

COURSES = Path(__file__).resolve().parents[2] / "courses"
PACKS = sorted(p for p in COURSES.iterdir() if (p / "course.toml").exists())
CURRICULUM = {"literasi-tik", "manajemen-informasi", "pelibatan-masyarakat"}


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
    assert final.settings.get("draw", 0) and final.settings["draw"] < len(final.questions)


def test_community_course_has_a_trainer_graded_practical_assignment():
    pack = load_pack(COURSES / "pelibatan-masyarakat", default_registry().validate_question)
    practical = [q for q in pack.quizzes if q.kind == "practical"]
    assert practical and practical[0].questions[0]["type"] == "essay"
    assert pack.completion.practical is True


def test_all_shipped_packs_import_together(app):
    results = import_folder(*PACKS)
    assert {r.status for r in results} == {"created"}


# Inline Markdown written in the packs: *emphasis* and `code` in options, items and feedback.
_RAW_MARKDOWN = re.compile(r"`|(?<![\w*])\*(?=\S)[^*\n]+(?<=\S)\*(?![\w*])")


def _visible(html: str) -> str:
    """The text a learner reads in `html` (tags removed, character references resolved)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(html))).split())


def _outcomes(qtype, q):
    """Every grade a learner can get on the question's options (for their feedback)."""
    if q["type"] in ("single_choice",):
        return [qtype.grade(q, str(o["id"])) for o in q["options"]]
    if q["type"] == "multiple_choice":
        return [qtype.grade(q, [str(o["id"])]) for o in q["options"]]
    if q["type"] == "true_false":
        return [qtype.grade(q, True), qtype.grade(q, False)]
    if q["type"] in ("short_answer", "numerical"):
        return [qtype.grade(q, qtype.correct_response(q)), qtype.grade(q, "zzz 999")]
    return []


def test_shipped_questions_show_no_stray_asterisks_or_backticks(app):
    """19 options (and items and feedback) in the shipped packs use Markdown emphasis or code;
    learners see it formatted, never `*flashdisk*` or a backtick."""
    registry = default_registry()
    macro = app.jinja_env.get_template("quizzes/_outcome.html").module.outcome
    shows = {"specific_feedback", "general_feedback", "right_answer", "correctness"}
    seen_markdown = 0
    with app.test_request_context():
        for pack_dir in PACKS:
            pack = load_pack(pack_dir, registry.validate_question)
            for quiz in pack.quizzes:
                for q in quiz.questions:
                    qtype = registry.get(q["type"])
                    shown = [qtype.render({**q, "text_html": "<p>x</p>"}, field="q0")]
                    # A short answer's right answer keeps its * wildcards, as in Moodle.
                    right = "" if q["type"] == "short_answer" else qtype.right_answer_text(q)
                    for grade in _outcomes(qtype, q):
                        item = {"state": grade.state, "feedback": grade.feedback,
                                "general": q.get("feedback") or "", "points": 1, "earned": 0,
                                "right": right, "comment": None}
                        shown.append(macro(item, shows, {}, str))
                    for html in shown:
                        seen_markdown += html.count("<em>") + html.count("<code>")
                        assert not _RAW_MARKDOWN.search(_visible(html)), (
                            pack_dir.name, q["id"], _RAW_MARKDOWN.search(_visible(html)))
    assert seen_markdown >= 19
