"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

from sqlalchemy import String, TextualSelect, cast, column, func, literal_column, select, text, union
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Attachment,
    AuditEvent,
    Catalogue,
    CatalogueItem,
    Decision,
    DraftVersion,
    Organization,
    Step,
    User,
)
from app.models.audit import GLOBAL_CHAIN
from app.rulebook.vocabulary import StepKind

#: The decision page shows its history this many events at a time, newest first.
HISTORY_PER_PAGE = 50


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    #: The actor's display name (the stored username when no such account exists any more).
    by: str


def decision_events(decision_id: int, limit: int = HISTORY_PER_PAGE, offset: int = 0) -> list[HistoryEntry]:
    """A page of the audit events of one decision, newest first, each with its actor's display name.

    One statement: the names come joined by username (events keep the username,
    which never changes once given; the name may).
    """
    stmt = (
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.username == AuditEvent.actor)
        .where(AuditEvent.decision_id == decision_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [HistoryEntry(event, name or event.actor) for event, name in db.session.execute(stmt)]


def draft_numbers(decision_id: int) -> list[int]:
    """The numbers of a decision's draft versions, oldest first (no texts)."""
    return list(db.session.execute(
        select(DraftVersion.number).where(DraftVersion.decision_id == decision_id).order_by(DraftVersion.number)
    ).scalars())



def _names(column, dialect: str, order):
    """The values of ``column`` joined in one text, in the users' order (the key of the names a page shows)."""
    if dialect == "postgresql":
        return func.string_agg(column, aggregate_order_by(literal_column("'|'"), order))
    return func.group_concat(column, literal_column("'|'"))


#: Between the parts of the stamp's ``changes`` text.
_SEPARATOR = literal_column("'\x1f'", String)
#: The decision's id in the stamp's SQL, bound when it runs.
_ID = literal_column(":decision_id")


@cache
def _stamp_sql(dialect: str) -> TextualSelect:
    """The stamp's statement, compiled once into plain SQL: it runs on every view of a decision page, and
    SQLAlchemy would otherwise walk its dozen subqueries each time to find its compiled form."""
    # The files in one pass over them: how many, the newest, and who uploaded them (by name).
    uploader = aliased(User)
    files = (
        select(cast(func.count(Attachment.id), String) + ":" + cast(func.coalesce(func.max(Attachment.id), 0), String)
               + ":" + func.coalesce(_names(uploader.display_name, dialect, uploader.id), ""))
        .join(Step, Step.id == Attachment.step_id)
        .outerjoin(uploader, uploader.id == Attachment.uploaded_by_id)
        .where(Step.decision_id == _ID)
    )
    # The draft authors' and the actors' names, each found from the decision's own rows through an index (never
    # a pass over every user: a nation has hundreds of thousands).
    named = union(
        select(User.display_name.label("name")).join(DraftVersion, DraftVersion.author_id == User.id)
        .where(DraftVersion.decision_id == _ID),
        select(User.display_name.label("name")).join(AuditEvent, AuditEvent.actor == User.username)
        .where(AuditEvent.decision_id == _ID),
    ).subquery("named")
    people = select(_names(named.c.name, dialect, named.c.name))
    # What only tells whether the page changed goes into one text (fewer columns: each costs the driver and
    # SQLAlchemy on every read); the unit separator never occurs in a name.
    changes = [
        Decision.version, Decision.row_version, Organization.name,
        select(func.coalesce(func.sum(Step.version), 0)).where(Step.decision_id == _ID).scalar_subquery(),
        files.scalar_subquery(),
        select(func.max(AuditEvent.id)).where(AuditEvent.decision_id == _ID).scalar_subquery(),
        select(func.max(AuditEvent.seq)).where(AuditEvent.chain == GLOBAL_CHAIN).scalar_subquery(),
        Decision.catalogue_item_id, CatalogueItem.removed, Catalogue.status, Catalogue.year,
        Catalogue.organization_id, people.scalar_subquery(),
    ]
    stmt = (
        select(
            Decision.id, Decision.organization_id, Decision.status, Decision.ref_no, Decision.title,
            select(Step.outcome).where(Step.decision_id == _ID, Step.kind == StepKind.COLLECTIVE_DECISION.value)
            .limit(1).scalar_subquery().label("outcome"),
            reduce(lambda text_so_far, part: text_so_far + _SEPARATOR + part,
                   [func.coalesce(cast(part, String), "") for part in changes]).label("changes"),
        )
        .join(Organization, Organization.id == Decision.organization_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == Decision.catalogue_item_id)
        .outerjoin(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .where(Decision.id == _ID)
    )
    compiled = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    return text(compiled).columns(*(column(selected.key) for selected in stmt.selected_columns))


def stamp_statement() -> TextualSelect:
    """The stamp's statement, with ``:decision_id`` to bind: also read with the session's row (``app.web.prefetch``)."""
    return _stamp_sql(db.engine.dialect.name)


def page_stamp(decision_id: int) -> dict[str, Any] | None:
    """Everything the decision page shows, as the small facts that change when it does: one statement.

    The decision's id, organisation, status, outcome, reference and title,
    and in one text (``changes``) what moves when the page does: the
    decision's row (``version`` moves with its fields, draft and status,
    ``row_version`` with any write to the row), the sum of its steps'
    versions, its evidence (count, newest id, uploaders), its newest audit
    event (every write of the decision records one: the history), the facts
    CAT-01 reads from its catalogue (which a catalogue's publication changes
    without writing the decision), the calendar's chain (holidays loaded), the
    names of the organisation and of every person the page names (a renamed
    user). None when there is no such decision.
    """
    # On the session's connection: the ORM's execute costs more than this statement takes to run.
    row = db.session.connection().execute(stamp_statement(), {"decision_id": decision_id}).mappings().first()
    return dict(row) if row is not None else None
