"""Requests that only read: refused if they write, outside a transaction on PostgreSQL; idle connections pinged."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.database import ReadingRequestWrote, begin_reading, end_reading, write_intent


@pytest.fixture
def reading(db, orgs):
    begin_reading()
    yield db
    end_reading()
    db.session.rollback()


def test_a_reading_request_may_not_write(reading):
    from app.models import Organization

    reading.session.add(Organization(code="ZZ", name="新建", parent_id=None))
    with pytest.raises(ReadingRequestWrote, match="a reading request may not write"):
        reading.session.flush()


def test_a_write_inside_write_intent_is_allowed(reading):
    """The session's ``last_seen_at`` is moved that way, in a transaction of its own."""
    from app.models import Organization

    with write_intent():
        reading.session.add(Organization(code="ZY", name="新建", parent_id=None))
        reading.session.flush()


def test_after_the_request_writes_are_allowed_again(db, orgs):
    from app.models import Organization

    begin_reading()
    end_reading()
    db.session.rollback()
    db.session.add(Organization(code="ZX", name="新建", parent_id=None))
    db.session.flush()


def test_reading_on_postgresql_runs_outside_a_transaction(reading):
    if reading.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its reads in one snapshot (BEGIN): there is no round trip to save")
    first = reading.session.execute(text("SELECT txid_current_if_assigned(), now() = statement_timestamp()")).one()
    assert first == (None, True)  # no transaction: each statement is its own
    assert reading.session.connection().connection.driver_connection.autocommit


def test_a_reader_reads_from_the_reading_pool_and_a_writer_from_its_own(reading):
    """PostgreSQL: a reader's connections stay in autocommit in a pool of their own (never switched back and forth);
    SQLite has one engine, whose readers begin a transaction."""
    from app.database import engines_of

    engines = engines_of(reading.engine)
    if reading.engine.dialect.name != "postgresql":
        assert engines == [reading.engine]
        assert reading.session.get_bind() is reading.engine
        return
    main, reading_engine = engines
    assert reading.session.get_bind() is reading_engine
    assert reading_engine.url == main.url
    with write_intent():
        assert reading.session.get_bind() is main
    end_reading()
    assert reading.session.get_bind() is main


def test_a_reading_connection_left_in_a_transaction_is_rolled_back_on_return(db):
    """The reading pool does not roll back every connection it gets back (in autocommit there is nothing to end),
    but one that is in a transaction after all (a raw cursor's BEGIN) goes back idle."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no reading pool")
    from app.database import engines_of

    _main, reading_engine = engines_of(db.engine)
    pooled = reading_engine.raw_connection()
    driver = pooled.driver_connection
    assert driver.autocommit
    driver.execute("BEGIN")
    assert driver.info.transaction_status == driver.info.transaction_status.INTRANS
    pooled.close()  # back to the pool
    assert driver.info.transaction_status == driver.info.transaction_status.IDLE


def test_the_pool_gives_the_next_request_a_transaction_again(app, db, orgs):
    """The autocommit of a reader stays with its request: the next one's rollback still undoes its writes."""
    from app.extensions import db as database
    from app.models import Organization

    with app.app_context():
        begin_reading()
        database.session.execute(select(1))
        end_reading()
    with app.app_context():
        database.session.add(Organization(code="ZW", name="回滚", parent_id=None))
        database.session.flush()
        database.session.rollback()
    assert db.session.execute(select(Organization).where(Organization.code == "ZW")).first() is None


def test_a_dead_idle_connection_is_replaced_before_use(app, db):
    """PostgreSQL restarted (here: the pooled connection's backend ended): the next request still gets an answer."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite file has no server to lose")
    from sqlalchemy import create_engine

    from app.database import configure_engine

    engine = create_engine(db.engine.url)
    configure_engine(engine, ping_idle_seconds=0)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with engine.connect() as conn:  # the pooled one is dead: pinged, dropped, replaced
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_rows_stream_through_a_server_side_cursor_in_a_reading_request(reading):
    """PostgreSQL declares a server-side cursor only in a transaction: ``rows_streamed`` opens one for the stream."""
    from app.database import rows_streamed
    from app.models import Organization

    stmt = select(Organization.code).order_by(Organization.code).execution_options(yield_per=1)
    with rows_streamed(reading.session):
        codes = [code for batch in reading.session.execute(stmt).partitions() for (code,) in batch]
    assert codes == ["BD", "CD", "HA"]
    reading.session.execute(select(1))  # and the request reads on afterwards
