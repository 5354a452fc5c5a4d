from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

from .base import UTCDateTime
from .user import User


class UserSession(db.Model):
    """A logged-in browser, kept on the server (``app.services.sessions``).

    The signed cookie carries only a random id; its sha256 is stored here. The
    session ends when it is revoked (logout), idle too long or too old: a copy
    of the cookie stops working at once.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Hex sha256 of the id in the cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Written at most once a minute (``SESSION_TOUCH_SECONDS``): the idle clock.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The client address at login, for the user's and the auditors' information.
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class LoginThrottle(db.Model):
    """Failed logins of one username, known or not, shared by every worker and node.

    Keyed by the lower-cased username as typed, so that locking an unknown name
    behaves exactly like locking a real one and reveals nothing.
    """

    __tablename__ = "login_throttles"

    #: The username as typed, lower-cased (at most 64 characters).
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.username} {self.failures}>"
