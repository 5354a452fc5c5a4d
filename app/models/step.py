from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.rulebook.vocabulary import (
    EXEMPTIBLE_STEPS,
    ExpertReviewMethod,
    LegalOpinion,
    MeetingType,
    Outcome,
    ParticipationMethod,
    Position,
    RiskConclusion,
    RiskLevel,
    StepKind,
    StepStatus,
    values,
)

from .base import UTCDateTime, enum_check
from .decision import Decision
from .user import User


def _in(values_: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values_)


_EXEMPTIBLE = _in(sorted(k.value for k in EXEMPTIBLE_STEPS))


class Step(db.Model):
    """One statutory procedure of a decision, with the facts of its kind.

    One table for the five kinds: each kind uses its own columns (named as the
    API fields, DESIGN §5) and leaves the others empty. Which columns belong to
    which kind is spelled out in ``app.services.step_fields``.
    """

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("decision_id", "kind"),
        # The decision list's procedure-status filter (the dashboard's drill-down).
        Index("ix_steps_kind_status_decision", "kind", "status", "decision_id"),
        enum_check("kind", StepKind),
        enum_check("status", StepStatus),
        CheckConstraint(
            "status <> 'exempted' OR (exemption_reason IS NOT NULL AND exemption_basis IS NOT NULL"
            f" AND kind IN ({_EXEMPTIBLE}))",
            name="exemption_lawful",
        ),
        CheckConstraint(
            "method IS NULL"
            f" OR (kind = 'public_participation' AND method IN ({_in(values(ParticipationMethod))}))"
            f" OR (kind = 'expert_review' AND method IN ({_in(values(ExpertReviewMethod))}))",
            name="method_of_kind",
        ),
        CheckConstraint("comments_received IS NULL OR comments_received >= 0", name="comments_received_min"),
        CheckConstraint(
            "comments_adopted IS NULL OR (comments_adopted >= 0"
            " AND (comments_received IS NULL OR comments_adopted <= comments_received))",
            name="comments_adopted_range",
        ),
        CheckConstraint("comment_end IS NULL OR comment_start IS NULL OR comment_end >= comment_start",
                        name="comment_period_order"),
        CheckConstraint("members_total IS NULL OR members_total > 0", name="members_total_positive"),
        CheckConstraint(
            "members_present IS NULL OR (members_present >= 0"
            " AND (members_total IS NULL OR members_present <= members_total))",
            name="members_present_range",
        ),
        enum_check("risk_level", RiskLevel, nullable=True),
        enum_check("conclusion", RiskConclusion, nullable=True),
        enum_check("opinion", LegalOpinion, nullable=True),
        enum_check("meeting_type", MeetingType, nullable=True),
        enum_check("outcome", Outcome, nullable=True),
        CheckConstraint("draft_sha256 IS NULL OR length(draft_sha256) = 64", name="draft_sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: Optimistic lock of this step alone: a stale write of the same step is a conflict, other steps are not.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.NOT_STARTED.value)
    #: Who is responsible for carrying out the step (free text: a person or office).
    responsible: Mapped[str | None] = mapped_column(String(100))
    completed_on: Mapped[date | None] = mapped_column(Date)
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    exemption_basis: Mapped[str | None] = mapped_column(Text)
    #: Exempting a procedure the catalogue item lists as required: why the catalogue was wrong.
    catalogue_deviation_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # Shared by public participation and expert review (values checked per kind).
    method: Mapped[str | None] = mapped_column(String(30))
    # Shared by expert review and legality review.
    opinion_text: Mapped[str | None] = mapped_column(Text)

    # -- public_participation
    comment_start: Mapped[date | None] = mapped_column(Date)
    comment_end: Mapped[date | None] = mapped_column(Date)
    short_period_reason: Mapped[str | None] = mapped_column(Text)
    hearing_date: Mapped[date | None] = mapped_column(Date)
    materials_sent_on: Mapped[date | None] = mapped_column(Date)
    comments_received: Mapped[int | None]
    comments_adopted: Mapped[int | None]
    feedback_summary: Mapped[str | None] = mapped_column(Text)
    feedback_published_on: Mapped[date | None] = mapped_column(Date)

    # -- expert_review
    review_date: Mapped[date | None] = mapped_column(Date)
    #: The written opinion is signed and sealed (署名、盖章, 713号令 art. 19).
    opinion_signed: Mapped[bool | None]
    dissent: Mapped[str | None] = mapped_column(Text)

    # -- risk_assessment
    risk_types: Mapped[list[str] | None] = mapped_column(JSON)
    risk_level: Mapped[str | None] = mapped_column(String(10))
    risk_points: Mapped[str | None] = mapped_column(Text)
    mitigation: Mapped[str | None] = mapped_column(Text)
    contingency_plan: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(String(30))
    assessed_on: Mapped[date | None] = mapped_column(Date)

    # -- legality_review
    submitted_on: Mapped[date | None] = mapped_column(Date)
    reviewer: Mapped[str | None] = mapped_column(String(100))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opinion: Mapped[str | None] = mapped_column(String(30))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    legal_risk_statement: Mapped[str | None] = mapped_column(Text)
    #: sha256 of the draft version the opinion was signed on (LR-05).
    draft_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # -- collective_decision
    meeting_type: Mapped[str | None] = mapped_column(String(30))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    members_total: Mapped[int | None]
    members_present: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    principal_reason: Mapped[str | None] = mapped_column(Text)
    minutes_ref: Mapped[str | None] = mapped_column(String(100))

    decision: Mapped[Decision] = relationship(back_populates="steps")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    experts: Mapped[list[Expert]] = relationship(
        back_populates="step", order_by="Expert.position", cascade="all, delete-orphan"
    )
    opinions: Mapped[list[MemberOpinion]] = relationship(
        back_populates="step", order_by="MemberOpinion.speaking_order", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once

    @property
    def kind_enum(self) -> StepKind:
        return StepKind(self.kind)

    @property
    def status_enum(self) -> StepStatus:
        return StepStatus(self.status)

    def __repr__(self) -> str:
        return f"<Step {self.decision_id} {self.kind} {self.status}>"


class Expert(db.Model):
    """An expert who gave an opinion in the expert review."""

    __tablename__ = "experts"
    __table_args__ = (
        UniqueConstraint("step_id", "position"),
        CheckConstraint("position > 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    field: Mapped[str | None] = mapped_column(String(100))
    institution: Mapped[str | None] = mapped_column(String(200))
    #: False when the expert has a direct interest in the matter (713号令 art. 20).
    no_conflict: Mapped[bool] = mapped_column(default=True)

    step: Mapped[Step] = relationship(back_populates="experts")


class MemberOpinion(db.Model):
    """One member's stated position at the meeting, in speaking order."""

    __tablename__ = "member_opinions"
    __table_args__ = (
        UniqueConstraint("step_id", "speaking_order"),
        CheckConstraint("speaking_order > 0", name="speaking_order_positive"),
        enum_check("position", Position, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    speaking_order: Mapped[int]
    member: Mapped[str] = mapped_column(String(100))
    position: Mapped[str | None] = mapped_column(String(10))
    remarks: Mapped[str | None] = mapped_column(Text)
    is_principal: Mapped[bool] = mapped_column(default=False)
    recused: Mapped[bool] = mapped_column(default=False)

    step: Mapped[Step] = relationship(back_populates="opinions")
