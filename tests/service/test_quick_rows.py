"""``quick_row``: the session's statement straight on a pooled connection, with the same values SQLAlchemy gives."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import bindparam, column, exc, literal_column, select, table

from app.database import QUICK_STATEMENT_LISTENERS, quick_read, quick_row


@pytest.fixture
def live_session(app, db, clerk):
    """A logged-in session of the clerk, stored."""
    from app.services.sessions import hash_session_token, open_session

    token = open_session(clerk, "127.0.0.1")
    db.session.commit()
    return hash_session_token(token)


def test_a_row_is_what_sqlalchemy_reads(db, live_session):
    """Typed as the ORM types it: timezone-aware timestamps, booleans (SQLite stores 0 and 1, text dates)."""
    from app.services.sessions import _live_session

    stmt = _live_session().stmt
    params = {"token_hash": live_session}
    quick = quick_row(db.engine, quick_read(db.engine, stmt), params)
    assert quick == tuple(db.session.execute(stmt, params).first())
    revoked_at, last_seen_at, created_at, *_ = quick
    assert revoked_at is None and isinstance(last_seen_at, datetime) and last_seen_at.tzinfo is not None
    assert created_at.tzinfo is not None
    assert [value for value in quick if isinstance(value, bool)] == [True, False]  # is_active, must_change_password


def test_literals_of_the_statement_are_bound_too(db, live_session):
    """``coalesce(max(seq), 0)``: SQLAlchemy makes the 0 a parameter, which the caller does not give."""
    from app.services.stamps import own_chain_tip

    stmt = own_chain_tip()
    params = {"token_hash": live_session}
    assert quick_row(db.engine, quick_read(db.engine, stmt), params) == tuple(db.session.execute(stmt, params).one())


def test_no_row_is_none_and_each_statement_is_announced(db):
    from app.models import Organization

    stmt = select(Organization.id).where(Organization.code == bindparam("code"))
    seen = []

    def listener(sql, parameters):
        seen.append((sql, parameters))

    QUICK_STATEMENT_LISTENERS.append(listener)
    try:
        assert quick_row(db.engine, quick_read(db.engine, stmt), {"code": "无此"}) is None
    finally:
        QUICK_STATEMENT_LISTENERS.remove(listener)
    assert len(seen) == 1 and "organizations" in seen[0][0]


def test_a_list_parameter_is_refused(db):
    from app.models import Organization

    stmt = select(Organization.id).where(Organization.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="only parameters the driver binds"):
        quick_read(db.engine, stmt)


def test_a_drivers_error_is_sqlalchemys_and_leaves_no_connection_out(db):
    stmt = select(column("x")).select_from(table("no_such_table"))
    pool = db.engine.pool
    out_before = pool.checkedout()
    with pytest.raises(exc.DBAPIError, match="no_such_table"):
        quick_row(db.engine, quick_read(db.engine, stmt), {})
    assert pool.checkedout() == out_before
    assert quick_row(db.engine, quick_read(db.engine, select(literal_column("1"))), {}) is not None  # the pool works on


def test_a_lost_connection_is_dropped_and_the_next_read_gets_a_new_one(db):
    """PostgreSQL: the pooled connection's server process ended (a restart) — that read fails, the next works."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite file has no server to lose")
    from sqlalchemy import text

    from app.database import engines_of

    reading = engines_of(db.engine)[-1]
    backend = quick_read(reading, select(literal_column("pg_backend_pid()")))
    (pid,) = quick_row(reading, backend, {})
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(exc.DBAPIError):
        quick_row(reading, backend, {})
    (again,) = quick_row(reading, backend, {})
    assert again != pid
