from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.extensions import db
from app.rulebook.vocabulary import Role
from config import Config

from .base import UTCDateTime, enum_check
from .organization import Organization


def hash_password(password: str) -> str:
    """Hash with the configured ``PASSWORD_HASH_METHOD``: scrypt unless the config (the tests') says otherwise.

    Outside an app context the default of ``config.Config`` applies, so a hash is never weaker by accident.
    """
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else Config.PASSWORD_HASH_METHOD
    return generate_password_hash(password, method=method)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Where the daily reminders of the user's deadlines go (``flask reminders send``); none: no reminders.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped when the password changes or the user is deactivated; sessions carry it.
    session_epoch: Mapped[int] = mapped_column(default=0)
    #: The password was set by an administrator: the user must choose a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    organization: Mapped[Organization] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Session identity; a changed epoch logs every old session out."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


# ``Clerk`` and ``clerk`` are one account: unique whatever the case, in the database itself.
Index("uq_users_username_lower", func.lower(User.username), unique=True)
