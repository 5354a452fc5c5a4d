"""The audit trail as a list: filtered, paged, newest first, within the caller's organisations.

Which organisation an event belongs to (the same rule that files it in an
organisation's chain):

1. an event of a decision (``decision_id`` set): the decision's organisation;
2. an event about a user (``entity = 'user'``): that user's organisation;
3. an event about an organisation: that organisation;
4. any other event (tokens issued and revoked, logins, …): its actor's organisation;
5. an event with none of these (the working-day calendar, events of the
   ``system`` actor or of a removed user about no user, decision or
   organisation) belongs to no organisation. Those are shown only to a caller
   whose view reaches a top-level organisation (``permissions.sees_global_records``):
   the calendar applies to everyone under it, and a town's auditor has no
   business reading what was done above the town.

Users are counted under their current organisation. A caller sees the events of
``permissions.visible_organization_ids`` (an auditor: own organisation and its
descendants; an admin: own organisation). The filters are equalities on
indexed columns (``actor``, ``action``, ``entity``, ``decision_id``) and a range
on the indexed ``at``; dates are local (Asia/Shanghai) days, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select

from app.clock import TIMEZONE
from app.extensions import db
from app.models import AuditEvent, Decision, User

from . import permissions

#: Entities whose own id says which organisation an event belongs to (rules 2 and 3).
_USER, _ORGANIZATION = "user", "organization"
#: Entities that belong to no organisation whoever did them (rule 5).
GLOBAL_ENTITIES = ("calendar",)


@dataclass(frozen=True)
class EventFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    decision_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    #: The actor's display name today (``None`` for ``system`` or a removed user).
    actor_name: str | None
    #: The reference number of the event's decision, if it has one.
    ref_no: str | None


@dataclass(frozen=True)
class EventPage:
    items: list[EventRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def local_day_start(day: date) -> datetime:
    """The UTC instant at which a local (Asia/Shanghai) day begins."""
    return datetime.combine(day, time.min, TIMEZONE).astimezone(UTC)


def scope_clause(user: User) -> ColumnElement[bool]:
    """Events of the organisations the user may see (rules 1–5 of the module docstring)."""
    orgs = permissions.visible_organization_ids(user)
    users_of = select(User.id).where(User.organization_id.in_(orgs))
    no_decision = AuditEvent.decision_id.is_(None)
    clauses = [
        AuditEvent.decision_id.in_(select(Decision.id).where(Decision.organization_id.in_(orgs))),
        and_(no_decision, AuditEvent.entity == _USER, AuditEvent.entity_id.in_(users_of)),
        and_(no_decision, AuditEvent.entity == _ORGANIZATION, AuditEvent.entity_id.in_(orgs)),
        and_(no_decision, AuditEvent.entity.not_in((_USER, _ORGANIZATION, *GLOBAL_ENTITIES)),
             AuditEvent.actor_id.in_(users_of)),
    ]
    if permissions.sees_global_records(user, orgs):
        clauses.append(and_(no_decision, or_(
            AuditEvent.entity.in_(GLOBAL_ENTITIES),
            and_(AuditEvent.actor_id.is_(None), AuditEvent.entity.not_in((_USER, _ORGANIZATION))),
        )))
    return or_(*clauses)


def _filter_clauses(filters: EventFilter) -> list[ColumnElement[bool]]:
    clauses = []
    if filters.actor:
        clauses.append(AuditEvent.actor == filters.actor)
    if filters.action:
        clauses.append(AuditEvent.action == filters.action)
    if filters.entity:
        clauses.append(AuditEvent.entity == filters.entity)
    if filters.decision_id is not None:
        clauses.append(AuditEvent.decision_id == filters.decision_id)
    if filters.since is not None:
        clauses.append(AuditEvent.at >= local_day_start(filters.since))
    if filters.until is not None:
        clauses.append(AuditEvent.at < local_day_start(filters.until + timedelta(days=1)))
    return clauses


def list_events(user: User, filters: EventFilter, page: int = 1, per_page: int = 25) -> EventPage:
    """One page of the events the user may see, newest first: a fixed number of queries whatever the size."""
    permissions.ensure(permissions.can_read_audit_log(user),
                       _("Only an auditor or an admin reads the audit trail."))
    where = [scope_clause(user), *_filter_clauses(filters)]
    total = db.session.execute(select(func.count()).select_from(AuditEvent).where(*where)).scalar_one()
    rows = db.session.execute(
        select(AuditEvent, User.display_name, Decision.ref_no)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Decision, Decision.id == AuditEvent.decision_id)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [EventRow(event, name, ref_no) for event, name, ref_no in rows]
    return EventPage(items=items, page=page, per_page=per_page, total=total)


def decision_by_ref_no(user: User, ref_no: str) -> Decision | None:
    """The decision with this reference number, if the user may read it (the page's filter)."""
    decision = db.session.execute(select(Decision).where(Decision.ref_no == ref_no)).scalar_one_or_none()
    if decision is None or not permissions.can_read(user, decision):
        return None
    return decision
