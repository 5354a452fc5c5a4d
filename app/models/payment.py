"""Finance-ledger payments, the organisation's 大额资金 threshold history, and imported 台账 rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

from .base import UTCDateTime
from .decision import Decision
from .organization import Organization


class Payment(db.Model):
    """One row of a finance ledger (财务明细账): what was paid, to whom, when, under which voucher.

    The natural key is organisation + date + voucher + payee + amount: voucher numbers restart each period in
    finance software (so the date is part of it), and one voucher may carry several lines to different payees.
    The same voucher line imported twice is therefore the same row, never a second payment.
    Amounts are yuan with two decimals, like ``decisions.amount_cny``.
    """

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cny > 0", name="amount_positive"),
        CheckConstraint("length(trim(voucher_no)) > 0", name="voucher_not_blank"),
        CheckConstraint("length(trim(payee)) > 0", name="payee_not_blank"),
        UniqueConstraint("organization_id", "paid_on", "voucher_no", "payee", "amount_cny",
                         name="uq_payments_natural_key"),
        # The report reads an organisation's payments of a date range; PAY-03 groups them by payee.
        Index("ix_payments_org_paid_on", "organization_id", "paid_on"),
        Index("ix_payments_org_payee", "organization_id", "payee"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    paid_on: Mapped[date] = mapped_column(Date)
    #: 凭证号, e.g. ``记-0012``.
    voucher_no: Mapped[str] = mapped_column(String(40))
    #: 收款单位 / 对方单位.
    payee: Mapped[str] = mapped_column(String(200))
    amount_cny: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    #: 摘要.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The decision that authorised it (决策编号), when known.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    decision: Mapped[Decision | None] = relationship()

    def __repr__(self) -> str:
        return f"<Payment {self.paid_on} {self.voucher_no} {self.amount_cny}>"


class FundThreshold(db.Model):
    """The organisation's 大额资金 standard (事项清单标准) from a day on: the one in force on a date applies."""

    __tablename__ = "fund_thresholds"
    __table_args__ = (
        CheckConstraint("amount_cny > 0", name="amount_positive"),
        UniqueConstraint("organization_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    amount_cny: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(db.Model):
    """Where a backfilled decision came from: the 编号 and row of the 台账 it was imported from.

    The 编号 is unique per organisation, so the same 台账 imported twice is refused, not doubled.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("length(trim(ledger_ref)) > 0", name="ledger_ref_not_blank"),
        CheckConstraint("row_number > 0", name="row_positive"),
        UniqueConstraint("organization_id", "ledger_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    ledger_ref: Mapped[str] = mapped_column(String(40))
    row_number: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), unique=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
