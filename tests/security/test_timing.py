"""A login takes as long for an unknown or deactivated user as for a known one (no username oracle)."""

from __future__ import annotations

import statistics
import time

import pytest
from werkzeug.security import generate_password_hash

ROUNDS = 7


@pytest.fixture
def real_hashes(app, monkeypatch, db, make_user):
    """The production hash method for this test only, on a known and on a deactivated account."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    known, inactive = make_user("clerk", username="known_user"), make_user("clerk", username="gone_user")
    for user in (known, inactive):
        user.password_hash = generate_password_hash("password123", method="scrypt")
    inactive.is_active = False
    db.session.commit()
    return app


def _median(client, path: str, username: str) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        if path == "/login":
            response = client.post(path, data={"username": username, "password": "wrong-password"})
        else:
            response = client.post(path, json={"username": username, "password": "wrong-password"})
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 401)
    return statistics.median(times)


@pytest.mark.parametrize("path", ["/login", "/api/v1/tokens"])
def test_unknown_deactivated_and_known_users_take_the_same_time(real_hashes, client, path):
    _median(client, path, "warm_up")  # the dummy hash is made once
    known = _median(client, path, "known_user")
    unknown = _median(client, path, "no_such_user")
    inactive = _median(client, path, "gone_user")
    fastest, slowest = min(known, unknown, inactive), max(known, unknown, inactive)
    assert slowest < fastest * 1.5, {"known": known, "unknown": unknown, "inactive": inactive}


def test_the_dummy_hash_follows_the_configured_method(app, ctx, monkeypatch):
    from app.services.authentication import dummy_hash

    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    assert dummy_hash().startswith("pbkdf2:sha256:1000$")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    assert dummy_hash().startswith("scrypt:")
