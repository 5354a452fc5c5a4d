"""Which facts each kind of step records, and how input for them is checked.

One table holds all five kinds (``app.models.Step``); this module says which
columns belong to which kind, parses API or form input into Python values with
a message per bad field, and turns a step back into the API's plain shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from app import clock
from app.models import Step
from app.rulebook.snapshot import Expert, MemberOpinion, StepFacts
from app.rulebook.vocabulary import (
    ExpertReviewMethod,
    LegalOpinion,
    MeetingType,
    Outcome,
    ParticipationMethod,
    Position,
    RiskConclusion,
    RiskLevel,
    RiskType,
    StepKind,
    StepStatus,
)

from .errors import ValidationFailed
from .field_types import FieldErrors, FieldSpec, parse_field


def _f(name: str, type_: str, enum: type[StrEnum] | None = None) -> FieldSpec:
    """A step's fact: an empty answer leaves it unset."""
    return FieldSpec(name, type_, enum)


#: The kind's own facts, by API name (DESIGN §5); each is a column of ``steps``.
KIND_FIELDS: dict[StepKind, tuple[FieldSpec, ...]] = {
    StepKind.PUBLIC_PARTICIPATION: (
        _f("method", "enum", ParticipationMethod),
        _f("comment_start", "date"),
        _f("comment_end", "date"),
        _f("short_period_reason", "text"),
        _f("hearing_date", "date"),
        _f("materials_sent_on", "date"),
        _f("comments_received", "int"),
        _f("comments_adopted", "int"),
        _f("feedback_summary", "text"),
        _f("feedback_published_on", "date"),
    ),
    StepKind.EXPERT_REVIEW: (
        _f("method", "enum", ExpertReviewMethod),
        _f("review_date", "date"),
        _f("opinion_text", "text"),
        _f("opinion_signed", "bool"),
        _f("dissent", "text"),
    ),
    StepKind.RISK_ASSESSMENT: (
        _f("risk_types", "enum_list", RiskType),
        _f("risk_level", "enum", RiskLevel),
        _f("risk_points", "text"),
        _f("mitigation", "text"),
        _f("contingency_plan", "text"),
        _f("conclusion", "enum", RiskConclusion),
        _f("assessed_on", "date"),
    ),
    StepKind.LEGALITY_REVIEW: (
        _f("submitted_on", "date"),
        _f("reviewer", "short"),
        _f("opinion", "enum", LegalOpinion),
        _f("opinion_text", "text"),
        _f("reviewed_on", "date"),
        _f("legal_risk_statement", "text"),
        _f("draft_sha256", "short"),
    ),
    StepKind.COLLECTIVE_DECISION: (
        _f("meeting_type", "enum", MeetingType),
        _f("meeting_date", "date"),
        _f("members_total", "int"),
        _f("members_present", "int"),
        _f("outcome", "enum", Outcome),
        _f("principal_reason", "text"),
        _f("minutes_ref", "short"),
    ),
}

COMMON_FIELDS: tuple[FieldSpec, ...] = (
    _f("responsible", "short"),
    _f("completed_on", "date"),
    _f("exemption_reason", "text"),
    _f("exemption_basis", "text"),
    # Exempting a procedure the decision's catalogue item requires: why the catalogue was wrong.
    _f("catalogue_deviation_reason", "text"),
)

#: Facts a step cannot be ``completed`` without (common sense of each procedure).
REQUIRED_WHEN_COMPLETED: dict[StepKind, tuple[str, ...]] = {
    StepKind.PUBLIC_PARTICIPATION: ("method", "comments_received", "comments_adopted", "completed_on"),
    StepKind.EXPERT_REVIEW: ("method", "review_date", "opinion_text", "completed_on"),
    StepKind.RISK_ASSESSMENT: ("risk_types", "risk_level", "risk_points", "conclusion", "assessed_on", "completed_on"),
    StepKind.LEGALITY_REVIEW: ("submitted_on", "opinion", "opinion_text", "reviewed_on"),
    StepKind.COLLECTIVE_DECISION: ("meeting_type", "meeting_date", "members_total", "members_present", "outcome"),
}

#: What the legal adviser's signature records (the clerk may not set these).
SIGNATURE_FIELDS = ("reviewer", "opinion", "opinion_text", "reviewed_on", "legal_risk_statement", "draft_sha256")


@dataclass(frozen=True)
class RowList:
    """A step's list of rows (experts, members' positions): the row's fields, the one no row may lack,
    and what an unanswered tick box means."""

    name: str
    fields: tuple[FieldSpec, ...]
    required: str
    unanswered: Mapping[str, bool]


