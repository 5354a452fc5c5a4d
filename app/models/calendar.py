from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.rulebook.vocabulary import CalendarDayKind

from .base import UTCDateTime, enum_check


class CalendarDay(db.Model):
    """A statutory holiday or make-up workday loaded from a State Council notice.

    Only needed for years the chinese-calendar package does not know yet.
    """

    __tablename__ = "calendar_days"
    __table_args__ = (enum_check("kind", CalendarDayKind),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
