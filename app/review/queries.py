"""The legal adviser's queue, in one statement whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Decision, DraftVersion, Step
from app.rulebook.vocabulary import EDITABLE_STATUSES, StepKind

#: The queue shows at most this many decisions, oldest submission first.
QUEUE_LIMIT = 500


@dataclass(frozen=True)
class QueueItem:
    """A decision waiting for the legal adviser."""

    decision: Decision
    submitted_on: date
    current_number: int
    #: The number of the draft version signed before, when the draft has changed since (a re-review).
    signed_number: int | None
    signed: bool

    @property
    def is_rereview(self) -> bool:
        return self.signed


def _queue_statement(organization_id: int, *columns):
    """Decisions of the organisation whose materials were sent for legality review and that need a signature.

    Either never signed, or signed on another draft than the current one
    (the signature binds the draft's sha256, 713号令 art. 25). Only decisions
    still in preparation: once submitted, the draft no longer changes.
    """
    current = aliased(DraftVersion)
    latest = (
        select(func.max(DraftVersion.number))
        .where(DraftVersion.decision_id == Decision.id)
        .correlate(Decision)
        .scalar_subquery()
    )
    signed_number = (
        select(func.max(DraftVersion.number))
        .where(DraftVersion.decision_id == Decision.id, DraftVersion.sha256 == Step.draft_sha256)
        .correlate(Decision, Step)
        .scalar_subquery()
    )
    wanted = columns or (Decision, Step.submitted_on, current.number, Step.draft_sha256, signed_number)
    return (
        select(*wanted)
        .select_from(Decision)
        .join(Step, and_(Step.decision_id == Decision.id, Step.kind == StepKind.LEGALITY_REVIEW.value))
        .join(current, and_(current.decision_id == Decision.id, current.number == latest))
        .where(
            Decision.organization_id == organization_id,
            Decision.status.in_(EDITABLE_STATUSES),
            Step.submitted_on.is_not(None),
            or_(Step.draft_sha256.is_(None), Step.draft_sha256 != current.sha256),
        )
    )


def review_queue(organization_id: int, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """The queue, oldest submission first (``_queue_statement`` says what is in it)."""
    stmt = _queue_statement(organization_id).order_by(Step.submitted_on, Decision.id).limit(limit)
    return [
        QueueItem(decision=decision, submitted_on=submitted_on, current_number=number,
                  signed_number=signed, signed=sha is not None)
        for decision, submitted_on, number, sha, signed in db.session.execute(stmt).all()
    ]


def queue_count(organization_id: int) -> int:
    """How many drafts wait in the queue: the badge of the navigation, one COUNT."""
    stmt = select(func.count()).select_from(_queue_statement(organization_id, Decision.id).subquery())
    return db.session.execute(stmt).scalar_one()
