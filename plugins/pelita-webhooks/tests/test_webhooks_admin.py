"""The admin page at /p/webhooks/: admins only, CSRF, audited, the secret shown once."""

from __future__ import annotations

import re

import pytest
from pelita_webhooks import delivery, store
from sqlalchemy import select

from lms.audit import AuditEvent
from lms.extensions import db
from lms.jobs.models import Job


@pytest.fixture
def admin(client, auth, admin_user):
    auth.login(admin_user.email)
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


def secret_on(html: str) -> str | None:
    match = re.search(r"<code>(whsec_[A-Za-z0-9_-]+)</code>", html)
    return match.group(1) if match else None


def test_only_admins_see_the_page(client, auth, participant, trainer_user):
    assert client.get("/p/webhooks/").status_code == 302  # to the login page
    auth.login(participant.email)
    assert client.get("/p/webhooks/").status_code == 403
    assert client.post("/p/webhooks/endpoints", data={"url": "https://x.example/h"}
                       ).status_code == 403
    auth.logout()
    auth.login(trainer_user.email)
    assert client.get("/p/webhooks/").status_code == 403
    assert store.endpoints() == []


def test_adding_an_endpoint_shows_its_secret_once(admin, admin_user):
    page = admin.get("/p/webhooks/")
    assert page.status_code == 200 and "No endpoints yet." in page.get_data(as_text=True)
    added = admin.post("/p/webhooks/endpoints", data={
        "url": "https://hooks.example.org/pelita", "description": "Dinas",
        "events": ["enrolled", "course-completed"]})
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    secret = secret_on(html)
    (endpoint,) = store.endpoints()
    assert secret == endpoint.secret
    assert endpoint.events == ["enrolled", "course-completed"]
    assert added.headers["Cache-Control"] == "no-store"
    again = admin.get("/p/webhooks/").get_data(as_text=True)
    assert secret_on(again) is None and "https://hooks.example.org/pelita" in again
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "webhooks.endpoint_added"))
    assert event.actor_id == admin_user.id and event.scope == "plugin:webhooks"
    assert event.detail == {"url": "https://hooks.example.org/pelita",
                            "events": ["enrolled", "course-completed"]}
    assert secret not in repr(event.detail)


@pytest.mark.parametrize("url, message", [
    ("", "This field is required."),
    ("http://hooks.example.org/pelita", "Use https://."),
    ("ftp://hooks.example.org/x", "Use a full URL starting with https://"),
    ("https://user:pw@hooks.example.org/", "Do not put a user name or password"),
    ("https://hooks.example.org:99999/", "This is not a valid URL."),
    ("hooks.example.org", "Use a full URL starting with https://"),
])
def test_bad_urls_are_refused_next_to_the_field(admin, url, message):
    response = admin.post("/p/webhooks/endpoints", data={"url": url})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="url-error"' in html and message in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*url-error', html)
    assert store.endpoints() == []


def test_plain_http_to_this_machine_only_in_development(admin, app):
    assert admin.post("/p/webhooks/endpoints", data={"url": "http://127.0.0.1:8000/h"}
                      ).status_code == 200
    app.config["WEBHOOKS_ALLOW_LOCAL_HTTP"] = False
    for url in ("http://127.0.0.1:8000/h", "https://127.0.0.1/h", "https://10.1.2.3/h"):
        response = admin.post("/p/webhooks/endpoints", data={"url": url})
        assert response.status_code == 400, url
    assert len(store.endpoints()) == 1


@pytest.mark.parametrize("url", [
    "https://2130706433/h", "https://0x7f.0.0.1/h", "https://127.1/h", "https://0177.0.0.1/h",
    "https://10.1/h", "https://[::ffff:127.0.0.1]/h", "https://169.254.169.254/latest",
    "https://100.64.0.1/h", "https://0.0.0.0/h", "https://localhost./h",
    "https://api.localhost/h",
])
def test_internal_addresses_in_any_spelling_are_refused(admin, app, url):
    """127.1, 2130706433 or 0x7f.0.0.1 are 127.0.0.1 to the network library: refused too."""
    app.config["WEBHOOKS_ALLOW_LOCAL_HTTP"] = False
    response = admin.post("/p/webhooks/endpoints", data={"url": url})
    assert response.status_code == 400, url
    assert "cannot be sent to this machine or its local network" in response.get_data(
        as_text=True)
    assert store.endpoints() == []


