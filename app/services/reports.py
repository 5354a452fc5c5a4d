"""Year-wide completeness reports, read from the stored compliance summaries.

Every write stores the decision's complete flag and the rules it breaks
(``decisions.is_complete``, ``decision_findings``) in the same transaction, so a
report is a handful of GROUP BY queries over indexed columns and never runs the
rulebook per decision; it is then kept until the next write (the audit chain's
tip says when). The JSON API and the auditor dashboard share it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import AuditEvent, Decision, DecisionFinding, Organization, Step, User
from app.rulebook import Profile, required_steps
from app.rulebook.vocabulary import Category, StepKind, StepStatus

from . import permissions
from .compliance import current_profile
from .errors import PermissionDenied, check_year

_DONE = (StepStatus.COMPLETED.value, StepStatus.EXEMPTED.value)


@dataclass(frozen=True)
class StepCounts:
    completed: int = 0
    exempted: int = 0
    #: Decisions that need the step (by their category, under the profile) and have not done it.
    missing: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"completed": self.completed, "exempted": self.exempted, "missing": self.missing}


@dataclass(frozen=True)
class CompletenessReport:
    year: int
    total: int
    complete: int
    by_step: dict[str, StepCounts] = field(default_factory=dict)
    #: Rule id → number of decisions breaking it (a rule firing on several steps counts once).
    by_rule: dict[str, int] = field(default_factory=dict)
    #: Decisions entered after the fact (补录, REC-02): their dates are as stated, not as recorded.
    backfilled: int = 0

    @property
    def incomplete(self) -> int:
        return self.total - self.complete

    def to_dict(self) -> dict[str, Any]:
        """The report in the shape of the JSON API (DESIGN §5)."""
        return {
            "year": self.year,
            "total": self.total,
            "complete": self.complete,
            "by_step": {kind: counts.to_dict() for kind, counts in self.by_step.items()},
            "by_rule": dict(self.by_rule),
            "backfilled": self.backfilled,
        }


def report_scope(user: User, organization_ids: Iterable[int] | None = None) -> list[int]:
    """The organisations a report of ``user`` covers, narrowed to ``organization_ids`` if given.

    An auditor sees its organisation and every descendant; a clerk or an admin
    its own organisation; a legal adviser gets no reports.
    """
    if not permissions.can_view_reports(user):
        raise PermissionDenied(_("Your role does not see completeness reports."))
    visible = permissions.visible_organization_ids(user)
    if organization_ids is None:
        return visible
    wanted = set(organization_ids)
    return [org_id for org_id in visible if org_id in wanted]


def _data_stamp() -> tuple[int, str] | None:
    """The tip of the audit chain: every write of every decision appends to it, in the same transaction.

    One indexed lookup; a report computed at the same tip is still true.
    """
    row = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return None if row is None else (row[0], row[1])


class _ReportCache:
    """Reports by (database, scope, year, profile), valid while the audit chain's tip is unchanged.

    Every worker keeps its own; the tip is read from the database on each
    call, so a write in another worker is seen at once. Recomputing the stored
    summaries (``flask compliance rebuild``) writes no event, hence the age
    limit too.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, tuple[tuple[int, str] | None, float, CompletenessReport]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, stamp: tuple[int, str] | None, max_age: float) -> CompletenessReport | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != stamp or time.monotonic() - entry[1] > max_age:
                return None
            self.entries.move_to_end(key)
            return entry[2]

    def put(self, key: tuple, stamp: tuple[int, str] | None, report: CompletenessReport) -> None:
        with self.lock:
            self.entries[key] = (stamp, time.monotonic(), report)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_cache = _ReportCache()


def clear_report_cache() -> None:
    _cache.clear()


def completeness(user: User, year: int, organization_ids: Iterable[int] | None = None) -> CompletenessReport:
    """Completeness of a year's decisions in the user's scope.

    Three indexed GROUP BY queries over the stored summaries; the result is
    kept until the next write anywhere (``REPORT_CACHE_SECONDS`` at most, 60 by
    default), so a dashboard asked again costs two small queries.
    """
    year = check_year(year)
    scope = report_scope(user, organization_ids)
    profile = current_profile()
    key = (str(db.engine.url), tuple(sorted(scope)), year, profile.name)
    stamp = _data_stamp()
    max_age = current_app.config.get("REPORT_CACHE_SECONDS", 60)
    report = _cache.get(key, stamp, max_age) if max_age else None
    if report is None:
        report = _compute(scope, year, profile)
        _cache.put(key, stamp, report)
    return report


def _compute(scope: list[int], year: int, profile: Profile) -> CompletenessReport:
    in_scope = (Decision.organization_id.in_(scope), Decision.year == year)
    decision_ids = select(Decision.id).where(*in_scope)

    total, complete, backfilled = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Decision.is_complete, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Decision.backfilled, 1), else_=0)), 0)).where(*in_scope)
    ).one()

    required = {category.value: set(required_steps(profile, category)) for category in Category}
    tally = {kind.value: {"completed": 0, "exempted": 0, "missing": 0} for kind in StepKind}
    if all(steps == set(StepKind) for steps in required.values()):
        # The usual profile: every category needs all five steps, so the category does not matter.
        step_rows = db.session.execute(
            select(Step.kind, Step.status, func.count())
            .where(Step.decision_id.in_(decision_ids))
            .group_by(Step.kind, Step.status)
        ).all()
        step_rows = [(None, kind, status, count) for kind, status, count in step_rows]
    else:
        step_rows = db.session.execute(
            select(Decision.category, Step.kind, Step.status, func.count())
            .join(Step, Step.decision_id == Decision.id)
            .where(*in_scope)
            .group_by(Decision.category, Step.kind, Step.status)
        ).all()
    for category, kind, status, count in step_rows:
        counts = tally.get(kind)
        if counts is None:
            continue
        if status in _DONE:
            counts[status] += count
        elif category is None or kind in required.get(category, ()):
            counts["missing"] += count

    rule_rows = db.session.execute(
        select(DecisionFinding.rule, func.count())
        .where(DecisionFinding.decision_id.in_(decision_ids))
        .group_by(DecisionFinding.rule)
        .order_by(DecisionFinding.rule)
    ).all()

    return CompletenessReport(
        year=year,
        total=total,
        complete=int(complete),
        by_step={kind: StepCounts(**counts) for kind, counts in tally.items()},
        by_rule=dict(rule_rows),
        backfilled=int(backfilled),
    )


@dataclass(frozen=True)
class OrganizationRow:
    organization_id: int
    code: str
    name: str
    total: int
    complete: int


def completeness_by_organization(user: User, year: int) -> list[OrganizationRow]:
    """Total and complete decisions of the year per organisation in the user's scope (one query)."""
    year = check_year(year)
    scope = report_scope(user)
    rows = db.session.execute(
        select(
            Organization.id,
            Organization.code,
            Organization.name,
            func.count(Decision.id),
            func.coalesce(func.sum(case((Decision.is_complete, 1), else_=0)), 0),
        )
        .join(Decision, (Decision.organization_id == Organization.id) & (Decision.year == year), isouter=True)
        .where(Organization.id.in_(scope))
        .group_by(Organization.id, Organization.code, Organization.name)
        .order_by(Organization.code)
    ).all()
    return [OrganizationRow(org_id, code, name, total, int(complete)) for org_id, code, name, total, complete in rows]
