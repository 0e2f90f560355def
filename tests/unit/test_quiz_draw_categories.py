"""`draw_categories`: validated by the pack loader, honoured by the attempt layout."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content import load_pack, validate_pack
from lms.quizzes.registry import default_registry
from lms.quizzes.rules import QuizRules, draw_questions
from tests.helpers.packs import make_pack

VALIDATE = default_registry().validate_question


def question(qid: str, category: str | None) -> str:
    cat = f'category = "{category}"\n' if category else ""
    return (f'\n[[questions]]\nid = "{qid}"\ntype = "true_false"\n{cat}'
            f'text = "Pernyataan {qid}."\nanswer = true\n')


def quiz_text(settings: str, counts: dict[str | None, int]) -> str:
    text = f'kind = "final"\n{settings}\n\n[title]\nid = "Ujian"\n'
    n = 0
    for category, count in counts.items():
        for _ in range(count):
            n += 1
            text += question(f"q{n}", category)
    return text


def write_quiz(tmp_path, text: str):
    pack = make_pack(tmp_path, modules=1)
    (pack / "quizzes").mkdir(exist_ok=True)
    (pack / "quizzes" / "ujian.toml").write_text(text, encoding="utf-8")
    return pack


COUNTS = {"etika": 4, "keamanan": 3, None: 2}


def test_valid_draw_categories_are_stored_with_the_settings(tmp_path):
    pack = write_quiz(tmp_path, quiz_text('draw = 1\ndraw_categories = { "etika" = 3, "keamanan" = 2 }',
                                          COUNTS))
    quiz = load_pack(pack, VALIDATE).quizzes[0]
    assert quiz.settings["draw_categories"] == {"etika": 3, "keamanan": 2}
    assert quiz.settings["draw"] == 1


def test_draw_categories_as_a_table_section(tmp_path):
    text = quiz_text("", COUNTS).replace(
        '\n[title]', '\n[draw_categories]\n"etika" = 4\nkeamanan = 1\n\n[title]')
    quiz = load_pack(write_quiz(tmp_path, text), VALIDATE).quizzes[0]
    assert quiz.settings["draw_categories"] == {"etika": 4, "keamanan": 1}


def test_unknown_category_and_too_many_are_reported_with_their_lines(tmp_path):
    text = quiz_text("", COUNTS).replace(
        '\n[title]', '\n[draw_categories]\netika = 5\n"keamanan" = 3\nhak-cipta = 1\n\n[title]')
    problems = [str(p) for p in validate_pack(write_quiz(tmp_path, text), VALIDATE)]
    assert problems == [
        'quizzes/ujian.toml:5: `draw_categories` draws 5 from the category "etika", which has '
        "only 4 question(s) — lower it or add questions",
        'quizzes/ujian.toml:7: `draw_categories` names the category "hak-cipta", which no '
        'question has (categories in this quiz: "etika", "keamanan") — fix the name or set '
        "`category` on the questions",
    ]


def test_inline_table_problems_point_at_its_line(tmp_path):
    text = quiz_text('pass_mark = 70\ndraw_categories = { "Etika" = 1 }', COUNTS)
    problems = [str(p) for p in validate_pack(write_quiz(tmp_path, text), VALIDATE)]
    assert len(problems) == 1 and problems[0].startswith("quizzes/ujian.toml:3: ")
    assert '"Etika", which no question has' in problems[0]


@pytest.mark.parametrize(
    "value",
    ['{ "etika" = 0 }', '{ "etika" = "3" }', '{ "etika" = 1.5 }', "{}", "3", '["etika"]',
     '{ "etika" = true }', '{ "" = 1 }'],
)
def test_bad_values_are_reported(tmp_path, value):
    text = quiz_text(f"draw_categories = {value}", COUNTS)
    problems = [str(p) for p in validate_pack(write_quiz(tmp_path, text), VALIDATE)]
    assert len(problems) == 1, problems
    assert problems[0].startswith("quizzes/ujian.toml:2: `draw_categories` must be a table of")


def test_draw_counts_only_questions_outside_the_listed_categories(tmp_path):
    text = quiz_text('draw = 6\ndraw_categories = { "etika" = 1 }', COUNTS)
    problems = [str(p) for p in validate_pack(write_quiz(tmp_path, text), VALIDATE)]
    assert problems == [
        "quizzes/ujian.toml:2: `draw = 6` is more than the number of questions outside the "
        "categories of `draw_categories` (5) — lower it or add questions"
    ]
    ok = quiz_text('draw = 5\ndraw_categories = { "etika" = 1 }', COUNTS)
    assert validate_pack(write_quiz(tmp_path, ok), VALIDATE) == []


# ----------------------------------------------------------------------------- the draw


def pool() -> list[dict]:
    out = []
    for category, count in (("etika", 5), ("keamanan", 4), ("", 3)):
        for i in range(count):
            q = {"id": f"{category or 'umum'}-{i}", "type": "true_false"}
            if category:
                q["category"] = category
            out.append(q)
    return out


def ids(questions):
    return [q["id"] for q in questions]


def test_rules_read_draw_categories_defensively():
    assert QuizRules.of({}).draw_categories == {}
    assert QuizRules.of({"draw_categories": {"a": 2, "b": 0, "c": "x", "d": True}}
                        ).draw_categories == {"a": 2}
    assert QuizRules.of({"draw_categories": [1, 2]}).draw_categories == {}


def test_each_category_gives_its_number_and_the_rest_follow_draw():
    r = QuizRules.of({"draw_categories": {"etika": 3, "keamanan": 2}})
    for seed in range(30):
        chosen = draw_questions(pool(), r, random.Random(seed))
        counts = Counter(q.get("category", "") for q in chosen)
        assert counts == {"etika": 3, "keamanan": 2, "": 3}  # draw = 0: all the others
        assert ids(chosen) == [q for q in ids(pool()) if q in ids(chosen)]  # authored order
    r = QuizRules.of({"draw_categories": {"etika": 3, "keamanan": 2}, "draw": 1})
    counts = Counter(q.get("category", "") for q in draw_questions(pool(), r, random.Random(1)))
    assert counts == {"etika": 3, "keamanan": 2, "": 1}


def test_instead_of_draw_when_every_question_has_a_listed_category():
    questions = [q for q in pool() if q.get("category")]
    r = QuizRules.of({"draw_categories": {"etika": 2, "keamanan": 1}})
    assert len(draw_questions(questions, r, random.Random(3))) == 3


def test_more_than_a_category_has_takes_them_all():
    r = QuizRules.of({"draw_categories": {"keamanan": 10, "hilang": 2}})
    chosen = draw_questions(pool(), r, random.Random(0))
    assert Counter(q.get("category", "") for q in chosen) == {"etika": 5, "keamanan": 4, "": 3}


def test_every_question_of_a_category_is_drawn_sometimes():
    r = QuizRules.of({"draw_categories": {"etika": 1}, "draw": 1})
    seen = set()
    for seed in range(200):
        seen.update(ids(draw_questions(pool(), r, random.Random(seed))))
    assert seen == set(ids(pool()))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 6), st.integers(0, 5), st.integers(0, 4), st.integers(0, 2**32))
def test_draw_sizes(etika, keamanan, draw, seed):
    r = QuizRules.of({"draw_categories": {k: v for k, v in
                                          (("etika", etika), ("keamanan", keamanan)) if v},
                      "draw": draw})
    chosen = draw_questions(pool(), r, random.Random(seed))
    counts = Counter(q.get("category", "") for q in chosen)
    rest = 5 if not etika else 0
    rest += 4 if not keamanan else 0
    rest += 3
    expected_rest = min(draw, rest) if draw else rest
    assert counts.get("etika", 0) + counts.get("keamanan", 0) + counts.get("", 0) == len(chosen)
    if etika:
        assert counts["etika"] == min(etika, 5)
    if keamanan:
        assert counts["keamanan"] == min(keamanan, 4)
    listed = (min(etika, 5) if etika else 0) + (min(keamanan, 4) if keamanan else 0)
    assert len(chosen) == listed + expected_rest
    assert len(set(ids(chosen))) == len(chosen)
