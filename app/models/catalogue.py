"""The annual catalogue of decision matters (重大行政决策事项目录, 713号令 art. 3) and its change log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN, CatalogueChange, CatalogueStatus, Category

from .base import UTCDateTime, enum_check
from .organization import Organization
from .user import User


class Catalogue(db.Model):
    """One organisation's catalogue of one year: drafted, agreed by the party committee, published."""

    __tablename__ = "catalogues"
    __table_args__ = (
        UniqueConstraint("organization_id", "year"),
        enum_check("status", CatalogueStatus),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year_range"),
        CheckConstraint("status = 'draft' OR (approved_on IS NOT NULL AND approval_ref IS NOT NULL)",
                        name="approval_recorded"),
        CheckConstraint("status <> 'published' OR published_on IS NOT NULL", name="publication_recorded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=CatalogueStatus.DRAFT.value)
    #: 同级党委同意: the day and the document (e.g. 白委〔2024〕3号).
    approved_on: Mapped[date | None] = mapped_column(Date)
    approval_ref: Mapped[str | None] = mapped_column(String(100))
    published_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    items: Mapped[list[CatalogueItem]] = relationship(
        back_populates="catalogue", order_by="CatalogueItem.seq", cascade="all, delete-orphan"
    )
    changes: Mapped[list[CatalogueChangeEntry]] = relationship(
        back_populates="catalogue", order_by="CatalogueChangeEntry.id", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == CatalogueStatus.PUBLISHED


class CatalogueItem(db.Model):
    """One matter of the catalogue, with the procedures it must go through (履行程序要求)."""

    __tablename__ = "catalogue_items"
    __table_args__ = (
        UniqueConstraint("catalogue_id", "seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
        enum_check("category", Category),
        CheckConstraint("NOT removed OR removal_reason IS NOT NULL", name="removal_reason_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    #: 决策主体 (e.g. 镇政府), 承办单位, 法律政策依据.
    decision_body: Mapped[str | None] = mapped_column(String(100))
    sponsor_unit: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    # 履行程序要求: which conditional procedures the matter calls for (713号令 arts. 14, 16, 19, 22).
    public_participation: Mapped[bool] = mapped_column(default=True, server_default=true())
    expert_review: Mapped[bool] = mapped_column(default=True, server_default=true())
    risk_assessment: Mapped[bool] = mapped_column(default=True, server_default=true())
    hearing: Mapped[bool] = mapped_column(default=False, server_default=false())
    fair_competition_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    planned_completion: Mapped[date | None] = mapped_column(Date)
    #: Taken out of a published catalogue (调出): kept, with its reason, so the change log stays true.
    removed: Mapped[bool] = mapped_column(default=False, server_default=false())
    removal_reason: Mapped[str | None] = mapped_column(Text)

    catalogue: Mapped[Catalogue] = relationship(back_populates="items")
    decision: Mapped[Decision | None] = relationship(  # noqa: F821 - defined in decision.py
        back_populates="catalogue_item", uselist=False
    )


class CatalogueChangeEntry(db.Model):
    """An adjustment of a published catalogue: added, changed or removed, with its reason."""

    __tablename__ = "catalogue_changes"
    __table_args__ = (
        enum_check("action", CatalogueChange),
        CheckConstraint("length(trim(reason)) > 0", name="reason_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The Beijing day the adjustment took effect (what the public page shows).
    on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    catalogue: Mapped[Catalogue] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()
