"""The append-only, hash-chained audit trail.

Each event's hash is sha256 over the previous hash and the event's stored
fields, the changed values kept as canonical JSON text so that verifying needs
no re-serialisation. Appends are serialised: on PostgreSQL by a transaction
advisory lock, on SQLite by the write lock every writing transaction takes at
BEGIN; ``prev_hash`` is unique besides, so a fork cannot be stored at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.models import AuditEvent, User

GENESIS_HASH = "0" * 64
#: Key of the PostgreSQL advisory lock that serialises appends to the chain.
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
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    decision_id: int | None,
    before: str | None,
    after: str | None,
) -> str:
    """The chain link: any change to any field or to the order breaks it."""
    parts = (
        prev_hash,
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


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def chain_tip(session: Session) -> str:
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return last or GENESIS_HASH


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
) -> AuditEvent:
    """Append one event to the chain in the current transaction."""
    session = db.session
    session.flush()  # ids of new rows must exist before they are logged
    _lock_chain(session)
    prev = chain_tip(session)
    at = utcnow()
    name = actor.username if actor is not None else (actor_name or "system")
    before_text, after_text = canonical_json(before), canonical_json(after)
    event = AuditEvent(
        at=at,
        actor_id=actor.id if actor is not None else None,
        actor=name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        decision_id=decision_id,
        before=before_text,
        after=after_text,
        prev_hash=prev,
        hash=event_hash(prev, at, name, action, entity, entity_id, decision_id, before_text, after_text),
    )
    session.add(event)
    session.flush()
    return event


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so the history says what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_broken: int | None = None
    reason: str | None = None


#: The stored timestamp as ``format_at`` writes it, computed by the database (verify reads it as text).
_AT_TEXT = {
    "postgresql": """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, microseconds always present).
    "sqlite": "replace(at, ' ', 'T') || 'Z'",
}


def _rows(session: Session, batch: int) -> Iterator[tuple]:
    """Every event in chain order, ``at`` already as canonical text: no per-row type conversion."""
    at_text = _AT_TEXT.get(session.get_bind().dialect.name)
    if at_text is None:  # another database: let SQLAlchemy convert, slower but the same
        stmt = select(
            AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.entity,
            AuditEvent.entity_id, AuditEvent.decision_id, AuditEvent.before, AuditEvent.after,
            AuditEvent.prev_hash, AuditEvent.hash,
        ).order_by(AuditEvent.id)
        for row in session.execute(stmt.execution_options(yield_per=batch)):
            yield (row[0], format_at(row[1]), *row[2:])
        return
    columns = f"id, {at_text}, actor, action, entity, entity_id, decision_id, before, after, prev_hash, hash"
    sql = f"SELECT {columns} FROM audit_events ORDER BY id"  # noqa: S608 - only our own constants
    result = session.connection().exec_driver_sql(
        sql, execution_options={"stream_results": True, "yield_per": batch}
    )
    for partition in result.partitions():
        yield from partition


def verify_chain(session: Session | None = None, batch: int = 50_000) -> ChainReport:
    """Walk the whole chain in order; report the count or the first broken event."""
    session = session or db.session
    prev = GENESIS_HASH
    count = 0
    sha256, sep = hashlib.sha256, _SEP
    for event_id, at, actor, action, entity, entity_id, decision_id, before, after, prev_hash, stored in _rows(
        session, batch
    ):
        if prev_hash != prev:
            return ChainReport(False, count, event_id, "prev_hash does not match the previous event")
        # The same link text as event_hash(), inlined: this loop runs a million times.
        link = sep.join((
            prev_hash, at, actor, action, entity,
            "" if entity_id is None else str(entity_id),
            "" if decision_id is None else str(decision_id),
            before or "", after or "",
        ))
        if sha256(link.encode()).hexdigest() != stored:
            return ChainReport(False, count, event_id, "hash does not match the event's content")
        prev = stored
        count += 1
    return ChainReport(True, count)
