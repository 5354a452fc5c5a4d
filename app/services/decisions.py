"""Decision-level workflow: create, revise, submit, publish, archive, read."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from app.clock import today, utcnow
from app.extensions import db
from app.models import GLOBAL_CHAIN, Decision, DecisionFinding, DraftVersion, Organization, Step, User
from app.rulebook import Action, required_steps
from app.rulebook.vocabulary import EDITABLE_STATUSES, Category, DecisionStatus, StepKind, StepStatus

from . import permissions, statistics
from .audit import changes, record_event
from .compliance import blockers, current_profile, refresh_summary
from .errors import Conflict, InvalidState, RuleBlocked, ValidationFailed, visible_text
from .field_types import Empty, FieldErrors, FieldSpec, parse_field
from .loading import whole_decision
from .memo import StampedLru
from .stamps import chain_tip, scope_stamp

EDITABLE_FIELDS = ("title", "category", "department", "year", "summary", "amount_cny")
#: Set once, at creation: whether the decision is entered after the fact, and why.
BACKFILL_FIELDS = ("backfilled", "backfill_reason")
TITLE_MAX, DEPARTMENT_MAX, SUMMARY_MAX, DRAFT_MAX = 200, 100, 20_000, 500_000


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decision_facts(decision: Decision) -> dict[str, Any]:
    """The decision's own fields, as the audit trail records them."""
    return {
        "ref_no": decision.ref_no,
        "title": decision.title,
        "category": decision.category,
        "department": decision.department,
        "year": decision.year,
        "amount_cny": None if decision.amount_cny is None else str(decision.amount_cny),
        "summary": decision.summary,
        "status": decision.status,
        "published_on": decision.published_on.isoformat() if decision.published_on else None,
        "backfilled": bool(decision.backfilled),
        "backfill_reason": decision.backfill_reason,
    }


BACKFILL_REASON_MAX = 2000


def _parse_backfill(raw: Mapping[str, Any]) -> tuple[bool, str | None]:
    """补录: a decision entered after the fact says why; only at creation."""
    flag = raw.get("backfilled", False)
    if flag in (None, ""):
        flag = False
    if not isinstance(flag, bool):
        raise ValidationFailed({"backfilled": _("must be true or false")})
    reason = raw.get("backfill_reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"backfill_reason": _("must be text")})
    reason = visible_text(reason)
    if not flag:
        if reason:
            raise ValidationFailed({"backfill_reason": _("is only stated for a decision entered after the fact")})
        return False, None
    if not reason:
        raise ValidationFailed({"backfill_reason": _("is required for a decision entered after the fact")})
    if len(reason) > BACKFILL_REASON_MAX:
        raise ValidationFailed({"backfill_reason": _("is longer than %(limit)d characters",
                                                     limit=BACKFILL_REASON_MAX)})
    return True, reason


#: The decision's own facts (DESIGN §5). A title or department may not be emptied; a category or year is
#: checked even when empty, so that a blank choice says what it may be.
DECISION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "short", limit=TITLE_MAX, empty=Empty.REQUIRED),
    FieldSpec("category", "enum", Category, empty=Empty.PARSE),
    FieldSpec("department", "short", limit=DEPARTMENT_MAX, empty=Empty.REQUIRED),
    FieldSpec("year", "year", empty=Empty.PARSE),
    FieldSpec("summary", "text", limit=SUMMARY_MAX, empty=""),
    FieldSpec("amount_cny", "amount", empty=Empty.PARSE),
    FieldSpec("draft_text", "document", limit=DRAFT_MAX, empty=Empty.REQUIRED),
)
#: What a new decision cannot be opened without.
REQUIRED_FIELDS = ("title", "category", "department", "year", "draft_text")
#: Texts whose null means "not given" (the API's null summary leaves the summary as it is).
_NULL_IS_ABSENT = ("short", "text")


def _given(spec: FieldSpec, raw: Mapping[str, Any]) -> bool:
    return spec.name in raw and not (raw[spec.name] is None and spec.type in _NULL_IS_ABSENT)


