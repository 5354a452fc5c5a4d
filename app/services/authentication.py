"""Password logins, the same for the web form and ``POST /api/v1/tokens``.

One check (``authenticate``) with one set of limits and one timing:

- **Same time for every username.** The stored hash is checked when the user
  exists; otherwise a dummy hash of the same method is checked
  (``check_password``), and a deactivated user's password is checked like any
  other before the answer refuses it. Unknown, deactivated and known users
  cost one password hash each and get the same refusal.
- **Per username, in the database.** ``login_throttles`` counts the failures
  of the lower-cased username as typed, whether or not such a user exists, so
  a lock tells nothing about which accounts exist, and every gunicorn worker
  and node sees the same count. From ``LOGIN_MAX_FAILURES`` on, the name is
  locked for ``LOGIN_LOCKOUT_SECONDS``, doubled by each further failure up to
  ``LOGIN_LOCKOUT_MAX_SECONDS``; while locked, logins are refused (429 with
  ``Retry-After``) without looking at the password. A success clears the count.
- **Per client address, in the ``limits`` storage** (``RATELIMIT_STORAGE_URI``;
  Redis in production, so shared by every worker and node,
  ``app.services.address_limits``): at most
  ``LOGIN_LIMIT_PER_ADDRESS`` failed logins, then 429 until the window ends.

**Failures outlive the request.** A refused login is answered with a 4xx, and
the request's transaction (``app.web.transaction``) rolls back every 4xx. So
the failure count and the failed-login and lockout audit events are written in
a short transaction of their own (``own_transaction``): a fresh app context,
hence a fresh SQLAlchemy session on its own connection, committed at once.
That is the one place in the services that commits, and it writes nothing but
the record of the refusal. It needs the request's own session to be unused so
far (on SQLite a second writer would wait for the first): ``authenticate``
does its reads in such a transaction too, and login views call it before
anything else touches the database.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.database import write_intent
from app.extensions import db
from app.models import LoginThrottle, User

from .address_limits import AddressLimiter, StorageDown
from .audit import record_event
from .errors import DomainError

#: Usernames are at most 64 characters; the throttle's key is cut to that length.
KEY_MAX = 64
#: Key of the app's ``AddressLimiter`` in ``app.extensions`` (one per app, so each app has its own storage).
LIMITER = "login_limiter"
_LIMIT_SCOPE = "login-failures"
_DUMMY_HASHES: dict[str, str] = {}


class LoginFailed(DomainError):
    """Wrong username or password, or a deactivated account: one answer for all three."""

    code = "invalid_credentials"
    http_status = 401


class TooManyAttempts(DomainError):
    """The username or the client address has failed too often; ``retry_after`` is in seconds."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(_("Too many failed logins. Try again in %(minutes)d minutes.", minutes=minutes))


@dataclass(frozen=True)
class _Account:
    id: int
    password_hash: str
    is_active: bool


def throttle_key(username: str) -> str:
    return (username or "").strip().lower()[:KEY_MAX]


def password_hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def dummy_hash() -> str:
    """A hash of a random password, of the method real hashes use: checking it costs as much."""
    method = password_hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(f"dummy-{time.time_ns()}", method=method)
    return _DUMMY_HASHES[method]


def check_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash, or against the dummy hash when there is none."""
    if password_hash is None:
        check_password_hash(dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


@contextmanager
def own_transaction(*, write: bool) -> Iterator[Session]:
    """A short transaction outside the request's, committed at once (see the module's text)."""
    with current_app.app_context():
        session = db.session
        try:
            if write:
                with write_intent():
                    yield session
                    session.commit()
            else:
                yield session
                session.commit()
        except BaseException:
            session.rollback()
            raise


def _limiter() -> AddressLimiter | None:
    limiter = current_app.extensions.get(LIMITER)
    return limiter if limiter is not None and limiter.enabled else None


def _address_limit():
    return parse(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _address_retry_after(address: str) -> int | None:
    """Seconds until the address may try again, or None when it may now."""
    limiter = _limiter()
    if limiter is None or not address:
        return None
    try:
        return limiter.retry_after(_address_limit(), _LIMIT_SCOPE, address)
    except StorageDown:  # the per-username lock in the database still holds
        current_app.logger.exception("login rate limit storage unavailable; per-address limit not applied")
        return None


def _count_address_failure(address: str) -> None:
    limiter = _limiter()
    if limiter is None or not address:
        return
    try:
        limiter.hit(_address_limit(), _LIMIT_SCOPE, address)
    except StorageDown:
        current_app.logger.exception("login rate limit storage unavailable; failure not counted per address")


def _upsert_throttle(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(username=key, failures=0).on_conflict_do_nothing())


def _record_failure(key: str, typed: str, address: str, channel: str, reason: str, user_id: int | None) -> None:
    """Count the failure, lock the username when it has failed too often, write the audit events."""
    config = current_app.config
    with own_transaction(write=True) as session:
        now = clock.utcnow()
        _upsert_throttle(session, key)
        row = session.execute(
            select(LoginThrottle).where(LoginThrottle.username == key).with_for_update()
        ).scalar_one()
        window = timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
        if row.last_failed_at is None or now - row.last_failed_at > window:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        facts: dict[str, Any] = {"username": typed[:KEY_MAX], "address": address, "channel": channel}
        record_event(None, "auth.login_failed", "user", user_id, actor_name=typed[:KEY_MAX] or "anonymous",
                     after={**facts, "reason": reason, "failures": row.failures})
        over = row.failures - config["LOGIN_MAX_FAILURES"]
        if over >= 0:
            seconds = min(config["LOGIN_LOCKOUT_SECONDS"] * 2 ** min(over, 20), config["LOGIN_LOCKOUT_MAX_SECONDS"])
            row.locked_until = now + timedelta(seconds=seconds)
            record_event(None, "auth.lockout", "user", user_id, actor_name=typed[:KEY_MAX] or "anonymous",
                         after={**facts, "failures": row.failures, "locked_until": row.locked_until})
        session.flush()
    _count_address_failure(address)


def authenticate(username: str, password: str, *, address: str, channel: str) -> User:
    """The active user with this username and password, or ``LoginFailed`` / ``TooManyAttempts``.

    Call it before the request's session has touched the database (see the module's text).
    """
    typed = (username or "").strip()
    key = throttle_key(typed)
    with own_transaction(write=False) as session:
        now = clock.utcnow()
        locked_until = session.execute(
            select(LoginThrottle.locked_until).where(LoginThrottle.username == key)
        ).scalar()
        found = session.execute(
            select(User.id, User.password_hash, User.is_active).where(func.lower(User.username) == key)
        ).first()
    if locked_until is not None and locked_until > now:
        raise TooManyAttempts(math.ceil((locked_until - now).total_seconds()))
    address_wait = _address_retry_after(address)
    if address_wait is not None:
        raise TooManyAttempts(address_wait)
    account = _Account(*found) if found is not None else None
    correct = check_password(account.password_hash if account else None, password or "")
    if account is not None and correct and account.is_active:
        user = db.session.get(User, account.id, options=[joinedload(User.organization)])
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == key))
        return user
    reason = "unknown_user" if account is None else ("inactive" if not account.is_active else "wrong_password")
    _record_failure(key, typed, address, channel, reason, account.id if account else None)
    raise LoginFailed(_("Wrong username or password, or the account is disabled."))
