"""Personal access tokens on the profile page: created with a name and scopes, shown once,
stored as a hash, listed with their last use, revoked; audited."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from lms.audit import AuditEvent
from lms.auth.models import PersonalAccessToken
from lms.extensions import db
from tests.helpers.api import ApiClient
from tests.helpers.pages import login


def _create(client, name="SIM TPBIS", scopes=("read",)):
    return client.post("/profile/tokens", data={"name": name, "scopes": list(scopes)})


def _secret(html: str) -> str:
    match = re.search(r'id="new-token" type="text" readonly value="(pelita_[^"]+)"', html)
    assert match, "the new token is not shown"
    return match.group(1)


def test_a_token_is_shown_once_and_stored_only_as_a_hash(app, client, participant):
    login(client, participant)
    response = _create(client)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = _secret(html)
    assert "it will not be shown again" in html
    row = db.session.scalar(select(PersonalAccessToken))
    assert row.name == "SIM TPBIS" and row.scopes == "read"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(db.session.scalar(select(AuditEvent.detail)))
    page = client.get("/profile").get_data(as_text=True)
    assert secret not in page and "SIM TPBIS" in page and "never" in page
    me = ApiClient(app, secret).get("/api/v1/me")
    assert me.status_code == 200 and me.json["email"] == participant.email


def test_the_token_form_needs_a_name_a_scope_and_a_csrf_token(client, participant):
    login(client, participant)
    response = _create(client, name="  ", scopes=())
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    response = client.post("/profile/tokens", data={"name": "x", "scopes": ["read"]}, csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(PersonalAccessToken)) is None


def test_only_admins_may_give_a_token_the_admin_scope(client, participant, admin_user):
    login(client, participant)
    assert "admin: manage users" not in client.get("/profile").get_data(as_text=True)
    response = _create(client, scopes=("read", "admin"))
    assert response.status_code == 422
    assert db.session.scalar(select(PersonalAccessToken)) is None
    login(client, admin_user)
    assert "admin: manage users" in client.get("/profile").get_data(as_text=True)
    _secret(_create(client, scopes=("read", "admin")).get_data(as_text=True))
    assert db.session.scalar(select(PersonalAccessToken.scopes)) == "read admin"


def test_a_revoked_token_stops_working_at_once_and_the_log_says_so(app, client, participant):
    login(client, participant)
    secret = _secret(_create(client).get_data(as_text=True))
    token_id = db.session.scalar(select(PersonalAccessToken.id))
    assert ApiClient(app, secret).get("/api/v1/me").status_code == 200
    response = client.post(f"/profile/tokens/{token_id}/revoke")
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "has been revoked" in page and "You have no API access tokens." in page
    refused = ApiClient(app, secret).get("/api/v1/me")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_token"
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["account.token_created", "account.token_revoked"]


def test_nobody_revokes_someone_elses_token(app, client, participant, make_user):
    other = make_user()
    login(client, other)
    _secret(_create(client).get_data(as_text=True))
    token_id = db.session.scalar(select(PersonalAccessToken.id))
    login(client, participant)
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    assert db.session.scalar(select(PersonalAccessToken.revoked_at)) is None


def test_last_use_is_written_at_most_once_a_minute(app, client, participant, clock):
    login(client, participant)
    secret = _secret(_create(client).get_data(as_text=True))
    api = ApiClient(app, secret)
    api.get("/api/v1/me")
    first = db.session.scalar(select(PersonalAccessToken.last_used_at))
    assert first is not None
    clock.advance(seconds=30)
    api.get("/api/v1/me")
    db.session.expire_all()
    assert db.session.scalar(select(PersonalAccessToken.last_used_at)) == first
    clock.advance(seconds=31)
    api.get("/api/v1/me")
    db.session.expire_all()
    assert db.session.scalar(select(PersonalAccessToken.last_used_at)) > first


def test_an_expired_token_or_a_deactivated_account_is_refused(app, participant, admin_user,
                                                              clock):
    from lms import clock as lms_clock
    from lms.auth import services

    _row, secret = services.create_api_token(participant, "cron", ["read"],
                                             expires_at=lms_clock.now() + timedelta(days=1))
    api = ApiClient(app, secret)
    assert api.get("/api/v1/me").status_code == 200
    clock.advance(days=2)
    assert api.get("/api/v1/me").status_code == 401
    _row, secret = services.create_api_token(participant, "cron 2", ["read"])
    services.set_active(admin_user, participant, False)
    assert ApiClient(app, secret).get("/api/v1/me").status_code == 401
