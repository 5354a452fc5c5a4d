"""Engine set-up that Flask-SQLAlchemy does not do for us.

SQLite runs in WAL mode with a busy timeout so several gunicorn workers can
share one file, and a transaction that means to write starts with ``BEGIN
IMMEDIATE``: writers then queue on the lock instead of failing when their read
snapshot is stale (which would otherwise fork nothing, but lose the request).

PostgreSQL: a pooled connection that sat idle longer than
``DATABASE_PING_IDLE_SECONDS`` is pinged before it is handed out (a dead one is
replaced, so a restarted server costs no request), and one in steady use is
not (``pool_pre_ping`` would add a round trip to every request). A request that
only reads runs its statements outside a transaction (``begin_reading``): under
READ COMMITTED each statement sees its own snapshot either way, and BEGIN and
COMMIT were two round trips of a page's four. Its connections come from a
second pool on the same database whose connections stay in autocommit
(``add_reading_engine``): switching a pooled connection into autocommit and back
on every page cost the worker more than the page's statement. Such a request
may not write: a write statement there is refused (``ReadingRequestWrote``),
never committed on its own. Its first statement, the session's, goes straight to
a pooled DBAPI connection (``quick_row``), past SQLAlchemy's ``Connection``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic
from typing import Any
from weakref import WeakKeyDictionary

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Select, Table, TextualSelect, create_engine, event, exc, insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_reading: ContextVar[bool] = ContextVar("reading", default=False)
_IDLE_SINCE = "idle_since"
#: Each PostgreSQL engine's sibling for reading requests (``add_reading_engine``).
_READING_ENGINES: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class ReadingRequestWrote(RuntimeError):
    """A request that was started as a reader (a GET not marked ``writes_on_get``) tried to write."""


@contextmanager
def write_intent() -> Iterator[None]:
    """Mark the transactions begun inside as writers (SQLite: BEGIN IMMEDIATE)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def has_write_intent() -> bool:
    """Whether the current context's transactions are writers (SQLite: they hold the write lock from BEGIN)."""
    return _write_intent.get()


def set_write_intent(value: bool) -> None:
    """Set the intent for the rest of the current context (one web request)."""
    _write_intent.set(value)


def begin_reading() -> None:
    """Mark the rest of this context (one web request) a reader; on PostgreSQL, outside a transaction.

    Its sessions then take their connections from the reading engine (in
    autocommit), where there is one. A write inside ``write_intent()`` (the
    session's ``last_seen_at``, in its own app context and session) still goes
    to the engine's own pool, in a transaction.
    """
    _reading.set(True)


def end_reading() -> None:
    _reading.set(False)


def is_reading() -> bool:
    """Whether this context is a request that only reads (``begin_reading``): it has nothing to commit."""
    return _reading.get() and not _write_intent.get()


@contextmanager
def rows_streamed(session: Session) -> Iterator[None]:
    """Around rows read through a server-side cursor (``yield_per``, ``stream_results``, a named cursor).

    PostgreSQL declares such a cursor only inside a transaction, which a
    reading request does not have: for the stream's duration it gets one
    (psycopg's ``transaction()`` on the session's connection: BEGIN, then
    COMMIT, or ROLLBACK when the stream is abandoned). Elsewhere nothing changes.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    driver = session.connection().connection.driver_connection
    if not driver.autocommit:  # already in the request's transaction (a writer, the CLI)
        yield
        return
    with driver.transaction():
        yield


class RequestSession(FlaskSession):
    """Flask-SQLAlchemy's session, which a reading request binds to the reading engine of its engine."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Engine | Connection | None = None,
                 **kwargs: Any) -> Engine | Connection:
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is None and _reading.get() and not _write_intent.get():
            return _READING_ENGINES.get(engine, engine)
        return engine


