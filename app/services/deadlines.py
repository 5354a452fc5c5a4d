"""Statutory clocks (DESIGN §5 "Deadlines on /due"): what is due when, who must act, and under which article.

A clock is a small pure function from one decision's stored facts
(``DecisionFacts``) and the rulebook's profile and working-day calendar to a
``Deadline`` or nothing; ``DECISION_CLOCKS`` lists them. Deadlines of other
records (catalogues, dossiers) come from further ``SOURCES``: a function from a
``DueContext`` to deadlines, appended to that tuple. The facts of every decision
come from one statement, so a page of deadlines costs the same few queries
however many decisions there are.

Each deadline concerns one role of the decision's organisation: the clerks for
what they must record, publish or archive by a date, the legal advisers for
the earliest day the legality opinion may lawfully be signed (a "not before"
date, never overdue). Auditors and administrators have no to-dos here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from app.clock import today as local_today
from app.extensions import db
from app.models import (
    Catalogue,
    CatalogueItem,
    Decision,
    DossierProduction,
    DraftVersion,
    Organization,
    Step,
    User,
)
from app.rulebook import RULES, Profile, WorkdayCalendar
from app.rulebook.rules.base import REG
from app.rulebook.rules.catalogue import DECIDED_STATUSES, publication_deadline
from app.rulebook.vocabulary import (
    EDITABLE_STATUSES,
    CatalogueStatus,
    DecisionStatus,
    LegalOpinion,
    Outcome,
    ParticipationMethod,
    Role,
    StepKind,
    StepStatus,
)

from . import permissions
from .compliance import current_profile, load_calendar, local_day

#: The widest window a caller may ask for, in days.
WINDOW_MAX = 366


class Bound(StrEnum):
    """Whether the date is the last day to act (``by``) or the first day one may lawfully act (``not_before``)."""

    BY = "by"
    NOT_BEFORE = "not_before"


class Clock(StrEnum):
    """The statutory clocks: the ``deadline`` of the API."""

    COMMENT_PERIOD_END = "comment_period_end"
    HEARING_MATERIALS = "hearing_materials"
    LEGALITY_REVIEW = "legality_review"
    PUBLICATION = "publication"
    ARCHIVING = "archiving"
    CATALOGUE_PUBLICATION = "catalogue_publication"
    CATALOGUE_ITEM = "catalogue_item"


#: What each clock asks for, in the words of the pages and the reminders.
CLOCK_LABELS: dict[str, object] = {
    Clock.COMMENT_PERIOD_END.value: _l("Public comment period ends"),
    Clock.HEARING_MATERIALS.value: _l("Hearing materials reach the participants"),
    Clock.LEGALITY_REVIEW.value: _l("Earliest lawful signing of the legality opinion"),
    Clock.PUBLICATION.value: _l("Publication of the decision"),
    Clock.ARCHIVING.value: _l("Archiving of the decision file"),
    Clock.CATALOGUE_PUBLICATION.value: _l("Publication of the year's decision catalogue"),
    Clock.CATALOGUE_ITEM.value: _l("Planned completion of a catalogue item"),
}


@dataclass(frozen=True)
class Deadline:
    """One clock of one record: the date, the article, and the role that must act."""

    deadline: str
    due_on: date
    citation: str
    concerns: Role
    organization_id: int
    bound: Bound = Bound.BY
    decision_id: int | None = None
    ref_no: str = ""
    title: str = ""
    step: StepKind | None = None
    #: The record a clock of no decision runs for, e.g. ``catalogue:7`` (it names the item in ``key``).
    record: str | None = None
    #: The catalogue a catalogue clock belongs to (None while the year's catalogue is not even drafted).
    catalogue_id: int | None = None

    @property
    def key(self) -> str:
        """Stable across days (the reminders' "same item"): the clock and the record it runs for."""
        return f"{self.deadline}:{self.record or self.decision_id}"

    def overdue(self, today: date) -> bool:
        """Past its last day; a "not before" date is never overdue (from that day on one may act)."""
        return self.bound == Bound.BY and self.due_on < today


@dataclass(frozen=True)
class DecisionFacts:
    """What the decision clocks read of one decision, straight from the stored rows."""

    id: int
    ref_no: str
    title: str
    organization_id: int
    status: DecisionStatus
    published_on: date | None = None
    current_sha256: str | None = None
    pp_status: StepStatus = StepStatus.NOT_STARTED
    pp_method: str | None = None
    comment_start: date | None = None
    comment_end: date | None = None
    hearing_date: date | None = None
    materials_sent_on: date | None = None
    lr_submitted_on: date | None = None
    lr_draft_sha256: str | None = None
    lr_opinion: str | None = None
    lr_legal_risk_statement: str | None = None
    meeting_date: date | None = None
    outcome: str | None = None
    submitted_at_day: date | None = None
    #: A dossier (决策档案) has been produced for it: the file is archived in the sense of art. 33.
    has_dossier: bool = False

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def awaits_signature(self) -> bool:
        """In the legal adviser's queue: sent for review, no opinion on the current draft yet."""
        return self.editable and self.lr_submitted_on is not None and (
            self.lr_draft_sha256 is None or self.lr_draft_sha256 != self.current_sha256
        )


@dataclass(frozen=True)
class ClockContext:
    profile: Profile
    calendar: WorkdayCalendar


def _citation(ctx: ClockContext, rule_id: str) -> str:
    """The rule's article as the profile cites it, so a deadline and the rule's finding cite the same."""
    return ctx.profile.citation(rule_id, RULES[rule_id].citation)


def _deadline(facts: DecisionFacts, clock: Clock, due_on: date, citation: str, concerns: Role, *,
              step: StepKind | None = None, bound: Bound = Bound.BY) -> Deadline:
    return Deadline(deadline=clock.value, due_on=due_on, citation=citation, concerns=concerns,
                    organization_id=facts.organization_id, bound=bound, decision_id=facts.id,
                    ref_no=facts.ref_no, title=facts.title, step=step)


def comment_period_end(facts: DecisionFacts, ctx: ClockContext) -> Deadline | None:
    """Art. 15: the comment period under way ends on its recorded last day, else on its earliest lawful one."""
    if not facts.editable or facts.pp_status != StepStatus.IN_PROGRESS or facts.comment_start is None:
        return None
    due = facts.comment_end or facts.comment_start + timedelta(days=ctx.profile.comment_period_days - 1)
    return _deadline(facts, Clock.COMMENT_PERIOD_END, due, _citation(ctx, "PP-01"), Role.CLERK,
                     step=StepKind.PUBLIC_PARTICIPATION)


def hearing_materials(facts: DecisionFacts, ctx: ClockContext) -> Deadline | None:
    """Art. 16: the hearing's materials reach the participants 7 days before it (until they are recorded sent)."""
    if (not facts.editable or facts.pp_status != StepStatus.IN_PROGRESS
            or facts.pp_method != ParticipationMethod.HEARING or facts.hearing_date is None
            or facts.materials_sent_on is not None):
        return None
    due = facts.hearing_date - timedelta(days=ctx.profile.hearing_notice_days)
    return _deadline(facts, Clock.HEARING_MATERIALS, due, _citation(ctx, "PP-03"), Role.CLERK,
                     step=StepKind.PUBLIC_PARTICIPATION)


def earliest_signing_date(submitted_on: date, ctx: ClockContext | None = None) -> date:
    """Art. 26: the first day an opinion keeps the review time (≥ N working days from the day after submission)."""
    ctx = ctx or current_context()
    return ctx.calendar.add_workdays(submitted_on, ctx.profile.review_workdays_min)[0]


def legality_review(facts: DecisionFacts, ctx: ClockContext) -> Deadline | None:
    """Art. 26: for the legal adviser, the earliest lawful signing date of a draft awaiting the opinion."""
    if not facts.awaits_signature or facts.lr_submitted_on is None:
        return None
    return _deadline(facts, Clock.LEGALITY_REVIEW, earliest_signing_date(facts.lr_submitted_on, ctx),
                     _citation(ctx, "LR-03"), Role.LEGAL_ADVISER, step=StepKind.LEGALITY_REVIEW,
                     bound=Bound.NOT_BEFORE)


def publication(facts: DecisionFacts, ctx: ClockContext) -> Deadline | None:
    """Art. 32: an approved decision is published within the profile's working days of the meeting (PUB-01)."""
    if (facts.status != DecisionStatus.DECIDED or facts.outcome != Outcome.APPROVED or facts.meeting_date is None
            or facts.published_on is not None):
        return None
    due, _fallback = ctx.calendar.add_workdays(facts.meeting_date, ctx.profile.publish_workdays)
    return _deadline(facts, Clock.PUBLICATION, due, _citation(ctx, "PUB-01"), Role.CLERK)


#: Art. 33 has no rule of its own (the archive is not judged): the article itself, unless a profile cites
#: another source under the clock's name.
ARCHIVING_CITATION = f"{REG}第三十三条"


def archiving(facts: DecisionFacts, ctx: ClockContext) -> Deadline | None:
    """Art. 33: the file of a decided matter (approved or rejected) is archived within the profile's days.

    The clock stops when the decision's dossier (决策档案) is produced or the decision is marked archived.
    """
    if (facts.status not in (DecisionStatus.DECIDED, DecisionStatus.PUBLISHED) or facts.meeting_date is None
            or facts.outcome not in (Outcome.APPROVED, Outcome.REJECTED) or facts.has_dossier):
        return None
    due = facts.meeting_date + timedelta(days=ctx.profile.archive_days)
    citation = ctx.profile.citation(Clock.ARCHIVING.value, ARCHIVING_CITATION)
    return _deadline(facts, Clock.ARCHIVING, due, citation, Role.CLERK)


DecisionClock = Callable[[DecisionFacts, ClockContext], "Deadline | None"]

#: Every clock of a decision, in statutory order; a new one is a function added here.
DECISION_CLOCKS: tuple[DecisionClock, ...] = (
    comment_period_end,
    hearing_materials,
    legality_review,
    publication,
    archiving,
)


def decision_deadlines(facts: Iterable[DecisionFacts], ctx: ClockContext) -> list[Deadline]:
    """Every running clock of the decisions (pure: the unit tests call it with hand-made facts)."""
    found = []
    for row in facts:
        for clock in DECISION_CLOCKS:
            deadline = clock(row, ctx)
            if deadline is not None:
                found.append(deadline)
    return found


# -- reading the facts ------------------------------------------------------------------------------


#: Decisions whose clocks may still run: an archived file is closed.
_OPEN_STATUSES = tuple(s.value for s in DecisionStatus if s != DecisionStatus.ARCHIVED)


def load_facts(organization_ids: list[int] | None) -> list[DecisionFacts]:
    """The facts of every open decision of the organisations (all of them for None), in one statement."""
    pp, lr, cd = aliased(Step), aliased(Step), aliased(Step)
    current = (
        select(DraftVersion.sha256)
        .where(DraftVersion.decision_id == Decision.id)
        .order_by(DraftVersion.number.desc())
        .limit(1)
        .correlate(Decision)
        .scalar_subquery()
    )

    def step_join(alias, kind: StepKind):
        return and_(alias.decision_id == Decision.id, alias.kind == kind.value)

    stmt = (
        select(
            Decision.id, Decision.ref_no, Decision.title, Decision.organization_id, Decision.status,
            Decision.published_on, Decision.submitted_at, current,
            pp.status, pp.method, pp.comment_start, pp.comment_end, pp.hearing_date, pp.materials_sent_on,
            lr.submitted_on, lr.draft_sha256, lr.opinion, lr.legal_risk_statement,
            cd.meeting_date, cd.outcome,
            exists().where(DossierProduction.decision_id == Decision.id),
        )
        .outerjoin(pp, step_join(pp, StepKind.PUBLIC_PARTICIPATION))
        .outerjoin(lr, step_join(lr, StepKind.LEGALITY_REVIEW))
        .outerjoin(cd, step_join(cd, StepKind.COLLECTIVE_DECISION))
        .where(Decision.status.in_(_OPEN_STATUSES))
        .order_by(Decision.id)
    )
    if organization_ids is not None:
        stmt = stmt.where(Decision.organization_id.in_(organization_ids))
    return [
        DecisionFacts(
            id=row[0], ref_no=row[1], title=row[2], organization_id=row[3], status=DecisionStatus(row[4]),
            published_on=row[5], submitted_at_day=local_day(row[6]), current_sha256=row[7],
            pp_status=StepStatus(row[8] or StepStatus.NOT_STARTED), pp_method=row[9], comment_start=row[10],
            comment_end=row[11], hearing_date=row[12], materials_sent_on=row[13], lr_submitted_on=row[14],
            lr_draft_sha256=row[15], lr_opinion=row[16], lr_legal_risk_statement=row[17], meeting_date=row[18],
            outcome=row[19], has_dossier=bool(row[20]),
        )
        for row in db.session.execute(stmt).all()
    ]


@dataclass(frozen=True)
class DueContext:
    """What a deadline source reads: whose organisations, the rulebook's profile and calendar, today."""

    organization_ids: list[int] | None
    clock: ClockContext
    today: date
    #: The decisions' facts, read once for every source that needs them.
    facts: list[DecisionFacts]


Source = Callable[[DueContext], Iterable[Deadline]]


def _decision_source(due: DueContext) -> Iterable[Deadline]:
    return decision_deadlines(due.facts, due.clock)


def _catalogue_source(due: DueContext) -> Iterable[Deadline]:
    """CAT-02 and CAT-03 as clocks: the year's catalogue published by the profile's date (where the profile
    makes catalogues the rule), and each listed item decided by its planned completion. Two queries."""
    ctx, year = due.clock, due.today.year
    found: list[Deadline] = []
    if ctx.profile.catalogue_required:
        publish_by = publication_deadline(year, ctx.profile.catalogue_publish_by)
        stmt = (select(Organization.id, Catalogue.id)
                .outerjoin(Catalogue, and_(Catalogue.organization_id == Organization.id, Catalogue.year == year))
                .where(or_(Catalogue.id.is_(None), Catalogue.status != CatalogueStatus.PUBLISHED.value)))
        if due.organization_ids is not None:
            stmt = stmt.where(Organization.id.in_(due.organization_ids))
        for organization_id, catalogue_id in db.session.execute(stmt):
            found.append(Deadline(
                deadline=Clock.CATALOGUE_PUBLICATION.value, due_on=publish_by, citation=_citation(ctx, "CAT-02"),
                concerns=Role.CLERK, organization_id=organization_id, title=f"{year}年度重大行政决策事项目录",
                record=f"catalogue:{organization_id}:{year}", catalogue_id=catalogue_id))
    stmt = (
        select(CatalogueItem.id, CatalogueItem.seq, CatalogueItem.title, CatalogueItem.planned_completion,
               Catalogue.id, Catalogue.organization_id, Decision.id, Decision.ref_no)
        .join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .outerjoin(Decision, Decision.catalogue_item_id == CatalogueItem.id)
        .where(CatalogueItem.removed.is_(False), CatalogueItem.planned_completion.is_not(None),
               or_(Decision.id.is_(None), Decision.status.not_in([s.value for s in DECIDED_STATUSES])))
    )
    if due.organization_ids is not None:
        stmt = stmt.where(Catalogue.organization_id.in_(due.organization_ids))
    citation = _citation(ctx, "CAT-03")
    for item_id, seq, title, planned, catalogue_id, organization_id, decision_id, ref_no in db.session.execute(stmt):
        found.append(Deadline(
            deadline=Clock.CATALOGUE_ITEM.value, due_on=planned, citation=citation, concerns=Role.CLERK,
            organization_id=organization_id, decision_id=decision_id, ref_no=ref_no or "",
            title=f"目录第{seq}项：{title}", record=f"catalogue_item:{item_id}", catalogue_id=catalogue_id))
    return found


#: Where deadlines come from: the decisions' clocks, then the catalogues' (CAT-02, CAT-03).
SOURCES: tuple[Source, ...] = (_decision_source, _catalogue_source)


def current_context() -> ClockContext:
    return ClockContext(current_profile(), load_calendar())


def all_deadlines(organization_ids: list[int] | None, today: date | None = None,
                  facts: list[DecisionFacts] | None = None) -> list[Deadline]:
    """Every running clock of the organisations (every organisation for None), soonest first."""
    due = DueContext(organization_ids, current_context(), today or local_today(),
                     facts if facts is not None else load_facts(organization_ids))
    found = [deadline for source in SOURCES for deadline in source(due)]
    return sorted(found, key=lambda d: (d.due_on, d.ref_no, d.deadline))


class Person(Protocol):
    """What ``concerns`` reads of an account (a ``User`` or the reminders' plain copy of one)."""

    is_active: bool
    role: str
    organization_id: int


def concerns(user: Person, deadline: Deadline) -> bool:
    """The user must act on it: an active user of the deadline's role and organisation."""
    return user.is_active and user.role == deadline.concerns and user.organization_id == deadline.organization_id


def within(deadlines: Iterable[Deadline], today: date, within_days: int) -> list[Deadline]:
    """Those that end within ``within_days`` of today or have passed (DESIGN: ``GET /due``)."""
    last = today + timedelta(days=within_days)
    return [d for d in deadlines if d.due_on <= last]


# -- what a user must do next -----------------------------------------------------------------------


@dataclass(frozen=True)
class ToDo:
    """A decision waiting for its clerk without a statutory date: a refused draft, a meeting to record."""

    decision_id: int
    ref_no: str
    title: str
    #: The day it started waiting (the opinion's submission, the submission for discussion), when known.
    since: date | None


@dataclass
class DueList:
    """A user's page of to-dos: clocks overdue, due within the window, later; and the clerk's work lists."""

    today: date
    within_days: int
    overdue: list[Deadline]
    due: list[Deadline]
    later: list[Deadline]
    #: Clerk: drafts the legality review found unlawful (LR-04 refuses their submission until revised).
    refused: list[ToDo]
    #: Clerk: decisions submitted for collective discussion whose meeting is not yet recorded.
    meetings: list[ToDo]

    @property
    def items(self) -> list[Deadline]:
        """What ``GET /api/v1/due`` answers: overdue and due within the window, soonest first."""
        return sorted(self.overdue + self.due, key=lambda d: (d.due_on, d.ref_no, d.deadline))

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due) + len(self.refused) + len(self.meetings)


