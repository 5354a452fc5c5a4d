"""Which facts each kind of step records, and how input for them is checked.

One table holds all five kinds (``app.models.Step``); this module says which
columns belong to which kind, parses API or form input into Python values with
a message per bad field, and turns a step back into the API's plain shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from app import clock
from app.models import Step
from app.rulebook.snapshot import Expert, MemberOpinion, StepFacts
from app.rulebook.vocabulary import (
    YEAR_MIN,
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

TEXT_MAX = 20_000
SHORT_MAX = 100
#: The earliest date a step may record (the first day of the first year a decision may belong to).
DATE_MIN = date(YEAR_MIN, 1, 1)


@dataclass(frozen=True)
class StepField:
    name: str
    type: str  # date | int | text | short | bool | enum | enum_list
    enum: type[StrEnum] | None = None


def _f(name: str, type_: str, enum: type[StrEnum] | None = None) -> StepField:
    return StepField(name, type_, enum)


#: The kind's own facts, by API name (DESIGN §5); each is a column of ``steps``.
KIND_FIELDS: dict[StepKind, tuple[StepField, ...]] = {
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

COMMON_FIELDS: tuple[StepField, ...] = (
    _f("responsible", "short"),
    _f("completed_on", "date"),
    _f("exemption_reason", "text"),
    _f("exemption_basis", "text"),
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

LIST_FIELDS = {StepKind.EXPERT_REVIEW: "experts", StepKind.COLLECTIVE_DECISION: "opinions"}


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, message)


def _parse_value(field: StepField, raw: Any, errors: _Errors, key: str | None = None) -> Any:
    key = key or field.name
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and field.type != "bool"):
        return None
    kind = field.type
    if kind == "date":
        value = raw if isinstance(raw, date) else None
        if isinstance(raw, str):
            with suppress(ValueError):
                value = date.fromisoformat(raw.strip())
        if value is None:
            errors.add(key, _("must be a date in the form YYYY-MM-DD"))
            return None
        if value < DATE_MIN:
            # Older than any decision: a typo, which would make the rules count centuries.
            errors.add(key, _("must not be before %(day)s", day=DATE_MIN.isoformat()))
            return None
        return value
    if kind == "int":
        if isinstance(raw, bool):
            errors.add(key, _("must be a whole number"))
            return None
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            errors.add(key, _("must be a whole number"))
            return None
        if raw < 0:
            errors.add(key, _("must not be negative"))
            return None
        if raw > 1_000_000_000:
            errors.add(key, _("is too large"))
            return None
        return raw
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "1", "yes", "on", "y"):
            return True
        if isinstance(raw, str) and raw.lower() in ("false", "0", "no", "off", "n", ""):
            return False
        errors.add(key, _("must be true or false"))
        return None
    if kind == "enum":
        allowed = [m.value for m in field.enum]
        if isinstance(raw, str) and raw in allowed:
            return raw
        errors.add(key, _("must be one of: %(values)s", values=", ".join(allowed)))
        return None
    if kind == "enum_list":
        allowed = [m.value for m in field.enum]
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",") if part.strip()]
        if not isinstance(raw, (list, tuple)) or any(not isinstance(v, str) or v not in allowed for v in raw):
            errors.add(key, _("must be a list of: %(values)s", values=", ".join(allowed)))
            return None
        return list(dict.fromkeys(raw)) or None
    # text / short
    if not isinstance(raw, str):
        errors.add(key, _("must be text"))
        return None
    value = raw.strip()
    limit = SHORT_MAX if kind == "short" else TEXT_MAX
    if len(value) > limit:
        errors.add(key, _("is longer than %(limit)d characters", limit=limit))
        return None
    return value or None


_EXPERT_FIELDS = (_f("name", "short"), _f("field", "short"), _f("institution", "short"), _f("no_conflict", "bool"))
_OPINION_FIELDS = (
    _f("member", "short"),
    _f("position", "enum", Position),
    _f("remarks", "text"),
    _f("is_principal", "bool"),
    _f("recused", "bool"),
)


def _parse_list(name: str, raw: Any, fields: tuple[StepField, ...], required: str, errors: _Errors) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        errors.add(name, _("must be a list"))
        return []
    if len(raw) > 200:
        errors.add(name, _("has too many entries"))
        return []
    items = []
    allowed = {f.name for f in fields}
    for index, entry in enumerate(raw):
        prefix = f"{name}[{index}]"
        if not isinstance(entry, Mapping):
            errors.add(prefix, _("must be an object"))
            continue
        for unknown in set(entry) - allowed:
            errors.add(f"{prefix}.{unknown}", _("is not a field of this list"))
        item = {f.name: _parse_value(f, entry.get(f.name), errors, f"{prefix}.{f.name}") for f in fields}
        if not item.get(required):
            errors.add(f"{prefix}.{required}", _("is required"))
        items.append(item)
    return items


@dataclass
class StepInput:
    """Checked input for one step: column values and, if given, its list."""

    status: StepStatus
    values: dict[str, Any]
    items: list[dict] | None
    given: frozenset[str]


def parse_step_input(kind: StepKind, raw: Mapping[str, Any]) -> StepInput:
    """Check types and shapes; raise ``ValidationFailed`` naming every bad field."""
    errors = _Errors()
    fields = {f.name: f for f in (*COMMON_FIELDS, *KIND_FIELDS[kind])}
    list_name = LIST_FIELDS.get(kind)
    allowed = set(fields) | {"status", "version", "kind"} | ({list_name} if list_name else set())
    for unknown in sorted(set(raw) - allowed):
        errors.add(unknown, _("is not a field of this step"))
    status_raw = raw.get("status")
    status = StepStatus.IN_PROGRESS
    settable = (StepStatus.IN_PROGRESS.value, StepStatus.COMPLETED.value, StepStatus.EXEMPTED.value)
    if status_raw in settable:
        status = StepStatus(status_raw)
    else:
        errors.add("status", _("must be one of: %(values)s", values=", ".join(settable)))
    values = {name: _parse_value(field, raw.get(name), errors) for name, field in fields.items() if name in raw}
    items = None
    if list_name and list_name in raw:
        if kind == StepKind.EXPERT_REVIEW:
            items = _parse_list(list_name, raw[list_name], _EXPERT_FIELDS, "name", errors)
            for item in items:
                if item.get("no_conflict") is None:
                    item["no_conflict"] = True
        else:
            items = _parse_list(list_name, raw[list_name], _OPINION_FIELDS, "member", errors)
            for item in items:
                item["is_principal"] = bool(item.get("is_principal"))
                item["recused"] = bool(item.get("recused"))
    if errors:
        raise ValidationFailed(errors)
    return StepInput(status=status, values=values, items=items, given=frozenset(raw))


def check_completed(kind: StepKind, status: StepStatus, merged: Mapping[str, Any], items: list | None) -> None:
    """Consistency of one step's facts, and the facts a finished step must have."""
    errors = _Errors()
    today = clock.today()
    if status == StepStatus.COMPLETED:
        for name in REQUIRED_WHEN_COMPLETED[kind]:
            if merged.get(name) in (None, "", []):
                errors.add(name, _("is required when the step is completed"))
        list_name = LIST_FIELDS.get(kind)
        if list_name and not items:
            errors.add(list_name, _("is required when the step is completed"))
        if kind == StepKind.PUBLIC_PARTICIPATION and merged.get("method") == ParticipationMethod.ONLINE_COMMENT:
            for name in ("comment_start", "comment_end"):
                if merged.get(name) is None:
                    errors.add(name, _("is required for an open comment period"))
        if (
            kind == StepKind.PUBLIC_PARTICIPATION
            and merged.get("method") == ParticipationMethod.HEARING
            and merged.get("hearing_date") is None
        ):
            errors.add("hearing_date", _("is required for a hearing"))
    if status == StepStatus.EXEMPTED:
        for name in ("exemption_reason", "exemption_basis"):
            if not merged.get(name):
                errors.add(name, _("is required when the step is exempted"))
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
    for name, value in merged.items():
        if isinstance(value, date) and value > today and name != "comment_end":
            errors.add(name, _("must not be in the future"))
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
