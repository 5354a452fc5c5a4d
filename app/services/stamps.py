"""How far the record of a set of organisations has moved: a number that grows with every write in them.

Every write appends to the audit chain of the organisation it concerns, in the
write's own transaction, and a chain's ``seq`` only grows; so the sum of the
chains' tips over a scope changes exactly when something in that scope was
written. A figure cached under ``(scope, stamp)`` stays valid while writes
happen elsewhere: a township's write does not make a county next door cold.
One probe of the ``(chain, seq)`` index per organisation; the whole database's
stamp is the newest event's id, one probe.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, func, select

from app.extensions import db
from app.models import GLOBAL_CHAIN, AuditEvent, Organization, User, UserSession


def chain_tip(chain: ColumnElement[int] | int) -> ScalarSelect[int]:
    """A scalar subquery: the tip ``seq`` of the chain ``chain`` (a column or a number), 0 before any event.

    Selected in the same statement as a row, it stamps the row with its chain as that statement saw it.
    """
    return (select(func.coalesce(func.max(AuditEvent.seq), 0)).where(AuditEvent.chain == chain)
            .scalar_subquery())


#: Built once: a stamp is read on every cached page, and building the statement cost as much as running it.
_SCOPE_STAMP = select(func.coalesce(func.sum(
    select(func.max(AuditEvent.seq)).where(AuditEvent.chain == Organization.id).scalar_subquery()
), 0)).where(Organization.id.in_(bindparam("ids", expanding=True)))


def scope_stamp(organization_ids: Iterable[int]) -> int:
    """The sum of the audit chains' lengths of these organisations (0 before any event)."""
    ids = sorted(set(organization_ids))
    if not ids:
        return 0
    # On the session's connection: the ORM's execute costs more than this statement takes to run.
    return int(db.session.connection().execute(_SCOPE_STAMP, {"ids": ids}).scalar_one())


@cache
def own_chain_tip() -> Select:
    """The tip of the chain of the session's user's own organisation (``:token_hash`` names the session): the
    stamp of a scope that is only that organisation, read with the session's row (``app.web.prefetch``)."""
    own = (select(User.organization_id).join(UserSession, UserSession.user_id == User.id)
           .where(UserSession.token_hash == bindparam("token_hash")).scalar_subquery())
    return select(own.label("organization_id"),
                  select(func.coalesce(func.max(AuditEvent.seq), 0)).where(AuditEvent.chain == own)
                  .scalar_subquery().label("tip"))


def database_stamp() -> int:
    """The newest event's id: grows with any write anywhere (the global chain's included)."""
    return int(db.session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one())


def global_stamp() -> int:
    """The length of the global chain (calendar and system events): what a figure read through the calendar needs."""
    stmt = select(func.coalesce(func.max(AuditEvent.seq), 0)).where(AuditEvent.chain == GLOBAL_CHAIN)
    return int(db.session.execute(stmt).scalar_one())
