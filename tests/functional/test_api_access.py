"""Who may call each /api/v1 endpoint: the token's scope and the access rule, for six people.

Like test_access_matrix.py for the pages, this walks the API's URL map: every endpoint must
declare its access rule and (unless public) its scope — GET needs `read`, changes `write`,
administration `admin` (and the admin role). Each endpoint is tried without a token (401), with a login cookie only (401), with a
token that lacks the scope (403), and by each person with a full token: the allowed get an
answer, the others 403 or 404.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms import access
from lms.api.core import scope_of
from lms.certificates import services as cert_services
from lms.extensions import db
from lms.quizzes.models import QuestionResponse
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.api import ApiClient, token_for
from tests.helpers.pages import login
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import ESSAY_QUIZ, answers_form, import_pack, quiz_by_slug, write_pack

ACTORS = ("anonymous", "learner", "other_learner", "cohort_trainer", "other_trainer", "admin")
SIGNED_IN = frozenset(ACTORS) - {"anonymous"}
ALLOWED = {
    "public": frozenset(ACTORS),
    "signed_in": SIGNED_IN,
    "role:facilitator|trainer": frozenset({"cohort_trainer", "other_trainer", "admin"}),
    "role:admin": frozenset({"admin"}),
    "role:trainer": frozenset({"cohort_trainer", "other_trainer", "admin"}),
    "rule:view_attempt": frozenset({"learner", "cohort_trainer", "admin"}),
    "rule:take_attempt": frozenset({"learner"}),
    "rule:view_certificate": frozenset({"learner", "cohort_trainer", "admin"}),
    "rule:manage_cohort": frozenset({"cohort_trainer", "admin"}),
    "rule:view_quiz_reports": frozenset({"cohort_trainer", "admin"}),
    "rule:grade": frozenset({"cohort_trainer", "admin"}),
    "rule:manage_certificate": frozenset({"admin"}),
}
# Signed in, yet refused by the resource itself: the module of a course one is not enrolled in.
REFUSED_BY_THE_RESOURCE = {("api.module", "other_learner")}
ADMIN_LABELS = {"role:admin", "rule:manage_certificate"}
SCOPE_OF_METHOD = {"GET": {"read"}, "POST": {"write", "admin"}, "PUT": {"write", "admin"}}


@dataclass
class World:
    users: dict
    values: dict


@pytest.fixture
def world(app, make_user, tmp_path) -> World:
    users = {
        "learner": make_user(full_name="Peserta Angkatan"),
        "other_learner": make_user(full_name="Peserta Lain"),
        "cohort_trainer": make_user("trainer", full_name="Pelatih Angkatan"),
        "other_trainer": make_user("trainer", full_name="Pelatih Lain"),
        "admin": make_user("admin", full_name="Admin Situs"),
    }
    course = import_pack(write_pack(tmp_path, slug="kursus-api", quizzes={"ujian": ESSAY_QUIZ}))
    cohort = join_cohort(users["cohort_trainer"], users["learner"], course, name="Angkatan A")
    join_cohort(users["other_trainer"], users["other_learner"], name="Angkatan B")
    quiz = quiz_by_slug(course, "ujian")
    attempt = quiz_attempts.start_or_resume(users["learner"], quiz)
    quiz_attempts.save_responses(attempt, MultiDict(answers_form(attempt, {"e1": "a", "e2": "Peran saya."})))
    quiz_attempts.submit(attempt)
    essay = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id, QuestionResponse.question_id == "e2"))
    cert = cert_services.issue_manually(users["admin"], users["learner"], course, "Bimtek luring")
    values = {"slug": course.slug, "module_slug": "satu", "quiz_id": quiz.id,
              "attempt_id": attempt.id, "response_id": essay.id, "code": cert.code,
              "cohort_id": cohort.id, "user_id": users["other_learner"].id}
    return World(users, values)


def api_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith("api."):
            view = app.view_functions[rule.endpoint]
            yield rule, access.declared(view), scope_of(view)


def _url(rule, values) -> str:
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def _method(rule) -> str:
    return next(m for m in ("GET", "POST", "PUT") if m in rule.methods)


def test_every_endpoint_declares_its_rule_and_scope(app):
    problems = []
    for rule, label, scope in api_routes(app):
        method = _method(rule)
        if label not in ALLOWED:
            problems.append(f"{rule.rule}: access rule {label!r}")
        if label == "public":
            if scope is not None or method != "GET":
                problems.append(f"{rule.rule}: public endpoints only read, with no scope")
        elif scope not in SCOPE_OF_METHOD[method] and scope != "admin":
            problems.append(f"{rule.rule}: {method} with scope {scope!r}")
        if (label in ADMIN_LABELS) != (scope == "admin"):
            problems.append(f"{rule.rule}: the admin scope is for administration only, "
                            "which needs it")
    assert problems == []


def _full_token(user) -> str:
    return token_for(user, "read", "write", *(("admin",) if user.is_admin else ()))


def test_each_endpoint_answers_the_allowed_people_and_refuses_the_others(app, world):
    clients = {actor: ApiClient(app, None if actor == "anonymous"
                                else _full_token(world.users[actor])) for actor in ACTORS}
    failures = []
    for rule, label, _scope in api_routes(app):
        url, method = _url(rule, world.values), _method(rule)
        for actor in ACTORS:
            allowed = actor in ALLOWED[label] and (rule.endpoint, actor) not in \
                REFUSED_BY_THE_RESOURCE
            if allowed and method != "GET":
                continue  # allowed changes are tested per endpoint
            response = clients[actor].open(url, method, json={} if method != "GET" else None)
            if allowed:
                if response.status_code != 200:
                    failures.append(f"{actor} {method} {url}: {response.status_code}, expected 200")
                continue
            expected = {401} if actor == "anonymous" else {403, 404}
            if response.status_code not in expected:
                failures.append(f"{actor} {method} {url}: {response.status_code}, "
                                f"expected {sorted(expected)}")
            elif not (response.is_json and set(response.json) == {"error"}):
                failures.append(f"{actor} {method} {url}: not the error object")
    assert failures == [], "\n".join(failures)


def test_a_token_without_the_scope_is_refused(app, world):
    failures = []
    for rule, label, scope in api_routes(app):
        if scope is None:
            continue
        actor = next(a for a in ("learner", "cohort_trainer", "admin") if a in ALLOWED[label])
        user = world.users[actor]
        others = [s for s in ("read", "write", "admin")
                  if s != scope and (s != "admin" or user.is_admin)]
        client = ApiClient(app, token_for(user, *others))
        response = client.open(_url(rule, world.values), _method(rule), json={})
        if response.status_code != 403 or response.json["error"]["code"] != "insufficient_scope":
            failures.append(f"{rule.rule} with {others}: {response.status_code}")
    assert failures == [], "\n".join(failures)


def test_a_login_cookie_without_a_token_is_refused(app, world):
    browser = login(app.test_client(), world.users["admin"])
    failures = []
    for rule, _label, _scope in api_routes(app):
        if rule.endpoint in ("api.openapi", "api.docs"):
            continue
        method = _method(rule)
        url = _url(rule, world.values)
        if method == "POST":
            response = browser.post(url, json={}, csrf=False)
        else:
            response = browser.open(url, method=method, json={} if method != "GET" else None)
        if response.status_code != 401 or response.json["error"]["code"] != "cookie_not_accepted":
            failures.append(f"{method} {rule.rule}: {response.status_code}")
    assert failures == [], "\n".join(failures)