#: The list each kind records besides its columns (a table of its own).
ROW_LISTS: dict[StepKind, RowList] = {
    StepKind.EXPERT_REVIEW: RowList(
        "experts",
        (_f("name", "short"), _f("field", "short"), _f("institution", "short"), _f("no_conflict", "bool")),
        required="name",
        # An expert is taken to have no conflict of interest unless the clerk says so (ER-02).
        unanswered={"no_conflict": True},
    ),
    StepKind.COLLECTIVE_DECISION: RowList(
        "opinions",
        (
            _f("member", "short"),
            _f("position", "enum", Position),
            _f("remarks", "text"),
            _f("is_principal", "bool"),
            _f("recused", "bool"),
        ),
        required="member",
        unanswered={"is_principal": False, "recused": False},
    ),
}
ROWS_MAX = 200


def _parse_row(rows: RowList, prefix: str, entry: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    allowed = {f.name for f in rows.fields}
    for unknown in set(entry) - allowed:
        errors.add(f"{prefix}.{unknown}", _("is not a field of this list"))
    item = {f.name: parse_field(f, entry.get(f.name), errors, f"{prefix}.{f.name}") for f in rows.fields}
    if not item.get(rows.required):
        errors.add(f"{prefix}.{rows.required}", _("is required"))
    for name, default in rows.unanswered.items():
        if item[name] is None:
            item[name] = default
    return item


def _parse_rows(rows: RowList, raw: Any, errors: FieldErrors) -> list[dict]:
    """Each row checked on its own; a message is keyed by row and field, e.g. ``experts[0].name``."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        errors.add(rows.name, _("must be a list"))
        return []
    if len(raw) > ROWS_MAX:
        errors.add(rows.name, _("has too many entries"))
        return []
    items = []
    for index, entry in enumerate(raw):
        prefix = f"{rows.name}[{index}]"
        if isinstance(entry, Mapping):
            items.append(_parse_row(rows, prefix, entry, errors))
        else:
            errors.add(prefix, _("must be an object"))
    return items


@dataclass
class StepInput:
    """Checked input for one step: column values and, if given, its list."""

    status: StepStatus
    values: dict[str, Any]
    items: list[dict] | None
    given: frozenset[str]


#: The statuses a clerk sets; ``not_started`` is only where a step begins.
SETTABLE_STATUSES = (StepStatus.IN_PROGRESS.value, StepStatus.COMPLETED.value, StepStatus.EXEMPTED.value)


def _parse_status(raw: Any, errors: FieldErrors) -> StepStatus:
    if raw in SETTABLE_STATUSES:
        return StepStatus(raw)
    errors.add("status", _("must be one of: %(values)s", values=", ".join(SETTABLE_STATUSES)))
    return StepStatus.IN_PROGRESS


def parse_step_input(kind: StepKind, raw: Mapping[str, Any]) -> StepInput:
    """Check types and shapes; raise ``ValidationFailed`` naming every bad field."""
    errors = FieldErrors()
    fields = {f.name: f for f in (*COMMON_FIELDS, *KIND_FIELDS[kind])}
    rows = ROW_LISTS.get(kind)
    allowed = set(fields) | {"status", "version", "kind"} | ({rows.name} if rows else set())
    for unknown in sorted(set(raw) - allowed):
        errors.add(unknown, _("is not a field of this step"))
    status = _parse_status(raw.get("status"), errors)
    values = {name: parse_field(field, raw.get(name), errors) for name, field in fields.items() if name in raw}
    items = _parse_rows(rows, raw[rows.name], errors) if rows and rows.name in raw else None
    if errors:
        raise ValidationFailed(errors)
    return StepInput(status=status, values=values, items=items, given=frozenset(raw))


def _missing(merged: Mapping[str, Any], name: str) -> bool:
    return merged.get(name) in (None, "", [])


def _check_completed_facts(kind: StepKind, merged: Mapping[str, Any], items: list | None,
                           errors: FieldErrors) -> None:
    """The facts a completed step must have, and those its method needs (an open comment period, a hearing)."""
    for name in REQUIRED_WHEN_COMPLETED[kind]:
        if _missing(merged, name):
            errors.add(name, _("is required when the step is completed"))
    rows = ROW_LISTS.get(kind)
    if rows and not items:
        errors.add(rows.name, _("is required when the step is completed"))
    if kind != StepKind.PUBLIC_PARTICIPATION:
        return
    if merged.get("method") == ParticipationMethod.ONLINE_COMMENT:
        for name in ("comment_start", "comment_end"):
            if merged.get(name) is None:
                errors.add(name, _("is required for an open comment period"))
    if merged.get("method") == ParticipationMethod.HEARING and merged.get("hearing_date") is None:
        errors.add("hearing_date", _("is required for a hearing"))


def _check_exemption(merged: Mapping[str, Any], errors: FieldErrors) -> None:
    for name in ("exemption_reason", "exemption_basis"):
        if not merged.get(name):
            errors.add(name, _("is required when the step is exempted"))


def _check_counts(merged: Mapping[str, Any], errors: FieldErrors) -> None:
    """Facts that must agree with each other, whatever the status."""
    start, end = merged.get("comment_start"), merged.get("comment_end")
    if start and end and end < start:
        errors.add("comment_end", _("must not be before the start of the comment period"))
    received, adopted = merged.get("comments_received"), merged.get("comments_adopted")
    if received is not None and adopted is not None and adopted > received:
        errors.add("comments_adopted", _("must not exceed the comments received"))
    total, present = merged.get("members_total"), merged.get("members_present")
    if total is not None and total == 0:
        errors.add("members_total", _("must be at least 1"))
    if total is not None and present is not None and present > total:
        errors.add("members_present", _("must not exceed the members expected"))


def _check_not_future(merged: Mapping[str, Any], today: date, errors: FieldErrors) -> None:
    """Only what has happened is recorded; a comment period may still be running."""
    for name, value in merged.items():
        if isinstance(value, date) and value > today and name != "comment_end":
            errors.add(name, _("must not be in the future"))


def check_completed(kind: StepKind, status: StepStatus, merged: Mapping[str, Any], items: list | None) -> None:
    """Consistency of one step's facts, and the facts a finished step must have."""
    errors = FieldErrors()
    if status == StepStatus.COMPLETED:
        _check_completed_facts(kind, merged, items, errors)
    if status == StepStatus.EXEMPTED:
        _check_exemption(merged, errors)
    _check_counts(merged, errors)
    _check_not_future(merged, clock.today(), errors)
    if errors:
        raise ValidationFailed(errors)


def kind_values(step: Step) -> dict[str, Any]:
    """The step's own facts as Python values, keyed by API name."""
    return {f.name: getattr(step, f.name) for f in KIND_FIELDS[StepKind(step.kind)]}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def expert_dict(expert) -> dict[str, Any]:
    return {"name": expert.name, "field": expert.field, "institution": expert.institution,
            "no_conflict": expert.no_conflict}


def opinion_dict(opinion) -> dict[str, Any]:
    return {"member": opinion.member, "position": opinion.position, "remarks": opinion.remarks,
            "is_principal": opinion.is_principal, "recused": opinion.recused}


def step_to_dict(step: Step) -> dict[str, Any]:
    """A step in the API's shape (DESIGN §5), dates as ISO strings."""
    kind = StepKind(step.kind)
    data: dict[str, Any] = {"kind": step.kind, "status": step.status}
    for field in (*COMMON_FIELDS, *KIND_FIELDS[kind]):
        data[field.name] = _iso(getattr(step, field.name))
    if kind == StepKind.EXPERT_REVIEW:
        data["experts"] = [expert_dict(e) for e in step.experts]
    elif kind == StepKind.COLLECTIVE_DECISION:
        data["opinions"] = [opinion_dict(o) for o in step.opinions]
    return data


def step_facts(step: Step, evidence_count: int) -> StepFacts:
    """The rulebook's view of one step."""
    kind = StepKind(step.kind)
    experts: tuple[Expert, ...] = ()
    opinions: tuple[MemberOpinion, ...] = ()
    if kind == StepKind.EXPERT_REVIEW:
        experts = tuple(Expert(e.name, e.field, e.institution, e.no_conflict) for e in step.experts)
    elif kind == StepKind.COLLECTIVE_DECISION:
        opinions = tuple(
            MemberOpinion(o.member, o.position, o.remarks, o.is_principal, o.recused) for o in step.opinions
        )
    return StepFacts(
        kind=kind,
        status=StepStatus(step.status),
        data={**kind_values(step), "completed_on": step.completed_on},
        exemption_reason=step.exemption_reason,
        exemption_basis=step.exemption_basis,
        evidence_count=evidence_count,
        experts=experts,
        opinions=opinions,
    )
