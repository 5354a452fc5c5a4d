from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

from .base import UTCDateTime


class DossierProduction(db.Model):
    """One archive package (决策档案) produced for a decision (713号令 art. 33: 及时完整归档).

    Append-only like the audit event written with it: the archiving clock on
    ``/due`` asks only whether a decided decision has any row here. The sha256
    of the package's ``manifest.json`` ties the row to the very package handed out.
    """

    __tablename__ = "dossier_productions"
    __table_args__ = (
        CheckConstraint("length(manifest_sha256) = 64", name="manifest_sha256_length"),
        CheckConstraint("files >= 1", name="files_positive"),
        CheckConstraint("package IN ('decision', 'year')", name="package_kind"),
        Index("ix_dossier_productions_decision", "decision_id", "produced_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"))
    produced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    produced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who, as text (the CLI has no user): kept when the account is gone.
    produced_by: Mapped[str] = mapped_column(String(64))
    #: ``decision`` (one dossier) or ``year`` (inside a year's archive).
    package: Mapped[str] = mapped_column(String(10))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    #: Files in the dossier, manifest.json included.
    files: Mapped[int]
    #: The 档号 printed on the cover.
    archival_code: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<DossierProduction {self.decision_id} {self.produced_at:%Y-%m-%d}>"
