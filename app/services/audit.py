"""The append-only, hash-chained audit trail: one chain per organisation.

Each event's hash is sha256 over the previous hash of its chain, its place in
the chain and its stored fields, the changed values kept as canonical JSON text
so that verifying needs no re-serialisation. An event belongs to the chain of
its decision's organisation, else of the user or organisation it is about, else
of its actor's organisation; calendar and system events go to the global chain
(``GLOBAL_CHAIN``). Appends to one chain are serialised: on PostgreSQL by a
transaction advisory lock keyed by the chain, so organisations do not queue
behind each other; on SQLite by the write lock every writing transaction takes
at BEGIN. ``(chain, prev_hash)`` is unique besides, so a fork cannot be stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.database import rows_streamed
from app.extensions import db
from app.models import GLOBAL_CHAIN, AuditEvent, Decision, User

GENESIS_HASH = "0" * 64
#: First key of the PostgreSQL advisory locks that serialise appends; the second is the chain.
AUDIT_LOCK_KEY = 727_000_713
_SEP = "\x1f"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in the audit trail")


def canonical_json(data: Mapping[str, Any] | None) -> str | None:
    """Stable text for a dict: sorted keys, no spaces, UTF-8 kept as is."""
    if data is None:
        return None
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def format_at(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    prev_hash: str,
    chain: int,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    decision_id: int | None,
    before: str | None,
    after: str | None,
) -> str:
    """The chain link: any change to any field, to the order or to the chain breaks it."""
    parts = (
        prev_hash,
        str(chain),
        str(seq),
        format_at(at),
        actor,
        action,
        entity,
        "" if entity_id is None else str(entity_id),
        "" if decision_id is None else str(decision_id),
        before or "",
        after or "",
    )
    return hashlib.sha256(_SEP.join(parts).encode()).hexdigest()


def lock_chains(session: Session, chains: Iterable[int]) -> None:
    """Serialise appends to these chains until the transaction ends (PostgreSQL; SQLite's BEGIN already did)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for chain in sorted(set(chains)):  # one order for everyone: two writers of the same chains cannot deadlock
        session.execute(text("SELECT pg_advisory_xact_lock(:key, :chain)"), {"key": AUDIT_LOCK_KEY, "chain": chain})


@dataclass(frozen=True)
class Tip:
    """The last event of a chain: how many events it holds and the last hash."""

    seq: int
    hash: str


def chain_tip(session: Session, chain: int) -> Tip:
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return Tip(last.seq, last.hash) if last is not None else Tip(0, GENESIS_HASH)


def chain_tips(session: Session) -> dict[int, Tip]:
    """Every chain's tip, read in one statement (one snapshot) through the ``(chain, seq)`` index."""
    last = select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq")).group_by(AuditEvent.chain).subquery()
    rows = session.execute(
        select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
        .join(last, (AuditEvent.chain == last.c.chain) & (AuditEvent.seq == last.c.seq))
        .order_by(AuditEvent.chain)
    )
    return {chain: Tip(seq, digest) for chain, seq, digest in rows}


def chain_of(actor: User | None, entity: str, entity_id: int | None, decision_id: int | None) -> int:
    """Which chain an event belongs to (the migration ``b7d2c4e9f1a3`` applied the same rule to old events)."""
    session = db.session
    if decision_id is not None:
        return session.get(Decision, decision_id).organization_id
    if entity == "organization" and entity_id is not None:
        return entity_id
    if entity == "user" and entity_id is not None and (user := session.get(User, entity_id)) is not None:
        return user.organization_id
    if entity == "calendar":
        return GLOBAL_CHAIN
    if actor is not None:
        return actor.organization_id
    return GLOBAL_CHAIN


def record_event(
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    decision_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor_name: str | None = None,
    chain: int | None = None,
) -> AuditEvent:
    """Append one event to its chain (``chain_of`` unless given) in the current transaction."""
    session = db.session
    session.flush()  # ids of new rows must exist before they are logged
    if chain is None:
        chain = chain_of(actor, entity, entity_id, decision_id)
    lock_chains(session, [chain])
    tip = chain_tip(session, chain)
    seq = tip.seq + 1
    at = utcnow()
    name = actor.username if actor is not None else (actor_name or "system")
    before_text, after_text = canonical_json(before), canonical_json(after)
    event = AuditEvent(
        chain=chain,
        seq=seq,
        at=at,
        actor_id=actor.id if actor is not None else None,
        actor=name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        decision_id=decision_id,
        before=before_text,
        after=after_text,
        prev_hash=tip.hash,
        hash=event_hash(tip.hash, chain, seq, at, name, action, entity, entity_id, decision_id, before_text,
                        after_text),
    )
    session.add(event)
    session.flush()
    return event


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so the history says what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


#: Why a chain is broken; the web page translates these.
BROKEN_LINK = "prev_hash does not match the previous event"
BROKEN_HASH = "hash does not match the event's content"
BROKEN_ORDER = "the event is not the next one of its chain"
NOT_EXTENDED = "the chain no longer holds the checkpoint's event at that position"
CUT_OFF = "events were cut off after the checkpoint"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    #: Events verified (before the break, when broken).
    events: int
    first_broken: int | None = None
    reason: str | None = None
    #: Chains walked; the chain of the break.
    chains: int = 0
    chain: int | None = None
    #: When intact: every chain walked with its tip (events, last hash), by chain id.
    tips: tuple[tuple[int, Tip], ...] = ()


#: The stored timestamp as ``format_at`` writes it, computed by the database (verify reads it as text).
_AT_TEXT = {
    "postgresql": """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, microseconds always present).
    "sqlite": "replace(at, ' ', 'T') || 'Z'",
}


def _rows(session: Session, batch: int, chain: int | None) -> Iterator[tuple]:
    """Events in chain order, ``at`` already as canonical text: no per-row type conversion.

    The whole trail is read in id order, which within a chain is its order
    (an event's id is drawn after its chain's lock is taken); one chain is read
    through its ``(chain, seq)`` index and no other chain's rows are touched.
    Rows are streamed (a server-side cursor on PostgreSQL), so memory does not
    grow with the trail.
    """
    at_text = _AT_TEXT.get(session.get_bind().dialect.name)
    if at_text is None:  # another database: let SQLAlchemy convert, slower but the same
        stmt = select(
            AuditEvent.id, AuditEvent.chain, AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
            AuditEvent.entity, AuditEvent.entity_id, AuditEvent.decision_id, AuditEvent.before, AuditEvent.after,
            AuditEvent.prev_hash, AuditEvent.hash,
        )
        stmt = stmt.order_by(AuditEvent.id) if chain is None else (
            stmt.where(AuditEvent.chain == chain).order_by(AuditEvent.seq))
        with rows_streamed(session):
            for row in session.execute(stmt.execution_options(yield_per=batch)):
                yield (*row[:3], format_at(row[3]), *row[4:])
        return
    columns = (f"id, chain, seq, {at_text}, actor, action, entity, entity_id, decision_id, before, after, "
               "prev_hash, hash")
    where = "" if chain is None else "WHERE chain = :chain "
    order = "id" if chain is None else "seq"
    if session.get_bind().dialect.name == "postgresql":
        yield from _pg_rows(session, f"SELECT {columns} FROM audit_events {where.replace(':chain', '%(chain)s')}"  # noqa: S608
                            f"ORDER BY {order}", {"chain": chain}, batch)
        return
    sql = text(f"SELECT {columns} FROM audit_events {where}ORDER BY {order}")  # noqa: S608 - our own constants
    result = session.connection().execute(
        sql, {} if chain is None else {"chain": chain},
        execution_options={"stream_results": True, "yield_per": batch},
    )
    for partition in result.partitions(batch):  # the size again: a Core yield_per alone fetches everything at once
        yield from partition


def _pg_rows(session: Session, sql: str, params: dict[str, Any], batch: int) -> Iterator[tuple]:
    """A server-side cursor in binary format on the session's own connection (and transaction).

    psycopg's binary rows cost a fifth less to decode than text ones, and the
    plain tuples skip SQLAlchemy's Row wrapping: a million rows a second faster.
    """
    raw = session.connection().connection.driver_connection
    with rows_streamed(session), raw.cursor(name="audit_verify", binary=True) as cursor:
        cursor.itersize = batch
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            yield from rows


def verify_chain(
    session: Session | None = None,
    batch: int = 5_000,
    *,
    chain: int | None = None,
    checkpoint: Mapping[int, Tip] | None = None,
) -> ChainReport:
    """Walk every chain (or only ``chain``); report the count or the first broken event.

    With ``checkpoint`` (chain → its tip then), each of those chains must
    still hold that hash at that position and reach at least that far: a chain
    rewritten and rehashed, or cut short, no longer extends the checkpoint.
    """
    session = session or db.session
    expected = dict(checkpoint or {})
    if chain is not None:
        expected = {chain: expected[chain]} if chain in expected else {}
    ends: dict[int, tuple[str, int]] = {}  # chain → (last hash, last seq), for chains left behind
    current, key_text, prev, last_seq, mark, mark_hash = None, "", GENESIS_HASH, 0, 0, ""
    count = 0
    sha256, sep = hashlib.sha256, _SEP
    for row in _rows(session, batch, chain):
        event_id, key, seq, at, actor, action, entity, entity_id, decision_id, before, after, prev_hash, stored = row
        if key != current:
            if current is not None:
                ends[current] = (prev, last_seq)
            current, key_text = key, str(key)
            prev, last_seq = ends.get(key, (GENESIS_HASH, 0))
            tip = expected.get(key)
            mark, mark_hash = (tip.seq, tip.hash) if tip is not None else (0, "")
        if prev_hash != prev:
            return ChainReport(False, count, event_id, BROKEN_LINK, len(ends) + 1, key)
        if seq != last_seq + 1:
            return ChainReport(False, count, event_id, BROKEN_ORDER, len(ends) + 1, key)
        # The same link text as event_hash(), inlined: this loop runs a million times.
        link = sep.join((
            prev_hash, key_text, str(seq), at, actor, action, entity,
            "" if entity_id is None else str(entity_id),
            "" if decision_id is None else str(decision_id),
            before or "", after or "",
        ))
        if sha256(link.encode()).hexdigest() != stored:
            return ChainReport(False, count, event_id, BROKEN_HASH, len(ends) + 1, key)
        if seq == mark and stored != mark_hash:
            return ChainReport(False, count, event_id, NOT_EXTENDED, len(ends) + 1, key)
        prev, last_seq = stored, seq
        count += 1
    if current is not None:
        ends[current] = (prev, last_seq)
    for key, tip in sorted(expected.items()):
        if ends.get(key, (GENESIS_HASH, 0))[1] < tip.seq:
            return ChainReport(False, count, None, CUT_OFF, len(ends), key)
    return ChainReport(True, count, chains=len(ends),
                       tips=tuple((key, Tip(seq, last)) for key, (last, seq) in sorted(ends.items())))