def _parse_fields(raw: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check the decision's own fields; every bad one gets its message."""
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for spec in DECISION_FIELDS:
        if not partial and spec.name in REQUIRED_FIELDS and raw.get(spec.name) in (None, ""):
            errors.add(spec.name, _("is required"))
        elif _given(spec, raw):
            value = parse_field(spec, raw[spec.name], errors)
            if spec.name not in errors:
                values[spec.name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


def next_ref_no(organization: Organization, year: int) -> tuple[int, str]:
    """The next sequence number of the organisation's year, e.g. ``BD-2025-003``.

    The organisation row is locked first, so concurrent creations take turns
    (PostgreSQL; SQLite writers are serialised at BEGIN already). ``FOR NO KEY UPDATE``:
    it does not block the foreign-key checks of rows that refer to the organisation (a
    sub-organisation's write adding a counter row of its ancestors, ``statistics``), which
    would otherwise wait for this whole transaction and can deadlock with it.
    """
    db.session.execute(select(Organization.id).where(Organization.id == organization.id)
                       .with_for_update(key_share=True))
    last = db.session.execute(
        select(func.max(Decision.seq)).where(Decision.organization_id == organization.id, Decision.year == year)
    ).scalar()
    seq = (last or 0) + 1
    return seq, f"{organization.code}-{year}-{seq:03d}"


def _add_draft(decision: Decision, text: str, author: User) -> DraftVersion:
    number = (decision.drafts[-1].number + 1) if decision.drafts else 1
    draft = DraftVersion(number=number, text=text, sha256=sha256_text(text), author=author, created_at=utcnow())
    decision.drafts.append(draft)
    return draft


def create_decision(user: User, data: Mapping[str, Any]) -> Decision:
    """Open a new decision in the user's organisation with its first draft and five steps."""
    permissions.ensure(permissions.can_create(user), _("Only a clerk may create decisions."))
    values = _parse_fields({k: v for k, v in data.items() if k not in BACKFILL_FIELDS}, partial=False)
    backfilled, backfill_reason = _parse_backfill(data)
    organization = db.session.get(Organization, user.organization_id)
    seq, ref_no = next_ref_no(organization, values["year"])
    decision = Decision(
        organization=organization,
        seq=seq,
        ref_no=ref_no,
        title=values["title"],
        category=values["category"],
        department=values["department"],
        year=values["year"],
        summary=values.get("summary", ""),
        amount_cny=values.get("amount_cny"),
        status=DecisionStatus.DRAFT.value,
        backfilled=backfilled,
        backfill_reason=backfill_reason,
        created_by=user,
    )
    decision.steps = [Step(kind=kind.value, status=StepStatus.NOT_STARTED.value) for kind in StepKind]
    db.session.add(decision)
    draft = _add_draft(decision, values["draft_text"], user)
    refresh_summary(decision)
    db.session.flush()
    record_event(user, "decision.create", "decision", decision.id, decision_id=decision.id,
                 after={**decision_facts(decision), "draft_number": draft.number, "draft_sha256": draft.sha256})
    return decision


def check_version(decision: Decision, version: Any) -> None:
    """A write based on an older read is refused, never applied over the newer one."""
    if version is None:
        return
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed({"version": _("must be a whole number")})
    if version != decision.version:
        # People know a decision by its drafts (第3稿), not by the lock's counter.
        number = decision.drafts[-1].number if decision.drafts else 0
        raise Conflict(
            _("The decision was changed by someone else after you opened it (its draft is now draft %(number)d). "
              "Reload it and apply your change again.", number=number)
        )


def touch(decision: Decision) -> None:
    """A write to the decision's own fields, draft or status bumps its version (optimistic lock).

    Step writes do not: each step has its own version (``steps.check_step_version``).
    """
    decision.version = (decision.version or 1) + 1
    decision.updated_at = utcnow()


def mark_changed(decision: Decision) -> None:
    """Any write to a part of the decision updates its row, so its row lock catches a concurrent writer."""
    decision.updated_at = utcnow()


def update_decision(user: User, decision: Decision, data: Mapping[str, Any]) -> Decision:
    """Change the decision's fields; a new draft text becomes a new draft version."""
    if "version" not in data:
        raise ValidationFailed({"version": _("is required")})
    check_version(decision, data["version"])
    permissions.ensure(
        permissions.is_clerk_of(user, decision.organization_id),
        _("Only a clerk of the organisation may edit a decision."),
    )
    if not permissions.can_edit(user, decision):
        raise InvalidState(_("Only a decision in preparation can be changed."))
    unknown = set(data) - set(EDITABLE_FIELDS) - {"draft_text", "version"}
    if unknown:
        raise ValidationFailed({name: _("cannot be changed") for name in sorted(unknown)})
    values = _parse_fields(data, partial=True)
    before = decision_facts(decision)
    old_draft = decision.drafts[-1] if decision.drafts else None
    if "year" in values and values["year"] != decision.year:
        raise ValidationFailed({"year": _("cannot be changed once the reference number is given")})
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(decision, name, values[name])
    draft_change: dict[str, Any] = {}
    text = values.get("draft_text")
    if text is not None and (old_draft is None or sha256_text(text) != old_draft.sha256):
        draft = _add_draft(decision, text, user)
        draft_change = {"draft_number": draft.number, "draft_sha256": draft.sha256}
    before_diff, after_diff = changes(before, decision_facts(decision))
    if not after_diff and not draft_change:
        return decision
    if draft_change and old_draft is not None:
        before_diff.update(draft_number=old_draft.number, draft_sha256=old_draft.sha256)
    after_diff.update(draft_change)
    touch(decision)
    refresh_summary(decision)
    db.session.flush()
    record_event(user, "decision.update", "decision", decision.id, decision_id=decision.id,
                 before=before_diff, after=after_diff)
    return decision


def _set_status(user: User, decision: Decision, status: DecisionStatus, action: str, **extra: Any) -> None:
    before = {"status": decision.status, **{k: getattr(decision, k) for k in extra}}
    decision.status = status.value
    for key, value in extra.items():
        setattr(decision, key, value)
    touch(decision)
    refresh_summary(decision)
    db.session.flush()
    record_event(user, action, "decision", decision.id, decision_id=decision.id,
                 before=before, after={"status": status.value, **extra})


def submit_decision(user: User, decision: Decision, version: Any = None) -> Decision:
    """提请集体讨论: refused while the rulebook has blockers for it (713号令 art. 25)."""
    check_version(decision, version)
    permissions.ensure(
        permissions.is_clerk_of(user, decision.organization_id),
        _("Only a clerk of the organisation may submit a decision."),
    )
    if decision.status not in EDITABLE_STATUSES:
        raise InvalidState(_("Only a decision in preparation can be submitted for discussion."))
    found = blockers(Action("submit", actor_role=user.role_enum), decision)
    if found:
        raise RuleBlocked(found, _("The decision cannot be submitted for collective discussion yet."))
    decision.submitted_at = utcnow()
    _set_status(user, decision, DecisionStatus.SUBMITTED, "decision.submit")
    return decision


#: The publication date: YYYY-MM-DD, required.
PUBLISHED_ON = FieldSpec("published_on", "date", empty=Empty.REQUIRED)


def publish_decision(user: User, decision: Decision, published_on: Any, version: Any = None) -> Decision:
    """Record the publication of an approved decision (713号令 art. 32)."""
    check_version(decision, version)
    permissions.ensure(
        permissions.is_clerk_of(user, decision.organization_id),
        _("Only a clerk of the organisation may publish a decision."),
    )
    meeting = decision.step(StepKind.COLLECTIVE_DECISION)
    if not permissions.is_publishable(decision):
        raise InvalidState(_("Only a decided and approved decision can be published."))
    errors = FieldErrors()
    published_on = parse_field(PUBLISHED_ON, published_on, errors)
    if errors:
        raise ValidationFailed(errors)
    if published_on > today():
        raise ValidationFailed({"published_on": _("must not be in the future")})
    if meeting.meeting_date and published_on < meeting.meeting_date:
        raise ValidationFailed({"published_on": _("must not be before the meeting")})
    _set_status(user, decision, DecisionStatus.PUBLISHED, "decision.publish", published_on=published_on)
    return decision


def archive_decision(user: User, decision: Decision, version: Any = None) -> Decision:
    """Close the file: a published decision, or a decided and rejected one."""
    check_version(decision, version)
    permissions.ensure(
        permissions.is_clerk_of(user, decision.organization_id),
        _("Only a clerk of the organisation may archive a decision."),
    )
    if not permissions.is_archivable(decision):
        raise InvalidState(_("Only a published decision, or a decided and rejected one, can be archived."))
    _set_status(user, decision, DecisionStatus.ARCHIVED, "decision.archive")
    return decision


def load_decision(user: User, decision_id: int, *, full: bool = True) -> Decision:
    """The decision with its steps (and drafts), or ``NotFound`` if the user may not see it."""
    stmt = select(Decision).where(Decision.id == decision_id)
    if full:
        stmt = stmt.options(*whole_decision())
    decision = db.session.execute(stmt).scalar_one_or_none()
    return permissions.readable_decision(user, decision)


#: What the list's procedure-status filter may ask: the dashboard's three columns per procedure.
STEP_FILTER_STATUSES = ("completed", "exempted", "missing")
_DONE = (StepStatus.COMPLETED.value, StepStatus.EXEMPTED.value)


@dataclass(frozen=True)
class DecisionFilter:
    year: int | None = None
    category: str | None = None
    status: str | None = None
    complete: bool | None = None
    #: A rule id: the decisions whose stored summary says they break it (``decision_findings``).
    rule: str | None = None
    #: A procedure and one of ``STEP_FILTER_STATUSES``, counted as the dashboard counts them.
    step: str | None = None
    step_status: str | None = None
    #: Organisations to list (already narrowed to what the user may see by the caller or here).
    organization_ids: tuple[int, ...] | None = None
    #: Part of the title or of the reference number (编号).
    search: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[Decision]
    page: int
    per_page: int
    total: int
    #: The first and last year with any decision the user may see, whatever the filters (None: no decision).
    years: tuple[int, int] | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


#: The list's order, newest first; ``id`` breaks ties between organisations (the same year and number), so
#: pages never repeat or skip a row. Served by ``ix_decisions_year_seq_id`` walked backwards.
LIST_ORDER = (Decision.year.desc(), Decision.seq.desc(), Decision.id.desc())

#: (visible, listed, filters, stamp) -> (total, years): the COUNT and the span of years of a scope, valid
#: while its stamp holds (a write in the scope moves it; writes elsewhere do not).
_COUNTS = StampedLru(512)


@dataclass(frozen=True)
class ListedDecision:
    """A row of the list without the decision: what a cached answer is looked up by."""

    id: int
    organization_id: int
    #: Its organisation's chain tip and the global chain's (the holiday calendar the deadlines count on),
    #: read in the same statement as the row: any write the decision's answer depends on (its fields,
    #: steps, evidence, catalogue; the calendar) appends to one of them and moves the pair.
    stamp: tuple[int, int]


#: A row's id, organisation and stamp (built once: they are read on every cached answer).
_STAMPED_ROW = (Decision.id, Decision.organization_id, chain_tip(Decision.organization_id), chain_tip(GLOBAL_CHAIN))
_DECISION_STAMP = select(*_STAMPED_ROW).where(Decision.id == bindparam("decision_id"))


def decision_stamp(decision_id: int) -> ListedDecision | None:
    """One decision's organisation and stamp, in one statement (``None``: no such decision)."""
    row = db.session.execute(_DECISION_STAMP, {"decision_id": decision_id}).first()
    return None if row is None else ListedDecision(row[0], row[1], (row[2], row[3]))


def list_decisions(user: User, filters: DecisionFilter, page: int = 1, per_page: int = 25) -> Page:
    """One page of the decisions the user may see, newest first, with their stored findings.

    Warm (no write in the scope since the last count): the scope's stamp, the page, its findings.
    """
    listed, total, years = _listing(user, filters)
    items: list[Decision] = []
    if listed and (page - 1) * per_page < total:
        stmt = _filtered(select(Decision).where(_in_organizations(listed)), filters)
        items = list(db.session.execute(
            stmt.options(selectinload(Decision.findings)).order_by(*LIST_ORDER)
            .limit(per_page).offset((page - 1) * per_page)
        ).scalars())
    return Page(items=items, page=page, per_page=per_page, total=total, years=years)


def list_decision_rows(user: User, filters: DecisionFilter, page: int = 1, per_page: int = 25) -> Page:
    """The same page as ``list_decisions``, as ``ListedDecision`` rows (for answers cached per decision)."""
    listed, total, years = _listing(user, filters)
    items: list[ListedDecision] = []
    if listed and (page - 1) * per_page < total:
        stmt = _filtered(select(*_STAMPED_ROW).where(_in_organizations(listed)), filters)
        rows = db.session.execute(stmt.order_by(*LIST_ORDER).limit(per_page).offset((page - 1) * per_page)).all()
        items = [ListedDecision(row[0], row[1], (row[2], row[3])) for row in rows]
    return Page(items=items, page=page, per_page=per_page, total=total, years=years)


def _listing(user: User, filters: DecisionFilter) -> tuple[list[int], int, tuple[int, int] | None]:
    """The organisations listed, their filtered total and the scope's years (cached by the scope's stamp).

    The stamp is read before the figures: a write committed in between leaves a
    newer figure under an older stamp (harmless), never an older one under a newer.
    """
    visible = permissions.visible_organization_ids(user)
    listed = visible
    if filters.organization_ids is not None:
        wanted = set(filters.organization_ids)
        listed = [org_id for org_id in visible if org_id in wanted]
    key = (tuple(visible), tuple(listed), filters, scope_stamp(visible))
    figures = _COUNTS.get(key)
    if figures is None and (total := _counted_total(listed, filters)) is not None:
        # The year's total from the rolled-up counters (a nation's root: 400,000 rows not counted again).
        first, last = db.session.execute(select(func.min(Decision.year), func.max(Decision.year)).where(
            Decision.organization_id.in_(visible))).one()
        figures = (total, None if first is None else (first, last))
        _COUNTS.put(key, figures)
    if figures is None:
        # One statement for the count and the span of years (the year filter offers those, ±1).
        span = select(func.min(Decision.year), func.max(Decision.year)).where(
            Decision.organization_id.in_(visible)).subquery()
        counted = _filtered(select(Decision.id).where(Decision.organization_id.in_(listed)), filters)
        count = select(func.count()).select_from(counted.subquery()).scalar_subquery()
        total, first, last = db.session.execute(select(count, span.c[0], span.c[1])).one()
        figures = (total, None if first is None else (first, last))
        _COUNTS.put(key, figures)
    total, years = figures
    return listed, total, years


def _counted_total(listed: list[int], filters: DecisionFilter) -> int | None:
    """The filtered total read from the rolled-up counters, where they hold it: a year, and at most one of
    completeness or a rule; None otherwise (or when the scope needs too many counter rows)."""
    if (filters.year is None or filters.category or filters.status or filters.step or filters.search
            or (filters.complete is not None and filters.rule)):
        return None
    counts = statistics.scope_counts(listed, filters.year)
    if counts is None:
        return None
    total = counts.get("total", 0)
    if filters.rule:
        return counts.get(f"rule:{filters.rule}", 0)
    if filters.complete is None:
        return total
    return counts.get("complete", 0) if filters.complete else total - counts.get("complete", 0)


def _in_organizations(ids: list[int]) -> ColumnElement[bool]:
    """``organization_id IN ids``; on SQLite over several organisations not by an index that starts with it.

    Without planner statistics (SQLite has none until ANALYZE) SQLite prefers
    ``organization_id IN (…)`` through ``(organization_id, year, …)`` and then sorts the
    whole scope for the page; ``organization_id + 0`` leaves it the year-ordered indexes.
    One organisation keeps its ``(organization_id, year, seq)`` index, which is in order.
    """
    if len(ids) > 1 and db.session.get_bind().dialect.name == "sqlite":
        return (Decision.organization_id + 0).in_(ids)
    return Decision.organization_id.in_(ids)


def _filtered(stmt: Select, filters: DecisionFilter) -> Select:
    """``stmt`` narrowed by each filter given; each one is an indexed lookup (see the models' indexes)."""
    if filters.year is not None:
        stmt = stmt.where(Decision.year == filters.year)
    if filters.category:
        stmt = stmt.where(Decision.category == filters.category)
    if filters.status:
        stmt = stmt.where(Decision.status == filters.status)
    if filters.complete is not None:
        stmt = stmt.where(Decision.is_complete.is_(filters.complete))
    if filters.rule:
        # The stored summary: one row per decision and rule, indexed by rule.
        findings = select(DecisionFinding.decision_id).where(DecisionFinding.rule == filters.rule)
        stmt = stmt.where(Decision.id.in_(findings))
    if filters.step and filters.step_status:
        stmt = _step_filter(stmt, StepKind(filters.step), filters.step_status)
    if filters.search:
        stmt = stmt.where(or_(Decision.title.icontains(filters.search, autoescape=True),
                              Decision.ref_no.icontains(filters.search, autoescape=True)))
    return stmt


def _step_filter(stmt: Select, kind: StepKind, status: str) -> Select:
    """Decisions whose ``kind`` step is completed, exempted, or missing as the reports count it.

    Missing: the profile requires the step for the decision's category and it is
    neither completed nor lawfully exempted (``reports.completeness``).
    """
    steps = select(Step.decision_id).where(Step.kind == kind.value)
    if status == "missing":
        profile = current_profile()
        needing = [c.value for c in Category if kind in set(required_steps(profile, c))]
        return stmt.where(Decision.category.in_(needing), Decision.id.in_(steps.where(Step.status.not_in(_DONE))))
    return stmt.where(Decision.id.in_(steps.where(Step.status == status)))
