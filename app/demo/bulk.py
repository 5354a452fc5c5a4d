"""Bulk writing of generated rows: ``COPY`` on PostgreSQL, one prepared ``executemany`` per table on SQLite.

Each value is encoded by SQLAlchemy's own bind processors of the dialect, so a
row is stored exactly as the ORM would store it.

On PostgreSQL the rows of a batch become COPY text in the generating thread
(psycopg's own row formatter, or a line template for the rows that differ from
decision to decision only by their ids) and a writer thread sends them, so the
server's work on one batch overlaps the generation of the next (the two cores
of a small server both busy). A large load also drops the tables' secondary
indexes, unique and foreign-key constraints first and builds them again at the
end, in the same transaction: one sort per index instead of millions of random
B-tree inserts and per-row foreign-key look-ups, and every constraint checked
again over the whole table when it is added back.
"""

from __future__ import annotations

import functools
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.engine import Connection, Dialect

from app.extensions import db
from app.models import AuditEvent, Decision, DecisionFinding, DraftVersion, Expert, MemberOpinion, Step
from app.rulebook.vocabulary import StepKind

from .scenarios import Variant

#: What ``COPY`` text format escapes (psycopg escapes the same characters).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f",
                               "\v": "\\v"})
_SLOT = "\x01"  # marks a slot (``\x01<k>\x01``) while a template row is formatted; COPY leaves it as it is


class Template:
    """Encoded rows with slots filled per decision (ids mostly): tuples, or COPY text lines in one format string.

    ``slots`` gives, for each row, the column → index of the argument that fills it, so that arguments shared by
    the rows (the decision, the step) are passed once.
    """

    __slots__ = ("line", "rows")

    def __init__(self, rows: list[tuple[list[Any], dict[int, int]]], line: str | None) -> None:
        self.rows, self.line = rows, line


class BulkTable:
    """One table's rows, every column in table order, each value already as the driver takes it."""

    def __init__(self, model, dialect: Dialect, encode: bool, copy: _CopyText | None = None) -> None:
        self.table: Table = model.__table__
        self.columns = [column.name for column in self.table.columns]
        self.position = {name: i for i, name in enumerate(self.columns)}
        # SQLAlchemy's own bind processors of this dialect (dates as text on SQLite, JSON, UTC timestamps…),
        # so the rows are stored exactly as the ORM would store them.
        self.processors = [
            column.type.dialect_impl(dialect).bind_processor(dialect) if encode else None
            for column in self.table.columns
        ]
        self.copy = copy
        #: Tuples (SQLite, other databases), or COPY text (PostgreSQL) of the rows added since the last flush.
        self.rows: list[tuple] = []
        self.buffer = bytearray()
        self.lines: list[str] = []

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

    def add(self, row: Sequence[Any]) -> None:
        """One encoded row."""
        if self.copy is not None:
            self.copy.format_row(row, self.buffer)
        else:
            self.rows.append(tuple(row))

    def encoder(self, names: Sequence[str]) -> Callable[..., list[Any]]:
        """``encode`` for values given positionally in the order of ``names`` (the same every row: faster)."""
        width = len(self.columns)
        plan = [(self.position[name], self.processors[self.position[name]]) for name in names]

        def encode(*values: Any) -> list[Any]:
            row: list[Any] = [None] * width
            for (i, processor), value in zip(plan, values, strict=True):
                row[i] = processor(value) if processor is not None and value is not None else value
            return row

        return encode

    def template(self, rows: list[list[Any]], slots: Sequence[dict[str, int]]) -> Template:
        """Encoded ``rows`` whose ``slots`` (per row: column name → argument index) ``add_from`` fills."""
        placed = [(row, {self.position[name]: arg for name, arg in row_slots.items()})
                  for row, row_slots in zip(rows, slots, strict=True)]
        if self.copy is None:
            return Template(placed, None)
        lines = []
        for row, positions in placed:
            marked = list(row)
            for i, arg in positions.items():
                marked[i] = f"{_SLOT}{arg}{_SLOT}"
            line = self.copy.row_text(marked).replace("{", "{{").replace("}", "}}")
            lines.append(re.sub(f"{_SLOT}(\\d+){_SLOT}", r"{\1}", line))
        return Template(placed, "".join(lines))

    def add_from(self, template: Template, args: Sequence[Any]) -> None:
        """The template's rows with their slots filled from ``args`` (encoded values)."""
        if template.line is not None:
            self.lines.append(template.line.format(*map(self.copy.field, args)))
            return
        for row, positions in template.rows:
            filled = row.copy()
            for i, arg in positions.items():
                filled[i] = args[arg]
            self.rows.append(tuple(filled))

    def __len__(self) -> int:
        return len(self.rows) + len(self.lines) + len(self.buffer)

    def take_copy_data(self) -> bytes:
        data = bytes(self.buffer) + "".join(self.lines).encode()
        self.buffer, self.lines = bytearray(), []
        return data


