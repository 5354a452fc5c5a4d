"""Engine set-up that Flask-SQLAlchemy does not do for us.

SQLite runs in WAL mode with a busy timeout so several gunicorn workers can
share one file, and a transaction that means to write starts with ``BEGIN
IMMEDIATE``: writers then queue on the lock instead of failing when their read
snapshot is stale (which would otherwise fork nothing, but lose the request).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.engine import Connection, Engine

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


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


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and transaction handling on ``engine``."""
    if engine.dialect.name != "sqlite":
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
