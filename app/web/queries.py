"""Read-only queries that pages of several blueprints share (one statement each, whatever the size)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Attachment, DraftVersion, Step
from app.rulebook.vocabulary import StepKind


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
