"""Question statistics of a quiz (/reports/quizzes/<id>/statistics and its CSV).

Five learners of one cohort (A-E) answer a three-question quiz through the real services so
that their marks are those of the hand-computed fixture in tests/unit/test_itemstats.py:

    learner  q1 (single choice)  q2 (true/false)   q3 (single choice)   score
    A        a  right            false  wrong      x  right             66.67 %
    B        a  right            false  wrong      x  right             66.67 %
    C        a  right            false  wrong      y  wrong             33.33 %
    D        b  wrong            true   right      y  wrong             33.33 %
    E        c  wrong            (no answer)       y  wrong              0    %

So the page shows facility 60 / 20 / 40 %, discrimination 16.67 / -55.90 / 40.82 %,
efficiency 16.67 / -100 / 100 %, and a coefficient of internal consistency of -21.43 %.
A learner F of another cohort (another trainer) scores 100 %: only their trainer and the
admin see that attempt.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.quizzes.models import QuestionResponse
from lms.quizzes.services import grading as quiz_grading
from tests.helpers.pages import login
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import ESSAY_QUIZ, answer, import_pack, quiz_by_slug, write_pack

STATS_QUIZ = """\
module = "satu"
kind = "module"
pass_mark = 60
attempts = 0
grading = "highest"
shuffle_questions = false
shuffle_options = false

[title]
id = "Kuis Statistik"
en = "Statistics Quiz"

[[questions]]
id = "q1"
type = "single_choice"
text = "Siapa yang membina perpustakaan desa?"
options = [
  { id = "a", text = "Perpustakaan kabupaten", correct = true },
  { id = "b", text = "Kantor pos", correct = false },
  { id = "c", text = "=Bank desa", correct = false },
]

[[questions]]
id = "q2"
type = "true_false"
text = "TPBIS hanya untuk kota besar."
answer = true

