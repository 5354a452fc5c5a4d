"""Recording the five procedures, signing the legality review, the meeting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.clock import utcnow
from app.extensions import db
from app.models import Decision, Expert, MemberOpinion, Step, User
from app.rulebook import Action
from app.rulebook.snapshot import StepFacts
from app.rulebook.vocabulary import DecisionStatus, Outcome, StepKind, StepStatus

from . import catalogues, permissions
from .audit import changes, record_event
from .compliance import blockers, refresh_summary
from .decisions import check_version, mark_changed
from .errors import Conflict, InvalidState, RuleBlocked, ValidationFailed
from .step_fields import (
    COMMON_FIELDS,
    KIND_FIELDS,
    SIGNATURE_FIELDS,
    StepInput,
    check_completed,
    expert_dict,
    opinion_dict,
    parse_step_input,
    step_to_dict,
)


def _frozen() -> InvalidState:
    return InvalidState(
        _("The procedures before the meeting can only be changed while the decision is in preparation.")
    )


def parse_kind(kind: str) -> StepKind:
    try:
        return StepKind(kind)
    except ValueError:
        raise ValidationFailed(
            {"kind": _("must be one of: %(values)s", values=", ".join(k.value for k in StepKind))}
        ) from None


def check_step_version(step: Step, version: Any) -> None:
    """A write of a step based on an older read of that step is refused; other steps never conflict."""
    if version is None or version == "":
        return
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed({"version": _("must be a whole number")})
    if version != step.version:
        raise Conflict(
            _("This procedure was changed by someone else after you opened it. Reload it and apply your change again.")
        )


def _rule_refusal(action: Action, decision: Decision, message: str) -> None:
    found = blockers(action, decision)
    if found:
        raise RuleBlocked(found, message)


def _merged_values(step: Step, kind: StepKind, parsed: StepInput) -> dict[str, Any]:
    """PUT replaces the step's facts: a field left out is cleared."""
    names = [f.name for f in (*COMMON_FIELDS, *KIND_FIELDS[kind])]
    return {name: parsed.values.get(name) for name in names}


def _replace_rows(rows: list, items: list[dict], make, order_attr: str) -> None:
    """Update list rows in place by position, so (step, position) stays unique throughout."""
    for index, item in enumerate(items):
        if index < len(rows):
            for name, value in item.items():
                setattr(rows[index], name, value)
        else:
            rows.append(make(**{order_attr: index + 1}, **item))
    del rows[len(items):]


def _apply(step: Step, values: Mapping[str, Any], items: list[dict] | None, kind: StepKind) -> None:
    for name, value in values.items():
        setattr(step, name, value)
    if items is None:
        return
    if kind == StepKind.EXPERT_REVIEW:
        _replace_rows(step.experts, items, Expert, "position")
    elif kind == StepKind.COLLECTIVE_DECISION:
        _replace_rows(step.opinions, items, MemberOpinion, "speaking_order")


def _current_items(step: Step, kind: StepKind) -> list[dict] | None:
    if kind == StepKind.EXPERT_REVIEW:
        return [expert_dict(e) for e in step.experts]
    if kind == StepKind.COLLECTIVE_DECISION:
        return [opinion_dict(o) for o in step.opinions]
    return None


def _finish(user: User, action: str, decision: Decision, step: Step, before: dict[str, Any]) -> Step:
    """The common end of every step write: version bump, summary, audit event."""
    step.updated_by_id = user.id
    mark_changed(decision)
    refresh_summary(decision)
    db.session.flush()
    before_diff, after_diff = changes(before, step_to_dict(step))
    after_diff["kind"] = step.kind
    record_event(user, action, "step", step.id, decision_id=decision.id, before=before_diff, after=after_diff)
    return step


def _start_work(decision: Decision) -> None:
    """The first recorded fact takes a draft into preparation."""
    if decision.status == DecisionStatus.DRAFT:
        decision.status = DecisionStatus.IN_PROGRESS.value


