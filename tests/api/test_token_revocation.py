"""Revoking the calling token, and the cap on live tokens per user; both are audit events."""

from __future__ import annotations

from sqlalchemy import select

from app.models import ApiToken, AuditEvent

from .conftest import PASSWORD


def _new_token(api, user) -> str:
    answer = api.post("/tokens", json={"username": user.username, "password": PASSWORD})
    assert answer.status == 201, answer.json
    return answer.json["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(db, action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def test_revoked_token_stops_at_once(api, clerk, db):
    token, other = _new_token(api, clerk), _new_token(api, clerk)
    assert api.get("/decisions", headers=_bearer(token)).status == 200
    answer = api.call("DELETE", "/tokens/current", headers=_bearer(token))
    assert answer.status == 204 and answer.json is None
    refused = api.get("/decisions", headers=_bearer(token))
    assert refused.status == 401 and refused.error["code"] == "unauthorized"
    again = api.call("DELETE", "/tokens/current", headers=_bearer(token))
    assert again.status == 401
    assert api.get("/decisions", headers=_bearer(other)).status == 200  # the user's other tokens stay

    [event] = _events(db, "token.revoke")
    assert event.actor == "clerk_bd" and event.entity == "api_token"
    assert event.after_data == {"revoked": True, "reason": "client"}
    assert token not in (event.before or "") + (event.after or "")
    assert len(_events(db, "token.issue")) == 2


def test_revoking_needs_a_token(api, clerk):
    for headers in ({}, _bearer("not-a-token")):
        answer = api.call("DELETE", "/tokens/current", headers=headers)
        assert answer.status == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_failed_revocation_writes_nothing(api, clerk, db):
    _new_token(api, clerk)
    before = len(_events(db, "token.revoke"))
    api.call("DELETE", "/tokens/current", headers=_bearer("x" * 43))
    assert len(_events(db, "token.revoke")) == before


def test_live_tokens_are_capped_and_the_oldest_goes(app, api, clerk, db, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_TOKENS", 3)
    tokens = [_new_token(api, clerk) for _ in range(5)]
    db.session.rollback()
    assert len(db.session.execute(select(ApiToken)).scalars().all()) == 3
    assert [api.get("/decisions", headers=_bearer(t)).status for t in tokens] == [401, 401, 200, 200, 200]
    revoked = _events(db, "token.revoke")
    assert [e.after_data["reason"] for e in revoked] == ["limit", "limit"]
    issued = _events(db, "token.issue")
    assert [e.entity_id for e in revoked] == [e.entity_id for e in issued[:2]]


def test_the_cap_is_per_user(app, api, clerk, legal, db, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_TOKENS", 1)
    mine = _new_token(api, clerk)
    _new_token(api, legal)
    assert api.get("/decisions", headers=_bearer(mine)).status == 200


def test_default_cap_is_five(app):
    assert app.config["API_MAX_TOKENS"] == 5
