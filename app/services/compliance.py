"""The bridge between stored decisions and the pure rulebook.

Builds the rulebook's snapshot of a decision, evaluates it under the configured
jurisdiction profile, and stores the derived summary (complete flag and the
rules it breaks) that year-wide reports read instead of re-running the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g, has_app_context
from sqlalchemy import func, select

from app.clock import TIMEZONE, today
from app.extensions import db
from app.models import Attachment, CalendarDay, Decision, DecisionFinding, DraftVersion
from app.rulebook import (
    Action,
    Finding,
    Profile,
    WorkdayCalendar,
    check_action,
    evaluate,
    get_profile,
    is_complete,
)
from app.rulebook.snapshot import DecisionSnapshot
from app.rulebook.vocabulary import CalendarDayKind, CatalogueStatus, Category, DecisionStatus, Severity, StepKind

from . import statistics
from .step_fields import step_facts


def current_profile() -> Profile:
    return get_profile(current_app.config["RULEBOOK_PROFILE"])


def load_calendar() -> WorkdayCalendar:
    """Holidays loaded by an admin, on top of the calendar library; cached per request."""
    if has_app_context() and "workday_calendar" in g:
        return g.workday_calendar
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    calendar = WorkdayCalendar({day: CalendarDayKind(kind) for day, kind in rows})
    if has_app_context():
        g.workday_calendar = calendar
    return calendar


def forget_calendar() -> None:
    """Drop the cached calendar after new days were loaded."""
    if has_app_context():
        g.pop("workday_calendar", None)


def current_draft(decision: Decision) -> DraftVersion | None:
    return decision.drafts[-1] if decision.drafts else None


def evidence_counts(step_ids: Iterable[int]) -> dict[int, int]:
    ids = list(step_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Attachment.step_id, func.count()).where(Attachment.step_id.in_(ids)).group_by(Attachment.step_id)
    ).all()
    return dict(rows)


def local_day(moment: datetime | None) -> date | None:
    """The Beijing day of a stored UTC timestamp (statutory dates are local dates)."""
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


def signed_draft_recorded_on(decision: Decision) -> date | None:
    """The day the draft version the legality review signed was first recorded (REC-01)."""
    signed = next((s.draft_sha256 for s in decision.steps if s.kind == StepKind.LEGALITY_REVIEW), None)
    if not signed:
        return None
    times = [d.created_at for d in decision.drafts if d.sha256 == signed and d.created_at is not None]
    return local_day(min(times)) if times else None


def snapshot_of(decision: Decision, counts: dict[int, int] | None = None) -> DecisionSnapshot:
    """The decision as the rulebook sees it today."""
    if counts is None:
        counts = evidence_counts(step.id for step in decision.steps if step.id is not None)
    draft = current_draft(decision)
    return DecisionSnapshot(
        category=Category(decision.category),
        status=DecisionStatus(decision.status),
        draft_sha256=draft.sha256 if draft else None,
        steps={StepKind(s.kind): step_facts(s, counts.get(s.id, 0)) for s in decision.steps},
        today=today(),
        ref_no=decision.ref_no,
        published_on=decision.published_on,
        amount_cny=decision.amount_cny,
        backfilled=bool(decision.backfilled),
        signed_draft_recorded_on=signed_draft_recorded_on(decision),
        submitted_recorded_on=local_day(decision.submitted_at),
        decided_recorded_on=local_day(decision.decided_at),
        in_published_catalogue=in_published_catalogue(decision),
    )


def in_published_catalogue(decision: Decision) -> bool:
    """Linked to a listed item of its organisation's published catalogue of its year (CAT-01)."""
    item = decision.catalogue_item
    if item is None or item.removed:
        return False
    catalogue = item.catalogue
    return (catalogue.status == CatalogueStatus.PUBLISHED and catalogue.organization_id == decision.organization_id
            and catalogue.year == decision.year)


@dataclass(frozen=True)
class Evaluation:
    findings: list[Finding]
    complete: bool

    def by_severity(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]


def evaluate_decision(decision: Decision, snapshot: DecisionSnapshot | None = None) -> Evaluation:
    profile = current_profile()
    snapshot = snapshot or snapshot_of(decision)
    findings = evaluate(snapshot, profile, load_calendar())
    return Evaluation(findings, is_complete(snapshot, findings, profile))


def blockers(action: Action, decision: Decision, snapshot: DecisionSnapshot | None = None) -> list[Finding]:
    """The findings that refuse ``action`` on ``decision`` now."""
    snapshot = snapshot or snapshot_of(decision)
    return check_action(action, snapshot, current_profile(), load_calendar())


def summarise(findings: Iterable[Finding]) -> dict[str, tuple[str, int]]:
    """Per rule: its severity and how many findings it made."""
    summary: dict[str, tuple[str, int]] = {}
    for finding in findings:
        severity, count = summary.get(finding.rule, (finding.severity.value, 0))
        summary[finding.rule] = (severity, count + 1)
    return summary


def refresh_summary(decision: Decision) -> Evaluation:
    """Store the decision's compliance summary and recount it in ``decision_statistics``; called by every write,
    same transaction (the counters' change is applied when it commits)."""
    evaluation = evaluate_decision(decision)
    decision.is_complete = evaluation.complete
    wanted = summarise(evaluation.findings)
    existing = {row.rule: row for row in decision.findings}
    for rule, row in existing.items():
        if rule not in wanted:
            decision.findings.remove(row)
    for rule, (severity, count) in wanted.items():
        row = existing.get(rule)
        if row is None:
            decision.findings.append(DecisionFinding(rule=rule, severity=severity, count=count))
        elif (row.severity, row.count) != (severity, count):
            row.severity, row.count = severity, count
    counted_as = statistics.decision_signature(decision)
    if counted_as != decision.statistics_keys:
        statistics.count_change(db.session, decision.statistics_keys, counted_as)
        decision.statistics_keys = counted_as
    return evaluation


def rebuild_all(batch: int = 500) -> int:
    """Recompute every stored summary (after a rulebook or profile change), then recount the statistics from them
    (``statistics.rebuild_statistics``: also what bulk writers skipped)."""
    from .loading import whole_decision

    ids = db.session.execute(select(Decision.id).order_by(Decision.id)).scalars().all()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        decisions = db.session.execute(
            select(Decision)
            .where(Decision.id.in_(chunk))
            .options(*whole_decision())
        ).scalars()
        for decision in decisions:
            refresh_summary(decision)
        db.session.flush()
    statistics.rebuild_statistics()
    return len(ids)
