"""The quiz page and attempt pages: the one "passed" rule, hidden grades, locked modules, query
count, option values that reveal nothing, accessible question text, the essay grading page."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning.models import ModuleCompletion
from lms.learning.progress import progress_for
from lms.quizzes import errors as quiz_errors
from lms.quizzes import queries as quiz_queries
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuestionResponse, QuizAttempt
from lms.quizzes.rules import pass_threshold, quiz_passed
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.pages import english
from tests.helpers.quizzes import (
    COURSE_TOML,
    MODULE_MD,
    QUIZ_START,
    attempt_id_from,
    basic_quiz,
    enrol,
    import_pack,
    quiz_by_slug,
    set_settings,
    setup_quiz,
)

# Normalised responses earning full marks on the basic quiz (RIGHT holds its form values).
RIGHT = {"q1": "a", "q2": True, "q3": "id"}


@pytest.fixture
def clock(app, clock):
    """The app's frozen clock, at 02:00 UTC (09:00 WIB) on 26 November 2026. Learners here come
    back hours later; the shared-computer idle logout is not what these tests are about."""
    app.config["IDLE_TIMEOUT_MINUTES"] = 0
    clock.set(QUIZ_START)
    return clock


def _finish(user, quiz, answers) -> QuizAttempt:
    attempt = quiz_attempts.start_or_resume(user, quiz)
    quiz_attempts.save_responses(attempt, answers)
    return quiz_attempts.submit(attempt)


def _dd(html: str, cls: str) -> str:
    match = re.search(rf'<dd class="{cls}">(.*?)</dd>', html, re.S)
    assert match, cls
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --------------------------------------------------------------------------- one "passed" rule


def test_the_quiz_page_uses_the_course_rule_for_passed(logged_in, participant, tmp_path):
    """Pass mark 60, but the course needs 70 on module quizzes: 66.67 % is not a pass."""
    course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    attempt = _finish(participant, quiz, {"q1": "a", "q2": True})
    assert round(attempt.score, 2) == 66.67
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-threshold") == "at least 70%"
    assert _dd(html, "quiz-grade") == "66.7% — Not passed yet"
    version = quiz_queries.current_version(quiz)
    rule = course.current_version.manifest["completion"]
    assert not quiz_passed(version.kind, version.settings, rule, attempt.score)
    assert quiz.id not in progress_for(participant.id, [course])[course.id].passed_quiz_ids

    _finish(participant, quiz, RIGHT)
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "100% — Passed"


def test_the_threshold_shown_is_the_one_progress_applies(app):
    rules = [{}, {"min_module_quiz_score": 70, "final_min_score": 75},
             {"min_module_quiz_score": 50, "final_min_score": 90}]
    for kind in ("module", "final", "practical"):
        for settings in ({}, {"pass_mark": 60}, {"pass_mark": 80}):
            for rule in rules:
                needed = pass_threshold(kind, settings, rule)
                for score in (0.0, 49.9, 50.0, 59.9, 60.0, 70.0, 74.9, 75.0, 80.0, 90.0, 100.0):
                    assert quiz_passed(kind, settings, rule, score) == (score >= needed)
    assert pass_threshold("module", {"pass_mark": 60}, rules[1]) == 70
    assert pass_threshold("final", {"pass_mark": 60}, rules[1]) == 75
    assert pass_threshold("practical", {"pass_mark": 60}, rules[1]) == 60


# --------------------------------------------------------------------------- hidden grades


NO_MARKS = {
    "during": [],
    "immediately_after": ["response"],
    "later_while_open": ["response"],
    "after_close": ["response", "marks"],
}


def test_the_quiz_page_hides_the_grade_when_marks_are_hidden(logged_in, participant, tmp_path,
                                                              clock):
    course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    set_settings(quiz, review=NO_MARKS, closes_at="2026-11-26T12:00:00+07:00")
    _finish(participant, quiz, RIGHT)
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "Your grade will be shown later."
    assert "100%" not in html and "Passed" not in html
    # The grade counts for progress all the same.
    assert quiz.id in progress_for(participant.id, [course])[course.id].passed_quiz_ids
    clock.advance(hours=6)  # past 12:00 WIB: marks are shown after the quiz closes
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "100% — Passed"


def test_a_hidden_attempt_hides_a_grade_it_is_part_of(logged_in, participant, tmp_path, clock):
    """Marks are shown immediately after, not later: once the first attempt is past that
    moment, the highest grade (made of both attempts) is hidden too."""
    _course, quiz = setup_quiz(tmp_path, participant)
    english(logged_in)
    set_settings(quiz, review={"immediately_after": ["marks"], "later_while_open": []})
    _finish(participant, quiz, RIGHT)
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "100% — Passed"
    clock.advance(minutes=5)
    _finish(participant, quiz, {"q1": "b"})
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "Your grade will be shown later."
    # With grading "last", only the last attempt counts, and its marks may be seen.
    set_settings(quiz, grading="last")
    html = logged_in.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert _dd(html, "quiz-grade") == "0% — Not passed yet"


# --------------------------------------------------------------------------- locked modules


TWO_MODULES = COURSE_TOML.replace('modules = ["satu"]', 'modules = ["satu", "dua"]\nsequential = true')


def _sequential_course(tmp_path):
    pack = tmp_path / "urut"
    (pack / "modules").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "course.toml").write_text(TWO_MODULES.format(slug="urut", version="1"))
    (pack / "modules" / "01-satu.md").write_text(MODULE_MD)
    (pack / "modules" / "02-dua.md").write_text(MODULE_MD.replace("Satu", "Dua"))
    (pack / "quizzes" / "kuis-dua.toml").write_text(
        basic_quiz().replace('module = "satu"', 'module = "dua"'))
    course = import_pack(pack)
    assert course.sequential
    return course, quiz_by_slug(course, "kuis-dua")


def test_a_module_quiz_of_a_locked_module_cannot_start(client, auth, make_user, tmp_path):
    learner = make_user()
    course, quiz = _sequential_course(tmp_path)
    enrol(learner, course)
    auth.login(learner.email)
    english(client)
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    message = "This quiz opens once you have finished the modules before its module."
    assert message in page
    assert f'action="/quizzes/{quiz.id}/start"' not in page
    refused = client.post(f"/quizzes/{quiz.id}/start", follow_redirects=True)
    assert message in refused.get_data(as_text=True)
    assert db.session.scalar(select(QuizAttempt.id)) is None
    with pytest.raises(quiz_errors.ModuleLocked):
        quiz_attempts.start_or_resume(learner, quiz)

    # Finishing module one unlocks module two and its quiz.
    first = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                   Module.slug == "satu"))
    db.session.add(ModuleCompletion(user_id=learner.id, module_id=first.id))
    db.session.commit()
    started = client.post(f"/quizzes/{quiz.id}/start")
    assert "/attempts/" in started.headers["Location"]


def test_trainers_may_start_a_locked_module_quiz(app, make_user, tmp_path):
    _course, quiz = _sequential_course(tmp_path)
    trainer = make_user("trainer")
    assert quiz_attempts.start_or_resume(trainer, quiz).status == "in_progress"


# --------------------------------------------------------------------------- query count


def test_quiz_page_queries_do_not_grow_with_attempts(client, auth, make_user, tmp_path,
                                                     count_queries):
    def page_queries(n: int) -> int:
        learner = make_user()
        course = db.session.scalar(select(Course))
        enrol(learner, course)
        for _ in range(n):
            _finish(learner, quiz, RIGHT)
        auth.login(learner.email)
        with count_queries() as q:
            assert client.get(f"/quizzes/{quiz.id}").status_code == 200
        auth.logout()
        return len(q)

    owner = make_user()
    _course, quiz = setup_quiz(tmp_path, owner, attempts=5)
    few, many = page_queries(1), page_queries(3)
    # 5 with an attempt in progress; 7 here, where a new attempt may start (the enrolment and
    # the module lock are checked). Not among issue 19's targeted pages (docs/performance.md).
    assert few == many <= 7, (few, many)


def test_the_attempt_page_runs_a_fixed_number_of_queries(client, auth, make_user, tmp_path,
                                                         count_queries):
    """Issue 19: the attempt page reads the user, the attempt with its quiz, version and course,
    the saved answers and the files — at most 6 statements, the same with no answer saved as with
    every answer saved, on either page of a paged, timed quiz."""
    owner = make_user()
    course, quiz = setup_quiz(tmp_path, owner, time_limit=30)
    set_settings(quiz, per_page=2)
    learner = make_user()
    enrol(learner, course)
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    url = f"/attempts/{attempt.id}"
    auth.login(learner.email)
    client.get(url)  # the course version's outline is read once per process
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    quiz_attempts.save_responses(attempt, RIGHT)
    with count_queries() as answered:
        assert client.get(url).status_code == 200
    with count_queries() as second_page:
        assert client.get(f"{url}?page=2").status_code == 200
    assert len(empty) == len(answered) == len(second_page) <= 6, answered.statements


# --------------------------------------------------------------------------- option values


ORDERING_QUIZ = """\
module = "satu"
kind = "module"
pass_mark = 60

