"""Web sessions kept on the server (``user_sessions``), so that they end there.

The signed cookie holds a random id; the row holds its sha256, when the
session began and when it was last seen. A session ends, and a copied cookie
with it, when it is revoked (logout, a new login in the same browser), when it
has been idle for ``SESSION_IDLE_MINUTES`` or is older than
``SESSION_ABSOLUTE_HOURS``, and (through ``session_epoch``) when its user is
deactivated or changes password.

``last_seen_at`` is written at most every ``SESSION_TOUCH_SECONDS``, and then
as the request's first statement, before anything is read: a page that only
reads stays a reader (on SQLite it takes the write lock at most once a minute
per session, and never after reading, which could fail on a stale snapshot).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Select, TextualSelect, bindparam, inspect, select, true, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.database import has_write_intent, is_reading, quick_read, quick_row, write_intent
from app.extensions import db
from app.models import Organization, User, UserSession

from .audit import record_event
from .memo import StampedLru


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """The oldest ``last_seen_at`` and ``created_at`` a live session may have at ``now``."""
    config = current_app.config
    return (now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            now - timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


def open_session(user: User, address: str | None, channel: str = "web") -> str:
    """A new session of ``user``; returns the token for the cookie (its hash alone is stored)."""
    now = clock.utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=hash_session_token(token), created_at=now,
                               last_seen_at=now, address=(address or "")[:64] or None))
    db.session.flush()
    record_event(user, "auth.login", "user", user.id, after={"address": address, "channel": channel})
    return token


def revoke_session(token: str | None, user: User | None = None) -> bool:
    """End the session of ``token`` (logout); with ``user``, the logout is an audit event."""
    if not token:
        return False
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_session_token(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    if user is not None and result.rowcount:
        record_event(user, "auth.logout", "user", user.id)
    return bool(result.rowcount)


def revoke_other_sessions(user: User, keep_token: str | None) -> None:
    """End every session of ``user`` but the one of ``keep_token`` (after a password change)."""
    keep = hash_session_token(keep_token) if keep_token else ""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.token_hash != keep)
        .values(revoked_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class _LiveSession:
    stmt: Select
    user_width: int  # the user's columns come first, then the organisation's
    user_keys: tuple[str, ...]
    organization_keys: tuple[str, ...]


#: What a page reads of the user on every request; the rest (the password's hash, the e-mail address) is
#: loaded when asked for (the merged user is attached: an attribute not read yet is loaded then).
_USER_KEYS = ("id", "username", "display_name", "role", "organization_id", "is_active", "session_epoch",
              "must_change_password")


@cache
def _live_session() -> _LiveSession:
    """The statement every request runs, built once: the session's three facts, then the user's columns that
    every page reads and the user's organisation, as plain values (no ORM loading: that cost more than the
    query)."""
    organization_keys = tuple(attr.key for attr in inspect(Organization).column_attrs)
    user, organization = inspect(User).attrs, inspect(Organization).attrs
    stmt = (
        select(UserSession.revoked_at, UserSession.last_seen_at, UserSession.created_at,
               *(user[key].columns[0] for key in _USER_KEYS),
               *(organization[key].columns[0] for key in organization_keys))
        .join(User, User.id == UserSession.user_id)
        .join(Organization, Organization.id == User.organization_id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )
    return _LiveSession(stmt, len(_USER_KEYS), _USER_KEYS, organization_keys)


#: Detached users (with their organisation) built from a row's values, keyed by those values: a changed
#: column (a role, a name, a deactivation) is a new key. Never attached themselves: each request merges a copy.
_PROTOTYPES = StampedLru(256)


def _detached(model: type, keys: Sequence[str], values: Sequence[Any]) -> Any:
    instance = inspect(model).class_manager.new_instance()
    for key, value in zip(keys, values, strict=True):
        set_committed_value(instance, key, value)
    make_transient_to_detached(instance)  # the attributes not given are loaded when first read
    return instance


def _user(values: Sequence[Any], live: _LiveSession) -> User:
    """The user of these column values, attached to this request's session without a query."""
    key = tuple(values)
    prototype = _PROTOTYPES.get(key)
    if prototype is None:
        prototype = _detached(User, live.user_keys, values[:live.user_width])
        set_committed_value(prototype, "organization",
                            _detached(Organization, live.organization_keys, values[live.user_width:]))
        _PROTOTYPES.put(key, prototype)
    return db.session.merge(prototype, load=False)


