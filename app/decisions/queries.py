"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DraftVersion

#: The decision page shows at most this many events of the history, newest first.
HISTORY_LIMIT = 500


def decision_events(decision_id: int, limit: int = HISTORY_LIMIT) -> list[AuditEvent]:
    """The audit events of one decision, newest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.decision_id == decision_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def draft_numbers(decision_id: int) -> list[int]:
    """The numbers of a decision's draft versions, oldest first (no texts)."""
    return list(db.session.execute(
        select(DraftVersion.number).where(DraftVersion.decision_id == decision_id).order_by(DraftVersion.number)
    ).scalars())

