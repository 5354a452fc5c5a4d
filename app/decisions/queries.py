"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DraftVersion, User

#: The decision page shows its history this many events at a time, newest first.
HISTORY_PER_PAGE = 50


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    #: The actor's display name (the stored username when no such account exists any more).
    by: str


def decision_events(decision_id: int, limit: int = HISTORY_PER_PAGE, offset: int = 0) -> list[HistoryEntry]:
    """A page of the audit events of one decision, newest first, each with its actor's display name.

    One statement: the names come joined by username (events keep the username,
    which never changes once given; the name may).
    """
    stmt = (
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.username == AuditEvent.actor)
        .where(AuditEvent.decision_id == decision_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [HistoryEntry(event, name or event.actor) for event, name in db.session.execute(stmt)]


def draft_numbers(decision_id: int) -> list[int]:
    """The numbers of a decision's draft versions, oldest first (no texts)."""
    return list(db.session.execute(
        select(DraftVersion.number).where(DraftVersion.decision_id == decision_id).order_by(DraftVersion.number)
    ).scalars())

