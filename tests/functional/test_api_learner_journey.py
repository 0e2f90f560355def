"""A learner goes from the catalogue to a verified certificate through the JSON API alone:
enrol, read the module, mark it done, take the quiz (start, read the questions, save, submit),
read the review, fetch the certificate's PDF and credential, and verify it publicly."""

from __future__ import annotations

import re

from tests.helpers.api import ApiClient, api
from tests.helpers.quizzes import basic_quiz, import_pack, write_pack


def _answer_for(html: str) -> str:
    """What a person answers after reading each question of the basic quiz."""
    if "Ibu kota" in html:
        return re.search(r'value="(\w+)"[^>]*>\s*(?:<[^>]+>\s*)*Jakarta', html).group(1)
    if "Perpustakaan desa" in html:
        return "true"
    assert "Domain" in html
    return "id"


def test_from_enrolment_to_a_verified_certificate_through_the_api(app, participant, tmp_path):
    import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    learner = api(app, participant, "read", "write")

    catalogue = learner.get("/api/v1/courses")
    assert catalogue.status_code == 200
    assert [c["slug"] for c in catalogue.json["items"]] == ["quiz-uji"]
    outline = learner.get("/api/v1/courses/quiz-uji").json
    assert [m["slug"] for m in outline["modules"]] == ["satu"]
    assert outline["progress"]["enrolled"] is False
    quiz_id = outline["quizzes"][0]["id"]

    assert learner.get("/api/v1/courses/quiz-uji/modules/satu").status_code == 403  # not yet
    enrolled = learner.post("/api/v1/courses/quiz-uji/enrolment")
    assert enrolled.status_code == 201 and enrolled.json["progress"]["percent"] == 0

    module = learner.get("/api/v1/courses/quiz-uji/modules/satu").json
    assert module["html"] == "<p>Isi modul.</p>" and "# Satu\n\nIsi modul." in module["markdown"]
    assert module["done"] is False and module["quizzes"][0]["id"] == quiz_id
    done = learner.post("/api/v1/courses/quiz-uji/modules/satu/done").json
    assert done["done"] is True and done["course_completed"] is False

    started = learner.post(f"/api/v1/quizzes/{quiz_id}/attempts")
    assert started.status_code == 201
    attempt = started.json
    assert attempt["status"] == "in_progress" and len(attempt["questions"]) == 3
    assert all("correct" not in q["html"] for q in attempt["questions"])  # no key shown
    answers = {q["inputs"][0]: _answer_for(q["html"]) for q in attempt["questions"]}
    saved = learner.put(f"/api/v1/attempts/{attempt['id']}/answers",
                        json={"answers": answers, "client": "script", "seq": {
                            q["field"]: 1 for q in attempt["questions"]}})
    assert saved.status_code == 200 and len(saved.json["saved"]) == 3
    # Resuming gives the same attempt with the answers in it.
    resumed = learner.post(f"/api/v1/quizzes/{quiz_id}/attempts").json
    assert resumed["id"] == attempt["id"] and all(q["answered"] for q in resumed["questions"])

    submitted = learner.post(f"/api/v1/attempts/{attempt['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.json["status"] == "graded" and submitted.json["score"] == 100.0
    assert submitted.json["passed"] is True
    review = learner.get(f"/api/v1/attempts/{attempt['id']}/review").json
    assert [i["state"] for i in review["items"]] == ["correct"] * 3

    enrolments = learner.get("/api/v1/me/enrolments").json["items"]
    assert enrolments[0]["progress"]["completed"] is True
    assert enrolments[0]["progress"]["percent"] == 100
    certificates = learner.get("/api/v1/me/certificates").json["items"]
    assert len(certificates) == 1 and certificates[0]["status"] == "valid"
    cert = certificates[0]
    pdf = learner.get(cert["pdf"].removeprefix("http://localhost"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    credential = learner.get(cert["credential"].removeprefix("http://localhost"))
    assert credential.status_code == 200 and cert["code"] in str(credential.json)

    anyone = ApiClient(app, None)
    verified = anyone.get(f"/api/v1/verify/{cert['code']}")
    assert verified.status_code == 200
    assert verified.json["status"] == "valid"
    assert verified.json["holder_name"] == participant.full_name
    keys = anyone.get("/api/v1/credential-keys").json
    assert keys["keys"][0]["jwk"]["crv"] == "Ed25519"
