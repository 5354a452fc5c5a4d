from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

from .base import UTCDateTime
from .user import User


class ApiToken(db.Model):
    """A bearer token of the JSON API; only its sha256 is stored, never the token itself."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Hex sha256 of the token the client holds: a stolen table gives no usable token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The user's ``session_epoch`` at issue: a password change or deactivation revokes the token.
    user_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} expires={self.expires_at:%Y-%m-%d %H:%M}>"
