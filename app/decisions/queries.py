"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User

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


def load_users(ids: Iterable[int | None]) -> dict[int, User]:
    """Users by id in one query; they are then in the session, so relationships to them cost nothing."""
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User).where(User.id.in_(wanted))).scalars()
    return {user.id: user for user in rows}
