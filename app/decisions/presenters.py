"""What the decision page shows, gathered in a bounded number of queries.

Reading only: the findings come from the rulebook through the compliance
service, the facts from ``step_to_dict``; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.labels import SEVERITY_HEADINGS, field_label
from app.models import AuditEvent, Decision, DraftVersion, Step
from app.rulebook import Finding
from app.rulebook.vocabulary import Category, Severity, StepKind, StepStatus
from app.services.compliance import current_profile, evaluate_decision, evidence_counts, snapshot_of
from app.services.step_fields import KIND_FIELDS, step_to_dict

from . import queries

#: Facts shown elsewhere on a step's card, not in its list of facts.
_NOT_FACTS = {"kind", "status", "responsible", "completed_on", "exemption_reason", "exemption_basis",
              "experts", "opinions", "draft_sha256"}


@dataclass(frozen=True)
class Fact:
    name: str
    label: object
    value: Any
    long: bool = False


@dataclass
class StepView:
    """One procedure of the checklist."""

    number: int
    kind: StepKind
    step: Step
    data: dict[str, Any]
    required: bool
    evidence: int
    dates: list[Fact] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    signed_draft: DraftVersion | None = None

    @property
    def status(self) -> StepStatus:
        return StepStatus(self.step.status)

    @property
    def exempted(self) -> bool:
        return self.status == StepStatus.EXEMPTED

    @property
    def has_record(self) -> bool:
        return bool(self.dates or self.facts or self.data.get("responsible") or self.data.get("experts")
                    or self.data.get("opinions") or self.data.get("draft_sha256"))


@dataclass(frozen=True)
class FindingGroup:
    severity: Severity
    heading: object
    findings: list[Finding]


@dataclass
class DecisionPage:
    decision: Decision
    steps: list[StepView]
    findings: list[Finding]
    groups: list[FindingGroup]
    complete: bool
    drafts: list[DraftVersion]
    current_draft: DraftVersion | None
    events: list[AuditEvent]
    history_truncated: bool


def _step_view(number: int, step: Step, required: bool, evidence: int, drafts: list[DraftVersion],
               findings: list[Finding]) -> StepView:
    kind = StepKind(step.kind)
    data = step_to_dict(step)
    view = StepView(number=number, kind=kind, step=step, data=data, required=required, evidence=evidence,
                    findings=[f for f in findings if f.step == kind])
    if data.get("completed_on"):
        view.dates.append(Fact("completed_on", field_label("completed_on"), data["completed_on"]))
    for spec in KIND_FIELDS[kind]:
        value = data.get(spec.name)
        if spec.name in _NOT_FACTS or value in (None, "", []):
            continue
        fact = Fact(spec.name, field_label(spec.name), value, long=spec.type == "text")
        (view.dates if spec.type == "date" else view.facts).append(fact)
    if data.get("draft_sha256"):
        view.signed_draft = next((d for d in drafts if d.sha256 == data["draft_sha256"]), None)
    return view


def decision_page(decision: Decision) -> DecisionPage:
    """Everything the decision page shows; ``decision`` comes from ``load_decision`` (steps, drafts loaded)."""
    by_kind = {StepKind(step.kind): step for step in decision.steps}
    counts = evidence_counts(step.id for step in decision.steps)
    evaluation = evaluate_decision(decision, snapshot_of(decision, counts))
    required = set(current_profile().required_steps(Category(decision.category)))
    drafts = list(decision.drafts)
    steps = [
        _step_view(number, by_kind[kind], kind in required, counts.get(by_kind[kind].id, 0), drafts,
                   evaluation.findings)
        for number, kind in enumerate(StepKind, start=1)
        if kind in by_kind
    ]
    groups = [
        FindingGroup(severity, SEVERITY_HEADINGS[severity], evaluation.by_severity(severity))
        for severity in Severity
        if evaluation.by_severity(severity)
    ]
    events = queries.decision_events(decision.id, queries.HISTORY_LIMIT + 1)
    return DecisionPage(
        decision=decision,
        steps=steps,
        findings=evaluation.findings,
        groups=groups,
        complete=evaluation.complete,
        drafts=list(reversed(drafts)),
        current_draft=drafts[-1] if drafts else None,
        events=events[: queries.HISTORY_LIMIT],
        history_truncated=len(events) > queries.HISTORY_LIMIT,
    )
