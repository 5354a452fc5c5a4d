"""The five-step checklist as the decision, step and review pages show it, and what a refused save keeps.

Reading only: the findings come from the rulebook through the compliance
service, the facts from ``step_to_dict``, who may do what from
``app.services.permissions``; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from app.models import Attachment, Decision, DraftVersion, Step, User
from app.rulebook import DecisionSnapshot, Finding
from app.rulebook.vocabulary import Category, StepKind, StepStatus
from app.services import permissions
from app.services.compliance import Evaluation, current_profile, evaluate_decision, snapshot_of
from app.services.evidence import attachments_by_kind
from app.services.step_fields import KIND_FIELDS, step_to_dict

from .labels import field_label

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
    attachments: list[Attachment] = field(default_factory=list)
    #: Where the user records this step (the step form, or the review page for the legal adviser).
    edit_url: str | None = None
    edit_label: object = ""
    can_upload: bool = False

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
class BlockedFinding:
    """A finding that refused an action, with the page that fixes it."""

    finding: Finding
    fix_url: str | None


def _step_view(number: int, step: Step, required: bool, attachments: list[Attachment], drafts: list[DraftVersion],
               findings: list[Finding]) -> StepView:
    kind = StepKind(step.kind)
    data = step_to_dict(step)
    view = StepView(number=number, kind=kind, step=step, data=data, required=required, evidence=len(attachments),
                    findings=[f for f in findings if f.step == kind], attachments=attachments)
    if data.get("completed_on"):
        view.dates.append(Fact("completed_on", field_label("completed_on"), data["completed_on"]))
    for spec in KIND_FIELDS[kind]:
        value = data.get(spec.name)
        if spec.name in _NOT_FACTS or value in (None, "", []):
            continue
        fact = Fact(spec.name, field_label(spec.name), value, long=spec.type == "text")
        (view.dates if spec.type == "date" else view.facts).append(fact)
    if data.get("draft_sha256"):
        signed = [d for d in drafts if d.sha256 == data["draft_sha256"]]
        view.signed_draft = signed[-1] if signed else None
    return view


def step_url(user: User, decision: Decision, kind: StepKind) -> str | None:
    """Where ``user`` records ``kind`` of ``decision``, if anywhere."""
    if kind == StepKind.LEGALITY_REVIEW and permissions.can_sign_legality_review(user, decision):
        return url_for("review.detail", decision_id=decision.id)
    if permissions.can_record_step(user, decision, kind):
        return url_for("decisions.step", decision_id=decision.id, kind=kind.value)
    return None


def fix_url(user: User, decision: Decision, finding: Finding) -> str | None:
    """The page that fixes ``finding``: its step's form, or the step on the decision page."""
    if finding.step is None:
        return url_for("decisions.detail", decision_id=decision.id, _anchor="findings")
    return step_url(user, decision, finding.step) or url_for(
        "decisions.detail", decision_id=decision.id, _anchor=f"step-{finding.step.value}"
    )


def blocked_findings(user: User, decision: Decision, findings: list[Finding]) -> list[BlockedFinding]:
    return [BlockedFinding(finding, fix_url(user, decision, finding)) for finding in findings]


@dataclass(frozen=True)
class Assessment:
    """A decision's findings as of now, with its evidence (shared by the decision, step and review pages)."""

    snapshot: DecisionSnapshot
    evaluation: Evaluation
    attachments: dict[str, list[Attachment]]


def assess(decision: Decision) -> Assessment:
    """Evaluate the decision once, counting evidence from the listed files (no separate count query)."""
    attachments = attachments_by_kind(decision.id)
    counts = {step.id: len(attachments.get(step.kind, [])) for step in decision.steps}
    snapshot = snapshot_of(decision, counts)
    return Assessment(snapshot, evaluate_decision(decision, snapshot), attachments)


def step_views(decision: Decision, user: User, assessment: Assessment) -> list[StepView]:
    by_kind = {StepKind(step.kind): step for step in decision.steps}
    required = set(current_profile().required_steps(Category(decision.category)))
    drafts = list(decision.drafts)
    views = []
    for number, kind in enumerate(StepKind, start=1):
        if kind not in by_kind:
            continue
        view = _step_view(number, by_kind[kind], kind in required, assessment.attachments.get(kind.value, []),
                          drafts, assessment.evaluation.findings)
        view.edit_url = step_url(user, decision, kind)
        if view.edit_url and kind == StepKind.LEGALITY_REVIEW and permissions.can_sign_legality_review(user, decision):
            view.edit_label = _("Review and sign")
        elif view.edit_url:
            view.edit_label = _("Record") if view.status == StepStatus.NOT_STARTED else _("Edit")
        view.can_upload = permissions.can_upload(user, decision, kind)
        views.append(view)
    return views


def _same(a: Any, b: Any) -> bool:
    def norm(value: Any) -> Any:
        if value in (None, "", []):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, list):
            return [norm(item) for item in value]
        if isinstance(value, dict):
            return {key: norm(item) for key, item in value.items() if norm(item) is not None}
        return value

    return norm(a) == norm(b)


def unsaved_changes(submitted: dict[str, Any], current: dict[str, Any], *, exclude: tuple[str, ...] = (),
                    kind: StepKind | None = None) -> list[Fact]:
    """What the user sent that differs from what is stored now, to re-apply after a conflict."""
    changed = []
    for name, value in submitted.items():
        if name in exclude or _same(value, current.get(name)):
            continue
        long = isinstance(value, str) and (len(value) > 80 or "\n" in value)
        changed.append(Fact(name, field_label(name), value, long=long))
    return changed
