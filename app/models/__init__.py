"""All models, imported here so that Alembic and the app see every table."""

from .attachment import Attachment
from .audit import GLOBAL_CHAIN, AuditCheckpoint, AuditEvent, AuditLogImmutable
from .calendar import CalendarDay
from .catalogue import Catalogue, CatalogueChangeEntry, CatalogueItem
from .decision import Decision, DecisionFinding, DecisionStatistic, DraftVersion
from .dossier import DossierProduction
from .organization import Organization
from .payment import FundThreshold, LedgerEntry, Payment
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
    "Catalogue",
    "CatalogueChangeEntry",
    "CatalogueItem",
    "Decision",
    "DecisionFinding",
    "DecisionStatistic",
    "DossierProduction",
    "DraftVersion",
    "Expert",
    "FundThreshold",
    "LedgerEntry",
    "LoginThrottle",
    "MemberOpinion",
    "Organization",
    "Payment",
    "ReminderDelivery",
    "Step",
    "User",
    "UserSession",
]
