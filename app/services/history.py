"""The history of a decision and the check of the whole trail, read from the hash-chained audit log."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Decision, User

from . import permissions
from .audit import ChainReport, verify_chain


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


def verify_audit_trail(user: User) -> ChainReport:
    """Walk the whole hash chain (auditors and admins only)."""
    permissions.ensure(permissions.can_verify_audit(user), _("Only an auditor or an admin verifies the audit trail."))
    return verify_chain()
