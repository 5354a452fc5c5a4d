from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN, Category, DecisionStatus, Severity, StepKind

from .base import UTCDateTime, enum_check
from .catalogue import CatalogueItem
from .organization import Organization
from .user import User


class Decision(db.Model):
    """One "三重一大" matter or 重大行政决策 and its five-step workflow."""

    __tablename__ = "decisions"
    __table_args__ = (
        enum_check("category", Category),
        enum_check("status", DecisionStatus),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year_range"),
        CheckConstraint("amount_cny IS NULL OR amount_cny >= 0", name="amount_not_negative"),
        CheckConstraint("seq > 0", name="seq_positive"),
        # A decision entered after the fact says why (补录原因); its dates are as stated, not as recorded.
        CheckConstraint(
            "NOT backfilled OR (backfill_reason IS NOT NULL AND length(trim(backfill_reason)) > 0)",
            name="backfill_reason_required",
        ),
        UniqueConstraint("organization_id", "year", "seq"),
        # The list page filters by organisation and year, then category/status/complete.
        Index("ix_decisions_org_year_status", "organization_id", "year", "status"),
        Index("ix_decisions_org_year_category", "organization_id", "year", "category"),
        Index("ix_decisions_org_year_complete", "organization_id", "year", "is_complete"),
        # The list's order, newest first, over several organisations (an auditor's scope): walked backwards.
        Index("ix_decisions_year_seq_id", "year", "seq", "id"),
        # An item links at most one decision (a unique index: SQLite adds one to an existing table).
        Index("uq_decisions_catalogue_item_id", "catalogue_item_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    #: e.g. ``BD-2024-017``: organisation code, year, sequence within them.
    ref_no: Mapped[str] = mapped_column(String(40), unique=True)
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), index=True)
    department: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(index=True)
    amount_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DecisionStatus.DRAFT.value, index=True)
    #: Optimistic lock of the decision's own fields, draft and status: a stale writer gets a conflict.
    #: Step writes do not move it (each step has its own ``version``).
    version: Mapped[int] = mapped_column(default=1)
    #: Row lock: every UPDATE checks and bumps it, so two concurrent writes never overwrite each other.
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Entered after the fact (补录, e.g. from an old 台账): REC-01 does not apply, REC-02 says so.
    backfilled: Mapped[bool] = mapped_column(default=False, server_default=false())
    backfill_reason: Mapped[str | None] = mapped_column(Text)
    #: When the decision was last submitted for collective discussion (REC-01: the meeting is not before it).
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the collective decision was recorded (REC-01: the publication is not before it).
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_on: Mapped[date | None] = mapped_column(Date)
    #: The item of the organisation's catalogue (事项目录) this decision carries out; an item links one decision.
    #: (A plain reference: SQLite adds it to the existing table in place; items are unlinked before removal.)
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Derived compliance summary, refreshed in the same transaction as every write.
    is_complete: Mapped[bool] = mapped_column(default=False)
    #: What the decision is counted as in ``decision_statistics`` (organisation, year, category, flags, step
    #: statuses, rules; ``app.services.statistics.signature``), so a write's counter delta needs nothing else.
    #: NULL: not counted (rows written in bulk before ``rebuild_statistics``).
    statistics_keys: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()
    catalogue_item: Mapped[CatalogueItem | None] = relationship(back_populates="decision")
    created_by: Mapped[User | None] = relationship()
    drafts: Mapped[list[DraftVersion]] = relationship(
        back_populates="decision", order_by="DraftVersion.number", cascade="all, delete-orphan"
    )
    steps: Mapped[list[Step]] = relationship(  # noqa: F821 - defined in step.py
        back_populates="decision", cascade="all, delete-orphan"
    )
    findings: Mapped[list[DecisionFinding]] = relationship(
        back_populates="decision", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy reads it once

    @property
    def status_enum(self) -> DecisionStatus:
        return DecisionStatus(self.status)

    def step(self, kind: StepKind | str):
        """The step row of ``kind`` (every decision has all five)."""
        for step in self.steps:
            if step.kind == kind:
                return step
        raise LookupError(kind)

    def __repr__(self) -> str:
        return f"<Decision {self.ref_no}>"


class DraftVersion(db.Model):
    """An immutable version of the decision draft; the legality review signs one."""

    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("decision_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="drafts")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DraftVersion {self.decision_id} v{self.number}>"


class DecisionFinding(db.Model):
    """Which rules a decision breaks now: derived data for year-wide reports.

    One row per decision and rule (a rule firing on several steps counts once),
    rebuilt by ``flask compliance rebuild``, never edited by hand.
    """

    __tablename__ = "decision_findings"
    __table_args__ = (enum_check("severity", Severity),)

    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    severity: Mapped[str] = mapped_column(String(10))
    #: How many findings of this rule the decision has (e.g. GEN-01 per missing step).
    count: Mapped[int] = mapped_column(default=1)

    decision: Mapped[Decision] = relationship(back_populates="findings")


class DecisionStatistic(db.Model):
    """Rolled-up counts of decisions: a row of an organisation counts its own decisions and its descendants'.

    Keys are raw, profile-independent facts (``total``, ``complete``, ``backfilled``,
    ``step:<category>:<kind>:<status>``, ``rule:<rule>``); every write adjusts them in its own
    transaction (``app.services.statistics``), so a dashboard reads a few rows instead of the year's decisions.
    """

    __tablename__ = "decision_statistics"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