[[questions]]
id = "q3"
type = "single_choice"
text = "=1+1 bukan rumus; pilih X."
options = [
  { id = "x", text = "X", correct = true },
  { id = "y", text = "Y", correct = false },
]
"""

ANSWERS = {
    "A": {"q1": "a", "q2": False, "q3": "x"},
    "B": {"q1": "a", "q2": False, "q3": "x"},
    "C": {"q1": "a", "q2": False, "q3": "y"},
    "D": {"q1": "b", "q2": True, "q3": "y"},
    "E": {"q1": "c", "q3": "y"},
}
ALL_RIGHT = {"q1": "a", "q2": True, "q3": "x"}



@pytest.fixture
def world(app, make_user, tmp_path):
    course = import_pack(write_pack(tmp_path, slug="kursus-statistik",
                                    quizzes={"kuis": STATS_QUIZ}))
    quiz = quiz_by_slug(course, "kuis")
    trainer = make_user("trainer", full_name="Pelatih A")
    other_trainer = make_user("trainer", full_name="Pelatih B")
    learners = {name: make_user(full_name=f"Peserta {name}") for name in ANSWERS}
    join_cohort(trainer, list(learners.values()), course, name="Angkatan A")
    outsider = make_user(full_name="Peserta F")
    join_cohort(other_trainer, outsider, course, name="Angkatan B")
    for name, values in ANSWERS.items():
        answer(learners[name], quiz, values)
    answer(outsider, quiz, ALL_RIGHT)
    return {"course": course, "quiz": quiz, "trainer": trainer, "other": other_trainer,
            "learners": learners, "outsider": outsider}


def url(quiz, suffix="", **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/reports/quizzes/{quiz.id}/statistics{suffix}" + (f"?{query}" if query else "")


def row_of(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start:html.index("</tr>", start)]


def test_the_trainer_sees_the_hand_computed_figures(client, world):
    login(client, world["trainer"])
    html = client.get(url(world["quiz"])).get_data(as_text=True)
    assert "These figures rest on 5 graded attempts by 5 learners" in html
    q1, q2, q3 = (row_of(html, f"item-{q}") for q in ("q1", "q2", "q3"))
    for text in ("60.00 %", "54.77 %", "16.67 %", "33.33 %", "weak discrimination"):
        assert text in q1, text  # random guess: 1 right option of 3
    for text in ("20.00 %", "44.72 %", "-55.90 %", "-100.00 %", "50.00 %",
                 "negative discrimination", "low discriminative efficiency"):
        assert text in q2, text
    assert "too hard" not in q2  # 20 % is the border, not below it
    for text in ("40.00 %", "40.82 %", "100.00 %"):
        assert text in q3, text
    summary = html[html.index('id="test-stats"'):html.index("</table>", html.index('id="test-stats"'))]
    for text in ("40.00 %", "33.33 %", "27.89 %", "-0.51", "-0.61", "-21.43 %"):
        assert text in summary, text
    # Score distribution: 0-10 % once, 30-40 % twice, 60-70 % twice.
    bands = html[html.index('id="score-bands"'):]
    assert "<th scope=\"row\">0–10 %</th><td>1</td>" in bands
    assert "<th scope=\"row\">30–40 %</th><td>2</td>" in bands
    assert "<th scope=\"row\">60–70 %</th><td>2</td>" in bands
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html


def test_option_counts_show_which_distractor_drew_whom(client, world):
    login(client, world["trainer"])
    html = client.get(url(world["quiz"])).get_data(as_text=True)
    section = html[html.index('id="options-q1"'):html.index('id="options-q2"')]
    rows = section.split("<tr")
    right = next(r for r in rows if "Perpustakaan kabupaten" in r)
    assert "option--correct" in right and "correct" in right
    assert "<td>3</td><td>60.00 %</td><td>55.56 %</td>" in right  # A, B, C: (66.67·2+33.33)/3
    post = next(r for r in rows if "Kantor pos" in r)
    assert "distractor" in post and "<td>1</td><td>20.00 %</td><td>33.33 %</td>" in post
    assert "=Bank desa" in section  # shown as written, escaped by the template
    tf = html[html.index('id="options-q2"'):html.index('id="options-q3"')]
    assert "No answer" in tf and "<td>1</td><td>20.00 %</td>" in tf.split("No answer")[1]
    false_row = next(r for r in tf.split("<tr") if ">False</th>" in r)
    assert "<td>3</td>" in false_row


def test_sorting_without_javascript(client, world):
    login(client, world["trainer"])
    html = client.get(url(world["quiz"], sort="-discrimination")).get_data(as_text=True)
    order = [html.index(f'id="item-{q}"') for q in ("q3", "q1", "q2")]
    assert order == sorted(order)
    assert 'aria-sort="descending"' in html
    html = client.get(url(world["quiz"], sort="facility")).get_data(as_text=True)
    order = [html.index(f'id="item-{q}"') for q in ("q2", "q3", "q1")]
    assert order == sorted(order)


def test_csv_holds_the_same_figures(client, world):
    login(client, world["trainer"])
    response = client.get(url(world["quiz"], ".csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    head = rows[0]
    items = {r[1]: dict(zip(head, r, strict=True)) for r in rows[1:4]}
    assert items["q1"]["Facility index (%)"] == "60.00"
    assert items["q2"]["Discrimination index (%)"] == "-55.90"  # a number, not defused text
    assert items["q2"]["Flags"] == "negative discrimination, low discriminative efficiency"
    assert items["q3"]["Discriminative efficiency (%)"] == "100.00"
    assert items["q1"]["Attempts"] == "5"
    footer = {r[0]: r[1] for r in rows[5:] if r}
    assert footer["Attempts analysed"] == "5"
    assert footer["Coefficient of internal consistency (%)"] == "-21.43"


def test_indonesian_uses_the_decimal_comma(client, world):
    login(client, world["trainer"], in_english=False)
    data = client.get(url(world["quiz"], ".csv")).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    q2 = next(r for r in rows if len(r) > 1 and r[1] == "q2")
    assert "-55,90" in q2 and "20,00" in q2
    html = client.get(url(world["quiz"])).get_data(as_text=True)
    assert "Statistik soal" in html and "60,00 %" in row_of(html, "item-q1")
    assert "daya beda negatif" in row_of(html, "item-q2")


def test_formula_like_question_text_is_defused_in_the_csv(client, world):
    login(client, world["trainer"])
    data = client.get(url(world["quiz"], ".csv")).get_data().decode("utf-8-sig")
    q3 = next(r for r in csv.reader(io.StringIO(data)) if len(r) > 1 and r[1] == "q3")
    assert q3[2] == "'=1+1 bukan rumus; pilih X."


def test_which_attempts_are_analysed(client, world):
    a = world["learners"]["A"]
    answer(a, world["quiz"], {"q1": "b", "q2": True, "q3": "y"})  # a worse second attempt
    login(client, world["trainer"])
    graded = client.get(url(world["quiz"])).get_data(as_text=True)
    assert "rest on 5 graded attempts by 5 learners" in graded  # highest: A's first counts
    assert "60.00 %" in row_of(graded, "item-q1")
    every = client.get(url(world["quiz"], attempts="all")).get_data(as_text=True)
    assert "rest on 6 graded attempts by 5 learners" in every
    assert "50.00 %" in row_of(every, "item-q1")  # 3 right of 6
    first = client.get(url(world["quiz"], attempts="first")).get_data(as_text=True)
    assert "rest on 5 graded attempts" in first


def test_each_trainer_sees_only_the_learners_they_oversee(client, world, admin_user,
                                                          participant):
    login(client, world["other"])
    html = client.get(url(world["quiz"])).get_data(as_text=True)
    assert "rest on 1 graded attempt by 1 learner whose" in html
    assert "100.00 %" in row_of(html, "item-q1")
    login(client, admin_user)
    assert "rest on 6 graded attempts" in client.get(url(world["quiz"])).get_data(as_text=True)
    login(client, participant)
    assert client.get(url(world["quiz"])).status_code == 403
    assert client.get(url(world["quiz"], ".csv")).status_code == 403
    assert client.get(f"/reports/quizzes/{world['quiz'].id + 999}/statistics").status_code in (
        403, 404)


def test_the_reports_page_lists_the_quizzes(client, world, make_user):
    login(client, world["trainer"])
    html = client.get("/reports/").get_data(as_text=True)
    assert f'href="/reports/quizzes/{world["quiz"].id}/statistics"' in html
    assert "Statistics Quiz" in html
    stranger = make_user("trainer", full_name="Pelatih Tanpa Angkatan")
    login(client, stranger)
    html = client.get("/reports/").get_data(as_text=True)
    assert "Statistics Quiz" not in html
    assert client.get(url(world["quiz"])).status_code == 403


def test_the_quiz_page_links_to_the_statistics(client, world):
    login(client, world["trainer"])
    html = client.get(f"/quizzes/{world['quiz'].id}").get_data(as_text=True)
    assert f'href="/reports/quizzes/{world["quiz"].id}/statistics"' in html


def test_manual_grades_count_once_graded(client, app, make_user, tmp_path):
    """An essay worth 3 points: an attempt waiting for its grade is not analysed; once graded
    with 2 of 3 points its fraction is 2/3."""
    course = import_pack(write_pack(tmp_path, slug="kursus-esai", quizzes={"esai": ESSAY_QUIZ}))
    quiz = quiz_by_slug(course, "esai")
    trainer = make_user("trainer", full_name="Pelatih Esai")
    learners = [make_user(full_name=f"Peserta Esai {i}") for i in range(2)]
    join_cohort(trainer, learners, course)
    attempts = [answer(u, quiz, {"e1": "a", "e2": "Fasilitator mendampingi warga."})
                for u in learners]
    login(client, trainer)
    html = client.get(url(quiz)).get_data(as_text=True)
    assert "rest on 0 graded attempts" in html and "2 finished attempts still waiting" in html
    for attempt, points in zip(attempts, (2, 3), strict=True):
        response = db.session.scalar(select(QuestionResponse).where(
            QuestionResponse.attempt_id == attempt.id, QuestionResponse.question_id == "e2"))
        quiz_grading.grade_answer(trainer, response, points=points)
    html = client.get(url(quiz)).get_data(as_text=True)
    assert "rest on 2 graded attempts" in html
    assert "83.33 %" in row_of(html, "item-e2")  # (2/3 + 3/3) / 2


def test_query_count_does_not_grow_with_learners(client, world, make_user, count_queries):
    login(client, world["trainer"])
    with count_queries() as few:
        assert client.get(url(world["quiz"])).status_code == 200
    from lms.cohorts.models import Cohort

    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Angkatan A"))
    from tests.helpers.cohorts import add_joined

    for i in range(4):
        learner = make_user(full_name=f"Peserta Tambahan {i}")
        add_joined(world["trainer"], cohort, learner)
        answer(learner, world["quiz"], ALL_RIGHT)
    with count_queries() as many:
        html = client.get(url(world["quiz"])).get_data(as_text=True)
    assert "rest on 9 graded attempts" in html
    assert len(many) == len(few)
    with count_queries() as csv_queries:
        client.get(url(world["quiz"], ".csv"))
    assert len(csv_queries) <= len(many)


def test_a_facilitator_reads_the_statistics_of_their_own_replication_cohort(
        client, app, make_user, tmp_path):
    """A facilitator runs replication cohorts with the same tools as a master trainer: the
    question statistics of a course their cohort takes, resting on their own members only."""
    from lms.cohorts import services as cohort_services
    from tests.helpers.cohorts import add_joined

    pack = write_pack(tmp_path, slug="kursus-replikasi", quizzes={"kuis": STATS_QUIZ})
    (pack / "course.toml").write_text("replication = true\n" + (pack / "course.toml").read_text())
    course = import_pack(pack)
    quiz = quiz_by_slug(course, "kuis")
    fasda, other_fasda = make_user("facilitator"), make_user("facilitator")
    village, elsewhere = make_user(full_name="Warga Desa"), make_user(full_name="Warga Lain")
    cohort = cohort_services.create_cohort(fasda, name="Replikasi Desa", course_ids=[course.id])
    add_joined(fasda, cohort, village)
    join_cohort(make_user("trainer"), elsewhere, course, name="Angkatan Pelatih")
    answer(village, quiz, ANSWERS["A"])
    answer(elsewhere, quiz, ALL_RIGHT)

    login(client, fasda)
    index = client.get("/reports/").get_data(as_text=True)
    assert url(quiz) in index and "Replikasi Desa" in index
    html = client.get(url(quiz)).get_data(as_text=True)
    assert "rest on 1 graded attempt by 1 learner whose" in html
    login(client, other_fasda)
    assert client.get(url(quiz)).status_code == 403
    assert url(quiz) not in client.get("/reports/").get_data(as_text=True)


def _response_reads(app):
    """A listener recording (statement, parameters) of each read of question_responses."""
    from sqlalchemy import event

    reads = []

    def listen(conn, cursor, statement, parameters, *args):
        if "FROM question_responses" in statement:
            reads.append(parameters)
    event.listen(db.engine, "before_cursor_execute", listen)
    return reads, lambda: event.remove(db.engine, "before_cursor_execute", listen)


def _flat(parameters) -> set:
    values = parameters.values() if isinstance(parameters, dict) else parameters
    out = set()
    for v in values:
        out |= set(v) if isinstance(v, list | tuple) else {v}
    return out


def test_only_the_analysed_attempts_answers_are_read(app, client, world):
    """Highest grading: A's worse second attempt is not analysed, so its answers are not even
    loaded; "all" reads every graded attempt's answers in one query (a subquery)."""
    second = answer(world["learners"]["A"], world["quiz"], {"q1": "b", "q2": True, "q3": "y"})
    login(client, world["trainer"])
    reads, stop = _response_reads(app)
    try:
        html = client.get(url(world["quiz"])).get_data(as_text=True)
        assert "rest on 5 graded attempts by 5 learners" in html
        assert len(reads) == 1 and second.id not in _flat(reads[0])
        reads.clear()
        html = client.get(url(world["quiz"], attempts="all")).get_data(as_text=True)
        assert "rest on 6 graded attempts by 5 learners" in html
        assert len(reads) == 1
    finally:
        stop()


def test_many_analysed_attempts_are_read_in_chunks(app, client, world, monkeypatch):
    """Ids go in chunks (SQLite's limit on bound variables): the figures do not change."""
    from lms.reports.queries import statistics

    login(client, world["trainer"])
    whole = client.get(url(world["quiz"], attempts="first")).get_data(as_text=True)
    monkeypatch.setattr(statistics, "ID_CHUNK", 2)
    reads, stop = _response_reads(app)
    try:
        chunked = client.get(url(world["quiz"], attempts="first")).get_data(as_text=True)
    finally:
        stop()
    assert len(reads) == 3  # 5 attempts, 2 per query
    assert row_of(chunked, "item-q1") == row_of(whole, "item-q1")
    assert "-21.43 %" in chunked
