from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

from .base import UTCDateTime


class ReminderDelivery(db.Model):
    """One deadline e-mailed to one user on one day: ``reminders send`` never sends it twice that day.

    Written in the same transaction as the e-mail is handed to the SMTP server;
    a refused send rolls the row back, so the item is tried again.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "item_key", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The deadline's stable key, e.g. ``publication:42`` (``app.services.deadlines.Deadline.key``).
    item_key: Mapped[str] = mapped_column(String(120))
    #: The Beijing day of the reminder.
    day: Mapped[date] = mapped_column(Date, index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
