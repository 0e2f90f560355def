"""The quiz and question-bank editor in the browser, as a master trainer uses it: create a quiz,
write questions in forms (no TOML), see errors on the field at fault, preview as a learner,
import GIFT/Aiken, publish; and what it refuses (conflicts, participants)."""

from __future__ import annotations

import io
import re
import tomllib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.authoring import quizfiles
from lms.authoring.models import CourseDraft
from lms.authoring.services import drafts
from lms.courses.models import Course, Quiz
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.quizzes.models import QuizAttempt
from tests.helpers.packs import import_folder, make_pack
from tests.helpers.pages import hidden, login

SLUG = "kursus-uji"






def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="e-{re.escape(name)}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


class FormScraper(HTMLParser):
    """The values a browser would send for the form posting to `action` (no button pressed)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.data = action, False, []
        self.select = self.textarea = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action", "").split("#")[0] == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            else:
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [v for v, sel in self.options if sel] or [self.options[0][0]]
            self.data.append((self.select, chosen[0]))
            self.select = None
        elif tag == "textarea" and self.textarea:
            text = self.text[1:] if self.text.startswith("\n") else self.text
            self.data.append((self.textarea, text))
            self.textarea = None


def scrape(page: str, action: str) -> dict:
    parser = FormScraper(action)
    parser.feed(page)
    out: dict = {}
    for name, value in parser.data:
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def draft_doc(quiz: str) -> dict:
    db.session.expire_all()
    draft = drafts.draft_for(SLUG)
    return tomllib.loads(drafts.get_file(draft, quizfiles.quiz_path(quiz)).data.decode())


def quiz_problems(quiz: str) -> list:
    db.session.expire_all()
    draft = drafts.draft_for(SLUG)
    return [p for p in drafts.validate_files(drafts.files(draft))
            if p.file == quizfiles.quiz_path(quiz)]


@pytest.fixture
def course(tmp_path, trainer_user):
    import_folder(make_pack(tmp_path, SLUG, modules=2))
    draft = drafts.open_draft(SLUG, None)
    drafts.add_editor(draft, trainer_user, user=None)
    return SLUG


@pytest.fixture
def trainer(client, trainer_user):
    return login(client, trainer_user.email)


QUIZ_FORM = {"slug": "kuis-satu", "kind": "module", "module": "modul-1",
             "title_id": "Kuis Satu", "title_en": "Quiz One", "pass_mark": "80",
             "attempts": "2", "grading": "highest", "time_limit_minutes": "",
             "opens_at": "", "closes_at": "", "shuffle_questions": "0", "shuffle_options": "1",
             "draw": "", "draw_categories": "", "per_page": "",
             "review_immediately_after": ["response", "correctness", "marks"],
             "review_later_while_open": ["response", "correctness", "marks",
                                         "specific_feedback", "general_feedback"],
             "review_after_close": ["response", "correctness", "marks", "specific_feedback",
                                    "general_feedback", "right_answer"]}

MC_FORM = {
    "id": "literasi", "text": "Mana yang termasuk **literasi informasi**?", "points": "2",
    "category": "dasar", "feedback": "Literasi informasi adalah menemukan dan menilai.",
    "options-rows": "3",
    "options-0-id": "", "options-0-text": "Menilai sumber", "options-0-correct": "y",
    "options-0-weight": "", "options-0-feedback": "Tepat.",
    "options-1-id": "", "options-1-text": "Mencari informasi", "options-1-correct": "y",
    "options-1-weight": "", "options-1-feedback": "Ya.",
    "options-2-id": "", "options-2-text": "Mengetik cepat", "options-2-weight": "",
    "options-2-feedback": "Bukan itu.", "shuffle": "1",
}


def create_quiz(client, **changes):
    return client.post(f"/author/{SLUG}/quizzes", data={**QUIZ_FORM, **changes})


def add_question(client, qtype, data, quiz="kuis-satu"):
    page = client.get(f"/author/{SLUG}/quizzes/{quiz}/questions/new?type={qtype}")
    assert page.status_code == 200
    return client.post(f"/author/{SLUG}/quizzes/{quiz}/questions/new?type={qtype}",
                       data={"revision": hidden(page.text, "revision"), **data})


def test_create_a_quiz_and_add_a_multiple_choice_question(course, trainer):
    listing = trainer.get(f"/author/{SLUG}/quizzes")
    assert listing.status_code == 200 and "This course has no quizzes yet." in listing.text
    created = create_quiz(trainer)
    assert created.status_code == 302
    assert created.headers["Location"].endswith(f"/author/{SLUG}/quizzes/kuis-satu")
    page = trainer.get(created.headers["Location"]).text
    assert "This quiz has no questions yet." in page
    assert 'value="multiple_choice"' in page and 'value="essay"' in page

    saved = add_question(trainer, "multiple_choice", MC_FORM)
    assert saved.status_code == 302, saved.text
    doc = draft_doc("kuis-satu")
    assert doc["module"] == "modul-1" and doc["kind"] == "module"
    assert doc["pass_mark"] == 80 and doc["attempts"] == 2 and "grading" not in doc
    assert doc["title"] == {"id": "Kuis Satu", "en": "Quiz One"}
    assert doc["review"]["immediately_after"] == ["response", "correctness", "marks"]
    assert doc["questions"] == [{
        "id": "literasi", "type": "multiple_choice", "category": "dasar",
        "text": "Mana yang termasuk **literasi informasi**?", "points": 2,
        "feedback": "Literasi informasi adalah menemukan dan menilai.",
        "options": [
            {"id": "a", "text": "Menilai sumber", "correct": True, "feedback": "Tepat."},
            {"id": "b", "text": "Mencari informasi", "correct": True, "feedback": "Ya."},
            {"id": "c", "text": "Mengetik cepat", "correct": False, "feedback": "Bukan itu."},
        ],
        "shuffle": False}]
    assert quiz_problems("kuis-satu") == []
    db.session.expire_all()
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.scope == f"course:{SLUG}")))
    assert "quiz.created" in actions and "quiz.question_saved" in actions

    listing = trainer.get(f"/author/{SLUG}/quizzes").text
    assert "Quiz One" in listing and "dasar (1)" in listing

    # Editing shows the saved values and keeps the option ids.
    edit = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/literasi").text
    assert ">\nMenilai sumber</textarea>" in edit and 'name="options-2-id" value="c"' in edit


def test_quiz_settings_errors_are_on_the_fields(course, trainer):
    bad = create_quiz(trainer, slug="Kuis Satu", pass_mark="120", module="",
                      draw_categories="etika tiga", opens_at="2026-12-31T17:00",
                      closes_at="2026-12-01T08:00")
    assert bad.status_code == 422
    assert 'id="slug-error"' in bad.text and "lower-case letters" in bad.text
    assert re.search(r'id="pass_mark-error">Enter a number from 0 to 100', bad.text)
    assert re.search(r'id="module-error">Choose the module', bad.text)
    assert 'id="draw_categories-error"' in bad.text
    assert 'id="closes_at-error"' in bad.text
    assert 'value="Kuis Satu"' in bad.text  # the input is kept
    assert drafts.get_file(drafts.draft_for(SLUG), "quizzes/kuis-satu.toml") is None


def test_settings_are_saved_with_dates_in_wib(course, trainer):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "q1", "text": "Benar?", "answer": "0"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    data = {**QUIZ_FORM, "revision": hidden(page, "revision"), "per_page": "1",
            "opens_at": "2026-12-01T08:00", "kind": "practical", "module": ""}
    data.pop("slug")
    saved = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu", data=data)
    assert saved.status_code == 302, saved.text
    doc = draft_doc("kuis-satu")
    assert doc["kind"] == "practical" and "module" not in doc and doc["per_page"] == 1
    assert doc["opens_at"].isoformat() == "2026-12-01T08:00:00+07:00"
    assert quiz_problems("kuis-satu") == []
    again = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    assert 'value="2026-12-01T08:00"' in again


def test_an_invalid_question_shows_the_error_on_the_field(course, trainer):
    create_quiz(trainer)
    data = {**MC_FORM, "options-0-correct": "", "options-1-correct": "",
            "options-1-text": "", "options-1-feedback": "ada umpan balik", "points": "dua"}
    data = {k: v for k, v in data.items() if v != ""}
    bad = add_question(trainer, "multiple_choice", data)
    assert bad.status_code == 422
    assert "Please correct the fields marked below." in bad.text
    assert field_error(bad.text, "points") == "Enter a number, e.g. 2 or 2.5."
    assert field_error(bad.text, "options-1-text") == "This field is required."
    assert 'aria-describedby="e-points-desc e-points-error"' in bad.text
    assert 'value="Mana yang termasuk **literasi informasi**?"' not in bad.text
    assert "Mana yang termasuk **literasi informasi**?" in bad.text  # input kept
    assert draft_doc("kuis-satu").get("questions", []) == []

    # The type's own rule (at least one right option) lands on the options field.
    data = {**MC_FORM, "options-0-correct": "", "options-1-correct": ""}
    data = {k: v for k, v in data.items() if v != ""}
    bad = add_question(trainer, "multiple_choice", data)
    assert bad.status_code == 422
    assert "At least one option must have correct = true." in field_error(bad.text, "options")


def test_row_buttons_work_without_javascript(course, trainer):
    create_quiz(trainer)
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=ordering").text
    assert 'name="items-rows" value="4"' in page
    data = {"revision": hidden(page, "revision"), "id": "q1", "text": "Urutkan",
            "items-rows": "3", "items-0": "Satu", "items-1": "Tiga", "items-2": "Dua",
            "row_action": "up:items:2"}
    moved = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=ordering",
                         data=data)
    assert moved.status_code == 200
    assert moved.text.index('value="Dua"') < moved.text.index('value="Tiga"')
    added = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=ordering",
                         data={**data, "row_action": "add:items"})
    assert 'name="items-rows" value="4"' in added.text
    assert draft_doc("kuis-satu").get("questions", []) == []


def test_a_duplicate_question_id_is_refused_on_the_id_field(course, trainer):
    create_quiz(trainer)
    assert add_question(trainer, "true_false", {"id": "q1", "text": "A?", "answer": "0"}
                        ).status_code == 302
    bad = add_question(trainer, "true_false", {"id": "q1", "text": "B?", "answer": "1"})
    assert bad.status_code == 422
    assert "Another question of this quiz has this id" in field_error(bad.text, "id")


def test_a_conflicting_save_is_refused_and_the_input_kept(course, trainer, app, make_user):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "q1", "text": "Benar?", "answer": "0"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1").text
    revision = hidden(page, "revision")

    other = make_user(role="admin", email="admin2@contoh.id", full_name="Ibu Sari")
    other_client = login(app.test_client(), other.email)
    other_page = other_client.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1").text
    assert other_client.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1", data={
        "revision": hidden(other_page, "revision"), "id": "q1", "text": "Versi Sari",
        "answer": "0"}).status_code == 302

    late = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1", data={
        "revision": revision, "id": "q1", "text": "Versi saya yang panjang", "answer": "1"})
    assert late.status_code == 409
    assert "Ibu Sari saved this quiz after you opened the page. Nothing was saved" in late.text
    assert "Versi saya yang panjang" in late.text
    assert draft_doc("kuis-satu")["questions"][0]["text"] == "Versi Sari"


def test_delete_and_move_questions(course, trainer):
    create_quiz(trainer)
    for qid in ("q1", "q2", "q3"):
        add_question(trainer, "true_false", {"id": qid, "text": f"{qid}?", "answer": "0"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    revision = hidden(page, "revision")
    assert trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/q3/move",
                        data={"revision": revision, "direction": "up"}).status_code == 302
    assert [q["id"] for q in draft_doc("kuis-satu")["questions"]] == ["q1", "q3", "q2"]
    # The old revision is refused: nothing is deleted.
    stale = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1/delete",
                         data={"revision": revision}, follow_redirects=True)
    assert "saved this quiz after you opened the page" in stale.text
    confirm = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1/delete")
    assert confirm.status_code == 200 and "Delete question q1?" in confirm.text
    assert len(draft_doc("kuis-satu")["questions"]) == 3  # asking deletes nothing
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/q1/delete",
                 data={"revision": hidden(confirm.text, "revision")})
    assert [q["id"] for q in draft_doc("kuis-satu")["questions"]] == ["q3", "q2"]
    missing = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/questions/nope/delete",
                           data={"revision": hidden(page, "revision")})
    assert missing.status_code == 404


def test_preview_renders_and_grades_without_storing(course, trainer):
    create_quiz(trainer)
    add_question(trainer, "multiple_choice", MC_FORM)
    add_question(trainer, "short_answer", {
        "id": "q2", "text": "Apa singkatan *TPBIS*?", "answers-rows": "1",
        "answers-0-text": "transformasi perpustakaan*", "answers-0-feedback": "Betul!"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/preview")
    assert page.status_code == 200
    assert "Question 1" in page.text and "<strong>literasi informasi</strong>" in page.text
    assert 'type="checkbox" name="q0"' in page.text and 'name="q1" id="q1-input"' in page.text
    graded = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/preview",
                          data={"q0": ["a", "b"], "q1": "Transformasi Perpustakaan Berbasis"})
    assert graded.status_code == 200
    assert "Marks: 3 of 3" in graded.text
    assert "Tepat." in graded.text and "Betul!" in graded.text
    assert "Literasi informasi adalah menemukan dan menilai." in graded.text
    wrong = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/preview", data={"q0": "c"})
    assert "Marks: 0 of 3" in wrong.text and "Not answered" in wrong.text
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


GIFT = b"""$CATEGORY: etika

