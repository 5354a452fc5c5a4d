"""Bearer tokens: issue, hash-only storage, expiry, deactivation, and no cookie authentication."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import ApiToken, AuditEvent

from .conftest import PASSWORD


def test_issue_token(api, clerk, db):
    answer = api.post("/tokens", json={"username": "clerk_bd", "password": PASSWORD})
    assert answer.status == 201
    token = answer.json["token"]
    assert len(token) >= 40
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=12)

    row = db.session.execute(select(ApiToken)).scalar_one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.user_id == clerk.id
    stored = db.session.execute(select(ApiToken.__table__)).one()
    assert token not in [str(value) for value in stored]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "token.issue")).scalar_one()
    assert event.actor == "clerk_bd" and token not in (event.after or "")


def test_token_lifetime_follows_config(app, api, clerk):
    app.config["API_TOKEN_HOURS"] = 1
    try:
        answer = api.post("/tokens", json={"username": "clerk_bd", "password": PASSWORD})
    finally:
        app.config["API_TOKEN_HOURS"] = 12
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert expires - datetime.now(UTC) <= timedelta(hours=1)


def test_wrong_password_and_unknown_user_answer_alike(api, clerk):
    wrong = api.post("/tokens", json={"username": "clerk_bd", "password": "nope-nope"})
    unknown = api.post("/tokens", json={"username": "nobody", "password": "nope-nope"})
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json
    assert wrong.error["code"] == "invalid_credentials"
    assert wrong.error["findings"] == []


def test_inactive_user_gets_no_token(api, clerk, db):
    clerk.is_active = False
    db.session.commit()
    answer = api.post("/tokens", json={"username": "clerk_bd", "password": PASSWORD})
    assert answer.status == 401
    assert answer.error["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "clerk_bd"}, {"password"}),
        ({"username": 5, "password": PASSWORD}, {"username"}),
        ({"username": "clerk\x00", "password": PASSWORD}, {"username"}),
        ({"username": "clerk_bd", "password": PASSWORD, "extra": 1}, {"extra"}),
    ],
)
def test_token_request_field_errors(api, clerk, body, fields):
    answer = api.post("/tokens", json=body)
    assert answer.status == 422
    assert set(answer.error["fields"]) == fields


def test_deactivated_user_token_stops_at_once(api, clerk, db):
    assert api.get("/decisions", as_=clerk).status == 200
    clerk.is_active = False
    db.session.commit()
    answer = api.get("/decisions", as_=clerk)
    assert answer.status == 401
    assert answer.error["code"] == "unauthorized"


def test_password_change_revokes_tokens(api, clerk, db):
    assert api.get("/decisions", as_=clerk).status == 200
    clerk.set_password("another-password")
    clerk.session_epoch += 1
    db.session.commit()
    assert api.get("/decisions", as_=clerk).status == 401


def test_expired_token_is_refused(api, clerk, db):
    token = api.token(clerk)
    row = db.session.execute(select(ApiToken)).scalar_one()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    answer = api.get("/decisions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401
    # A new token drops the expired one.
    api.tokens.clear()
    api.token(clerk)
    assert len(db.session.execute(select(ApiToken)).scalars().all()) == 1


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic Y2xlcms6cGFzcw==", "Bearer not-a-token", "Bearer " + "x" * 500,
     "Bearer 令牌"],
)
def test_missing_or_bad_token_is_401(api, clerk, header):
    headers = {"Authorization": header} if header is not None else {}
    answer = api.get("/decisions", headers=headers)
    assert answer.status == 401
    assert answer.error["code"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_session_cookie_does_not_authenticate_the_api(client, api, clerk, make_decision):
    decision = make_decision()
    response = client.post("/login", data={"username": "clerk_bd", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/api/v1/decisions/{decision.id}").status_code == 401
    patch = client.patch(f"/api/v1/decisions/{decision.id}", json={"version": decision.version, "title": "x"})
    assert patch.status_code == 401
