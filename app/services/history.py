"""The history of a decision and the check of the whole trail, read from the hash-chained audit log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import now
from app.extensions import db
from app.models import GLOBAL_CHAIN, AuditCheckpoint, AuditEvent, Decision, Organization, User

from . import permissions
from .audit import ChainReport, verify_chain
from .checkpoints import Checkpoint, CheckpointError, KeyUnavailable, latest_checkpoint, load_checkpoint, verify_key
from .errors import NotFound


def event_to_dict(event: AuditEvent) -> dict[str, Any]:
    """An event in the shape of the JSON API: ``{at, actor, action, entity, before, after, hash}``."""
    return {
        "at": event.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "before": event.before_data,
        "after": event.after_data,
        "hash": event.hash,
    }


def decision_history(user: User, decision: Decision, limit: int | None = None) -> list[AuditEvent]:
    """The events of a decision the user may read, oldest first (``NotFound`` for other organisations)."""
    permissions.readable_decision(user, decision)
    stmt = select(AuditEvent).where(AuditEvent.decision_id == decision.id).order_by(AuditEvent.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


def _ensure_auditor(user: User) -> None:
    permissions.ensure(permissions.can_verify_audit(user), _("Only an auditor or an admin verifies the audit trail."))


def verify_audit_trail(user: User, checkpoint: Checkpoint | None = None) -> ChainReport:
    """Walk every chain (auditors and admins only), and check they extend ``checkpoint`` when given."""
    _ensure_auditor(user)
    return verify_chain(checkpoint=checkpoint.tips() if checkpoint is not None else None)


@dataclass(frozen=True)
class ChainTip:
    """One chain as the verification found it: whose it is, how many events, its last hash."""

    chain: int
    #: The organisation's code and name; ``None`` for the global chain (logins, users, checkpoints).
    org_code: str | None
    org_name: str | None
    events: int
    hash: str


@dataclass(frozen=True)
class TrailVerification:
    """A verification as an auditor files it (审计底稿): when, the result, and each chain's tip hash."""

    verified_at: datetime
    report: ChainReport
    tips: tuple[ChainTip, ...]
    #: How long the walk took.
    seconds: float


def record_verification(user: User, checkpoint: Checkpoint | None = None) -> TrailVerification:
    """``verify_audit_trail`` with its time (Beijing) and the tips named by organisation, for the printed record.

    The tips are what a later check compares with: the same hash at the same count means nothing before it changed.
    """
    verified_at, started = now(), time.perf_counter()
    report = verify_audit_trail(user, checkpoint)
    seconds = time.perf_counter() - started
    orgs = {}
    if report.tips:
        ids = [chain for chain, _tip in report.tips if chain != GLOBAL_CHAIN]
        orgs = {row.id: (row.code, row.name) for row in db.session.execute(
            select(Organization.id, Organization.code, Organization.name).where(Organization.id.in_(ids)))}
    tips = tuple(ChainTip(chain, *orgs.get(chain, (None, None)), tip.seq, tip.hash) for chain, tip in report.tips)
    return TrailVerification(verified_at, report, tips, seconds)


@dataclass(frozen=True)
class CheckpointStatus:
    """The latest stored checkpoint and whether its signature holds for the configured key."""

    row: AuditCheckpoint
    #: The checked content; ``None`` when the signature could not be checked or does not hold.
    checkpoint: Checkpoint | None
    #: Why not, in the user's language.
    problem: str | None = None


def latest_checkpoint_status(user: User) -> CheckpointStatus | None:
    """The latest checkpoint, its signature checked (a stored copy can be edited; the signature shows it)."""
    _ensure_auditor(user)
    row = latest_checkpoint()
    if row is None:
        return None
    try:
        return CheckpointStatus(row, load_checkpoint(row.document, verify_key()))
    except KeyUnavailable:
        return CheckpointStatus(row, None, _("No verification key is configured (AUDIT_VERIFY_KEY_FILE)."))
    except CheckpointError:
        return CheckpointStatus(row, None, _("The stored checkpoint's signature does not match its content."))


def checkpoint_document(user: User) -> AuditCheckpoint:
    """The latest checkpoint as stored, for an auditor to keep outside the database."""
    _ensure_auditor(user)
    row = latest_checkpoint()
    if row is None:
        raise NotFound(_("No checkpoint has been made yet."))
    return row