::Hak cipta::Buku boleh difotokopi seluruhnya. {F}

::Lisensi::Lisensi terbuka yang paling longgar? {=CC BY ~CC BY-NC ~Semua hak dilindungi}
"""


def test_gift_import_into_a_category(course, trainer):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "hak-cipta", "text": "Sudah ada", "answer": "0"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/import").text
    checked = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(page, "revision"), "fmt": "", "category": "hukum",
        "file": (io.BytesIO(GIFT), "soal.gift")}, content_type="multipart/form-data")
    assert checked.status_code == 200
    assert "2 questions found" in checked.text and "Lisensi terbuka" in checked.text
    assert len(draft_doc("kuis-satu")["questions"]) == 1  # nothing added yet
    confirm = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(checked.text, "revision"), "fmt": "gift", "category": "hukum",
        "source": GIFT.decode(), "name": "soal.gift", "confirm": "1"})
    assert confirm.status_code == 302
    questions = draft_doc("kuis-satu")["questions"]
    assert [q["id"] for q in questions] == ["hak-cipta", "hak-cipta-2", "lisensi"]
    assert {q.get("category") for q in questions[1:]} == {"hukum"}
    assert questions[1]["type"] == "true_false" and questions[2]["type"] == "single_choice"
    assert quiz_problems("kuis-satu") == []


def test_gift_import_with_a_broken_line_reports_the_line(course, trainer):
    create_quiz(trainer)
    broken = b"::Satu::Benar? {T}\n\n::Dua::Pilih satu {=A ~B\n"
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/import").text
    checked = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(page, "revision"), "fmt": "", "category": "",
        "file": (io.BytesIO(broken), "soal.gift")}, content_type="multipart/form-data")
    assert checked.status_code == 422
    assert "The file has 1 problem; nothing was imported." in checked.text
    assert re.search(r"Line 3: unterminated", checked.text)
    assert draft_doc("kuis-satu").get("questions", []) == []


def test_aiken_import(course, trainer):
    create_quiz(trainer)
    aiken = b"Apa kepanjangan TPBIS?\nA. Transformasi Perpustakaan Berbasis Inklusi Sosial\n" \
            b"B. Taman Pustaka\nANSWER: A\n"
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/import").text
    checked = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(page, "revision"), "fmt": "aiken", "category": "",
        "file": (io.BytesIO(aiken), "soal.txt")}, content_type="multipart/form-data")
    assert "1 question found" in checked.text
    trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(checked.text, "revision"), "fmt": "aiken", "category": "",
        "source": aiken.decode(), "name": "soal.txt", "confirm": "1"})
    assert draft_doc("kuis-satu")["questions"][0]["type"] == "single_choice"


MOODLE = Path(__file__).resolve().parents[1] / "data" / "moodle"
AIKEN = Path(__file__).resolve().parents[1] / "data" / "aiken"


def check_file(trainer, data: bytes, name: str, fmt: str = ""):
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/import").text
    return trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(page, "revision"), "fmt": fmt, "category": "",
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def confirm_import(trainer, checked):
    return trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(checked.text, "revision"), "fmt": hidden(checked.text, "fmt"),
        "category": "", "source": unescape(hidden(checked.text, "source")).replace("\n", "\r\n"),
        "name": hidden(checked.text, "name"), "confirm": "1"})  # as a browser sends it


def test_moodle_xml_import_brings_its_images_into_the_media(course, trainer):
    create_quiz(trainer)
    checked = check_file(trainer, (MOODLE / "all_types.xml").read_bytes(), "bank.xml")
    assert checked.status_code == 200, checked.text
    assert "9 questions found" in checked.text
    assert "Warna apa yang di atas pada bendera ini?" in checked.text  # no <p> in the preview
    confirmed = confirm_import(trainer, checked)
    assert confirmed.status_code == 302, re.findall(r"<li>(.*?)</li>", confirmed.text, re.S)[-3:]
    questions = draft_doc("kuis-satu")["questions"]
    assert len(questions) == 9
    assert "../media/bendera-merah.png" in questions[0]["text"]
    draft = drafts.draft_for(SLUG)
    assert drafts.get_file(draft, "media/bendera-merah.png").data[:4] == b"\x89PNG"
    assert drafts.get_file(draft, "media/bendera-merah-2.png") is not None
    assert quiz_problems("kuis-satu") == []
    preview = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/preview").text
    image = f"/author/{SLUG}/media/file/media/bendera-merah.png"
    assert f'<img src="{image}"' in preview
    assert trainer.get(image).data[:4] == b"\x89PNG"
    assert "&lt;p&gt;" not in preview and ">Merah</label>" in preview


def test_unsupported_moodle_types_are_named_with_their_lines(course, trainer):
    create_quiz(trainer)
    checked = check_file(trainer, (MOODLE / "unsupported.xml").read_bytes(), "bank.xml")
    assert checked.status_code == 422
    assert re.search(r"Line 3: the question type &#39;multianswer&#39; \(Embedded answers",
                     checked.text)
    assert "Line 33:" in checked.text and "nothing was imported" in checked.text


def test_a_moodle_aiken_txt_file_is_read_as_aiken(course, trainer):
    # Was: read as GIFT, imported as descriptions without an error.
    create_quiz(trainer)
    checked = check_file(trainer, (AIKEN / "moodle_docs.aiken.txt").read_bytes(),
                         "moodle_docs.aiken.txt")
    assert "2 questions found" in checked.text
    assert "Single choice" in checked.text and "Description" not in checked.text


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.5\n%\xe2\xe3\n1 0 obj\n", "soal.txt", "This is a PDF file, not a question file."),
        ("Apa? {=a ~b}".encode("utf-16"), "soal.gift", "UTF-16"),
        (b"::a:: Satu\x00 {T}\n", "soal.gift", "Line 1: control character U+0000 (NUL)"),
    ],
)
def test_files_that_are_not_question_text_are_refused(course, trainer, data, name, message):
    # Was: imported "successfully" as description questions full of control characters.
    create_quiz(trainer)
    checked = check_file(trainer, data, name)
    assert checked.status_code == 422
    assert message in checked.text
    assert not draft_doc("kuis-satu").get("questions")


def test_the_confirm_step_has_the_same_size_limit(course, trainer):
    # Was: the hidden source was parsed again without any limit.
    create_quiz(trainer)
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/import").text
    huge = "::a:: x {T}\n\n" * (5 * 1024 * 1024 // 13 + 1)
    refused = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/import", data={
        "revision": hidden(page, "revision"), "fmt": "gift", "category": "", "source": huge,
        "name": "soal.gift", "confirm": "1"})
    assert refused.status_code == 422
    assert "The file is larger than 5 MB" in refused.text
    assert not draft_doc("kuis-satu").get("questions")


def test_a_numerical_question_says_how_to_write_decimals_in_indonesian(course, trainer):
    create_quiz(trainer)
    checked = check_file(trainer, b"::pi::Berapa nilai pi? {#3.1415:0.0005}\n", "pi.gift")
    confirm_import(trainer, checked)
    trainer.post("/language", data={"lang": "id", "next": "/"})
    preview = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/preview").text
    assert "Gunakan koma untuk desimal, mis. 3,14." in preview
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/preview").text
    graded = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/preview",
                          data={"csrf_token": hidden(page, "csrf_token"), "q0": "3.142"})
    assert "quiz-state--correct" in graded.text  # 3.142 is within 0.0005 of 3.1415


def test_participants_and_other_trainers_are_refused(course, client, make_user, app):
    learner = make_user(email="peserta@contoh.id")
    login(client, learner.email)
    for url in (f"/author/{SLUG}/quizzes", f"/author/{SLUG}/quizzes/x/preview"):
        assert client.get(url).status_code == 403
    assert client.post(f"/author/{SLUG}/quizzes", data=QUIZ_FORM).status_code == 403
    stranger = make_user(role="trainer", email="lain@contoh.id")
    other = login(app.test_client(), stranger.email)
    assert other.get(f"/author/{SLUG}/quizzes").status_code == 403
    assert app.test_client().get(f"/author/{SLUG}/quizzes").status_code == 302  # to log in


def test_quiz_list_queries_do_not_grow_with_quizzes(course, trainer, count_queries):
    def queries() -> int:
        with count_queries() as counted:
            assert trainer.get(f"/author/{SLUG}/quizzes").status_code == 200
        return len(counted)

    create_quiz(trainer)
    one = queries()
    create_quiz(trainer, slug="kuis-dua", module="modul-2")
    create_quiz(trainer, slug="kuis-tiga", module="modul-2")
    assert queries() == one


def test_publish_then_a_learner_takes_the_quiz(course, trainer, trainer_user, app, make_user):
    create_quiz(trainer)
    assert add_question(trainer, "multiple_choice", MC_FORM).status_code == 302
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.slug == SLUG))
    db.session.refresh(draft)
    drafts.publish(draft, note="kuis baru", user=trainer_user)

    course = db.session.scalar(select(Course).where(Course.slug == SLUG))
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id,
                                                Quiz.slug == "kuis-satu"))
    learner = make_user(email="belajar@contoh.id")
    db.session.add(Enrollment(user_id=learner.id, course_id=course.id))
    db.session.commit()
    client = login(app.test_client(), learner.email)
    started = client.post(f"/quizzes/{quiz.id}/start")
    assert started.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    page = client.get(f"/attempts/{attempt_id}").text
    assert "Menilai sumber" in page
    client.post(f"/attempts/{attempt_id}/save", data={"q0": ["a", "b"], "page": "1",
                                                      "action": "save"})
    client.post(f"/attempts/{attempt_id}/submit")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "graded" and attempt.score == 100


def test_unknown_quiz_or_type_is_404(course, trainer):
    assert trainer.get(f"/author/{SLUG}/quizzes/tidak-ada").status_code == 404
    create_quiz(trainer)
    assert trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=nope"
                       ).status_code == 404



def test_a_save_the_loader_would_refuse_is_not_written(course, trainer):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "q1", "text": "Benar?", "answer": "0",
                                         "category": "etika"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    data = {**QUIZ_FORM, "revision": hidden(page, "revision"),
            "draw_categories": "keamanan: 2"}
    data.pop("slug")
    refused = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu", data=data)
    assert refused.status_code == 422
    assert "names the category" in refused.text and "keamanan" in refused.text
    assert "draw_categories" not in draft_doc("kuis-satu")
    assert quiz_problems("kuis-satu") == []


def test_a_plugin_type_gets_an_editor_from_its_description(course, trainer, app):
    registry = app.extensions["pelita_question_types"]
    if "likert" not in registry:
        pytest.skip("the Likert plugin is not installed")
    create_quiz(trainer)
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/questions/new?type=likert")
    assert page.status_code == 200
    assert 'name="statements-0"' in page.text and 'name="scale"' in page.text


SHIPPED = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "courses").iterdir()
                 if (p / "course.toml").exists())


@pytest.mark.parametrize("slug", SHIPPED)  # every type, every shipped quiz setting
def test_saving_every_shipped_question_unchanged_keeps_the_quiz(app, client, admin_user, slug):
    """The browser's own form (scraped from the page, sent back as is) saves every question and
    the settings of the shipped courses without changing them."""
    from pathlib import Path

    import_folder(Path(__file__).resolve().parents[2] / "courses" / slug)
    login(client, admin_user.email)
    assert client.get(f"/author/{slug}/quizzes").status_code == 200  # opens the workspace
    draft = drafts.draft_for(slug)
    for path in [p for p in drafts.files(draft) if quizfiles.quiz_slug(p)]:
        quiz = quizfiles.quiz_slug(path)
        before = tomllib.loads(drafts.files(draft)[path].decode())
        for q in before["questions"]:
            url = f"/author/{slug}/quizzes/{quiz}/questions/{q['id']}"
            data = scrape(client.get(url).text, url)  # what the browser sends back
            assert data["text"] == q["text"]
            saved = client.post(url, data=data)
            assert saved.status_code == 302, (q["id"], saved.text[-3000:])
        url = f"/author/{slug}/quizzes/{quiz}"
        assert client.post(url, data=scrape(client.get(url).text, url)).status_code == 302
        db.session.expire_all()
        assert tomllib.loads(drafts.files(draft)[path].decode()) == before
    assert drafts.validate(draft) == []


def test_a_whole_quiz_is_deleted_after_a_confirmation(course, trainer, trainer_user):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "q1", "text": "Benar?", "answer": "1"})
    page = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu").text
    assert "cannot be changed: learners' attempts and scores are kept under it" in page
    assert f'href="/author/{SLUG}/quizzes/kuis-satu/delete"' in page
    confirm = trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/delete")
    assert confirm.status_code == 200 and "Delete the quiz Quiz One?" in confirm.text
    assert "its 1 question are removed" in confirm.text
    assert drafts.get_file(drafts.draft_for(SLUG), "quizzes/kuis-satu.toml") is not None
    stale = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/delete", data={"revision": "1"},
                         follow_redirects=True)
    assert "saved this quiz after you opened the page" in stale.text
    done = trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/delete",
                        data={"revision": hidden(confirm.text, "revision")})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/{SLUG}/quizzes")
    listing = trainer.get(done.headers["Location"]).text
    assert "The quiz kuis-satu has been deleted." in listing
    db.session.expire_all()
    assert drafts.get_file(drafts.draft_for(SLUG), "quizzes/kuis-satu.toml") is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quiz.deleted"))
    assert event.target == "quizzes/kuis-satu.toml" and event.actor_id == trainer_user.id
    assert "Deleted a quiz" in trainer.get(f"/author/{SLUG}/audit").text
    assert drafts.validate(drafts.draft_for(SLUG)) == []
    assert trainer.get(f"/author/{SLUG}/quizzes/kuis-satu/delete").status_code == 404
    assert trainer.post(f"/author/{SLUG}/quizzes/kuis-satu/delete",
                        data={"revision": "1"}).status_code == 404


def test_a_quiz_the_completion_rule_needs_cannot_be_deleted(course, trainer, trainer_user):
    create_quiz(trainer, slug="praktik", kind="practical", module="")
    add_question(trainer, "essay", {"id": "tugas", "text": "Unggah hasil kerja."}, quiz="praktik")
    draft = drafts.draft_for(SLUG)
    row = drafts.get_file(draft, "course.toml")
    text = row.data.decode()
    assert "[completion]" not in text
    text += "\n[completion]\npractical = true\n"
    drafts.save_file(draft, "course.toml", text.encode(), expected_revision=row.revision,
                     user=trainer_user)
    confirm = trainer.get(f"/author/{SLUG}/quizzes/praktik/delete")
    assert confirm.status_code == 200
    assert "requires a practical assignment and this is the only one" in confirm.text
    assert 'id="delete-blockers"' in confirm.text and "Delete the quiz</button>" not in confirm.text
    refused = trainer.post(f"/author/{SLUG}/quizzes/praktik/delete",
                           data={"revision": str(drafts.get_file(
                               draft, "quizzes/praktik.toml").revision)})
    assert refused.status_code == 409 and "cannot be deleted" in refused.text
    db.session.expire_all()
    assert drafts.get_file(drafts.draft_for(SLUG), "quizzes/praktik.toml") is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quiz.deleted")) is None


def test_quiz_pages_show_the_course_tabs(course, trainer):
    create_quiz(trainer)
    add_question(trainer, "true_false", {"id": "q1", "text": "Benar?", "answer": "1"})

    def tabs(url):
        html = trainer.get(url).text
        match = re.search(r'<nav aria-label="[^"]*" class="author-nav author-tabs">(.*?)</nav>',
                          html, re.S)
        assert match, url
        return match.group(1)

    listing = tabs(f"/author/{SLUG}/quizzes")
    assert f'href="/author/{SLUG}/quizzes" aria-current="page"' in listing
    for url in (f"/author/{SLUG}/quizzes/kuis-satu", f"/author/{SLUG}/quizzes/kuis-satu/preview",
                f"/author/{SLUG}/quizzes/kuis-satu/import",
                f"/author/{SLUG}/quizzes/kuis-satu/questions/q1",
                f"/author/{SLUG}/quizzes/kuis-satu/questions/q1/delete",
                f"/author/{SLUG}/quizzes/kuis-satu/delete"):
        nav = tabs(url)
        assert f'href="/author/{SLUG}/quizzes" aria-current="true"' in nav, url
        assert 'aria-current="page"' not in nav, url
        for target in ("/", "/settings", "/media", "/history"):
            assert f'href="/author/{SLUG}{target}"' in nav, (url, target)
