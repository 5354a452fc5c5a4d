from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.extensions import db

from .base import UTCDateTime

#: The chain of events that belong to no organisation (calendar, system events).
GLOBAL_CHAIN = 0


class AuditEvent(db.Model):
    """One write, append-only and hash-chained (see ``app.services.audit``).

    Each organisation has its own chain, numbered by ``seq``; ``(chain,
    prev_hash)`` is unique, so two events can never claim the same predecessor:
    a forked chain is impossible in the database itself. Triggers refuse
    UPDATE and DELETE (migration ``b7d2c4e9f1a3``).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id"),
        UniqueConstraint("chain", "seq"),
        UniqueConstraint("chain", "prev_hash"),
        CheckConstraint("chain >= 0", name="chain_not_negative"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation's id whose chain holds the event, or ``GLOBAL_CHAIN``. Not a foreign key: 0 is no row.
    chain: Mapped[int]
    #: Position in the chain, from 1: a checkpoint names a chain's tip by it.
    seq: Mapped[int]
    #: Indexed, like ``actor`` and ``action``: the audit-event list filters and sorts on them.
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Kept as text too: the log must outlive a renamed or removed user.
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    #: The decision the event belongs to, for its history page.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)
    #: Canonical JSON text of the changed fields, hashed exactly as stored.
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def before_data(self) -> dict[str, Any] | None:
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self) -> dict[str, Any] | None:
        return json.loads(self.after) if self.after else None

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.entity}:{self.entity_id}>"


class AuditCheckpoint(db.Model):
    """A signed copy of every chain's tip (``flask audit checkpoint``).

    Stored so that the verification page can show and hand out the latest one;
    the copy an auditor keeps outside the database is what anchors the trail,
    and the Ed25519 signature exposes any edit of a stored one.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: sha256 of the raw public key, first 16 hex digits: which key signed.
    key_id: Mapped[str] = mapped_column(String(16))
    #: The whole checkpoint document as written to the file (JSON, signature included).
    document: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AuditCheckpoint {self.id} {self.key_id}>"


class AuditLogImmutable(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


def _refuse_update(_mapper, _connection, target: AuditEvent | AuditCheckpoint) -> None:
    raise AuditLogImmutable(f"{target!r} is append-only")


def _refuse_delete(_mapper, _connection, target: AuditEvent | AuditCheckpoint) -> None:
    raise AuditLogImmutable(f"{target!r} is append-only")


for _model in (AuditEvent, AuditCheckpoint):
    event.listen(_model, "before_update", _refuse_update)
    event.listen(_model, "before_delete", _refuse_delete)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper in (AuditEvent.__mapper__,
                                                                      AuditCheckpoint.__mapper__):
        raise AuditLogImmutable("audit events are append-only")
