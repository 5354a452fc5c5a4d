"""Bulk writing of generated rows: ``COPY`` on PostgreSQL, one prepared ``executemany`` per table on SQLite.

Each value is encoded by SQLAlchemy's own bind processors of the dialect, so a
row is stored exactly as the ORM would store it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.engine import Dialect

from app.database import copy_encoded
from app.extensions import db
from app.models import AuditEvent, Decision, DecisionFinding, DraftVersion, Expert, MemberOpinion, Step

from .scenarios import Variant


class BulkTable:
    """One table's rows, every column in table order, each value already as the driver takes it."""

    def __init__(self, model, dialect: Dialect, encode: bool) -> None:
        self.table: Table = model.__table__
        self.columns = [column.name for column in self.table.columns]
        self.position = {name: i for i, name in enumerate(self.columns)}
        # SQLAlchemy's own bind processors of this dialect (dates as text on SQLite, JSON, UTC timestamps…),
        # so the rows are stored exactly as the ORM would store them.
        self.processors = [
            column.type.dialect_impl(dialect).bind_processor(dialect) if encode else None
            for column in self.table.columns
        ]
        self.rows: list[tuple] = []

    def encode(self, values: dict[str, Any]) -> list[Any]:
        row: list[Any] = [None] * len(self.columns)
        for name, value in values.items():
            i = self.position[name]
            processor = self.processors[i]
            row[i] = processor(value) if processor is not None and value is not None else value
        return row

    def value(self, name: str, value: Any) -> Any:
        processor = self.processors[self.position[name]]
        return processor(value) if processor is not None and value is not None else value


class BulkWriter:
    """Bulk rows, written in foreign-key order every ``CHUNK`` decisions, inside the session's transaction.

    PostgreSQL gets ``COPY … FROM STDIN``; SQLite one prepared INSERT run by ``executemany``;
    any other database plain SQLAlchemy Core ``insert()`` executemany.
    """

    MODELS = (Decision, DraftVersion, Step, Expert, MemberOpinion, DecisionFinding, AuditEvent)

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.mode = self.dialect.name if self.dialect.name in ("postgresql", "sqlite") else "core"
        self.tables = {model: BulkTable(model, self.dialect, self.mode != "core") for model in self.MODELS}

    def __getitem__(self, model) -> BulkTable:
        return self.tables[model]

    def encode_variant(self, variant: Variant) -> tuple:
        """The variant's step, expert, opinion and finding rows, encoded once and reused by every decision."""
        if variant.encoded is None:
            variant.encoded = (
                [self.tables[Step].encode({**row, "version": 1}) for row in variant.steps],
                [self.tables[Expert].encode(row) for row in variant.experts],
                [self.tables[MemberOpinion].encode(row) for row in variant.opinions],
                [self.tables[DecisionFinding].encode({"rule": r, "severity": s, "count": c})
                 for r, s, c in variant.findings],
            )
        return variant.encoded

    def flush(self) -> None:
        for model in self.MODELS:
            table = self.tables[model]
            if table.rows:
                self._write(table)
                table.rows = []

    def _write(self, table: BulkTable) -> None:
        if self.mode == "postgresql":
            copy_encoded(self.connection, table.table, table.columns, table.rows)
        elif self.mode == "sqlite":
            compiled = insert(table.table).compile(dialect=self.dialect)
            if list(compiled.positiontup) != table.columns:  # pragma: no cover - a guard, not a branch
                raise RuntimeError(f"unexpected parameter order for {table.table.name}")
            self.connection.exec_driver_sql(str(compiled), table.rows)
        else:
            self.connection.execute(insert(table.table), [dict(zip(table.columns, row, strict=True))
                                                          for row in table.rows])


def advance_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each serial sequence past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Decision, DraftVersion, Step, Expert, MemberOpinion, AuditEvent):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names are ours
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))


def analyze() -> None:
    """PostgreSQL: fresh planner statistics, so the benchmark does not run before autovacuum has seen the rows."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in BulkWriter.MODELS:
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))
    db.session.commit()