def add_reading_engine(engine: Engine, options: dict[str, Any], ping_idle_seconds: float = 10) -> Engine | None:
    """PostgreSQL: a second engine on the same database, made with ``options``, for reading requests.

    Its connections are set to autocommit once, when they are opened, and
    stay so: no request switches them, and one that goes back to the pool is
    rolled back only if it is in a transaction after all (a stream's, cut
    short), not every time. Elsewhere (SQLite, where a reader's ``BEGIN`` is
    what gives it one snapshot) there is none.
    """
    if engine.dialect.name != "postgresql":
        return None
    reading = create_engine(engine.url, **{**options, "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None})
    configure_engine(reading, ping_idle_seconds)
    idle = engine.dialect.loaded_dbapi.pq.TransactionStatus.IDLE

    @event.listens_for(reading, "reset")
    def _end_a_transaction_left_open(dbapi_connection, _record, _state) -> None:
        if dbapi_connection.info.transaction_status != idle:
            dbapi_connection.rollback()

    _READING_ENGINES[engine] = reading
    return reading


def engines_of(engine: Engine) -> list[Engine]:
    """``engine`` and its reading engine if it has one: where every statement of the app runs."""
    reading = _READING_ENGINES.get(engine)
    return [engine] if reading is None else [engine, reading]


def configure_engine(engine: Engine, ping_idle_seconds: float = 10) -> None:
    """Install the SQLite pragmas and transaction handling, or PostgreSQL's ping of idle connections."""

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes_of_readers(_conn, _cursor, statement, _parameters, context, _executemany) -> None:
        if _reading.get() and not _write_intent.get() and context is not None and (
            context.isinsert or context.isupdate or context.isdelete
        ):
            raise ReadingRequestWrote(f"a reading request may not write: {statement[:80]}")

    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine, ping_idle_seconds)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a connection on checkout only when it has been idle for ``idle_seconds``; a dead one is replaced.

    Raising ``DisconnectionError`` in a checkout listener makes the pool
    discard the connection and try another (SQLAlchemy's pessimistic
    disconnect handling, as ``pool_pre_ping`` does, but not on every checkout).
    """

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            raise exc.DisconnectionError("the pooled connection did not answer a ping")


#: Called with ``(sql, parameters)`` before each ``quick_row`` statement (which SQLAlchemy's events do not see).
QUICK_STATEMENT_LISTENERS: list[Callable[[str, Any], None]] = []


@dataclass(frozen=True)
class QuickRead:
    """A SELECT compiled once for one engine, to run straight on a pooled DBAPI connection (``quick_row``)."""

    sql: str
    #: A positional driver's (SQLite's) parameter of each placeholder, in order; None: the driver takes names.
    order: tuple[str, ...] | None
    #: The values the statement holds itself (a literal SQLAlchemy made a parameter of).
    fixed: dict[str, Any]
    #: The result processor of each column (None: the driver's value is the value).
    processors: tuple[Callable[[Any], Any] | None, ...]


_QUICK_READS: WeakKeyDictionary[Engine, dict[Select | TextualSelect, QuickRead]] = WeakKeyDictionary()


def quick_read(engine: Engine, stmt: Select | TextualSelect) -> QuickRead:
    """``stmt`` compiled for ``engine``, once per engine and statement (pass a statement built once)."""
    reads = _QUICK_READS.setdefault(engine, {})
    read = reads.get(stmt)
    if read is None:
        dialect = engine.dialect
        compiled = stmt.compile(dialect=dialect)
        if any(bind.expanding or bind.type.bind_processor(dialect) is not None for bind in compiled.binds.values()):
            raise ValueError("quick_read takes only parameters the driver binds as they are")
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in stmt.selected_columns)
        fixed = {name: value for name, value in compiled.params.items() if value is not None}
        read = QuickRead(str(compiled), tuple(compiled.positiontup) if compiled.positional else None, fixed,
                         processors)
        reads[stmt] = read
    return read


def quick_row(engine: Engine, read: QuickRead, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row of ``read``, run on a connection of ``engine``'s pool without SQLAlchemy's ``Connection``.

    For the one statement every page runs (the session's): the ``Connection``
    and the ORM session around it cost the worker more than the database took
    to answer (on SQLite, twenty times more). Outside a transaction: on
    PostgreSQL a reader's connection is in autocommit, and on SQLite one
    SELECT is its own snapshot. A driver's error comes out as SQLAlchemy's, and
    a lost connection is dropped from the pool, as through ``Connection``.
    """
    given = {**read.fixed, **parameters} if read.fixed else parameters
    bound = tuple(given[name] for name in read.order) if read.order is not None else given
    for listener in QUICK_STATEMENT_LISTENERS:
        listener(read.sql, bound)
    pooled = engine.raw_connection()
    try:
        cursor = pooled.cursor()
        try:
            cursor.execute(read.sql, bound)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:
        if engine.dialect.is_disconnect(error, pooled.dbapi_connection, None):
            pooled.invalidate(error)  # as SQLAlchemy does: the pool forgets a connection that was lost
        raise exc.DBAPIError.instance(read.sql, bound, error, engine.dialect.loaded_dbapi.Error,
                                      dialect=engine.dialect) from error
    finally:
        pooled.close()
    if row is None:
        return None
    return tuple(value if processor is None or value is None else processor(value)
                 for value, processor in zip(row, read.processors, strict=True))


def copy_encoded(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` of rows already encoded as the driver takes them, in ``columns`` order."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows at once, inside the connection's transaction: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

    psycopg's ``executemany`` sends one statement a row, several times slower than ``COPY`` for the thousands of
    rows of an import. The values go through SQLAlchemy's bind processors and the columns' Python defaults fill
    what a row leaves out, so a row is stored exactly as ``insert()`` would store it.
    """
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    given = set().union(*rows)
    columns = [column for column in table.columns if column.name in given or column.default is not None]
    # A default is taken once for the batch (``utcnow``: one moment for all the rows, as one transaction).
    defaults = {
        column.name: column.default.arg if column.default.is_scalar else column.default.arg(None)
        for column in columns if column.default is not None and not all(column.name in row for row in rows)
    }
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    names = [column.name for column in columns]

    def encoded(row: dict[str, Any]) -> list[Any]:
        values = []
        for name, processor in zip(names, processors, strict=True):
            value = row[name] if name in row else defaults.get(name)
            values.append(processor(value) if processor is not None and value is not None else value)
        return values

    copy_encoded(connection, table, names, map(encoded, rows))