def record_step(user: User, decision: Decision, kind: StepKind | str, data: Mapping[str, Any]) -> Step:
    """Record one procedure's facts and status (PUT semantics: the facts are replaced)."""
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    check_step_version(decision.step(kind), data.get("version"))
    if kind == StepKind.LEGALITY_REVIEW:
        return _record_legality_submission(user, decision, data)
    if kind == StepKind.COLLECTIVE_DECISION:
        return record_collective_decision(user, decision, data)
    permissions.ensure(permissions.is_clerk_of(user, decision.organization_id),
                       _("Only a clerk of the organisation may record this step."))
    if not permissions.can_record_step(user, decision, kind):
        raise _frozen()
    parsed = parse_step_input(kind, catalogues.exemption_defaults(decision, kind, data))
    step = decision.step(kind)
    merged = _merged_values(step, kind, parsed)
    items = parsed.items if parsed.items is not None else _current_items(step, kind)
    if parsed.status == StepStatus.EXEMPTED:
        catalogues.check_exemption_against_item(decision, kind, merged)
        proposed = StepFacts(kind=kind, status=parsed.status, exemption_reason=merged.get("exemption_reason"),
                             exemption_basis=merged.get("exemption_basis"))
        _rule_refusal(Action("record_step", actor_role=user.role_enum, step=proposed), decision,
                      _("This step cannot be exempted like that."))
    check_completed(kind, parsed.status, merged, items)
    if parsed.status != StepStatus.EXEMPTED:
        merged["exemption_reason"] = merged["exemption_basis"] = merged["catalogue_deviation_reason"] = None
    before = step_to_dict(step)
    _apply(step, merged, parsed.items, kind)
    step.status = parsed.status.value
    _start_work(decision)
    return _finish(user, f"step.{kind.value}.record", decision, step, before)


def _record_legality_submission(user: User, decision: Decision, data: Mapping[str, Any]) -> Step:
    """The clerk records only when the materials went to review (送审); the opinion is the adviser's."""
    kind = StepKind.LEGALITY_REVIEW
    permissions.ensure(permissions.is_clerk_of(user, decision.organization_id),
                       _("Only a clerk of the organisation records the submission for legality review."))
    signature = set(data) & set(SIGNATURE_FIELDS)
    if signature or data.get("status") in (StepStatus.COMPLETED.value, StepStatus.EXEMPTED.value):
        # The legality opinion is recorded only by a legal adviser (LR-01), and it is never exempted.
        found = [f for f in blockers(Action("sign_legality_review", actor_role=user.role_enum), decision)
                 if f.rule == "LR-01"]
        raise RuleBlocked(found, _("Only a legal adviser records the legality opinion."))
    if not permissions.can_record_step(user, decision, kind):
        raise _frozen()
    parsed = parse_step_input(kind, data)
    if parsed.values.get("submitted_on") is None:
        raise ValidationFailed({"submitted_on": _("is required")})
    check_completed(kind, StepStatus.IN_PROGRESS, parsed.values, None)
    step = decision.step(kind)
    before = step_to_dict(step)
    if is_signed(step) and parsed.values["submitted_on"] != step.submitted_on:
        _open_new_review_round(user, decision, step)
    step.submitted_on = parsed.values["submitted_on"]
    if "responsible" in parsed.values:
        step.responsible = parsed.values["responsible"]
    if step.status == StepStatus.NOT_STARTED:
        step.status = StepStatus.IN_PROGRESS.value
    _start_work(decision)
    return _finish(user, "step.legality_review.submit_materials", decision, step, before)


#: What the adviser's signature set; a new review round clears it.
_SIGNED_FIELDS = ("reviewer", "reviewer_id", "opinion", "opinion_text", "reviewed_on", "legal_risk_statement",
                  "draft_sha256", "signed_at", "completed_on")


def is_signed(step: Step) -> bool:
    """Whether the legality review carries an adviser's signature."""
    return step.draft_sha256 is not None or step.signed_at is not None


def _open_new_review_round(user: User, decision: Decision, step: Step) -> None:
    """送审日期 changed after signing: the signed opinion goes to the history and must be given again.

    The review time (LR-03) counts from the submission, so a signature on other
    materials cannot stand for the new ones; the old opinion stays in the audit trail.
    """
    signed = step_to_dict(step)
    opinion = {name: signed.get(name) for name in ("submitted_on", *SIGNATURE_FIELDS, "completed_on")}
    opinion["signed_at"] = step.signed_at.isoformat() if step.signed_at else None
    for name in _SIGNED_FIELDS:
        setattr(step, name, None)
    step.status = StepStatus.IN_PROGRESS.value
    db.session.flush()
    record_event(user, "step.legality_review.new_round", "step", step.id, decision_id=decision.id,
                 before=opinion, after={"kind": step.kind, "status": step.status})


