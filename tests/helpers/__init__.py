"""Helpers that tests import by name, one module per subject; tests/fixtures.py explains the
layout of the suite. A test module imports helpers from here, never from another test module.

    pages    log in, switch pages to English, hidden fields, field errors, emailed links
    packs    course packs written to disk and imported through the real importer
    quizzes  one-module packs with quiz files, enrolment, quiz settings, attempt forms
    cohorts  a cohort course with a practical assignment, cohorts, members, submissions
    people   the relations that give rights: a course's editor, a cohort joined by learners
    db       counting rows
"""