class _CopyText:
    """psycopg's COPY text formatting of encoded values, outside a COPY (so that another thread can send it)."""

    def __init__(self, raw_connection) -> None:
        from psycopg._copy_base import format_row_text  # the formatter ``Copy.write_row`` itself uses
        from psycopg.adapt import Transformer

        self._format = format_row_text
        self._tx = Transformer(raw_connection)

    def format_row(self, row: Sequence[Any], out: bytearray) -> None:
        self._format(row, self._tx, out)

    def row_text(self, row: Sequence[Any]) -> str:
        out = bytearray()
        self._format(row, self._tx, out)
        return out.decode()

    def field(self, value: Any) -> Any:
        """One slot's text: ints as they are (``str.format`` writes them), strings escaped, the rest formatted."""
        kind = type(value)
        if kind is int:
            return value
        if kind is str:
            return value.translate(_COPY_ESCAPES)
        if value is None:
            return "\\N"
        return self._other(value)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one formatter per load; the same timestamp for a decision's rows
    def _other(self, value: Any) -> str:
        return self.row_text((value,))[:-1]


class _CopyThread:
    """Sends each batch's COPY data on the connection from a thread of its own, one batch queued at most."""

    def __init__(self, connection: Connection) -> None:
        self.raw = connection.connection.driver_connection
        self.quote = connection.dialect.identifier_preparer.quote
        self.batches: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="synth-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue  # keep draining, so that ``put`` never blocks on a dead writer
            try:
                for table, columns, data in batch:
                    names = ", ".join(self.quote(name) for name in columns)
                    with self.raw.cursor() as cursor, cursor.copy(
                        f"COPY {self.quote(table.name)} ({names}) FROM STDIN"
                    ) as copy:
                        copy.write(data)
            except BaseException as error:  # handed to the generating thread
                self.error = error

    def put(self, batch: list[tuple[Table, list[str], bytes]]) -> None:
        self._raise()
        self.batches.put(batch)

    def close(self) -> None:
        self.batches.put(None)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"COPY failed: {self.error}") from self.error


