from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.extensions import db

from .base import UTCDateTime


class AuditEvent(db.Model):
    """One write, append-only and hash-chained (see ``app.services.audit``).

    ``prev_hash`` is unique, so two events can never claim the same
    predecessor: a forked chain is impossible in the database itself.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
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
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def before_data(self) -> dict[str, Any] | None:
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self) -> dict[str, Any] | None:
        return json.loads(self.after) if self.after else None

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.entity}:{self.entity_id}>"


class AuditLogImmutable(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogImmutable(f"audit event {target.id} is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogImmutable(f"audit event {target.id} is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditEvent.__mapper__:
        raise AuditLogImmutable("audit events are append-only")
