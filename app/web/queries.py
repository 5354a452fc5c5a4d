"""Read-only queries that pages of several blueprints share (one statement each, whatever the size)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import DraftVersion


def drafts_with_text(decision_id: int, numbers: Iterable[int]) -> dict[int, DraftVersion]:
    """The named draft versions of a decision, texts and authors included, by number."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(DraftVersion)
        .where(DraftVersion.decision_id == decision_id, DraftVersion.number.in_(wanted))
        .options(joinedload(DraftVersion.author))
    ).scalars()
    return {draft.number: draft for draft in rows}