[title]
id = "Kuis Urutan"

[[questions]]
id = "o1"
type = "ordering"
text = "Urutkan alur layanan."
items = ["Seleksi", "Pengadaan", "Pengolahan", "Layanan", "Evaluasi"]

[[questions]]
id = "m1"
type = "matching"
text = "Pasangkan."
pairs = [
  { left = "DDC", right = "Melvil Dewey" },
  { left = "UDC", right = "Paul Otlet" },
  { left = "Colon", right = "Ranganathan" },
]
distractors = ["Ptolemy"]
"""


class Selects(HTMLParser):
    def __init__(self):
        super().__init__()
        self.options: dict[str, list[str]] = {}
        self._name = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._name = a["name"]
            self.options[self._name] = []
        elif tag == "option" and self._name and a.get("value"):
            self.options[self._name].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._name = None


def test_ordering_and_matching_pages_do_not_give_the_answer_away(client, auth, make_user,
                                                                 tmp_path):
    from tests.helpers.quizzes import write_pack

    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"urutan": ORDERING_QUIZ}))
    enrol(learner, course)
    quiz = quiz_by_slug(course, "urutan")
    # A layout whose orders are not the identity.
    attempt = quiz_attempts.start_or_resume(learner, quiz, rng=random.Random(3))
    orders = [item["order"] for item in attempt.layout["questions"]]
    assert all(order != sorted(order) for order in orders)
    auth.login(learner.email)
    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    parser = Selects()
    parser.feed(html)
    selects = parser.options
    assert len(selects) == 8
    for values in selects.values():
        assert not any(v.split(":", 1)[1].isdigit() for v in values)

    # What a naive attacker reading the page source would try: option "k:k" in select k.
    naive = {name: f"{name.rsplit('-', 1)[1]}:{name.rsplit('-', 1)[1]}" for name in selects}
    client.post(f"/attempts/{attempt.id}/save", data=naive)
    db.session.expire_all()
    saved = db.session.scalars(select(QuestionResponse.response)).all()
    assert saved and all(r is None for r in saved)  # nothing it sent means anything

    # The k-th displayed option in select k: wrong here, whatever the original indexes were.
    diagonal = {name: values[int(name.rsplit("-", 1)[1])] for name, values in selects.items()}
    client.post(f"/attempts/{attempt.id}/save", data=diagonal)
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).score < 100

    # The right texts earn full marks.
    second = quiz_attempts.start_or_resume(learner, quiz, rng=random.Random(5))
    html = client.get(f"/attempts/{second.id}").get_data(as_text=True)
    items = ["Seleksi", "Pengadaan", "Pengolahan", "Layanan", "Evaluasi"]
    rights = ["Melvil Dewey", "Paul Otlet", "Ranganathan"]
    field = {item["id"]: quiz_rules.field_name(i) for i, item in enumerate(second.layout["questions"])}
    form = {f"{field['o1']}-{p}": f"{p}:{t}" for p, t in enumerate(items)}
    form |= {f"{field['m1']}-{i}": f"{i}:{t}" for i, t in enumerate(rights)}
    for name, value in form.items():
        assert f'value="{value}"' in html, name
    client.post(f"/attempts/{second.id}/save", data=form)
    client.post(f"/attempts/{second.id}/submit")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, second.id).score == 100.0


# --------------------------------------------------------------------------- accessibility


def test_question_text_is_not_in_a_legend(logged_in, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    attempt_id = attempt_id_from(logged_in.post(f"/quizzes/{quiz.id}/start"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    html = logged_in.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "<legend" not in html
    field = quiz_rules.field_name(attempt.question_ids.index("q1"))
    assert f'<fieldset class="pq pq-single_choice" id="{field}-q" aria-labelledby="{field}-text">' in html
    assert f'<div class="pq-text" id="{field}-text">' in html


def test_the_grading_page_keeps_the_essays_line_breaks(client, auth, make_user, tmp_path, app):
    from pathlib import Path

    from tests.helpers.people import make_editor
    from tests.helpers.quizzes import ESSAY_QUIZ, write_pack

    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"esai": ESSAY_QUIZ}))
    enrol(learner, course)
    quiz = quiz_by_slug(course, "esai")
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    essay = "Peran:\n  1. mendampingi\n  2. melatih"
    quiz_attempts.save_responses(attempt, {"e1": "a", "e2": essay})
    quiz_attempts.submit(attempt)
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "e2"))
    trainer = make_user("trainer")
    make_editor(trainer, course)
    auth.login(trainer.email)
    html = client.get(f"/quizzes/grading/{row.id}").get_data(as_text=True)
    assert f'<div class="quiz-essay-answer">{essay}</div>' in html
    css = Path(app.static_folder, "css", "pelita.css").read_text()
    section = css[css.index("/* quizzes"):css.index("/* end quizzes")]
    rule = re.search(r"\.quiz-essay-answer\s*\{([^}]*)\}", section)
    assert rule and "white-space: pre-wrap" in rule.group(1)
