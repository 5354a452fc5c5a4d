"""Sessions end on the server: logout, idle time and the absolute lifetime; logins and logouts are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import RequestContextClient


def _copy_cookies(app, source):
    """A second browser holding a copy of ``source``'s cookies (a stolen cookie)."""
    app.test_client_class = RequestContextClient
    thief = app.test_client()
    for cookie in source._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(app, login, clerk):
    browser = login(clerk)
    thief = _copy_cookies(app, browser)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    assert browser.post("/logout").status_code == 302
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_login_rotates_the_session_id(app, login, client, clerk):
    client.get("/login")
    login(clerk)
    first = client.get_cookie("session").value
    thief = _copy_cookies(app, client)
    client.post("/logout")
    login(clerk)
    assert client.get_cookie("session").value != first
    assert thief.get("/").status_code == 302


@pytest.fixture
def later(monkeypatch):
    """``later(minutes=…)`` moves the app's clock forward."""
    from app import clock

    start = clock.utcnow()

    def move(**delta):
        monkeypatch.setattr(clock, "_utc_now", lambda: start + timedelta(**delta))

    return move


def test_idle_session_ends(login, clerk, later):
    client = login(clerk)
    later(minutes=29)
    assert client.get("/").status_code == 200  # activity moves last_seen
    later(minutes=29 + 29)
    assert client.get("/").status_code == 200
    later(minutes=29 + 29 + 31)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_last_seen_is_written_at_most_once_a_minute(login, clerk, db, later, count_queries):
    client = login(clerk)
    with count_queries() as statements:
        client.get("/")
    assert not any(s.lstrip().upper().startswith("UPDATE USER_SESSIONS") for s in statements)
    later(minutes=2)
    with count_queries() as statements:
        client.get("/")
    assert sum(s.lstrip().upper().startswith("UPDATE USER_SESSIONS") for s in statements) == 1


def test_absolute_lifetime_ends_even_an_active_session(login, clerk, later):
    client = login(clerk)
    for minutes in range(20, 12 * 60, 20):  # busy all day, never idle
        later(minutes=minutes)
        assert client.get("/").status_code == 200, minutes
    later(hours=12, minutes=1)
    assert client.get("/").status_code == 302


def test_login_and_logout_are_on_the_audit_trail(login, clerk, db):
    from app.models import AuditEvent

    client = login(clerk)
    client.post("/logout")
    db.session.rollback()
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action.in_(["auth.login", "auth.logout"])).order_by(AuditEvent.id)
    ).scalars().all()
    assert [event.action for event in events] == ["auth.login", "auth.logout"]
    assert events[0].actor == clerk.username and events[0].after_data == {"address": "127.0.0.1", "channel": "web"}


def test_api_login_is_on_the_audit_trail_with_the_address(client, db, clerk):
    from app.models import AuditEvent

    response = client.post("/api/v1/tokens", json={"username": clerk.username, "password": "password123"},
                           environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 201
    db.session.rollback()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "token.issue")).scalar_one()
    assert event.after_data["address"] == "10.1.2.3"