def _refused(facts: DecisionFacts) -> bool:
    return (facts.editable and facts.lr_opinion == LegalOpinion.UNLAWFUL
            and facts.lr_draft_sha256 is not None and facts.lr_draft_sha256 == facts.current_sha256
            and not (facts.lr_legal_risk_statement or "").strip())


def has_to_dos(user: User) -> bool:
    """Whether the user's role has a to-do page (auditors and administrators have their own home pages)."""
    return user.is_active and user.role in (Role.CLERK, Role.LEGAL_ADVISER)


def due_list(user: User, within_days: int, today: date | None = None) -> DueList:
    """The user's to-dos: the clocks that concern the user's role in the user's organisation, and the work lists."""
    today = today or local_today()
    empty = DueList(today, within_days, [], [], [], [], [])
    if not has_to_dos(user):
        return empty
    organizations = permissions.visible_organization_ids(user)
    facts = load_facts(organizations)
    mine = [d for d in all_deadlines(organizations, today, facts) if concerns(user, d)]
    last = today + timedelta(days=within_days)
    result = DueList(
        today, within_days,
        overdue=[d for d in mine if d.overdue(today)],
        due=[d for d in mine if not d.overdue(today) and d.due_on <= last],
        later=[d for d in mine if d.due_on > last],
        refused=[], meetings=[],
    )
    if user.role == Role.CLERK:
        result.refused = [ToDo(f.id, f.ref_no, f.title, f.lr_submitted_on) for f in facts if _refused(f)]
        result.meetings = [ToDo(f.id, f.ref_no, f.title, f.submitted_at_day) for f in facts
                           if f.status == DecisionStatus.SUBMITTED]
    return result