class BulkWriter:
    """Bulk rows, written in foreign-key order every ``CHUNK`` decisions, inside the session's transaction.

    PostgreSQL gets ``COPY … FROM STDIN`` from a writer thread (``close`` waits for it: call it before the
    session is used again); SQLite one prepared INSERT run by ``executemany``; any other database plain
    SQLAlchemy Core ``insert()`` executemany.
    """

    MODELS = (Decision, DraftVersion, Step, Expert, MemberOpinion, DecisionFinding, AuditEvent)

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.mode = self.dialect.name if self.dialect.name in ("postgresql", "sqlite") else "core"
        copy = _CopyText(self.connection.connection.driver_connection) if self.mode == "postgresql" else None
        self.tables = {model: BulkTable(model, self.dialect, self.mode != "core", copy) for model in self.MODELS}
        self.sender = _CopyThread(self.connection) if self.mode == "postgresql" else None

    def __getitem__(self, model) -> BulkTable:
        return self.tables[model]

    def encode_variant(self, variant: Variant) -> tuple[Template, Template, Template, Template]:
        """The variant's step, expert, opinion and finding rows as templates, made once and reused by every decision.

        Arguments: steps ``(decision, updated_at, signed draft, reviewer id, reviewer, *five step ids)`` (the
        signed draft and reviewer only when the variant's review is signed); experts and opinions ``(step,
        *their ids)``; findings ``(decision,)``.
        """
        if variant.encoded is None:
            steps, experts, opinions, findings = (self.tables[m] for m in (Step, Expert, MemberOpinion,
                                                                             DecisionFinding))
            step_slots = []
            for index, _row in enumerate(variant.steps):
                row_slots = {"decision_id": 0, "updated_at": 1, "id": 5 + index}
                if index == REVIEW_STEP and variant.signed:
                    row_slots |= {"draft_sha256": 2, "reviewer_id": 3, "reviewer": 4}
                step_slots.append(row_slots)
            variant.encoded = (
                steps.template([steps.encode({**row, "version": 1}) for row in variant.steps], step_slots),
                experts.template([experts.encode(row) for row in variant.experts],
                                 [{"step_id": 0, "id": 1 + n} for n in range(len(variant.experts))]),
                opinions.template([opinions.encode(row) for row in variant.opinions],
                                  [{"step_id": 0, "id": 1 + n} for n in range(len(variant.opinions))]),
                findings.template([findings.encode({"rule": r, "severity": s, "count": c})
                                   for r, s, c in variant.findings], [{"decision_id": 0}] * len(variant.findings)),
            )
        return variant.encoded

    def flush(self) -> None:
        if self.sender is not None:
            batch = [(table.table, table.columns, table.take_copy_data())
                     for table in self.tables.values() if len(table)]
            if batch:
                self.sender.put(batch)
            return
        for model in self.MODELS:
            table = self.tables[model]
            if table.rows:
                self._write(table)
                table.rows = []

    def close(self) -> None:
        """Flush, and wait until everything is written."""
        self.flush()
        if self.sender is not None:
            self.sender.close()

    def _write(self, table: BulkTable) -> None:
        if self.mode == "sqlite":
            compiled = insert(table.table).compile(dialect=self.dialect)
            if list(compiled.positiontup) != table.columns:  # pragma: no cover - a guard, not a branch
                raise RuntimeError(f"unexpected parameter order for {table.table.name}")
            self.connection.exec_driver_sql(str(compiled), table.rows)
        else:
            self.connection.execute(insert(table.table), [dict(zip(table.columns, row, strict=True))
                                                          for row in table.rows])


#: The legality review's place among a decision's five steps (its signed draft and reviewer vary by decision).
REVIEW_STEP = list(StepKind).index(StepKind.LEGALITY_REVIEW)


@contextmanager
def constraints_rebuilt(enabled: bool) -> Iterator[None]:
    """PostgreSQL, when ``enabled``: the bulk tables without secondary indexes and constraints, rebuilt after.

    Primary keys stay (their ids only grow, so their inserts are cheap). Unique constraints that another table's
    foreign key depends on stay too. Everything runs in the session's transaction: an error or an interrupted
    load rolls the drops back with the rows. ``DROP INDEX`` locks the tables until the commit, so the pages of a
    running server wait for the load: a benchmark tool's trade, not the services'.
    """
    session = db.session
    if not enabled or session.get_bind().dialect.name != "postgresql":
        yield
        return
    tables = [model.__tablename__ for model in BulkWriter.MODELS]
    indexes = session.execute(text("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(:tables) AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
        ORDER BY 1
    """), {"tables": tables}).all()
    constraints = session.execute(text("""
        SELECT k.conrelid::regclass::text, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
        WHERE t.relname = ANY(:tables) AND t.relnamespace = 'public'::regnamespace
          AND (k.contype = 'f' OR (k.contype = 'u' AND NOT EXISTS (
               SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid)))
        ORDER BY k.contype DESC, 1, 2
    """), {"tables": tables}).all()  # 'u' before 'f'
    for table, name, _kind, _definition in sorted(constraints, key=lambda c: c[2]):  # foreign keys first
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    yield
    session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    for _name, definition in indexes:
        session.execute(text(definition))
    for table, name, _kind, definition in constraints:  # unique ones first, then the foreign keys
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


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
    for table in (*(model.__tablename__ for model in BulkWriter.MODELS), "users", "organizations"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
