"""A login does the same work for an unknown or deactivated user as for a known one (no username oracle).

The time of a login is the time of its one password-hash check, so the test counts the checks and compares the
cost parameters of the hashes checked (method, rounds, memory), not wall-clock times, which a shared machine
makes noisy.
"""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

import app.services.authentication as authentication


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


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The cost part (``scrypt:32768:8:1``) of every hash a login checks a password against."""
    seen: list[str] = []
    real = authentication.check_password_hash

    def recording(pwhash: str, password: str) -> bool:
        seen.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(authentication, "check_password_hash", recording)
    return seen


def _attempt(client, path: str, username: str) -> None:
    if path == "/login":
        response = client.post(path, data={"username": username, "password": "wrong-password"})
    else:
        response = client.post(path, json={"username": username, "password": "wrong-password"})
    assert response.status_code in (200, 401)


@pytest.mark.parametrize("path", ["/login", "/api/v1/tokens"])
def test_unknown_deactivated_and_known_users_cost_one_check_of_the_same_hash(real_hashes, client, checks, path):
    work = {}
    for username in ("known_user", "no_such_user", "gone_user"):
        checks.clear()
        _attempt(client, path, username)
        work[username] = list(checks)
    assert work["known_user"] == work["no_such_user"] == work["gone_user"], work
    assert len(work["known_user"]) == 1 and work["known_user"][0].startswith("scrypt:"), work


def test_the_dummy_hash_follows_the_configured_method(app, ctx, monkeypatch):
    from app.services.authentication import dummy_hash

    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    assert dummy_hash().startswith("pbkdf2:sha256:1000$")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    assert dummy_hash().startswith("scrypt:")