@dataclass(frozen=True)
class Companion:
    """A statement read with the session's row in the same round trip: at most one row, whose first column is
    never NULL; ``params`` are its own (beside ``token_hash``)."""

    stmt: Select | TextualSelect
    params: dict[str, Any]


@dataclass(frozen=True)
class LiveSession:
    user: User
    #: Whether ``last_seen_at`` was moved (then the cookie says so too).
    touched: bool
    #: The companion's row as a mapping, or None (no companion, or it found no row).
    companion: dict[str, Any] | None = None


@cache
def _with_companion(companion: Select | TextualSelect) -> tuple[Select, list[str], int]:
    """The session's statement and ``companion`` as one: the session's columns, then the companion's (NULL when
    it found nothing). Built once per companion statement."""
    live = _live_session().stmt.subquery("live")
    other = companion.subquery("companion")
    stmt = select(*live.c, *other.c).select_from(live.outerjoin(other, true()))
    return stmt, list(other.c.keys()), len(live.c)


def resolve_session(token: str, user_id: int, epoch: int, *, touch: bool,
                    companion: Companion | None = None) -> LiveSession | None:
    """The user of a live session, with its organisation, and whether ``last_seen_at`` was moved; None when the
    session has ended. With ``companion``, its row too, from the same statement (one round trip, not two).

    With ``touch`` (the cookie says a minute went by), ``last_seen_at`` is
    moved to now if the row agrees: a client that does not keep the renewed
    cookie (a script, a benchmark) still writes at most once a minute. A
    reading request writes it in a short transaction of its own (so that the
    request stays a reader, and SQLite never has to upgrade its snapshot); a
    writing one in its own transaction, whose write lock it already holds.
    """
    now = clock.utcnow()
    token_hash = hash_session_token(token)
    idle_limit, age_limit = _limits(now)
    live = _live_session()
    companion_row = None
    if companion is None:
        row = _first_row(live.stmt, {"token_hash": token_hash})
    else:
        stmt, names, width = _with_companion(companion.stmt)
        row = _first_row(stmt, {**companion.params, "token_hash": token_hash})
        if row is not None:
            row, rest = row[:width], row[width:]
            companion_row = dict(zip(names, rest, strict=True)) if rest[0] is not None else None
    if row is None:
        return None
    revoked_at, last_seen_at, created_at, *values = row
    user_values = dict(zip(live.user_keys, values, strict=False))
    if (
        revoked_at is not None
        or last_seen_at <= idle_limit
        or created_at <= age_limit
        or user_values["id"] != user_id
        or not user_values["is_active"]
        or user_values["session_epoch"] != epoch
    ):
        return None
    touched = touch and (now - last_seen_at).total_seconds() >= current_app.config["SESSION_TOUCH_SECONDS"]
    if touched:
        _touch(token_hash, now)
    return LiveSession(_user(values, live), touched, companion_row)


def _first_row(stmt: Select, params: dict[str, Any]) -> Sequence[Any] | None:
    """The statement's first row: in a request that only reads, straight from the pool (``quick_row``: not
    through the ORM session, which it would cost a transaction); in one that writes, in its transaction (on
    SQLite the session's statement is the one that takes the write lock)."""
    if is_reading():
        engine = db.session.get_bind()
        return quick_row(engine, quick_read(engine, stmt), params)
    return db.session.connection().execute(stmt, params).first()


def _touch(token_hash: str, now: datetime) -> None:
    stmt = (
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.revoked_at.is_(None))
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    if has_write_intent():
        db.session.execute(stmt)
        return
    with current_app.app_context(), write_intent():
        try:
            db.session.execute(stmt)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


