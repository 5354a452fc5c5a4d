"""Failed logins are refused with 429 per username (database) and per address (the ``limits`` storage), everywhere."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

PASSWORD = "password123"


def _events(db, action: str):
    from app.models import AuditEvent

    db.session.rollback()
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _web(client, username, password="wrong-password", address="10.0.0.1"):  # noqa: S107 - a test value
    return client.post("/login", data={"username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def _api(client, username, password="wrong-password", address="10.0.0.1"):  # noqa: S107 - a test value
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


@pytest.fixture
def strict(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_SECONDS", 120)
    return app


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_username_is_locked_after_the_configured_failures(strict, client, db, clerk, known):
    username = clerk.username if known else "nobody_here"
    for _ in range(3):
        assert _web(client, username).status_code == 200
    refused = _web(client, username, PASSWORD)  # even the right password, while locked
    assert refused.status_code == 429
    assert 100 <= int(refused.headers["Retry-After"]) <= 120
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    api = _api(client, username, PASSWORD)
    assert api.status_code == 429 and api.headers["Retry-After"]
    assert api.get_json()["error"]["code"] == "too_many_attempts"
    # The failures were answered as refusals, yet they are on the audit trail (own transaction).
    failed = _events(db, "auth.login_failed")
    assert len(failed) == 3 and all(event.after_data["address"] == "10.0.0.1" for event in failed)
    assert failed[0].after_data["reason"] == ("wrong_password" if known else "unknown_user")
    assert len(_events(db, "auth.lockout")) == 1


def test_api_failures_count_too_and_the_case_does_not_matter(strict, client, db, clerk):
    for _ in range(3):
        assert _api(client, clerk.username.upper()).status_code == 401
    assert _web(client, clerk.username, PASSWORD).status_code == 429
    assert len(_events(db, "auth.login_failed")) == 3  # 401 answers roll back; the record does not


def test_lock_doubles_and_success_clears_the_count(strict, client, db, clerk, monkeypatch):
    from datetime import timedelta

    from app import clock
    from app.models import LoginThrottle

    start = clock.utcnow()
    for _ in range(3):
        _web(client, clerk.username)
    monkeypatch.setattr(clock, "_utc_now", lambda: start + timedelta(seconds=130))
    assert _web(client, clerk.username).status_code == 200  # the lock is over; this failure locks for 240 s
    monkeypatch.setattr(clock, "_utc_now", lambda: start + timedelta(seconds=130 + 200))
    assert _web(client, clerk.username, PASSWORD).status_code == 429
    monkeypatch.setattr(clock, "_utc_now", lambda: start + timedelta(seconds=130 + 245))
    assert _web(client, clerk.username, PASSWORD).status_code == 302
    db.session.rollback()
    assert db.session.get(LoginThrottle, clerk.username) is None


def test_locked_account_is_refused_across_app_instances(instances, db, clerk):
    """Two workers (or nodes) on one database see the same count."""
    first = instances(LOGIN_MAX_FAILURES=3).test_client()
    second = instances(LOGIN_MAX_FAILURES=3).test_client()
    assert _web(first, clerk.username).status_code == 200
    assert _api(second, clerk.username).status_code == 401
    assert _web(first, clerk.username).status_code == 200
    assert _api(second, clerk.username, PASSWORD).status_code == 429
    assert _web(first, clerk.username, PASSWORD).status_code == 429


def test_address_is_limited_across_app_instances_through_redis(instances, redis_url, db, orgs):
    """Different usernames from one address: refused once the address has failed too often, on both."""
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url, "LOGIN_LIMIT_PER_ADDRESS": "3 per minute",
              "RATELIMIT_KEY_PREFIX": f"test-address-{uuid.uuid4().hex}"}
    first, second = instances(**config).test_client(), instances(**config).test_client()
    try:
        assert _web(first, "user_a", address="10.9.9.9").status_code == 200
        assert _api(second, "user_b", address="10.9.9.9").status_code == 401
        assert _web(first, "user_c", address="10.9.9.9").status_code == 200
        refused = _api(second, "user_d", address="10.9.9.9")
        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
        assert _web(first, "user_e", address="10.9.9.9").status_code == 429
        assert _web(first, "user_e", address="10.9.9.8").status_code == 200  # another address is not affected
    finally:
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{config['RATELIMIT_KEY_PREFIX']}*"):
            client.delete(key)


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_address_limit_falls_back_to_memory_while_its_storage_is_down(instances, db, caplog):
    """Production's ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``: Redis down, the worker still counts (and says so)."""
    app = instances(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS, LOGIN_LIMIT_PER_ADDRESS="2 per minute",
                    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True)
    client = app.test_client()
    assert _web(client, "user_a", address="10.7.7.7").status_code == 200
    assert _web(client, "user_b", address="10.7.7.7").status_code == 200
    refused = _web(client, "user_c", address="10.7.7.7")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert "counting in this worker's memory" in caplog.text


def test_without_fallback_a_dead_storage_leaves_the_username_lock(instances, db, clerk, caplog):
    app = instances(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS, LOGIN_LIMIT_PER_ADDRESS="1 per minute",
                    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False, LOGIN_MAX_FAILURES=3)
    client = app.test_client()
    for _ in range(3):
        assert _web(client, clerk.username, address="10.6.6.6").status_code == 200  # the address is not limited
    assert "per-address limit not applied" in caplog.text
    assert _web(client, clerk.username, PASSWORD, address="10.6.6.6").status_code == 429  # the database's lock


def test_limits_are_off_in_the_test_config_by_default(client, clerk):
    for _ in range(12):
        assert _web(client, clerk.username).status_code == 200
    assert _web(client, clerk.username, PASSWORD).status_code == 302
