"""All models, imported here so that Alembic and the app see every table."""

from .attachment import Attachment
from .audit import GLOBAL_CHAIN, AuditCheckpoint, AuditEvent, AuditLogImmutable
from .calendar import CalendarDay
from .decision import Decision, DecisionFinding, DraftVersion
from .organization import Organization
from .reminder import ReminderDelivery
from .session import LoginThrottle, UserSession
from .step import Expert, MemberOpinion, Step
from .token import ApiToken
from .user import User

__all__ = [
    "GLOBAL_CHAIN",
    "ApiToken",
    "Attachment",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditLogImmutable",
    "CalendarDay",
    "Decision",
    "DecisionFinding",
    "DraftVersion",
    "Expert",
    "LoginThrottle",
    "MemberOpinion",
    "Organization",
    "ReminderDelivery",
    "Step",
    "User",
    "UserSession",
]
