"""The annual catalogue of decision matters (事项目录, 713号令 art. 3): build, approve, publish, adjust, link.

A catalogue belongs to one organisation and year. Its clerks edit it; once the
party committee agreed (``approve``) and it was published, every addition,
change or removal needs a reason (动态调整) and is kept in the change log, and
each write is an audit event. An item links at most one decision of the same
organisation and year; the link drives CAT-01 and the exemptions of the steps.
The public page (``public_catalogue``) shows only what was published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import today
from app.extensions import db
from app.models import Catalogue, CatalogueChangeEntry, CatalogueItem, Decision, Organization, User
from app.rulebook import CatalogueItemFacts, CatalogueSnapshot, Finding, evaluate_catalogue
from app.rulebook.labels import STEP_ZH
from app.rulebook.vocabulary import (
    ITEM_PROCEDURES,
    CatalogueChange,
    CatalogueStatus,
    Category,
    DecisionStatus,
    StepKind,
)

from . import permissions
from .audit import changes, record_event
from .compliance import current_profile, refresh_summary
from .decisions import mark_changed
from .errors import Conflict, InvalidState, NotFound, ValidationFailed, check_year, visible_text
from .field_types import Empty, FieldErrors, FieldSpec, parse_field
from .loading import whole_decision

TITLE_MAX, UNIT_MAX, REF_MAX, REASON_MAX = 200, 100, 100, 2000
SEQ_MAX = 10_000

ITEM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("seq", "int"),
    FieldSpec("title", "short", limit=TITLE_MAX, empty=Empty.REQUIRED),
    FieldSpec("category", "enum", Category, empty=Empty.PARSE),
    FieldSpec("decision_body", "short", limit=UNIT_MAX),
    FieldSpec("sponsor_unit", "short", limit=UNIT_MAX, empty=Empty.REQUIRED),
    FieldSpec("legal_basis", "text", limit=REASON_MAX),
    FieldSpec("planned_completion", "date"),
)
PROCEDURE_FIELDS: tuple[FieldSpec, ...] = tuple(FieldSpec(name, "bool", empty=False) for name in ITEM_PROCEDURES)
#: What a new item cannot be listed without.
REQUIRED_ITEM_FIELDS = ("title", "category", "sponsor_unit")
#: The procedures an item may mark as not required (legality review and the meeting always are).
CONDITIONAL_STEPS = (StepKind.PUBLIC_PARTICIPATION, StepKind.EXPERT_REVIEW, StepKind.RISK_ASSESSMENT)
DECIDED = (DecisionStatus.DECIDED.value, DecisionStatus.PUBLISHED.value, DecisionStatus.ARCHIVED.value)


# -- reading -------------------------------------------------------------------------------------------------


def _with_items(*, texts: bool = False):
    decisions = selectinload(Catalogue.items).selectinload(CatalogueItem.decision)
    if texts:
        decisions = decisions.selectinload(Decision.drafts)
    return (
        decisions,
        selectinload(Catalogue.changes),
        selectinload(Catalogue.organization),
    )


def list_catalogues(user: User, year: int | None = None) -> list[Catalogue]:
    """The catalogues of the organisations the user may see (an auditor: also its descendants')."""
    stmt = select(Catalogue).where(Catalogue.organization_id.in_(permissions.visible_organization_ids(user)))
    if year is not None:
        stmt = stmt.where(Catalogue.year == check_year(year))
    stmt = stmt.options(*_with_items()).order_by(Catalogue.year.desc(), Catalogue.organization_id)
    return list(db.session.execute(stmt).scalars())


def load_catalogue(user: User, catalogue_id: int) -> Catalogue:
    """The catalogue with its items and changes, or ``NotFound`` when the user may not see it (never 403)."""
    catalogue = db.session.execute(
        select(Catalogue).where(Catalogue.id == catalogue_id).options(*_with_items())
    ).scalar_one_or_none()
    if catalogue is None or not user.is_active or (
        catalogue.organization_id not in permissions.visible_organization_ids(user)
    ):
        raise NotFound(_("There is no such catalogue, or it belongs to an organisation you cannot see."))
    return catalogue


def load_item(catalogue: Catalogue, item_id: int) -> CatalogueItem:
    item = next((i for i in catalogue.items if i.id == item_id), None)
    if item is None:
        raise NotFound(_("There is no such item in this catalogue."))
    return item


def listed_items(catalogue: Catalogue) -> list[CatalogueItem]:
    """The items still in the catalogue (removed ones stay only in the change log)."""
    return [item for item in catalogue.items if not item.removed]


def can_edit_catalogue(user: User, catalogue: Catalogue) -> bool:
    """A clerk of the catalogue's own organisation (DESIGN §4)."""
    return permissions.is_clerk_of(user, catalogue.organization_id)


def _ensure_clerk(user: User, catalogue: Catalogue) -> None:
    permissions.ensure(can_edit_catalogue(user, catalogue),
                       _("Only a clerk of the organisation may change its catalogue."))


# -- findings ------------------------------------------------------------------------------------------------


def catalogue_snapshot(catalogue: Catalogue) -> CatalogueSnapshot:
    return CatalogueSnapshot(
        year=catalogue.year,
        status=CatalogueStatus(catalogue.status),
        published_on=catalogue.published_on,
        today=today(),
        items=tuple(
            CatalogueItemFacts(item.seq, item.title, item.planned_completion,
                               decided=item.decision is not None and item.decision.status in DECIDED)
            for item in listed_items(catalogue)
        ),
    )


def catalogue_findings(catalogue: Catalogue) -> list[Finding]:
    """CAT-02 and CAT-03 under the configured profile: computed on read, they belong to the catalogue."""
    return evaluate_catalogue(catalogue_snapshot(catalogue), current_profile())


# -- writing -------------------------------------------------------------------------------------------------


def create_catalogue(user: User, data: Mapping[str, Any]) -> Catalogue:
    """Open the clerk's organisation's catalogue of a year; a second one of the same year is a conflict."""
    permissions.ensure(permissions.can_create(user), _("Only a clerk may create a catalogue."))
    errors = FieldErrors()
    year = parse_field(FieldSpec("year", "year", empty=Empty.REQUIRED), data.get("year"), errors)
    if errors:
        raise ValidationFailed(errors)
    # FOR NO KEY UPDATE: one catalogue creation at a time, without blocking the foreign-key checks of rows that
    # refer to the organisation (see decisions.next_ref_no).
    db.session.execute(select(Organization.id).where(Organization.id == user.organization_id)
                       .with_for_update(key_share=True))
    exists = db.session.execute(
        select(Catalogue.id).where(Catalogue.organization_id == user.organization_id, Catalogue.year == year)
    ).first()
    if exists is not None:
        raise Conflict(_("The organisation already has a catalogue for %(year)d.", year=year))
    catalogue = Catalogue(organization_id=user.organization_id, year=year, status=CatalogueStatus.DRAFT.value)
    db.session.add(catalogue)
    db.session.flush()
    record_event(user, "catalogue.create", "catalogue", catalogue.id, after={"year": year})
    return catalogue


def item_facts(item: CatalogueItem) -> dict[str, Any]:
    """An item's fields, as the audit trail records them."""
    return {
        "seq": item.seq,
        "title": item.title,
        "category": item.category,
        "decision_body": item.decision_body,
        "sponsor_unit": item.sponsor_unit,
        "legal_basis": item.legal_basis,
        "planned_completion": item.planned_completion.isoformat() if item.planned_completion else None,
        **{name: bool(getattr(item, name)) for name in ITEM_PROCEDURES},
    }


def _parse_item(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for spec in ITEM_FIELDS:
        if not partial and spec.name in REQUIRED_ITEM_FIELDS and data.get(spec.name) in (None, ""):
            errors.add(spec.name, _("is required"))
        elif spec.name in data:
            value = parse_field(spec, data[spec.name], errors)
            if spec.name not in errors:
                values[spec.name] = value
    seq = values.get("seq")
    if seq is not None and not 1 <= seq <= SEQ_MAX:
        errors.add("seq", _("must be between %(first)d and %(last)d", first=1, last=SEQ_MAX))
    procedures = data.get("procedures")
    if procedures is not None:
        if not isinstance(procedures, Mapping):
            errors.add("procedures", _("must be an object"))
        else:
            for spec in PROCEDURE_FIELDS:
                if spec.name in procedures:
                    value = parse_field(spec, procedures[spec.name], errors, key=f"procedures.{spec.name}")
                    if f"procedures.{spec.name}" not in errors:
                        values[spec.name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


def _adjustment_reason(catalogue: Catalogue, data: Mapping[str, Any]) -> str | None:
    """After publication every adjustment states why (动态调整); before it, none is asked."""
    raw = data.get("adjustment_reason")
    if raw is not None and not isinstance(raw, str):
        raise ValidationFailed({"adjustment_reason": _("must be text")})
    reason = visible_text(raw)
    if reason is not None and len(reason) > REASON_MAX:
        raise ValidationFailed({"adjustment_reason": _("is longer than %(limit)d characters", limit=REASON_MAX)})
    if catalogue.is_published and reason is None:
        raise ValidationFailed({"adjustment_reason": _("is required once the catalogue is published")})
    return reason if catalogue.is_published else None


def _log_change(user: User, catalogue: Catalogue, item: CatalogueItem, action: CatalogueChange,
                reason: str | None) -> None:
    if reason is None:
        return
    catalogue.changes.append(CatalogueChangeEntry(item_id=item.id, on=today(), action=action.value,
                                                  title=item.title, reason=reason, actor_id=user.id))


def _check_seq_free(catalogue: Catalogue, seq: int, item: CatalogueItem | None = None) -> None:
    if any(other.seq == seq and other is not item for other in catalogue.items):
        raise ValidationFailed({"seq": _("is already used by another item of this catalogue")})


def add_item(user: User, catalogue: Catalogue, data: Mapping[str, Any]) -> CatalogueItem:
    """List a matter; after publication it is an addition with its reason in the change log."""
    _ensure_clerk(user, catalogue)
    values = _parse_item(data, partial=False)
    reason = _adjustment_reason(catalogue, data)
    seq = values.pop("seq", None) or max((i.seq for i in catalogue.items), default=0) + 1
    _check_seq_free(catalogue, seq)
    item = CatalogueItem(seq=seq, **values)
    catalogue.items.append(item)
    db.session.flush()
    _log_change(user, catalogue, item, CatalogueChange.ADDED, reason)
    record_event(user, "catalogue.item.add", "catalogue_item", item.id,
                 after={**item_facts(item), "catalogue_id": catalogue.id, "adjustment_reason": reason})
    return item


def update_item(user: User, catalogue: Catalogue, item: CatalogueItem, data: Mapping[str, Any]) -> CatalogueItem:
    """Change an item's fields; after publication with its reason in the change log. ``decision_id`` links."""
    _ensure_clerk(user, catalogue)
    if item.removed:
        raise InvalidState(_("A removed item cannot be changed."))
    unknown = set(data) - {s.name for s in ITEM_FIELDS} - {"procedures", "adjustment_reason", "decision_id"}
    if unknown:
        raise ValidationFailed({name: _("cannot be changed") for name in sorted(unknown)})
    values = _parse_item(data, partial=True)
    if "seq" in values and values["seq"] is None:
        values.pop("seq")
    before = item_facts(item)
    if "seq" in values:
        _check_seq_free(catalogue, values["seq"], item)
    for name, value in values.items():
        setattr(item, name, value)
    before_diff, after_diff = changes(before, item_facts(item))
    if after_diff:
        reason = _adjustment_reason(catalogue, data)
        db.session.flush()
        _log_change(user, catalogue, item, CatalogueChange.CHANGED, reason)
        record_event(user, "catalogue.item.change", "catalogue_item", item.id, before=before_diff,
                     after={**after_diff, "catalogue_id": catalogue.id, "adjustment_reason": reason})
        if item.decision is not None:
            refresh_summary(item.decision)
    if "decision_id" in data:
        link_decision(user, catalogue, item, data["decision_id"])
    return item


def remove_item(user: User, catalogue: Catalogue, item: CatalogueItem, data: Mapping[str, Any]) -> None:
    """Take a matter out: deleted from a draft, kept as removed (调出) with its reason once published."""
    _ensure_clerk(user, catalogue)
    if item.removed:
        raise InvalidState(_("The item was removed already."))
    reason = _adjustment_reason(catalogue, data)
    if item.decision is not None:
        raise InvalidState(_("The item is linked to decision %(ref)s: unlink it first.", ref=item.decision.ref_no))
    facts = {**item_facts(item), "catalogue_id": catalogue.id, "adjustment_reason": reason}
    if catalogue.is_published:
        item.removed, item.removal_reason = True, reason
        _log_change(user, catalogue, item, CatalogueChange.REMOVED, reason)
        db.session.flush()
        record_event(user, "catalogue.item.remove", "catalogue_item", item.id, before=facts,
                     after={"removed": True, "adjustment_reason": reason})
        return
    item_id = item.id
    catalogue.items.remove(item)
    db.session.flush()
    record_event(user, "catalogue.item.delete", "catalogue_item", item_id, before=facts)


APPROVED_ON = FieldSpec("approved_on", "date", empty=Empty.REQUIRED)
APPROVAL_REF = FieldSpec("approval_ref", "short", limit=REF_MAX, empty=Empty.REQUIRED)
PUBLISHED_ON = FieldSpec("published_on", "date", empty=Empty.REQUIRED)


def _not_future(field: str, day: date) -> None:
    if day > today():
        raise ValidationFailed({field: _("must not be in the future")})


def approve_catalogue(user: User, catalogue: Catalogue, data: Mapping[str, Any]) -> Catalogue:
    """同级党委同意: record the day and the document; only before publication."""
    _ensure_clerk(user, catalogue)
    if catalogue.is_published:
        raise InvalidState(_("A published catalogue is adjusted item by item, not approved again."))
    if not listed_items(catalogue):
        raise InvalidState(_("A catalogue without items cannot be approved."))
    errors = FieldErrors()
    approved_on = parse_field(APPROVED_ON, data.get("approved_on"), errors)
    approval_ref = parse_field(APPROVAL_REF, data.get("approval_ref"), errors)
    if errors:
        raise ValidationFailed(errors)
    _not_future("approved_on", approved_on)
    if approved_on.year not in (catalogue.year - 1, catalogue.year):
        raise ValidationFailed({"approved_on": _("must be in the catalogue's year or the year before")})
    before = {"status": catalogue.status, "approved_on": catalogue.approved_on, "approval_ref": catalogue.approval_ref}
    catalogue.status = CatalogueStatus.APPROVED.value
    catalogue.approved_on, catalogue.approval_ref = approved_on, approval_ref
    db.session.flush()
    record_event(user, "catalogue.approve", "catalogue", catalogue.id, before=before,
                 after={"status": catalogue.status, "approved_on": approved_on, "approval_ref": approval_ref})
    return catalogue


def publish_catalogue(user: User, catalogue: Catalogue, data: Mapping[str, Any]) -> Catalogue:
    """向社会公布: only an approved catalogue; its decisions are then in a published catalogue (CAT-01)."""
    _ensure_clerk(user, catalogue)
    if catalogue.status != CatalogueStatus.APPROVED:
        raise InvalidState(_("Only a catalogue approved by the party committee can be published."))
    errors = FieldErrors()
    published_on = parse_field(PUBLISHED_ON, data.get("published_on"), errors)
    if errors:
        raise ValidationFailed(errors)
    _not_future("published_on", published_on)
    if published_on < catalogue.approved_on:
        raise ValidationFailed({"published_on": _("must not be before the approval")})
    catalogue.status = CatalogueStatus.PUBLISHED.value
    catalogue.published_on = published_on
    db.session.flush()
    record_event(user, "catalogue.publish", "catalogue", catalogue.id, before={"status": "approved"},
                 after={"status": catalogue.status, "published_on": published_on})
    for item in listed_items(catalogue):
        if item.decision is not None:
            refresh_summary(item.decision)
    return catalogue


def _decision_for_link(user: User, catalogue: Catalogue, raw: Any) -> Decision:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ValidationFailed({"decision_id": _("must be a whole number")})
    decision = db.session.execute(
        select(Decision).where(Decision.id == raw).options(*whole_decision())
    ).scalar_one_or_none()
    if decision is None or decision.organization_id != catalogue.organization_id:
        raise ValidationFailed({"decision_id": _("is not a decision of the catalogue's organisation")})
    if decision.year != catalogue.year:
        raise ValidationFailed({"decision_id": _("is a decision of another year")})
    return decision


def link_decision(user: User, catalogue: Catalogue, item: CatalogueItem, decision_id: Any) -> CatalogueItem:
    """An item links at most one decision, a decision at most one item; ``None`` unlinks."""
    _ensure_clerk(user, catalogue)
    if item.removed:
        raise InvalidState(_("A removed item cannot be linked."))
    previous = item.decision
    if decision_id is None:
        if previous is None:
            return item
        previous.catalogue_item_id = None
        previous.catalogue_item = None
        _after_link(user, previous, item.id, None)
        return item
    decision = _decision_for_link(user, catalogue, decision_id)
    if previous is not None and previous.id == decision.id:
        return item
    if previous is not None:
        raise Conflict(_("The item is already linked to decision %(ref)s.", ref=previous.ref_no))
    if decision.catalogue_item_id is not None:
        raise Conflict(_("Decision %(ref)s is already linked to another item.", ref=decision.ref_no))
    decision.catalogue_item = item
    _after_link(user, decision, None, item.id)
    return item


def _after_link(user: User, decision: Decision, before: int | None, after: int | None) -> None:
    mark_changed(decision)
    db.session.flush()
    refresh_summary(decision)
    db.session.flush()
    record_event(user, "decision.catalogue_link", "decision", decision.id, decision_id=decision.id,
                 before={"catalogue_item_id": before}, after={"catalogue_item_id": after})


# -- exemptions the catalogue allows ---------------------------------------------------------------------------


def catalogue_citation(item: CatalogueItem, kind: StepKind) -> str:
    """What an exemption cites when the item marks the procedure as not required."""
    catalogue = item.catalogue
    return (f"《{catalogue.organization.name}{catalogue.year}年重大行政决策事项目录》第{item.seq}项"
            f"（履行程序要求未列{STEP_ZH[kind]}）")


def item_requires(item: CatalogueItem, kind: StepKind) -> bool:
    return bool(getattr(item, kind.value))


DEVIATION_FIELD = "catalogue_deviation_reason"


def listed_item(decision: Decision) -> CatalogueItem | None:
    """The decision's item, if it is still listed."""
    item = decision.catalogue_item
    return item if item is not None and not item.removed else None


def exemption_defaults(decision: Decision, kind: StepKind, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """An exemption the item allows may cite the catalogue: its reason and basis are filled when left blank."""
    item = listed_item(decision)
    if item is None or kind not in CONDITIONAL_STEPS or data.get("status") != "exempted" or item_requires(item, kind):
        return data
    filled = dict(data)

    def blank(name: str) -> bool:
        value = filled.get(name)
        return value is None or (isinstance(value, str) and visible_text(value) is None)

    if blank("exemption_basis"):
        filled["exemption_basis"] = catalogue_citation(item, kind)
    if blank("exemption_reason"):
        filled["exemption_reason"] = f"事项目录所列履行程序要求不含{STEP_ZH[kind]}"
    return filled


def check_exemption_against_item(decision: Decision, kind: StepKind, merged: Mapping[str, Any]) -> None:
    """Exempting what the item requires needs a reason why the catalogue was wrong (a field error otherwise)."""
    item = listed_item(decision)
    if item is None or kind not in CONDITIONAL_STEPS or not item_requires(item, kind):
        return
    if not merged.get(DEVIATION_FIELD):
        raise ValidationFailed({DEVIATION_FIELD: _(
            "is required: catalogue item %(seq)d lists this procedure as required; say why the catalogue was "
            "wrong", seq=item.seq)})


# -- answers ---------------------------------------------------------------------------------------------------


def item_to_dict(item: CatalogueItem) -> dict[str, Any]:
    """The API's item: the audited facts, with the procedures grouped, its state and its decision."""
    facts = item_facts(item)
    procedures = {name: facts.pop(name) for name in ITEM_PROCEDURES}
    return {"id": item.id, **facts, "procedures": procedures, "removed": bool(item.removed),
            "decision_id": item.decision.id if item.decision is not None else None}


def change_to_dict(change: CatalogueChangeEntry) -> dict[str, Any]:
    return {"at": change.at.isoformat(), "on": change.on.isoformat(), "action": change.action,
            "item_id": change.item_id, "title": change.title, "reason": change.reason}


def catalogue_to_dict(catalogue: Catalogue, locale: str) -> dict[str, Any]:
    """The catalogue object of DESIGN §5, with its findings (CAT-02, CAT-03)."""
    return {
        "id": catalogue.id,
        "organization": catalogue.organization.code,
        "year": catalogue.year,
        "status": catalogue.status,
        "approved_on": catalogue.approved_on.isoformat() if catalogue.approved_on else None,
        "approval_ref": catalogue.approval_ref,
        "published_on": catalogue.published_on.isoformat() if catalogue.published_on else None,
        "items": [item_to_dict(item) for item in catalogue.items],
        "changes": [change_to_dict(change) for change in catalogue.changes],
        "findings": [finding.to_dict(locale) for finding in catalogue_findings(catalogue)],
    }


# -- the public page ---------------------------------------------------------------------------------------------


class Progress:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DECIDED = "decided"
    PUBLISHED = "published"


def item_progress(decision: Decision | None) -> str:
    """What the public sees of an item's decision: its stage only."""
    if decision is None or decision.status == DecisionStatus.DRAFT:
        return Progress.NOT_STARTED
    if decision.status in (DecisionStatus.PUBLISHED, DecisionStatus.ARCHIVED) and decision.published_on:
        return Progress.PUBLISHED
    if decision.status in DECIDED:
        return Progress.DECIDED
    return Progress.IN_PROGRESS


@dataclass(frozen=True)
class PublicCatalogue:
    organization: Organization
    catalogue: Catalogue


def public_catalogue(org_code: str, year: Any) -> PublicCatalogue:
    """A published catalogue, for anyone; anything else (unknown, unpublished) is not found."""
    try:
        year = check_year(int(year) if isinstance(year, str) and year.isascii() and year.isdigit() else year)
    except ValidationFailed:
        raise NotFound(_("No published catalogue.")) from None
    catalogue = db.session.execute(
        select(Catalogue)
        .join(Organization, Organization.id == Catalogue.organization_id)
        .where(Organization.code == org_code, Catalogue.year == year,
               Catalogue.status == CatalogueStatus.PUBLISHED.value)
        .options(*_with_items(texts=True))
    ).scalar_one_or_none()
    if catalogue is None:
        raise NotFound(_("No published catalogue."))
    return PublicCatalogue(catalogue.organization, catalogue)


def public_catalogue_dict(org_code: str, year: Any) -> dict[str, Any]:
    """Only what was published: items, their progress and the published decision text; no staff, no findings."""
    found = public_catalogue(org_code, year)
    catalogue = found.catalogue
    items = []
    for item in listed_items(catalogue):
        decision = item.decision
        progress = item_progress(decision)
        published = progress == Progress.PUBLISHED
        items.append({
            "seq": item.seq,
            "title": item.title,
            "category": item.category,
            "decision_body": item.decision_body,
            "sponsor_unit": item.sponsor_unit,
            "legal_basis": item.legal_basis,
            "procedures": {name: bool(getattr(item, name)) for name in ITEM_PROCEDURES},
            "planned_completion": item.planned_completion.isoformat() if item.planned_completion else None,
            "decision_status": progress,
            "decision_published_on": decision.published_on.isoformat() if published else None,
            "decision_text": decision.drafts[-1].text if published and decision.drafts else None,
        })
    return {
        "organization": {"code": found.organization.code, "name": found.organization.name},
        "year": catalogue.year,
        "approved_on": catalogue.approved_on.isoformat(),
        "approval_ref": catalogue.approval_ref,
        "published_on": catalogue.published_on.isoformat(),
        "items": items,
        "changes": [{"on": c.on.isoformat(), "action": c.action, "title": c.title, "reason": c.reason}
                    for c in catalogue.changes],
    }


# -- the published sheet (XLSX columns as towns publish them) ---------------------------------------------------

#: 序号 · 事项名称 · 决策主体 · 承办单位 · 法律政策依据 · 履行程序要求 · 计划完成时间, then the category (not published
#: by towns, but the ledger needs it; an import without it takes 重大事项).
SHEET_COLUMNS = ("序号", "事项名称", "决策主体", "承办单位", "法律政策依据", "履行程序要求", "计划完成时间", "类别")
#: The words of 履行程序要求, by flag, in the order they are written.
PROCEDURE_WORDS = {
    "public_participation": "公众参与",
    "expert_review": "专家论证",
    "risk_assessment": "风险评估",
    "hearing": "听证",
    "fair_competition_review": "公平竞争审查",
}
ALWAYS = ("合法性审查", "集体讨论决定")
CATEGORY_WORDS = {
    Category.MAJOR_MATTER: "重大事项",
    Category.CADRE_APPOINTMENT: "干部任免",
    Category.MAJOR_PROJECT: "重大项目",
    Category.LARGE_FUND: "大额资金",
}


def procedures_zh(item: CatalogueItem) -> str:
    """履行程序要求 as written in a published catalogue: 公众参与、风险评估、合法性审查、集体讨论决定."""
    words = [PROCEDURE_WORDS[name] for name in ("public_participation", "expert_review", "risk_assessment", "hearing")
             if getattr(item, name)]
    words += list(ALWAYS)
    if item.fair_competition_review:
        words.append(PROCEDURE_WORDS["fair_competition_review"])
    return "、".join(words)


def procedures_from_zh(text: str) -> dict[str, bool]:
    """The flags of a 履行程序要求 cell: a procedure named in it is required (听证 inside 公众参与（听证） too)."""
    return {name: word in text for name, word in PROCEDURE_WORDS.items()}


def sheet_rows(catalogue: Catalogue) -> list[list[Any]]:
    """The listed items as rows of the published sheet."""
    return [[item.seq, item.title, item.decision_body or "", item.sponsor_unit, item.legal_basis or "",
             procedures_zh(item), item.planned_completion, CATEGORY_WORDS[Category(item.category)]]
            for item in listed_items(catalogue)]


@dataclass(frozen=True)
class ImportResult:
    created: int
    refused: list[dict[str, Any]]


def _row_item(row: Mapping[str, Any]) -> dict[str, Any]:
    categories = {word: category.value for category, word in CATEGORY_WORDS.items()}
    category_cell = str(row.get("类别") or "").strip()
    planned = row.get("计划完成时间")
    return {
        "seq": row.get("序号"),
        "title": row.get("事项名称"),
        "decision_body": row.get("决策主体") or None,
        "sponsor_unit": row.get("承办单位"),
        "legal_basis": row.get("法律政策依据") or None,
        "procedures": procedures_from_zh(str(row.get("履行程序要求") or "")),
        "planned_completion": planned.isoformat() if isinstance(planned, date) else (planned or None),
        "category": categories.get(category_cell, category_cell or Category.MAJOR_MATTER.value),
    }


def import_items(user: User, catalogue: Catalogue, rows: list[Mapping[str, Any]]) -> ImportResult:
    """Add the sheet's rows to a draft catalogue: every row is checked; any refused row → nothing written."""
    _ensure_clerk(user, catalogue)
    if catalogue.status != CatalogueStatus.DRAFT:
        raise InvalidState(_("Only a draft catalogue takes an imported sheet."))
    refused: list[dict[str, Any]] = []
    parsed: list[dict[str, Any]] = []
    seqs = {item.seq for item in catalogue.items}
    for number, row in enumerate(rows, start=2):
        raw = _row_item(row)
        if isinstance(raw["seq"], float) and raw["seq"].is_integer():
            raw["seq"] = int(raw["seq"])
        try:
            values = _parse_item(raw, partial=False)
        except ValidationFailed as error:
            refused += [{"row": number, "field": field, "message": message} for field, message in error.errors.items()]
            continue
        seq = values.get("seq")
        if seq is not None and seq in seqs:
            refused.append({"row": number, "field": "seq", "message": _("is already used by another item of this "
                                                                          "catalogue")})
            continue
        if seq is None:
            seq = values["seq"] = max(seqs, default=0) + 1
        seqs.add(seq)
        parsed.append(values)
    if refused:
        return ImportResult(0, refused)
    for values in parsed:
        catalogue.items.append(CatalogueItem(**values))
    db.session.flush()
    record_event(user, "catalogue.import", "catalogue", catalogue.id, after={"created": len(parsed)})
    return ImportResult(len(parsed), [])


_summaries: dict[tuple, dict[str, int]] = {}
_SUMMARIES_MAX = 256


def catalogue_summary(scope: list[int], year: int, cache_key: tuple | None = None) -> dict[str, int]:
    """The dashboard's catalogue section: items listed, linked, decided, overdue and adjusted, in one query.

    ``cache_key`` is the dashboard's (it holds the scope's stamp, so a write in the scope makes a new one): a page
    asked again costs no query.
    """
    from sqlalchemy import case, func

    if cache_key is not None and (found := _summaries.get((*cache_key, today()))) is not None:
        return found
    published = (Catalogue.organization_id.in_(scope), Catalogue.year == year,
                 Catalogue.status == CatalogueStatus.PUBLISHED.value)
    is_decided = Decision.status.in_(DECIDED)
    adjusted = (select(func.count(CatalogueChangeEntry.id))
                .join(Catalogue, Catalogue.id == CatalogueChangeEntry.catalogue_id)
                .where(*published).scalar_subquery())
    items, linked, decided, overdue, changes = db.session.execute(
        select(func.count(CatalogueItem.id), func.count(Decision.id),
               func.coalesce(func.sum(case((is_decided, 1), else_=0)), 0),
               func.coalesce(func.sum(case(((CatalogueItem.planned_completion < today())
                                            & ~func.coalesce(is_decided, False), 1), else_=0)), 0),
               adjusted)
        .select_from(CatalogueItem)
        .join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .outerjoin(Decision, Decision.catalogue_item_id == CatalogueItem.id)
        .where(*published, CatalogueItem.removed.is_(False))
    ).one()
    summary = {"items": items, "linked": linked, "decided": int(decided), "overdue": int(overdue),
               "adjusted": int(changes or 0)}
    if cache_key is not None:
        if len(_summaries) >= _SUMMARIES_MAX:
            _summaries.clear()
        _summaries[(*cache_key, today())] = summary
    return summary
