"""The JSON API's shared behaviour (the error object in the request's language, ETags, pages,
the rate limit per token) and its endpoints, each as the people who use them."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.audit import AuditEvent
from lms.auth.models import User
from lms.extensions import db
from lms.quizzes.models import QuestionResponse
from lms.quizzes.services import attempts as quiz_attempts
from tests.helpers.api import ApiClient, api, token_for
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import (
    ESSAY_QUIZ,
    answers_form,
    basic_quiz,
    import_pack,
    quiz_by_slug,
    setup_quiz,
    write_pack,
)

# --------------------------------------------------------------------------- shared behaviour


def test_errors_are_one_json_object_in_the_requests_language(app, participant):
    english = ApiClient(app, None, language="en")
    response = english.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "field": None,
                                       "message": "This resource does not exist."}}
    indonesian = ApiClient(app, None, language="id")
    message = indonesian.get("/api/v1/me").json["error"]["message"]
    assert "token" in message and "Send a valid" not in message
    assert english.open("/api/v1/courses", "DELETE").json["error"]["code"] == \
        "method_not_allowed"
    bad_page = english.get("/api/v1/courses?page=zero")
    assert bad_page.status_code == 422 and bad_page.json["error"]["field"] == "page"
    learner = api(app, participant)
    not_json = learner.put("/api/v1/admin/users/1/role", data="role=admin")
    assert not_json.status_code == 403  # the scope is checked before the body is read


def test_a_wrong_authorization_header_is_refused(app, participant):
    client = ApiClient(app, None)
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer pelita_not-a-real-token",
                   "Bearer something-else"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_reads_carry_an_etag_and_answer_304_when_unchanged(app, participant, tmp_path):
    import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    client = api(app, participant, "read")
    first = client.get("/api/v1/courses/quiz-uji")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/courses/quiz-uji", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    api(app, participant, "write").post("/api/v1/courses/quiz-uji/enrolment")
    changed = client.get("/api/v1/courses/quiz-uji", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["progress"]["enrolled"] is True


def test_lists_come_in_pages_with_next_links(app, tmp_path):
    for n in range(3):
        import_pack(write_pack(tmp_path, slug=f"kursus-{n}"))
    client = ApiClient(app, None)
    first = client.get("/api/v1/courses?per_page=2").json
    assert [c["slug"] for c in first["items"]] == ["kursus-0", "kursus-1"]
    assert first["total"] == 3 and first["prev"] is None
    second = client.get(first["next"].removeprefix("http://localhost")).json
    assert [c["slug"] for c in second["items"]] == ["kursus-2"] and second["next"] is None
    assert client.get("/api/v1/courses?per_page=101").status_code == 422
    assert client.get("/api/v1/courses?page=²").status_code == 422  # a digit, not a number


def _person(email: str):
    """An account for a test on `limited_app` (the `make_user` fixture starts the default app,
    which would switch the shared limiter off)."""
    from lms.auth import services
    from tests.fixtures import PARTICIPANT_PASSWORD

    return services.create_user(email=email, full_name="Peserta Batas",
                                password=PARTICIPANT_PASSWORD, role="participant")


def test_the_rate_limit_counts_per_token(limited_app):
    limited_app.config["API_RATE_LIMIT"] = "3 per minute"
    one = ApiClient(limited_app, token_for(_person("satu@contoh.id"), "read"))
    two = ApiClient(limited_app, token_for(_person("dua@contoh.id"), "read"))
    assert [one.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = one.get("/api/v1/me")
    assert limited.json["error"]["code"] == "rate_limited"
    assert two.get("/api/v1/me").status_code == 200  # another token, its own budget


def test_verification_has_the_same_miss_limit_as_the_verify_page(limited_app):
    limited_app.config["VERIFY_MISS_LIMIT"] = "2/minute"
    client = ApiClient(limited_app, None)
    code = _unknown_valid_code()
    codes = [client.get(f"/api/v1/verify/{code}").status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def _unknown_valid_code() -> str:
    """A well-formed certificate code (with its check symbol) that no certificate has."""
    from lms.certificates import codes

    return codes.generate_code()


def test_the_openapi_document_and_its_page(app):
    client = ApiClient(app, None)
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert "/attempts/{attempt_id}/answers" in document["paths"]
    assert document["paths"]["/me"]["get"]["x-scope"] == "read"
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "GET /me/enrolments" in html
    assert "cdn" not in html.lower()


# --------------------------------------------------------------------------- learner

def test_saving_answers_is_idempotent_and_a_late_save_never_wins(app, participant, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    client = api(app, participant)
    attempt = client.post(f"/api/v1/quizzes/{quiz.id}/attempts").json
    field = next(q for q in attempt["questions"] if "Domain" in q["html"])["field"]
    url = f"/api/v1/attempts/{attempt['id']}/answers"
    newer = {"answers": {field: "id"}, "client": "hp-1", "seq": {field: 2}}
    assert client.put(url, json=newer).json["acked"] == {field: 2}
    assert client.put(url, json=newer).json["acked"] == {field: 2}  # the same again: no change
    late = client.put(url, json={"answers": {field: "com"}, "client": "hp-1", "seq": {field: 1}})
    assert late.json == {"saved": [], "acked": {field: 2}}
    shown = client.get(f"/api/v1/attempts/{attempt['id']}").json["questions"]
    assert 'value="id"' in next(q for q in shown if q["field"] == field)["html"]
    assert client.put(url, json={"answers": "x"}).status_code == 422
    assert client.put(url, data="not json").status_code == 400
    client.post(f"/api/v1/attempts/{attempt['id']}/submit")
    closed = client.put(url, json=newer)
    assert closed.status_code == 409 and closed.json["error"]["code"] == "attempt_closed"


def test_a_learner_cannot_start_a_quiz_of_a_course_they_are_not_in(app, participant,
                                                                    make_user, tmp_path):
    _course, quiz = setup_quiz(tmp_path, participant)
    outsider = api(app, make_user())
    response = outsider.post(f"/api/v1/quizzes/{quiz.id}/attempts")
    assert response.status_code == 409 and response.json["error"]["code"] == "cannot_start"
    assert outsider.post("/api/v1/quizzes/999999/attempts").status_code == 404


# --------------------------------------------------------------------------- trainer

def _cohort_world(make_user, tmp_path):
    trainer = make_user("trainer", full_name="Pelatih Angkatan")
    learner = make_user(full_name="Peserta Angkatan")
    course = import_pack(write_pack(tmp_path, slug="kursus-api", quizzes={"ujian": ESSAY_QUIZ}))
    cohort = join_cohort(trainer, learner, course, name="Angkatan A")
    quiz = quiz_by_slug(course, "ujian")
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    quiz_attempts.save_responses(attempt, MultiDict(answers_form(attempt, {"e1": "a", "e2": "Peran."})))
    quiz_attempts.submit(attempt)
    return trainer, learner, cohort, attempt


def test_a_trainer_reads_their_cohorts_progress_and_grades_through_the_api(app, make_user,
                                                                           tmp_path):
    trainer, learner, cohort, attempt = _cohort_world(make_user, tmp_path)
    client = api(app, trainer)
    cohorts = client.get("/api/v1/cohorts").json["items"]
    assert [(c["name"], c["members"]) for c in cohorts] == [("Angkatan A", 1)]
    members = client.get(f"/api/v1/cohorts/{cohort.id}/members").json["items"]
    assert members[0]["name"] == "Peserta Angkatan"
    assert members[0]["courses"][0]["course"] == "kursus-api"
    queue = client.get("/api/v1/grading-queue").json["items"]
    assert [(q["learner"], q["question_id"]) for q in queue] == [("Peserta Angkatan", "e2")]
    too_many = client.post(f"/api/v1/responses/{queue[0]['response_id']}/grade",
                           json={"points": 99})
    assert too_many.status_code == 422 and too_many.json["error"]["field"] == "points"
    graded = client.post(f"/api/v1/responses/{queue[0]['response_id']}/grade",
                         json={"points": 3, "comment": "Bagus."})
    assert graded.status_code == 200 and graded.json["attempt"]["status"] == "graded"
    assert client.get("/api/v1/grading-queue").json["items"] == []
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "submission.graded")) is not None
    row = db.session.scalar(select(QuestionResponse).where(QuestionResponse.question_id == "e2"))
    assert row.manual_comment == "Bagus."
    assert client.post(f"/api/v1/responses/{row.id}/grade", json={"points": "x"}).status_code \
        == 422


def test_another_trainer_sees_nothing_of_the_cohort(app, make_user, tmp_path):
    _trainer, _learner, cohort, _attempt = _cohort_world(make_user, tmp_path)
    other = api(app, make_user("trainer"))
    assert other.get("/api/v1/cohorts").json["items"] == []
    assert other.get(f"/api/v1/cohorts/{cohort.id}/members").status_code == 403
    assert other.get("/api/v1/grading-queue").json["items"] == []


# --------------------------------------------------------------------------- admin

def test_an_admin_lists_users_changes_a_role_and_deactivates(app, admin_user, participant):
    client = api(app, admin_user, "read", "write", "admin")
    listed = client.get(f"/api/v1/admin/users?q={participant.email}").json["items"]
    assert [u["email"] for u in listed] == [participant.email]
    changed = client.put(f"/api/v1/admin/users/{participant.id}/role", json={"role": "trainer"})
    assert changed.status_code == 200 and changed.json["role"] == "trainer"
    wrong = client.put(f"/api/v1/admin/users/{participant.id}/role", json={"role": "king"})
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "role"
    learner_token = token_for(participant, "read")
    off = client.put(f"/api/v1/admin/users/{participant.id}/active", json={"active": False})
    assert off.status_code == 200 and off.json["active"] is False
    assert ApiClient(app, learner_token).get("/api/v1/me").status_code == 401
    self_off = client.put(f"/api/v1/admin/users/{admin_user.id}/active", json={"active": False})
    assert self_off.status_code == 422
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"account.role_changed", "account.deactivated"} <= actions
    assert db.session.get(User, admin_user.id).active


def test_an_admin_token_without_the_admin_scope_cannot_administer(app, admin_user):
    client = api(app, admin_user, "read", "write")
    response = client.get("/api/v1/admin/users")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "insufficient_scope"


def test_an_admin_revokes_and_reissues_a_certificate(app, admin_user, participant, tmp_path):
    from lms.certificates import services as cert_services

    course, _quiz = setup_quiz(tmp_path, participant)
    cert = cert_services.issue_manually(admin_user, participant, course, "Bimtek luring")
    client = api(app, admin_user, "read", "write", "admin")
    url = f"/api/v1/admin/certificates/{cert.code}"
    no_reason = client.post(f"{url}/reissue", json={"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json["error"]["field"] == "reason"
    new = client.post(f"{url}/reissue", json={"reason": "Nama salah eja",
                                              "holder_name": "Peserta Benar"})
    assert new.status_code == 201 and new.json["holder_name"] == "Peserta Benar"
    anyone = ApiClient(app, None)
    assert anyone.get(f"/api/v1/verify/{cert.code}").json["status"] == "superseded"
    revoked = client.post(f"/api/v1/admin/certificates/{new.json['code']}/revoke",
                          json={"reason": "Kecurangan"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    again = client.post(f"/api/v1/admin/certificates/{new.json['code']}/revoke",
                        json={"reason": "Lagi"})
    assert again.status_code == 409
    assert anyone.get(f"/api/v1/verify/{new.json['code']}").json["status"] == "revoked"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"certificate.reissued", "certificate.revoked"} <= actions


def test_a_rubric_answer_is_graded_per_criterion(app, make_user, tmp_path):
    from tests.helpers.cohorts import cohort_course, submit_practical

    trainer, learner = make_user("trainer"), make_user()
    course = cohort_course(tmp_path)
    join_cohort(trainer, learner, course)
    submit_practical(learner, quiz_by_slug(course, "tugas"))
    client = api(app, trainer)
    item = client.get("/api/v1/grading-queue").json["items"][0]
    url = f"/api/v1/responses/{item['response_id']}/grade"
    assert client.post(url, json={"criteria": [4]}).status_code == 409  # one criterion missing
    graded = client.post(url, json={"criteria": [4, 3], "comment": "Rencana jelas."})
    assert graded.status_code == 200
    assert graded.json["attempt"]["status"] == "graded"
    assert graded.json["attempt"]["passed"] is True


def test_a_cohorts_members_and_enrolments_cost_the_same_queries_however_many(
        app, make_user, tmp_path, count_queries):
    from tests.helpers.cohorts import add_joined

    trainer = make_user("trainer")
    course = import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    first = make_user()
    cohort = join_cohort(trainer, first, course)
    client = api(app, trainer, "read")
    learner = api(app, first, "read")
    url = f"/api/v1/cohorts/{cohort.id}/members"
    client.get(url)  # warm: a token's first use also notes the time
    learner.get("/api/v1/me/enrolments")
    with count_queries() as small:
        assert len(client.get(url).json["items"]) == 1
    with count_queries() as mine_small:
        learner.get("/api/v1/me/enrolments")
    for n in range(5):
        add_joined(trainer, cohort, make_user(full_name=f"Peserta {n}"))
    for n in range(3):
        extra = import_pack(write_pack(tmp_path, slug=f"lain-{n}", quizzes={"kuis": basic_quiz()}))
        api(app, first, "write").post(f"/api/v1/courses/{extra.slug}/enrolment")
    with count_queries() as big:
        assert len(client.get(url).json["items"]) == 6
    with count_queries() as mine_big:
        assert len(learner.get("/api/v1/me/enrolments").json["items"]) == 4
    assert len(big) == len(small)
    assert len(mine_big) == len(mine_small)


def test_an_admin_creates_an_account_and_the_person_sets_their_password(app, admin_user, client,
                                                                       auth, mail):
    from lms.jobs.services import run_pending
    from tests.helpers.pages import emailed_link

    admin = api(app, admin_user, "admin")
    created = admin.post("/api/v1/admin/users", json={"email": "Baru@Contoh.id",
                                                      "full_name": "Orang  Baru",
                                                      "role": "trainer"})
    assert created.status_code == 201
    assert (created.json["email"], created.json["full_name"], created.json["role"]) == \
        ("baru@contoh.id", "Orang Baru", "trainer")
    again = admin.post("/api/v1/admin/users", json={"email": "baru@contoh.id",
                                                    "full_name": "Lagi"})
    assert again.status_code == 409 and again.json["error"]["code"] == "account_exists"
    bad = admin.post("/api/v1/admin/users", json={"email": "bukan-email", "full_name": "X"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "email"
    assert auth.login("baru@contoh.id", "").status_code != 302  # no password works yet
    assert run_pending() == 1 and mail[-1]["To"] == "baru@contoh.id"
    link = emailed_link(mail[-1], "/reset/")
    response = client.post(link, data={"new_password": "lupa-lalu-ingat-lagi",
                                       "confirm": "lupa-lalu-ingat-lagi"})
    assert response.status_code == 302
    assert auth.login("baru@contoh.id", "lupa-lalu-ingat-lagi").status_code == 302
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "account.created")) is not None
