"""Every route declares who may use it, and it holds for seven people.

The test walks the app's URL map (core and plugin pages alike). A route without a declared rule
(`lms/access.py`: `public`, `signed_in`, `role(...)`, `rule(...)`) fails the test, so a new page
cannot be added without saying who may see it. Then each route is tried as

    anonymous, the learner, another learner, a trainer of the learner's cohort, a trainer of
    another cohort, an editor of the course, an admin, a facilitator (a member of the
    learner's cohort, with a field activity of their own), the facilitator who runs a
    replication cohort the learner also joined ("facilitator_owner") and another facilitator
    running a replication cohort of another learner ("other_facilitator")

against one small world where the learner has joined a cohort, submitted an answer with an
evidence file and holds a certificate; the course is marked for replication. Refused people must
be refused (anonymous: sent to log in; others: 403 or 404) on every method; allowed people must
get the page (GET), not a refusal. A second walk puts the replication cohort, its membership and
a field activity of the facilitator_owner in the URLs (`REPLICATION_VALUES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lms import access
from lms.certificates import services as cert_services
from lms.extensions import db
from lms.quizzes.models import QuestionResponse, ResponseFile
from lms.quizzes.services import attempts as quiz_attempts
from tests.fixtures import PARTICIPANT_PASSWORD
from tests.helpers.cascade import record
from tests.helpers.people import join_cohort, make_editor
from tests.helpers.quizzes import (
    PDF,
    PNG,
    UPLOAD_QUIZ,
    enrol,
    import_pack,
    quiz_by_slug,
    write_pack,
)

ACTORS = ("anonymous", "learner", "other_learner", "cohort_trainer", "other_trainer", "editor",
          "admin", "facilitator", "facilitator_owner", "other_facilitator")
SIGNED_IN = frozenset(ACTORS) - {"anonymous"}
TRAINERS = frozenset({"cohort_trainer", "other_trainer", "editor", "admin"})
FACILITATORS = frozenset({"facilitator", "facilitator_owner", "other_facilitator"})

# Who passes each declared rule, for the learner's work in the world below. A rule that is not
# listed here fails the test: add it with the people who should pass it.
ALLOWED: dict[str, frozenset[str]] = {
    "public": frozenset(ACTORS),
    "signed_in": SIGNED_IN,
    "role:trainer": TRAINERS,
    "role:admin": frozenset({"admin"}),
    "role:facilitator|trainer": TRAINERS | FACILITATORS,
    "role:facilitator": FACILITATORS | {"admin"},
    "rule:view_activity": frozenset({"facilitator", "cohort_trainer", "admin"}),
    "rule:edit_activity": frozenset({"facilitator"}),
    "rule:confirm_activity": frozenset({"cohort_trainer", "admin"}),
    "rule:take_attempt": frozenset({"learner"}),
    # facilitator_owner oversees the learner's work through the replication cohort
    "rule:view_attempt": frozenset({"learner", "cohort_trainer", "admin", "facilitator_owner"}),
    "rule:view_evidence": frozenset({"learner", "cohort_trainer", "admin", "facilitator_owner"}),
    "rule:grade": frozenset({"cohort_trainer", "admin", "facilitator_owner"}),
    "rule:regrade": frozenset({"editor", "admin"}),
    "rule:view_quiz_reports": frozenset({"cohort_trainer", "other_trainer", "editor", "admin",
                                         "facilitator_owner", "other_facilitator"}),
    "rule:view_certificate": frozenset({"learner", "cohort_trainer", "admin",
                                        "facilitator_owner"}),
    "rule:manage_certificate": frozenset({"admin"}),
    "rule:set_up_course_certificate": frozenset({"admin"}),
    "rule:manage_cohort": frozenset({"cohort_trainer", "admin"}),
    "rule:edit_course": frozenset({"editor", "admin"}),
}


# The second walk: the replication cohort of facilitator_owner (the learner joined it), the
# learner's membership of it and a field activity of facilitator_owner replace the values of
# the first walk; the routes with one of these parameters are tried again with these rules.
REPLICATION_ALLOWED: dict[str, frozenset[str]] = {
    "rule:manage_cohort": frozenset({"facilitator_owner", "admin"}),
    # facilitator_owner joined no training cohort: no master trainer confirms their activities
    "rule:view_activity": frozenset({"facilitator_owner", "admin"}),
    "rule:edit_activity": frozenset({"facilitator_owner"}),
    "rule:confirm_activity": frozenset({"admin"}),
}
REPLICATION_PARAMS = {"cohort_id", "member_id", "activity_id"}


# Query strings some pages need to show themselves (not to decide access).
QUERY = {"authoring_quizzes.question_new": "?type=essay"}


@dataclass
class World:
    users: dict
    values: dict  # URL parameter name -> value
    replication_values: dict  # the same, with the replication cohort and its facilitator's


@pytest.fixture
def world(app, make_user, tmp_path) -> World:
    users = {
        "learner": make_user(full_name="Peserta Angkatan"),
        "other_learner": make_user(full_name="Peserta Lain"),
        "cohort_trainer": make_user("trainer", full_name="Pelatih Angkatan"),
        "other_trainer": make_user("trainer", full_name="Pelatih Lain"),
        "editor": make_user("trainer", full_name="Penyunting Kursus"),
        "admin": make_user("admin", full_name="Admin Situs"),
        "facilitator": make_user("facilitator", full_name="Fasilitator Daerah"),
        "facilitator_owner": make_user("facilitator", full_name="Fasilitator Replikasi"),
        "other_facilitator": make_user("facilitator", full_name="Fasilitator Lain"),
    }
    pack = write_pack(tmp_path, slug="kursus-akses", quizzes={"tugas": UPLOAD_QUIZ})
    toml = pack / "course.toml"
    toml.write_text("replication = true\n" + toml.read_text())  # a course for replication
    (pack / "media").mkdir()
    (pack / "media" / "peta.png").write_bytes(PNG)
    course = import_pack(pack)
    make_editor(users["editor"], course)
    cohort = join_cohort(users["cohort_trainer"], [users["learner"], users["facilitator"]], course,
                         name="Angkatan A")
    activity = record(users["facilitator"], attachment=("foto.png", PNG))
    join_cohort(users["other_trainer"], users["other_learner"], course, name="Angkatan B")
    replication = join_cohort(users["facilitator_owner"], users["learner"], course,
                              name="Replikasi Desa")
    assert replication.kind == "replication"
    join_cohort(users["other_facilitator"], users["other_learner"], course, name="Replikasi Lain")
    for facilitator in ("facilitator_owner", "other_facilitator"):  # they took the course too
        enrol(users[facilitator], course)
    own_activity = record(users["facilitator_owner"], topic="Bimtek replikasi",
                          attachment=("foto.png", PNG))

    quiz = quiz_by_slug(course, "tugas")
    attempt = quiz_attempts.start_or_resume(users["learner"], quiz)
    quiz_attempts.save_responses(attempt, {"p1": "a", "p2": "Rencana saya."})
    evidence = quiz_attempts.add_response_file(attempt, "p2", "rencana.pdf", PDF)
    quiz_attempts.submit(attempt)
    essay = db.session.scalar(select(QuestionResponse).where(
        QuestionResponse.attempt_id == attempt.id, QuestionResponse.question_id == "p2"))
    cert = cert_services.issue_manually(users["admin"], users["learner"], course, "Bimtek luring")
    member_id = next(m.id for m in cohort_members(cohort) if m.user_id == users["learner"].id)
    values = {
        "user_id": users["learner"].id, "name": "likert", "province_code": "32",
        "slug": course.slug, "module": "satu", "module_slug": "satu", "quiz": "tugas",
        "qid": "p2", "path": "media/peta.png", "version_id": course.current_version_id,
        "code": cert.code, "cohort_id": cohort.id, "member_id": member_id, "quiz_id": quiz.id,
        "attempt_id": attempt.id, "file_id": evidence.id, "response_id": essay.id,
        "endpoint_id": "abcd1234", "token": "bukan-token", "answer": "accept",
        "activity_id": activity.id, "region_code": "32.76", "token_id": 1,
    }
    assert isinstance(evidence, ResponseFile)
    replication_values = {
        **values, "cohort_id": replication.id, "activity_id": own_activity.id,
        "member_id": next(m.id for m in cohort_members(replication)
                          if m.user_id == users["learner"].id)}
    return World(users, values, replication_values)


def cohort_members(cohort):
    from lms.cohorts import services as cohort_services

    return cohort_services.members_of(cohort)


def private_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static":
            yield rule, access.declared(app.view_functions[rule.endpoint])


def page_routes(app):
    """The routes a browser uses with its login cookie. The JSON API (/api/v1) refuses that
    cookie by design; tests/functional/test_api_access.py walks it with tokens instead."""
    return [(rule, label) for rule, label in private_routes(app)
            if not rule.endpoint.startswith("api.")]


def test_every_route_declares_who_may_use_it(app):
    undeclared = [f"{rule.endpoint} {rule.rule}" for rule, label in private_routes(app)
                  if label is None]
    assert undeclared == [], ("routes without an access rule (lms/access.py: public, "
                              "signed_in, role(...), rule(...)):\n" + "\n".join(undeclared))
    unknown = {label for _rule, label in private_routes(app)} - set(ALLOWED)
    assert unknown == set(), f"rules with no expectation in this test: {unknown}"


def _client_for(app, world: World, actor: str):
    client = app.test_client()
    if actor != "anonymous":
        response = client.post("/login", data={"email": world.users[actor].email,
                                               "password": PARTICIPANT_PASSWORD})
        assert response.status_code == 302, actor
    return client


def _refused(response, actor: str) -> bool:
    if actor == "anonymous":
        return response.status_code == 302 and "/login" in response.headers.get("Location", "")
    return response.status_code in (403, 404)


def _walk(app, world: World, values: dict, allowed_for, routes) -> list[str]:
    clients = {actor: _client_for(app, world, actor) for actor in ACTORS}
    failures = []
    for rule, label in routes:
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        url += QUERY.get(rule.endpoint, "")
        allowed = allowed_for(label)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for actor in ACTORS:
            client = clients[actor]
            if actor in allowed:
                if "GET" not in methods or label == "public":
                    continue  # allowed POSTs would change the world; their tests are elsewhere
                response = client.get(url)
                if _refused(response, actor) or response.status_code >= 400:
                    failures.append(f"{actor} GET {url} ({rule.endpoint}, {label}): "
                                    f"{response.status_code}, expected the page")
                continue
            for method in methods:
                # A POST carries a valid CSRF token: the refusal must come from the rule.
                response = client.post(url) if method == "POST" else client.open(url, method=method)
                if not _refused(response, actor):
                    failures.append(f"{actor} {method} {url} ({rule.endpoint}, {label}): "
                                    f"{response.status_code}, expected a refusal")
    return failures


def test_each_route_refuses_and_admits_the_right_people(app, world):
    failures = _walk(app, world, world.values, ALLOWED.__getitem__, page_routes(app))
    assert failures == [], "\n".join(failures)


def test_the_replication_cohort_and_its_facilitators_own_activity(app, world):
    """Routes of a cohort, a membership or an activity, with the replication cohort the learner
    joined and an activity of the facilitator who runs it."""
    routes = [(rule, label) for rule, label in page_routes(app)
              if REPLICATION_PARAMS & set(rule.arguments)]
    assert {label for _r, label in routes} >= set(REPLICATION_ALLOWED)
    failures = _walk(app, world, world.replication_values,
                     lambda label: REPLICATION_ALLOWED.get(label, ALLOWED[label]), routes)
    assert failures == [], "\n".join(failures)


def test_public_routes_never_ask_anyone_to_log_in(app, world):
    """Public pages open for everyone (a page may still be missing: 404 is fine here)."""
    clients = {actor: _client_for(app, world, actor) for actor in ("anonymous", "learner")}
    for rule, label in page_routes(app):
        if label != "public" or "GET" not in rule.methods:
            continue
        url = rule.build({k: world.values[k] for k in rule.arguments}, append_unknown=False)[1]
        for actor, client in clients.items():
            response = client.get(url)
            assert response.status_code not in (401, 403), (actor, url)
            assert "/login" not in response.headers.get("Location", ""), (actor, url)
