"""The API against its own OpenAPI document (schemathesis): for every operation, requests made
from the document, as a learner, a trainer and an admin with full tokens, get no server error
and only responses the document declares, with bodies that match their schemas; and none is
answered with success without a token or with a token that lacks the operation's scope.

The database is seeded once for the module (a course with a quiz the learner is taking in a
trainer's cohort, a submitted essay waiting for a grade, a certificate). The examples are kept
few (`EXAMPLES` per operation, no shrinking) so the test runs in a minute or two on 2 cores."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import config
from lms import create_app
from lms.auth import services as auth_services
from lms.certificates import services as cert_services
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.quizzes.models import QuestionResponse
from lms.quizzes.services import attempts as quiz_attempts
from tests.fixtures import PARTICIPANT_PASSWORD
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import (
    ESSAY_QUIZ,
    answers_form,
    basic_quiz,
    import_pack,
    quiz_by_slug,
    write_pack,
)

EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _person(n: int, role: str):
    return auth_services.register_participant(
        full_name=f"Orang Uji {n}", email=f"orang{n}@contoh.id", password=PARTICIPANT_PASSWORD,
        library_name="Perpustakaan Desa Sukamaju", library_level="desa", province_code="32",
        regency_code="32.04", role=role)


@pytest.fixture(scope="module")
def seeded(database_url, tmp_path_factory):
    """An app with a seeded database and full tokens for each role; no app context stays
    pushed, so every request gets its own (as in production)."""
    app = create_app(config.TestConfig(database_url))
    root = tmp_path_factory.mktemp("packs")
    with app.app_context():
        db.create_all()
        learner, trainer, admin, spare = (_person(1, "participant"), _person(2, "trainer"),
                                          _person(3, "admin"), _person(4, "participant"))
        course = import_pack(write_pack(root, slug="kursus-kontrak",
                                        quizzes={"kuis": basic_quiz(), "ujian": ESSAY_QUIZ}))
        join_cohort(trainer, learner, course, name="Angkatan Kontrak")
        essay = quiz_attempts.start_or_resume(learner, quiz_by_slug(course, "ujian"))
        quiz_attempts.save_responses(essay, MultiDict(answers_form(essay, {"e1": "a",
                                                                           "e2": "Peran."})))
        quiz_attempts.submit(essay)
        quiz = quiz_by_slug(course, "kuis")
        taking = quiz_attempts.start_or_resume(learner, quiz)
        cert = cert_services.issue_manually(admin, learner, course, "Bimtek luring")
        cohort_id = db.session.scalar(select(Cohort.id))
        # The seeded objects, for a second round of requests that reach them (not only 404s).
        # Administration changes the spare account, so the others' tokens keep working.
        values = {"slug": course.slug, "module_slug": "satu", "quiz_id": quiz.id,
                  "attempt_id": taking.id, "code": cert.code, "cohort_id": cohort_id,
                  "user_id": spare.id,
                  "response_id": db.session.scalar(select(QuestionResponse.id).where(
                      QuestionResponse.attempt_id == essay.id,
                      QuestionResponse.question_id == "e2")),
                  # a finished attempt to review (the other one is answered and submitted)
                  "GET /attempts/{attempt_id}/review": {"attempt_id": essay.id}}
        tokens = {}
        for name, user in (("learner", learner), ("trainer", trainer), ("admin", admin)):
            scopes = ("read", "write", "admin") if user.is_admin else ("read", "write")
            tokens[name] = {scope: auth_services.create_api_token(user, f"{name} {scope}",
                                                                  [scope])[1]
                            for scope in scopes}
            tokens[name]["all"] = auth_services.create_api_token(user, f"{name} all",
                                                                 scopes)[1]
        db.session.remove()
    yield app, tokens, values
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _bearer(token: str) -> dict[str, str]:
    # identity: the WSGI test transport does not undo the app's brotli/gzip compression.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


def test_the_api_keeps_to_its_openapi_document(seeded):
    app, tokens, values = seeded
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 24
    problems: list[str] = []
    answered: set[str] = set()  # operations that answered 2xx at least once
    for operation in operations:
        _exercise(operation, operation.as_strategy(), tokens, problems, answered)
        names = [p.name for p in operation.path_parameters]
        if names:
            _exercise(operation, operation.as_strategy(
                path_parameters={name: values[name] for name in names}
                | values.get(operation.label, {})), tokens, problems,
                answered)
    assert problems == [], "\n".join(sorted(set(problems)))
    # The seeded round reached every resource one may read (not only 404s and 422s).
    reads = {o.label for o in operations if o.method.upper() == "GET"}
    assert reads - answered == set()


def _exercise(operation, strategy, tokens, problems: list[str], answered: set[str]) -> None:
    """Generated requests for one operation, as each role, without a token and with tokens
    that lack the operation's scope."""
    scope = operation.definition.raw.get("x-scope")

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        for role in ("learner", "trainer", "admin"):
            # Raises with every failed check (a 5xx, an undeclared status, a wrong body).
            response = case.call_and_validate(headers=_bearer(tokens[role]["all"]),
                                              checks=CHECKS)
            if response.status_code < 300:
                answered.add(operation.label)
        if scope is None:
            return
        anonymous = case.call(headers={"Accept-Encoding": "identity"})
        if anonymous.status_code < 400:
            problems.append(f"{operation.label} answered {anonymous.status_code} without a token")
        for role, held in tokens.items():
            for other, token in held.items():
                if other in (scope, "all"):
                    continue
                response = case.call(headers=_bearer(token))
                if response.status_code < 400:
                    problems.append(f"{operation.label} answered {response.status_code} to a "
                                    f"{role}'s {other}-only token")

    check()
