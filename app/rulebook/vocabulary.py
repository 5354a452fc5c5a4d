"""The domain's fixed words: categories, statuses, step kinds and their values.

These names are part of the JSON API contract (DESIGN §5) and are stored in the
database, so they live in this pure module that both the rulebook and the
models import.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """The four "三重一大" categories."""

    MAJOR_MATTER = "major_matter"
    CADRE_APPOINTMENT = "cadre_appointment"
    MAJOR_PROJECT = "major_project"
    LARGE_FUND = "large_fund"


class DecisionStatus(StrEnum):
    """Lifecycle of a decision; compliance is tracked separately."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DECIDED = "decided"
    PUBLISHED = "published"
    ARCHIVED = "archived"


#: Before the meeting: the decision, its draft and its preparatory steps may still change.
EDITABLE_STATUSES = (DecisionStatus.DRAFT, DecisionStatus.IN_PROGRESS)
#: The years a decision may belong to (a database CHECK holds the same range).
YEAR_MIN, YEAR_MAX = 2000, 2100


class StepKind(StrEnum):
    """The five statutory procedures, in the order the regulation sets them."""

    PUBLIC_PARTICIPATION = "public_participation"
    EXPERT_REVIEW = "expert_review"
    RISK_ASSESSMENT = "risk_assessment"
    LEGALITY_REVIEW = "legality_review"
    COLLECTIVE_DECISION = "collective_decision"


#: Steps that must be done before the draft may go to the meeting.
PRE_MEETING_STEPS: tuple[StepKind, ...] = (
    StepKind.PUBLIC_PARTICIPATION,
    StepKind.EXPERT_REVIEW,
    StepKind.RISK_ASSESSMENT,
    StepKind.LEGALITY_REVIEW,
)

#: Steps whose materials the legality review examines (713号令 art. 26).
PREPARATORY_STEPS: tuple[StepKind, ...] = PRE_MEETING_STEPS[:3]

#: Only these may be lawfully exempted (713号令 arts. 14, 19, 22).
EXEMPTIBLE_STEPS: frozenset[StepKind] = frozenset(PREPARATORY_STEPS)


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXEMPTED = "exempted"


#: Statuses a client may set on a step; ``not_started`` is only the initial one.
SETTABLE_STEP_STATUSES: tuple[StepStatus, ...] = (
    StepStatus.IN_PROGRESS,
    StepStatus.COMPLETED,
    StepStatus.EXEMPTED,
)


class Role(StrEnum):
    CLERK = "clerk"
    LEGAL_ADVISER = "legal_adviser"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Severity(StrEnum):
    BLOCKER = "blocker"
    VIOLATION = "violation"
    WARNING = "warning"


class ParticipationMethod(StrEnum):
    HEARING = "hearing"
    SYMPOSIUM = "symposium"
    ONLINE_COMMENT = "online_comment"
    WRITTEN = "written"
    SITE_VISIT = "site_visit"
    QUESTIONNAIRE = "questionnaire"
    POLL = "poll"
    OTHER = "other"


class ExpertReviewMethod(StrEnum):
    MEETING = "meeting"
    WRITTEN = "written"
    COMMISSIONED = "commissioned"


class RiskType(StrEnum):
    SOCIAL_STABILITY = "social_stability"
    PUBLIC_SAFETY = "public_safety"
    ENVIRONMENT = "environment"
    ECONOMIC = "economic"
    FISCAL = "fiscal"
    OTHER = "other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RiskConclusion(StrEnum):
    PROCEED = "proceed"
    PROCEED_WITH_MEASURES = "proceed_with_measures"
    ADJUST = "adjust"
    SUSPEND = "suspend"


class LegalOpinion(StrEnum):
    LAWFUL = "lawful"
    LAWFUL_WITH_CHANGES = "lawful_with_changes"
    UNLAWFUL = "unlawful"


class MeetingType(StrEnum):
    PARTY_COMMITTEE = "party_committee"
    GOVERNMENT_EXECUTIVE = "government_executive"
    GOVERNMENT_PLENARY = "government_plenary"
    MAYOR_OFFICE = "mayor_office"
    OTHER = "other"


class Position(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"
    DEFER = "defer"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class CalendarDayKind(StrEnum):
    """An override of the ordinary Monday–Friday week."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"


class CatalogueStatus(StrEnum):
    """事项目录: drafted, agreed by the party committee of the same level (同级党委同意), published."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


class CatalogueChange(StrEnum):
    """An adjustment of a published catalogue (动态调整)."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


#: The procedures a catalogue item marks as required or not (履行程序要求); legality review and the collective
#: decision are always required, so they are not flags.
ITEM_PROCEDURES: tuple[str, ...] = (
    "public_participation", "expert_review", "risk_assessment", "hearing", "fair_competition_review",
)


def values(enum: type[StrEnum]) -> list[str]:
    """The stored values of an enumeration, in declaration order."""
    return [member.value for member in enum]
