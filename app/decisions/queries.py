"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Attachment, AuditEvent, DraftVersion, Step
from app.rulebook.vocabulary import StepKind

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


def attachments_by_kind(decision_id: int) -> dict[str, list[Attachment]]:
    """The decision's evidence files by step kind, oldest first, with their uploaders: one query.

    Like ``evidence.step_attachments``, but the uploader is loaded in the same
    statement, so a page listing files does not query once per file.
    """
    rows = db.session.execute(
        select(Attachment, Step.kind)
        .join(Step, Step.id == Attachment.step_id)
        .where(Step.decision_id == decision_id)
        .options(joinedload(Attachment.uploaded_by))
        .order_by(Attachment.id)
    ).all()
    result: dict[str, list[Attachment]] = {kind.value: [] for kind in StepKind}
    for attachment, kind in rows:
        result[kind].append(attachment)
    return result


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


def draft_numbers(decision_id: int) -> list[int]:
    """The numbers of a decision's draft versions, oldest first (no texts)."""
    return list(db.session.execute(
        select(DraftVersion.number).where(DraftVersion.decision_id == decision_id).order_by(DraftVersion.number)
    ).scalars())
