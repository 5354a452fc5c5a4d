"""Read-only queries of the decision pages (one statement each, whatever the size)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

from sqlalchemy import String, TextualSelect, cast, column, distinct, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
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



def _names(column, dialect: str) -> Any:
    """The distinct values of ``column`` joined in one text, in order (the key of the names a page shows)."""
    if dialect == "postgresql":
        return func.string_agg(distinct(column), aggregate_order_by(literal_column("'|'"), column))
    return func.group_concat(distinct(column))


#: Between the parts of the stamp's ``changes`` text.
_SEPARATOR = literal_column("'\x1f'", String)
#: The decision's id in the stamp's SQL, bound when it runs.
_ID = literal_column(":decision_id")


@cache
def _stamp_sql(dialect: str) -> TextualSelect:
    """The stamp's statement, compiled once into plain SQL: it runs on every view of a decision page, and
    SQLAlchemy would otherwise walk its subqueries each time to find its compiled form.

    Each part is a probe of an index, one row deep: the database starts a
    plan node for every join and subquery, and on the warm page that start-up
    was most of the statement's time.
    """
    # The decision's events: the newest (every write of the decision records one, in its transaction, and an
    # event that writes nothing else, a reminder, shows in the history), and their actors' names (whoever
    # wrote a step, a draft or uploaded a file is the actor of that write's event).
    actor = aliased(User)
    events = (
        select(cast(func.max(AuditEvent.id), String) + ":"
               + func.coalesce(_names(actor.display_name, dialect), ""))
        .select_from(AuditEvent).outerjoin(actor, actor.username == AuditEvent.actor)
        .where(AuditEvent.decision_id == _ID)
    )
    # The draft authors' names, though each draft is its author's event too: the page names them by the row.
    author = aliased(User)
    authors = (select(_names(author.display_name, dialect))
               .select_from(DraftVersion).join(author, author.id == DraftVersion.author_id)
               .where(DraftVersion.decision_id == _ID))
    # The facts CAT-01 reads from the decision's catalogue, which its publication changes without writing the
    # decision.
    catalogue = (
        select(cast(CatalogueItem.removed, String) + ":" + Catalogue.status + ":" + cast(Catalogue.year, String)
               + ":" + cast(Catalogue.organization_id, String))
        .select_from(CatalogueItem).join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .where(CatalogueItem.id == Decision.catalogue_item_id)
    )
    # What only tells whether the page changed goes into one text (fewer columns: each costs the driver and
    # SQLAlchemy on every read); the unit separator never occurs in a name. ``row_version`` moves with any
    # write to a part of the decision (``services.decisions.mark_changed``): its steps, its evidence.
    changes = [
        Decision.version, Decision.row_version,
        select(Organization.name).where(Organization.id == Decision.organization_id).scalar_subquery(),
        events.scalar_subquery(),
        select(func.max(AuditEvent.seq)).where(AuditEvent.chain == GLOBAL_CHAIN).scalar_subquery(),
        Decision.catalogue_item_id, catalogue.scalar_subquery(),
        authors.scalar_subquery(),
    ]
    stmt = (
        select(
            Decision.id, Decision.organization_id, Decision.status, Decision.ref_no, Decision.title,
            select(Step.outcome).where(Step.decision_id == _ID, Step.kind == StepKind.COLLECTIVE_DECISION.value)
            .limit(1).scalar_subquery().label("outcome"),
            reduce(lambda text_so_far, part: text_so_far + _SEPARATOR + part,
                   [func.coalesce(cast(part, String), "") for part in changes]).label("changes"),
        )
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
    ``row_version`` with any write to the row or to a part of it: a step, a
    file), its newest audit event (every write of the decision records one:
    the history), the facts CAT-01 reads from its catalogue (which a
    catalogue's publication changes without writing the decision), the
    calendar's chain (holidays loaded), the names of the organisation and of
    every person the page names: the actors of its events and the authors of
    its drafts (a renamed user). None when there is no such decision.
    """
    # On the session's connection: the ORM's execute costs more than this statement takes to run.
    row = db.session.connection().execute(stamp_statement(), {"decision_id": decision_id}).mappings().first()
    return dict(row) if row is not None else None
