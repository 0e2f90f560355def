"""Issue 8 in a real browser: a master trainer writes a module with a quiz, publishes it, puts
the course in a cohort with a deadline, and a participant of that cohort sees it, reads the
module and passes the quiz. Then axe-core checks the authoring, cohort and plugin pages.

Both people switch the site to English with the language buttons, as a user can: the Indonesian
catalogue of these new pages is merged later, so the tests look for the English texts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from lms import clock as app_clock
from lms.auth.models import Role
from lms.auth.services import create_user, register_participant
from lms.extensions import db
from tests.helpers.browser import menu_link

TRAINER = ("yustina@contoh.id", "modul-baru-untuk-angkatan")
ADMIN = ("pengelola@contoh.id", "lentera-biru-sembilan")
LEARNER = ("markus@contoh.id", "kopi-pagi-di-lembah-baliem")  # not the library name + a year
SLUG = "cek-fakta-dasar"
TITLE_EN = "Fact-checking basics"
MODULE_TEXT = "## Three questions\n\nAsk **who** wrote it, **when**, and *why*.\n"


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        create_user(email=TRAINER[0], full_name="Yustina Mahuze", password=TRAINER[1],
                    role=Role.TRAINER)
        create_user(email=ADMIN[0], full_name="Admin Pelita", password=ADMIN[1], role=Role.ADMIN)
        register_participant(full_name="Markus Wenda", email=LEARNER[0], password=LEARNER[1],
                             library_name="Perpustakaan Kampung Wamena", library_level="desa",
                             province_code="95", regency_code="95.01")
        db.session.remove()


def log_in(page, email: str, password: str) -> None:
    """Switch the site to English with the language button, then log in through the form."""
    page.goto("/login")
    english = page.get_by_role("button", name="English")
    if english.count():  # the switch shows only the languages not in use
        english.click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def create_course(page) -> None:
    menu_link(page, "Authoring").click()
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Course address (slug)").fill(SLUG)
    page.get_by_label("Title (Bahasa Indonesia)").fill("Dasar cek fakta")
    page.get_by_label("Title (English)").fill(TITLE_EN)
    page.get_by_label("Hours (JP)").fill("2")
    page.get_by_label("Enrolment").select_option("cohort")
    page.get_by_label("Title of the first module").fill("Tiga pertanyaan")
    page.get_by_role("button", name="Create course").click()
    # The interface is in English here, so the heading shows the English title.
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE_EN)


def write_module(page) -> None:
    page.get_by_role("link", name="Edit Tiga pertanyaan").click()
    page.get_by_label("Text (Markdown)").fill(MODULE_TEXT)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Preview (not saved yet)")).to_be_visible()
    expect(preview.get_by_role("heading", name="Three questions")).to_be_visible()
    expect(preview.locator("strong", has_text="who")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Module saved")
    expect(page.locator("#preview")).to_have_count(0)
    expect(page.get_by_label("Text (Markdown)")).to_have_value(re.compile("Ask \\*\\*who\\*\\*"))


def write_quiz(page) -> None:
    page.get_by_role("link", name=TITLE_EN, exact=True).first.click()  # the breadcrumb
    page.get_by_role("navigation", name=re.compile("^Parts of the course")).get_by_role(
        "link", name="Quizzes").click()
    page.get_by_label("Quiz address (slug)").fill("kuis-cek-fakta")
    page.get_by_label("Kind").select_option("module")
    page.get_by_label("Module", exact=True).select_option(index=1)
    page.get_by_label("Title (Indonesian)").fill("Kuis cek fakta")
    page.get_by_label("Title (English)").fill("Fact-checking quiz")
    page.get_by_role("button", name="Create the quiz").click()
    expect(page.get_by_role("status")).to_contain_text("The quiz has been created")

    page.get_by_label("Add a question of type").select_option("single_choice")
    page.get_by_role("button", name="Add question").click()
    # The id is made from the text unless set under the advanced settings (folded).
    page.locator("summary", has_text="Advanced settings").last.click()
    page.get_by_label("Question id").fill("sumber")
    page.get_by_label("Question text").fill("A viral message has no author. What do you ask first?")
    options = [("Who wrote it?", True, "Right: start with the source."),
               ("How many people shared it?", False, "Many shares prove nothing.")]
    for number, (text, correct, feedback) in enumerate(options, start=1):
        row = page.get_by_role("group", name=f"Option {number}", exact=True)
        row.get_by_label("Option text").fill(text)
        if correct:
            row.get_by_label("Correct").check()
        row.get_by_label("Feedback for this option").fill(feedback)
    page.get_by_role("button", name="Save the question").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quiz: Fact-checking quiz")
    expect(page.locator("#q-sumber")).to_contain_text("A viral message has no author")

    page.get_by_role("link", name="Preview as learner").first.click()
    page.get_by_label("How many people shared it?").check()
    page.get_by_role("button", name="Check the answers").click()
    expect(page.locator("#preview-score")).to_contain_text("Marks: 0 of 1")
    expect(page.get_by_text("Many shares prove nothing.")).to_be_visible()
    page.get_by_label("Who wrote it?").check()
    page.get_by_role("button", name="Check the answers").click()
    expect(page.locator("#preview-score")).to_contain_text("Marks: 1 of 1")


def publish(page) -> None:
    page.get_by_role("navigation", name=re.compile("^Parts of the course")).get_by_role(
        "link", name="Modules").click()  # the workspace, with its checks and Publish
    expect(page.get_by_text("No problems found")).to_be_visible()
    page.get_by_label("What changed?").fill("Modul 1 dan kuisnya")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Published. Learners now see")
    expect(page.get_by_text("No unpublished changes.")).to_be_visible()


def create_cohort(page, deadline: date) -> None:
    menu_link(page, "Cohorts").click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name", exact=True).fill("Angkatan Papua 2026")
    page.get_by_label("Start date").fill(app_clock.today().isoformat())
    page.get_by_label("End date").fill(deadline.isoformat())
    page.get_by_role("group", name="Courses").get_by_label(TITLE_EN).check()
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angkatan Papua 2026")
    expect(page.locator("#cohort-deadlines")).to_contain_text(
        f"{TITLE_EN}: deadline {deadline.isoformat()}")

    page.get_by_role("link", name="Add a participant").click()
    page.get_by_label("Email").fill(LEARNER[0])
    page.get_by_label("Full name").fill("Markus W.")
    page.get_by_role("button", name="Invite to the cohort").click()
    expect(page.get_by_role("status")).to_contain_text(
        "1 person was invited to Angkatan Papua 2026")
    expect(page.get_by_text(f"Markus W. ({LEARNER[0]})")).to_be_visible()
    page.get_by_role("link", name="Back to the cohort").click()
    expect(page.locator("#cohort-members")).to_contain_text("Invitation not accepted yet")


def test_trainer_writes_and_publishes_a_quiz_module_and_a_cohort_member_passes_it(
        page, browser, live_server, people):
    deadline = app_clock.today() + timedelta(days=30)
    log_in(page, *TRAINER)
    create_course(page)
    write_module(page)
    write_quiz(page)
    publish(page)
    create_cohort(page, deadline)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    learner = context.new_page()
    learner.set_default_timeout(10_000)
    log_in(learner, *LEARNER)
    invitations = learner.get_by_role("region", name="Cohort invitations")
    expect(invitations).to_contain_text("Angkatan Papua 2026")
    invitations.get_by_role("button", name="Accept Angkatan Papua 2026").click()
    cohorts = learner.get_by_role("region", name="My cohorts")
    expect(cohorts).to_contain_text("Angkatan Papua 2026")
    expect(learner.locator("#my-deadlines")).to_contain_text(
        f"{TITLE_EN}: {deadline:%b} {deadline.day}, {deadline.year}")  # a date, in English
    expect(learner.locator("#my-deadlines")).to_contain_text("days left")

    learner.locator("#my-deadlines").get_by_role("link", name=TITLE_EN).click()
    learner.get_by_role("link", name="Start:").click()
    expect(learner.get_by_role("heading", name="Three questions")).to_be_visible()
    expect(learner.locator("strong", has_text="who")).to_be_visible()
    learner.get_by_role("button", name="Mark as done").click()

    learner.get_by_role("link", name="Fact-checking quiz").click()
    learner.get_by_role("button", name="Start the quiz").click()
    learner.get_by_label("Who wrote it?").check()
    learner.get_by_role("button", name="Save and finish").click()
    learner.get_by_role("button", name="Submit all and finish").click()
    expect(learner.get_by_text("100")).to_be_visible()
    expect(learner.get_by_text("Right: start with the source.")).to_be_visible()
    context.close()


BAD_CSV = (b"name;email;library;province;regency\n"
           b"Siti Aminah;siti@contoh;Perpustakaan Desa Sukamaju;Jawa Barat;Kabupaten Bandung\n"
           b";rina@contoh.id;Perpustakaan Desa Mekar;Atlantis;\n")


def test_authoring_cohort_and_plugin_pages_have_no_wcag_violations(page, browser, live_server,
                                                                   people, axe):
    deadline = app_clock.today() + timedelta(days=10)
    log_in(page, *TRAINER)
    create_course(page)
    write_module(page)
    write_quiz(page)
    publish(page)
    create_cohort(page, deadline)
    cohort_url = page.url

    found = axe(page)  # the cohort overview with a member, progress and deadlines
    page.goto("/author/")
    found += axe(page)
    page.get_by_role("link", name=TITLE_EN).click()
    found += axe(page)  # the workspace of a published course
    tabs = page.get_by_role("navigation", name=re.compile("^Parts of the course")).get_by_role("link")
    pages = [(tab.inner_text(), tab.get_attribute("href")) for tab in tabs.all()]
    for name, href in pages:
        if name != "Download as ZIP":  # settings, quizzes, media, editors, history, audit log
            page.goto(href)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            found += axe(page)
    page.goto(pages[0][1])
    page.get_by_role("link", name="Edit Tiga pertanyaan").click()
    page.get_by_label("Title (Bahasa Indonesia)").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("Title (Bahasa Indonesia)")).to_have_attribute("aria-invalid", "true")
    found += axe(page)  # the module editor showing a validation error
    page.get_by_role("button", name="Preview").click()
    found += axe(page)
    page.goto(f"/author/{SLUG}/quizzes/kuis-cek-fakta")
    found += axe(page)  # the quiz editor with its question list and settings
    page.get_by_role("link", name="Edit sumber").click()
    found += axe(page)  # a question page
    page.get_by_label("Question text").fill("")
    page.get_by_role("button", name="Save the question").last.click()
    expect(page.locator("#editor-errors")).to_be_visible()
    found += axe(page)  # the question page with errors
    page.goto(f"/author/{SLUG}/quizzes/kuis-cek-fakta")
    page.get_by_role("link", name="Preview as learner").first.click()
    found += axe(page)

    page.goto(cohort_url)
    page.get_by_role("link", name="Upload a participant list (CSV)").click()
    page.get_by_label("Participant list (CSV)").set_input_files(
        files=[{"name": "peserta.csv", "mimeType": "text/csv", "buffer": BAD_CSV}])
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator("#import-errors")).to_contain_text("is not a valid email address")
    found += axe(page)  # the CSV preview with errors
    page.goto("/cohorts")
    found += axe(page)
    page.goto("/cohorts/new")
    page.get_by_role("button", name="Create the cohort").click()
    found += axe(page)  # the cohort form with an error

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    other = context.new_page()
    other.set_default_timeout(10_000)
    log_in(other, *LEARNER)
    found += axe(other)  # the dashboard with a cohort invitation
    other.get_by_role("button", name="Accept Angkatan Papua 2026").click()
    expect(other.locator("#my-deadlines")).to_contain_text(f"{deadline:%b} {deadline.day}, {deadline.year}")
    found += axe(other)  # the dashboard with the cohort's deadlines
    other.get_by_role("button", name="Log out").click()
    log_in(other, *ADMIN)
    menu_link(other, "Administration").click()
    other.get_by_role("link", name="Plugins").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Plugins")
    found += axe(other)
    context.close()
    assert found == []