def test_unknown_events_are_refused(admin):
    response = admin.post("/p/webhooks/endpoints", data={
        "url": "https://hooks.example.org/h", "events": ["payment-received"]})
    assert response.status_code == 400
    assert store.endpoints() == []


def test_every_form_needs_its_csrf_token(admin, admin_user):
    endpoint, _ = store.add_endpoint(admin_user, "https://hooks.example.org/h", [])
    assert admin.post("/p/webhooks/endpoints", data={"url": "https://a.example/h"},
                      csrf=False).status_code == 400
    for action in ("remove", "secret", "test"):
        assert admin.post(f"/p/webhooks/endpoints/{endpoint.id}/{action}",
                          csrf=False).status_code == 400
    assert [e.id for e in store.endpoints()] == [endpoint.id]
    assert store.get_endpoint(endpoint.id).secret == endpoint.secret


def test_a_new_secret_replaces_the_old_one(admin, admin_user):
    endpoint, old = store.add_endpoint(admin_user, "https://hooks.example.org/h", [])
    response = admin.post(f"/p/webhooks/endpoints/{endpoint.id}/secret")
    assert response.status_code == 200
    new = secret_on(response.get_data(as_text=True))
    assert new and new != old and store.get_endpoint(endpoint.id).secret == new
    assert db.session.scalar(select(AuditEvent.target).where(
        AuditEvent.action == "webhooks.secret_regenerated")) == f"webhook:{endpoint.id}"


def test_removing_an_endpoint(admin, admin_user):
    endpoint, _ = store.add_endpoint(admin_user, "https://hooks.example.org/h", [])
    response = admin.post(f"/p/webhooks/endpoints/{endpoint.id}/remove")
    assert response.status_code == 302
    assert store.endpoints() == []
    assert "The endpoint was removed." in admin.get("/p/webhooks/").get_data(as_text=True)
    assert admin.post(f"/p/webhooks/endpoints/{endpoint.id}/remove").status_code == 404
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target == f"webhook:{endpoint.id}").order_by(AuditEvent.id.desc())
    ) == "webhooks.endpoint_removed"


def test_send_a_test_queues_a_ping_and_the_list_shows_its_status(admin, admin_user, receiver):
    from lms.jobs.services import run_pending

    endpoint, _ = store.add_endpoint(admin_user, receiver.url, [])
    response = admin.post(f"/p/webhooks/endpoints/{endpoint.id}/test")
    assert response.status_code == 302
    (job,) = db.session.scalars(select(Job).where(Job.kind == "webhooks.deliver"))
    assert job.payload["event"] == "ping"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target == f"webhook:{endpoint.id}").order_by(AuditEvent.id.desc())
    ) == "webhooks.test_queued"
    html = admin.get("/p/webhooks/").get_data(as_text=True)
    assert "Waiting" in html
    run_pending()
    html = admin.get("/p/webhooks/").get_data(as_text=True)
    assert "Delivered" in html and receiver.requests[0].headers["X-Pelita-Event"] == "ping"


def test_the_deliveries_list_runs_a_constant_number_of_queries(admin, admin_user,
                                                                count_queries):
    for i in range(3):
        store.add_endpoint(admin_user, f"https://hooks.example.org/{i}", [])
    delivery.forward("enrolled", {"user_id": 1})
    with count_queries() as few:
        assert admin.get("/p/webhooks/").status_code == 200
    for _ in range(5):
        delivery.forward("module-completed", {"user_id": 1})
    with count_queries() as many:
        html = admin.get("/p/webhooks/").get_data(as_text=True)
    assert html.count('class="delivery delivery--queued"') == 18
    assert len(many) == len(few)


def test_the_page_speaks_indonesian_by_default(client, auth, admin_user):
    auth.login(admin_user.email)
    html = client.get("/p/webhooks/").get_data(as_text=True)
    assert "<h1>Webhook</h1>" in html and "Tambahkan endpoint" in html
    assert "Belum ada endpoint." in html
