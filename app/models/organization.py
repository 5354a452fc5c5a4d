from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Organization(db.Model):
    """A 市, 镇 or 街道; decisions and users belong to exactly one."""

    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("length(code) BETWEEN 1 AND 16", name="code_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in reference numbers, e.g. ``BD`` in ``BD-2024-017``.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )

    parent: Mapped[Organization | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organization]] = relationship(back_populates="parent", order_by="Organization.code")

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"
