"""The curriculum that ships in courses/ is valid, imports, and keeps the standard of issue 15:
quizzes that measure (pools, review that hides the answer while open, every module in the final,
nothing guessable), practice that goes somewhere (every product asked for has a rubric-graded
upload), sourced facts and consistent language, and templates a village library can open."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest

from lms.content import load_pack
from lms.paths.loader import load_path
from lms.quizzes import rubric
from lms.quizzes.quality import check_quiz
from lms.quizzes.registry import default_registry
from tests.helpers.packs import import_folder

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"
PACKS = sorted(p for p in COURSES.iterdir() if (p / "course.toml").exists())
# The facilitator path in its recommended order, and the master-trainer track.
FACILITATOR_PATH = ["orientasi-tpbis", "literasi-tik", "manajemen-informasi",
                    "pelibatan-masyarakat", "merancang-pelatihan"]
MASTER_TRAINER = "master-trainer-tpbis"
# Full courses: 5-6 modules of reading, a quiz per module, a final assessment.
CURRICULUM = ["literasi-tik", "manajemen-informasi", "pelibatan-masyarakat", "merancang-pelatihan"]
TPBIS = [*FACILITATOR_PATH, MASTER_TRAINER]
REVIEW_WHILE_OPEN = ("immediately_after", "later_while_open")


def pack(slug: str):
    return load_pack(COURSES / slug, default_registry().validate_question)


def activity_section(body: str) -> str:
    match = re.search(r"^## Aktivitas praktik\n(.*?)(?=^## )", body, re.S | re.M)
    return match.group(1) if match else ""


def test_the_curriculum_ships_orientation_four_courses_and_the_master_trainer_track():
    assert set(TPBIS) <= {p.name for p in PACKS}
    assert load_path(ROOT / "paths" / "fasilitator-tpbis.toml").courses == FACILITATOR_PATH
    assert load_path(ROOT / "paths" / "master-trainer-tpbis.toml").courses == [
        "merancang-pelatihan", MASTER_TRAINER]
    # Only master trainers enrolled by a trainer or admin take the track.
    assert pack(MASTER_TRAINER).enrolment == "cohort"
    assert all(pack(s).enrolment == "open" for s in FACILITATOR_PATH)


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda p: p.name)
def test_pack_validates_and_every_question_has_a_reachable_right_answer(pack_dir):
    registry = default_registry()
    loaded = load_pack(pack_dir, registry.validate_question)
    for quiz in loaded.quizzes:
        for q in quiz.questions:
            qtype = registry.get(q["type"])
            if not qtype.auto_graded or not qtype.is_question:
                continue
            response = qtype.correct_response(q)
            assert response is not None, (quiz.slug, q["id"])
            # The answer a learner would submit through the form grades as fully correct.
            assert qtype.grade(q, response).fraction == 1, (quiz.slug, q["id"])


@pytest.mark.parametrize("slug", CURRICULUM)
def test_curriculum_meets_the_module_and_quiz_standard(slug):
    p = pack(slug)
    assert 5 <= len(p.modules) <= 6
    for module in p.modules:
        words = len(module.body_markdown.split())
        assert 750 <= words <= 1700, (module.slug, words)
        assert "Referensi" in module.body_markdown, module.slug
        quizzes = [q for q in p.quizzes_for(module.slug) if q.kind == "module"]
        assert quizzes, module.slug
        questions = quizzes[0].questions
        assert len(questions) >= 10 and len({q["type"] for q in questions}) >= 4, module.slug
    final = p.final_quiz
    assert final is not None and len(final.questions) >= 24
    # Every module is tested in every attempt: one category per module, drawn per category.
    categories = final.settings.get("draw_categories") or {}
    assert set(categories) == {m.slug for m in p.modules}
    assert all(q.get("category") in categories for q in final.questions)
    assert final.settings.get("draw", 0) == 0
    assert 12 <= sum(categories.values()) < len(final.questions)


@pytest.mark.parametrize("slug", TPBIS)
def test_module_quizzes_are_pools_that_hide_the_right_answer_while_open(slug):
    for quiz in pack(slug).quizzes:
        if quiz.kind == "practical":
            continue
        review = quiz.settings.get("review") or {}
        for moment in REVIEW_WHILE_OPEN:
            shown = set(review.get(moment, []))
            assert "correctness" in shown, (quiz.slug, moment)
            assert not shown & {"right_answer", "general_feedback"}, (quiz.slug, moment)
        if quiz.kind == "module":
            draw = quiz.settings.get("draw", 0)
            assert draw >= 4 and len(quiz.questions) >= 2 * draw, quiz.slug


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda p: p.name)
def test_no_shipped_quiz_can_be_guessed(pack_dir):
    """At or below chance (the right option uniquely longest in at most 30 % of single-choice
    questions), and no catch-all options, duplicates, unemphasised negative stems, or
    multiple-answer questions with fewer than two wrong options."""
    loaded = load_pack(pack_dir)
    for quiz in loaded.quizzes:
        result = check_quiz(quiz)
        assert not result.above_chance, (quiz.slug, result.figure)
        assert [str(w) for w in result.warnings] == [], quiz.slug


@pytest.mark.parametrize("slug", TPBIS)
def test_every_practical_activity_that_asks_for_a_product_has_an_upload_item(slug):
    """An activity that asks to upload, send or hand in a product, or mentions the master trainer
    reviewing it, names a practical assignment (`**Tugas Praktik: …**`) that exists and takes
    uploads with a rubric; every such assignment is named by some activity; and no activity
    points to a place that does not exist (the old "forum diskusi Pelita")."""
    p = pack(slug)
    practicals = {q.title["id"]: q for q in p.quizzes if q.kind == "practical"}
    asks = re.compile(r"\b(?:unggah|unggahlah|kirim(?:kan)?|serahkan|kumpulkan|lampirkan)\b"
                      r"|\bmaster trainer\b", re.I)
    named_anywhere: set[str] = set()
    for module in p.modules:
        assert "forum diskusi Pelita" not in module.body_markdown, module.slug
        assert "forum Pelita" not in module.body_markdown, module.slug
        section = activity_section(module.body_markdown)
        named = set(re.findall(r"\*\*(Tugas Praktik: [^*]+?)\*\*", section.replace("\n", " ")))
        named_anywhere |= named
        assert named <= set(practicals), (module.slug, named - set(practicals))
        if asks.search(section):
            assert named, f"{module.slug}: the activity asks for a product but names no upload"
    for title, quiz in practicals.items():
        assert title in named_anywhere, f"{quiz.slug} is named by no practical activity"
        essays = [q for q in quiz.questions if q["type"] == "essay"]
        assert essays and all(q.get("allow_upload") for q in essays), quiz.slug
        for q in essays:
            assert len(rubric.criteria(q.get("rubric"))) >= 4, (quiz.slug, q["id"])


@pytest.mark.parametrize("slug", TPBIS)
def test_practical_pass_marks_are_exactly_what_their_rubrics_say(slug):
    """Every rubric: average ≥ 2.5 of 4 and no criterion at 1, so the pass mark is 62.5 %: a
    learner at exactly 2.5 passes (the old 63 failed them)."""
    for quiz in pack(slug).quizzes:
        if quiz.kind != "practical":
            continue
        assert quiz.settings["pass_mark"] == 62.5, quiz.slug
        for q in quiz.questions:
            text = q["rubric"]
            assert "≥ 2,5" in text and rubric.pass_minimum(text) == 2, (quiz.slug, q["id"])
            crits = rubric.criteria(text)
            at_the_line = [3 if i % 2 == 0 else 2 for i in range(len(crits))]  # average ≥ 2.5
            percent = 100 * rubric.points_from(at_the_line, crits, 4) / 4
            assert percent >= quiz.settings["pass_mark"], (quiz.slug, q["id"], percent)


@pytest.mark.parametrize("slug", TPBIS)
def test_fictional_people_are_labelled(slug):
    for module in pack(slug).modules:
        if "## Contoh dari lapangan" in module.body_markdown:
            assert "## Contoh dari lapangan (kisah rekaan)" in module.body_markdown, module.slug
            assert "rekaan" in module.body_markdown.split("(kisah rekaan)")[1][:200], module.slug
        assert "(fiktif)" not in module.body_markdown, module.slug


def test_the_reviewed_fictional_names_keep_one_role():
    """Ibu Nurhayati, Mama Ester and Baiq Nurul each appear in one module only."""
    for name in ("Nurhayati", "Mama Ester", "Baiq Nurul"):
        modules = [f"{s}/{m.slug}" for s in TPBIS for m in pack(s).modules
                   if name in m.body_markdown]
        assert len(modules) <= 1, (name, modules)


# Spellings the editor's review fixed (KBBI/PUEBI and the one-term rules), case-sensitive
# where the right form differs only in case.
FORBIDDEN = [r"phone-first", r"\bterlanjur", r"\bantar-\w", r"\bantar (?:aplikasi|pengelola|sesi)\b",
             r"\btunarungu\b", r"\btuna rungu\b", r"\be-book\b", r"(?<!\*)\bbarcode\b(?!\*)",
             r"\bonline\b",
             r"\bpenerjemah isyarat\b", r"Advokasi dan Kemitraan", r"\bIa dapat dipasang\b"]


def indonesian_texts(p) -> dict[str, str]:
    """Everything a learner reads in Bahasa Indonesia (English titles and summaries aside)."""
    texts = {f"title: {p.slug}": p.title["id"], f"summary: {p.slug}": p.summary.get("id", "")}
    texts |= {m.filename: m.title + "\n" + m.body_markdown for m in p.modules}
    texts |= {path: data.decode("utf-8") for path, data in p.files.items()
              if path.startswith("media/") and path.endswith(".md")}
    for quiz in p.quizzes:
        for q in quiz.questions:
            parts = [str(q.get(k, "")) for k in ("text", "feedback", "feedback_true",
                                                 "feedback_false", "rubric")]
            for key in ("options", "answers", "pairs"):
                parts += [str(v) for row in q.get(key, []) for v in row.values()]
            parts += [str(i) for i in q.get("items", []) + q.get("distractors", [])]
            texts[f"{quiz.filename}#{q['id']}"] = "\n".join(parts)
    return texts


@pytest.mark.parametrize("slug", TPBIS)
def test_language_follows_the_editors_review(slug):
    for where, text in indonesian_texts(pack(slug)).items():
        for pattern in FORBIDDEN:
            assert not re.search(pattern, text), (where, pattern)


@pytest.mark.parametrize("slug", TPBIS)
def test_templates_ship_as_small_linked_files_a_village_library_can_open(slug):
    p = pack(slug)
    assert "media/glosarium.md" in p.media
    linked = "\n".join(m.body_markdown for m in p.modules) + "\n".join(
        str(q.get("text", "")) for quiz in p.quizzes for q in quiz.questions)
    for path in p.media:
        assert path.endswith((".md", ".csv", ".png", ".pdf")), path
        assert len(p.files[path]) < 20_000, path
        if path != "media/glosarium.md" or slug == "orientasi-tpbis":
            assert path.split("/", 1)[1] in linked, f"{path} is linked from no module or quiz"
        if path.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(p.files[path].decode("utf-8-sig")), delimiter=";"))
            assert len(rows) >= 2 and len({len(r) for r in rows}) == 1, path


def test_community_course_has_a_trainer_graded_practical_assignment():
    p = pack("pelibatan-masyarakat")
    practical = [q for q in p.quizzes if q.kind == "practical"]
    assert practical and practical[0].questions[0]["type"] == "essay"
    assert p.completion.practical is True


def test_readme_lists_the_curriculum():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for slug in TPBIS:
        assert f"*{pack(slug).title['id']}*" in readme, slug


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