def sign_legality_review(user: User, decision: Decision, data: Mapping[str, Any]) -> Step:
    """The legal adviser's opinion, bound to the current draft's sha256 (713号令 arts. 25–28).

    Signing again replaces the opinion; the old one stays in the audit history.
    """
    kind = StepKind.LEGALITY_REVIEW
    if not permissions.can_read(user, decision):
        permissions.ensure(False, _("You may not sign this review."))
    # The adviser signs the draft he read: its lock is the decision's version, which every draft change moves.
    check_version(decision, data.get("version"))
    _rule_refusal(Action("sign_legality_review", actor_role=user.role_enum), decision,
                  _("The legality review cannot be signed yet."))
    permissions.ensure(permissions.can_sign_legality_review(user, decision),
                       _("Only a legal adviser of the organisation may sign, before the decision is submitted."))
    allowed = {"opinion", "opinion_text", "reviewed_on", "legal_risk_statement", "version"}
    errors = {name: _("is not a field of the signature") for name in sorted(set(data) - allowed)}
    if errors:
        raise ValidationFailed(errors)
    parsed = parse_step_input(kind, {**{k: v for k, v in data.items() if k != "version"}, "status": "completed"})
    step = decision.step(kind)
    for name in ("opinion", "opinion_text", "reviewed_on"):
        if parsed.values.get(name) in (None, ""):
            errors[name] = _("is required")
    if step.submitted_on is None:
        errors["submitted_on"] = _("the materials have not been recorded as submitted for review")
    reviewed_on = parsed.values.get("reviewed_on")
    if reviewed_on and step.submitted_on and reviewed_on < step.submitted_on:
        errors["reviewed_on"] = _("must not be before the materials were submitted")
    if errors:
        raise ValidationFailed(errors)
    check_completed(kind, StepStatus.COMPLETED, {**parsed.values, "submitted_on": step.submitted_on}, None)
    before = step_to_dict(step)
    draft = decision.drafts[-1]
    step.reviewer = user.display_name
    step.reviewer_id = user.id
    step.opinion = parsed.values["opinion"]
    step.opinion_text = parsed.values["opinion_text"]
    step.reviewed_on = reviewed_on
    step.legal_risk_statement = parsed.values.get("legal_risk_statement")
    step.draft_sha256 = draft.sha256
    step.signed_at = utcnow()
    step.completed_on = reviewed_on
    step.status = StepStatus.COMPLETED.value
    return _finish(user, "step.legality_review.sign", decision, step, before)


def record_collective_decision(user: User, decision: Decision, data: Mapping[str, Any]) -> Step:
    """The meeting, its quorum and each member's position; moves the decision to ``decided``.

    Only a submitted decision may be discussed (CD-01); a decided one may be
    corrected until it is published, and every correction is an audit event.
    """
    kind = StepKind.COLLECTIVE_DECISION
    permissions.ensure(permissions.is_clerk_of(user, decision.organization_id),
                       _("Only a clerk of the organisation may record the collective decision."))
    _rule_refusal(Action("record_collective_decision", actor_role=user.role_enum), decision,
                  _("The collective decision cannot be recorded for this decision now."))
    parsed = parse_step_input(kind, data)
    if parsed.status == StepStatus.EXEMPTED:
        _rule_refusal(Action("record_step", actor_role=user.role_enum,
                             step=StepFacts(kind=kind, status=StepStatus.EXEMPTED)), decision,
                      _("The collective decision cannot be exempted."))
        raise ValidationFailed({"status": _("the collective decision cannot be exempted")})
    step = decision.step(kind)
    merged = _merged_values(step, kind, parsed)
    items = parsed.items if parsed.items is not None else _current_items(step, kind)
    outcome = merged.get("outcome")
    if parsed.status == StepStatus.COMPLETED and outcome == Outcome.DEFERRED:
        raise ValidationFailed({"outcome": _("a deferred matter is not decided: record the step as in progress")})
    check_completed(kind, parsed.status, merged, items)
    if merged.get("completed_on") is None and parsed.status == StepStatus.COMPLETED:
        merged["completed_on"] = merged.get("meeting_date")
    merged["exemption_reason"] = merged["exemption_basis"] = None
    before = step_to_dict(step)
    _apply(step, merged, parsed.items, kind)
    step.status = parsed.status.value
    decided = parsed.status == StepStatus.COMPLETED and outcome in (Outcome.APPROVED, Outcome.REJECTED)
    if decided:
        if decision.status != DecisionStatus.DECIDED:
            # The day the collective decision entered the record (REC-01: publication is not before it).
            decision.decided_at = utcnow()
        decision.status = DecisionStatus.DECIDED.value
    elif outcome == Outcome.DEFERRED:
        # 缓议: the matter goes back for more work and must be submitted again.
        decision.status = DecisionStatus.IN_PROGRESS.value
    return _finish(user, "step.collective_decision.record", decision, step, before)

