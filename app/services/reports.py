"""Year-wide completeness reports, read from the counters every write keeps (``decision_statistics``).

Every write stores the decision's complete flag and the rules it breaks
(``decisions.is_complete``, ``decision_findings``) and adjusts the rolled-up
counters of its organisation and ancestors in the same transaction
(``app.services.statistics``). A report over whole subtrees (an auditor's
scope, an organisation with its sub-organisations) or a few organisations reads
a few dozen counter rows, whatever the number of decisions, and applies the
profile's required steps at read time. A scope that needs too many counter rows
falls back to ``_compute``: a handful of GROUP BY queries over the stored
summaries, kept until something in the scope is written (``data_stamp``). The
JSON API and the auditor dashboard share it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Decision, DecisionFinding, Step, User
from app.rulebook import Profile, required_steps
from app.rulebook.vocabulary import Category, StepKind, StepStatus

from . import permissions, statistics
from .compliance import current_profile
from .errors import PermissionDenied, check_year
from .organizations import load_tree
from .stamps import database_stamp, scope_stamp

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


def data_stamp(scope: Iterable[int]) -> tuple[str, int]:
    """A number that moves exactly when something in ``scope`` is written (its audit chains' tips).

    The whole tree's stamp is the newest event's id (one probe instead of one per organisation).
    """
    ids = set(scope)
    if ids and len(ids) >= len(load_tree().nodes):
        return ("all", database_stamp())
    return ("scope", scope_stamp(ids))


class _ReportCache:
    """Reports by (database, scope, year, profile), valid while the scope's stamp is unchanged.

    Every worker keeps its own; the stamp is read from the database on each
    call, so a write in another worker is seen at once, and a write outside the
    scope leaves the entry warm. Recomputing the stored summaries (``flask
    compliance rebuild``) writes no event, hence the age limit too.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, tuple[Any, float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, stamp: Any, max_age: float) -> Any:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != stamp or time.monotonic() - entry[1] > max_age:
                return None
            self.entries.move_to_end(key)
            return entry[2]

    def put(self, key: tuple, stamp: Any, report: Any) -> None:
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

    From the counters (one query of a few dozen rows) when the scope is a few
    whole subtrees or organisations; otherwise ``_compute``, kept until
    something in the scope is written (``REPORT_CACHE_SECONDS`` at most, 60 by
    default).
    """
    year = check_year(year)
    scope = report_scope(user, organization_ids)
    profile = current_profile()
    counts = statistics.scope_counts(scope, year)
    if counts is not None:
        return report_from_counts(counts, year, profile)
    key = (str(db.engine.url), tuple(sorted(scope)), year, profile.name)
    stamp = data_stamp(scope)
    max_age = current_app.config.get("REPORT_CACHE_SECONDS", 60)
    report = _cache.get(key, stamp, max_age) if max_age else None
    if report is None:
        report = _compute(scope, year, profile)
        _cache.put(key, stamp, report)
    return report


def report_from_counts(counts: dict[str, int], year: int, profile: Profile) -> CompletenessReport:
    """The report from counter keys (``statistics``): "missing" is a step the profile requires of the category
    and the decision has not done, exactly as ``_compute`` counts it."""
    required = {category.value: set(required_steps(profile, category)) for category in Category}
    tally = {kind.value: {"completed": 0, "exempted": 0, "missing": 0} for kind in StepKind}
    by_rule: dict[str, int] = {}
    for key, count in counts.items():
        if key.startswith("step:"):
            _prefix, category, kind, status = key.split(":")
            step = tally.get(kind)
            if step is None:
                continue
            if status in _DONE:
                step[status] += count
            elif kind in required.get(category, ()):
                step["missing"] += count
        elif key.startswith("rule:") and count:
            by_rule[key[5:]] = count
    return CompletenessReport(
        year=year,
        total=counts.get("total", 0),
        complete=counts.get("complete", 0),
        by_step={kind: StepCounts(**step) for kind, step in tally.items()},
        by_rule=dict(sorted(by_rule.items())),
        backfilled=counts.get("backfilled", 0),
    )


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
    #: The counts include the organisation's sub-organisations (False: its own decisions only).
    whole: bool = False


def completeness_by_organization(user: User, year: int) -> list[OrganizationRow]:
    """Total and complete decisions of the year per organisation in the user's scope, its own decisions only
    (its counters minus its children's: one query of two keys per organisation)."""
    year = check_year(year)
    scope = report_scope(user)
    tree = load_tree()
    own = statistics.own_by_organization(scope, year, ("total", "complete"))
    nodes = sorted((tree.nodes[org_id] for org_id in scope if org_id in tree.nodes), key=lambda node: node.code)
    return [OrganizationRow(node.id, node.code, node.name, own[node.id].get("total", 0),
                            own[node.id].get("complete", 0)) for node in nodes]


def completeness_of_parts(user: User, year: int, organization_id: int) -> list[OrganizationRow]:
    """An organisation's own decisions, then each visible sub-organisation with everything under it.

    What a dashboard can show at any level: a province's page lists its cities, not its thousand townships;
    one query of the rolled-up counters whatever the size of the tree below.
    """
    year = check_year(year)
    visible = set(report_scope(user))
    tree = load_tree()
    if organization_id not in visible or organization_id not in tree.nodes:
        return []
    children = sorted((tree.nodes[c] for c in tree.children.get(organization_id, []) if c in visible),
                      key=lambda node: node.code)
    counts = statistics.tree_counts([organization_id, *(node.id for node in children)], year, ("total", "complete"))
    own = Counter(counts[organization_id])
    for node in children:
        own.subtract(counts[node.id])
    node = tree.nodes[organization_id]
    rows = [OrganizationRow(node.id, node.code, node.name, own.get("total", 0), own.get("complete", 0))]
    rows += [OrganizationRow(child.id, child.code, child.name, counts[child.id].get("total", 0),
                             counts[child.id].get("complete", 0), whole=True) for child in children]
    return rows
