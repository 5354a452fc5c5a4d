"""Human labels of the stored vocabulary, translated with Flask-Babel.

The database and the API speak in code names (``major_project``,
``in_progress``); pages show these labels instead. Every dict maps a stored
value to a lazy string, so the label follows the user's language. Msgids are
English; the Chinese words are in ``translations/zh_Hans_CN`` (Babel spells the
configured ``zh_CN`` as ``zh_Hans_CN`` when it looks for a catalog).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from app.rulebook.vocabulary import (
    Category,
    DecisionStatus,
    ExpertReviewMethod,
    LegalOpinion,
    MeetingType,
    Outcome,
    ParticipationMethod,
    Position,
    RiskConclusion,
    RiskLevel,
    RiskType,
    Role,
    Severity,
    StepKind,
    StepStatus,
)

CATEGORIES = {
    Category.MAJOR_MATTER: _l("Major matter"),
    Category.CADRE_APPOINTMENT: _l("Key cadre appointment"),
    Category.MAJOR_PROJECT: _l("Major project"),
    Category.LARGE_FUND: _l("Large fund use"),
}

DECISION_STATUSES = {
    DecisionStatus.DRAFT: _l("Draft"),
    DecisionStatus.IN_PROGRESS: _l("In preparation"),
    DecisionStatus.SUBMITTED: _l("Submitted for collective discussion"),
    DecisionStatus.DECIDED: _l("Decided"),
    DecisionStatus.PUBLISHED: _l("Published"),
    DecisionStatus.ARCHIVED: _l("Archived"),
}

STEP_KINDS = {
    StepKind.PUBLIC_PARTICIPATION: _l("Public participation"),
    StepKind.EXPERT_REVIEW: _l("Expert review"),
    StepKind.RISK_ASSESSMENT: _l("Risk assessment"),
    StepKind.LEGALITY_REVIEW: _l("Legality review"),
    StepKind.COLLECTIVE_DECISION: _l("Collective decision"),
}

STEP_STATUSES = {
    StepStatus.NOT_STARTED: _l("Not started"),
    StepStatus.IN_PROGRESS: _l("In progress"),
    StepStatus.COMPLETED: _l("Completed"),
    StepStatus.EXEMPTED: _l("Lawfully exempted"),
}

#: The list's procedure-status filter: the dashboard's columns of each procedure.
STEP_FILTER_STATUSES = {
    "completed": _l("Completed"),
    "exempted": _l("Lawfully exempted"),
    "missing": _l("Missing"),
}

SEVERITIES = {
    Severity.BLOCKER: _l("Blocker"),
    Severity.VIOLATION: _l("Violation"),
    Severity.WARNING: _l("Warning"),
}

#: Plural headings of the findings groups on the decision page.
SEVERITY_HEADINGS = {
    Severity.BLOCKER: _l("Blockers"),
    Severity.VIOLATION: _l("Violations"),
    Severity.WARNING: _l("Warnings"),
}

ROLES = {
    Role.CLERK: _l("Clerk"),
    Role.LEGAL_ADVISER: _l("Legal adviser"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}

PARTICIPATION_METHODS = {
    ParticipationMethod.HEARING: _l("Public hearing"),
    ParticipationMethod.SYMPOSIUM: _l("Symposium"),
    ParticipationMethod.ONLINE_COMMENT: _l("Open online comment"),
    ParticipationMethod.WRITTEN: _l("Written comments"),
    ParticipationMethod.SITE_VISIT: _l("Site visit"),
    ParticipationMethod.QUESTIONNAIRE: _l("Questionnaire"),
    ParticipationMethod.POLL: _l("Opinion poll"),
    ParticipationMethod.OTHER: _l("Other"),
}

EXPERT_REVIEW_METHODS = {
    ExpertReviewMethod.MEETING: _l("Review meeting"),
    ExpertReviewMethod.WRITTEN: _l("Written consultation"),
    ExpertReviewMethod.COMMISSIONED: _l("Commissioned to a professional body"),
}

RISK_TYPES = {
    RiskType.SOCIAL_STABILITY: _l("Social stability"),
    RiskType.PUBLIC_SAFETY: _l("Public safety"),
    RiskType.ENVIRONMENT: _l("Environment"),
    RiskType.ECONOMIC: _l("Economic"),
    RiskType.FISCAL: _l("Fiscal"),
    RiskType.OTHER: _l("Other"),
}

RISK_LEVELS = {
    RiskLevel.LOW: _l("Low"),
    RiskLevel.MEDIUM: _l("Medium"),
    RiskLevel.HIGH: _l("High"),
}

RISK_CONCLUSIONS = {
    RiskConclusion.PROCEED: _l("Proceed"),
    RiskConclusion.PROCEED_WITH_MEASURES: _l("Proceed with measures"),
    RiskConclusion.ADJUST: _l("Adjust the draft"),
    RiskConclusion.SUSPEND: _l("Suspend or do not decide"),
}

LEGAL_OPINIONS = {
    LegalOpinion.LAWFUL: _l("Lawful"),
    LegalOpinion.LAWFUL_WITH_CHANGES: _l("Lawful with changes"),
    LegalOpinion.UNLAWFUL: _l("Unlawful"),
}

MEETING_TYPES = {
    MeetingType.PARTY_COMMITTEE: _l("Party committee meeting"),
    MeetingType.GOVERNMENT_EXECUTIVE: _l("Government executive meeting"),
    MeetingType.GOVERNMENT_PLENARY: _l("Government plenary meeting"),
    MeetingType.MAYOR_OFFICE: _l("Head of government office meeting"),
    MeetingType.OTHER: _l("Other"),
}

POSITIONS = {
    Position.AGREE: _l("Agree"),
    Position.DISAGREE: _l("Disagree"),
    Position.ABSTAIN: _l("Abstain"),
    Position.DEFER: _l("Defer"),
}

OUTCOMES = {
    Outcome.APPROVED: _l("Approved"),
    Outcome.REJECTED: _l("Rejected"),
    Outcome.DEFERRED: _l("Deferred"),
}

#: The label dict of each enumeration, for fields whose values are enum members.
ENUM_LABELS: dict[type[StrEnum], Mapping[str, object]] = {
    Category: CATEGORIES,
    DecisionStatus: DECISION_STATUSES,
    StepKind: STEP_KINDS,
    StepStatus: STEP_STATUSES,
    Severity: SEVERITIES,
    Role: ROLES,
    ParticipationMethod: PARTICIPATION_METHODS,
    ExpertReviewMethod: EXPERT_REVIEW_METHODS,
    RiskType: RISK_TYPES,
    RiskLevel: RISK_LEVELS,
    RiskConclusion: RISK_CONCLUSIONS,
    LegalOpinion: LEGAL_OPINIONS,
    MeetingType: MEETING_TYPES,
    Position: POSITIONS,
    Outcome: OUTCOMES,
}

#: Names of the recorded facts: the decision's fields, the steps' fields (DESIGN §5) and their lists.
FIELDS = {
    # decision
    "ref_no": _l("Reference number"),
    "title": _l("Title"),
    "category": _l("Category"),
    "department": _l("Department"),
    "year": _l("Year"),
    "amount_cny": _l("Amount (CNY)"),
    "summary": _l("Summary"),
    "backfilled": _l("Entered after the fact (补录)"),
    "backfill_reason": _l("Reason for entering it after the fact"),
    "status": _l("Status"),
    "published_on": _l("Published on"),
    "draft_number": _l("Draft"),
    "draft_text": _l("Draft text"),
    "draft_sha256": _l("Draft SHA-256"),
    "version": _l("Version"),
    "kind": _l("Procedure"),
    # any step
    "responsible": _l("Responsible person"),
    "completed_on": _l("Completed on"),
    "exemption_reason": _l("Reason for exemption"),
    "exemption_basis": _l("Legal basis of exemption"),
    "catalogue_deviation_reason": _l("Why the catalogue was wrong"),
    # public participation
    "method": _l("Method"),
    "comment_start": _l("Comment period starts"),
    "comment_end": _l("Comment period ends"),
    "short_period_reason": _l("Reason for a shorter comment period"),
    "hearing_date": _l("Hearing date"),
    "materials_sent_on": _l("Materials sent on"),
    "comments_received": _l("Comments received"),
    "comments_adopted": _l("Comments adopted"),
    "feedback_summary": _l("Feedback on adoption of comments"),
    "feedback_published_on": _l("Feedback published on"),
    # expert review
    "experts": _l("Experts"),
    "review_date": _l("Review date"),
    "opinion_text": _l("Opinion text"),
    "opinion_signed": _l("Written opinion signed and sealed"),
    "dissent": _l("Dissenting opinions"),
    # risk assessment
    "risk_types": _l("Risk types"),
    "risk_level": _l("Risk level"),
    "risk_points": _l("Risk points"),
    "mitigation": _l("Mitigation measures"),
    "contingency_plan": _l("Contingency plan"),
    "conclusion": _l("Conclusion"),
    "assessed_on": _l("Assessed on"),
    # legality review
    "submitted_on": _l("Submitted for review on"),
    "reviewer": _l("Reviewer"),
    "opinion": _l("Legality opinion"),
    "reviewed_on": _l("Reviewed on"),
    "legal_risk_statement": _l("Legal risk statement"),
    # collective decision
    "meeting_type": _l("Meeting type"),
    "meeting_date": _l("Meeting date"),
    "members_total": _l("Members expected"),
    "members_present": _l("Members present"),
    "opinions": _l("Members' positions"),
    "outcome": _l("Outcome"),
    "principal_reason": _l("Principal's reason"),
    "minutes_ref": _l("Minutes reference"),
    # list entries
    "name": _l("Name"),
    "field": _l("Field"),
    "institution": _l("Institution"),
    "no_conflict": _l("No conflict of interest"),
    "member": _l("Member"),
    "position": _l("Position"),
    "remarks": _l("Remarks"),
    "is_principal": _l("Principal"),
    "recused": _l("Recused"),
    # evidence files
    "step": _l("Procedure"),
    "filename": _l("File name"),
    "content_type": _l("File type"),
    "sha256": _l("SHA-256"),
    "size": _l("Size (bytes)"),
    "declared_content_type": _l("File type stated by the browser"),
    # list filters
    "complete": _l("Completeness"),
    "rule": _l("Rule broken"),
    "step_status": _l("Procedure status"),
    "org": _l("Organisation"),
    "own": _l("Without its sub-organisations"),
    "q": _l("Title or reference number"),
    "page": _l("Page"),
    "per_page": _l("Decisions per page"),
    # accounts
    "username": _l("Username"),
    "role": _l("Role"),
    "organization": _l("Organisation"),
    "display_name": _l("Display name"),
    "is_active": _l("Active"),
    "must_change_password": _l("Must change the password"),
    "was_set_by_admin": _l("Set by an administrator"),
    "locked_until": _l("Locked until"),
    "sessions_ended": _l("Sessions ended"),
    "address": _l("Network address"),
    "channel": _l("Signed in through"),
    "reason": _l("Reason"),
    "failures": _l("Failed attempts"),
    # organisations, calendar, checkpoints
    "code": _l("Code"),
    "parent": _l("Parent organisation"),
    "years": _l("Years"),
    "days": _l("Days"),
    "key_id": _l("Key"),
    "chains": _l("Chains"),
    "events": _l("Events"),
}

#: The order of the fields on the forms, for the history's list of what changed (unknown keys last).
FIELD_ORDER = {name: index for index, name in enumerate(FIELDS)}

#: Names of the audit trail's actions; ``step.<kind>.record`` is filled in below.
ACTIONS = {
    "decision.create": _l("Decision created"),
    "decision.update": _l("Decision changed"),
    "decision.submit": _l("Submitted for collective discussion"),
    "decision.publish": _l("Decision published"),
    "decision.archive": _l("Decision archived"),
    "dossier.produce": _l("Dossier (决策档案) produced"),
    "step.public_participation.record": _l("Public participation recorded"),
    "step.expert_review.record": _l("Expert review recorded"),
    "step.risk_assessment.record": _l("Risk assessment recorded"),
    "step.legality_review.record": _l("Legality review recorded"),
    "step.legality_review.submit_materials": _l("Materials submitted for legality review"),
    "step.legality_review.sign": _l("Legality opinion signed"),
    "step.collective_decision.record": _l("Collective decision recorded"),
    "attachment.upload": _l("Evidence file uploaded"),
    "decision.import": _l("Decision imported"),
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "user.deactivate": _l("User deactivated"),
    "user.reactivate": _l("User reactivated"),
    "user.reset_password": _l("Password reset"),
    "token.issue": _l("API token issued"),
    "token.revoke": _l("API token revoked"),
    "auth.login": _l("Logged in"),
    "auth.login_failed": _l("Failed login"),
    "auth.lockout": _l("Login locked after failures"),
    "auth.logout": _l("Logged out"),
    "auth.password_change": _l("Own password changed"),
    "organization.create": _l("Organisation created"),
    "calendar.load": _l("Holiday calendar loaded"),
    "audit.checkpoint": _l("Audit checkpoint signed"),
    "audit.migrate": _l("Audit trail split into one chain per organisation"),
}

#: Fields whose values come from one enumeration, whatever record they are in.
_FIELD_ENUMS: dict[str, type[StrEnum]] = {
    "category": Category,
    "kind": StepKind,
    "step": StepKind,
    "risk_types": RiskType,
    "risk_level": RiskLevel,
    "conclusion": RiskConclusion,
    "opinion": LegalOpinion,
    "meeting_type": MeetingType,
    "outcome": Outcome,
    "position": Position,
    "role": Role,
}


def label(mapping: Mapping[str, object], value: object) -> object:
    """The label of ``value`` in ``mapping``; an unknown value is shown as stored."""
    if value is None:
        return ""
    return mapping.get(value, value)


def field_label(name: str) -> object:
    return FIELDS.get(name, name)


def action_label(action: str) -> object:
    return ACTIONS.get(action, action)


def field_enum(name: str, *, entity: str | None = None, kind: str | None = None) -> type[StrEnum] | None:
    """The enumeration of a field's values, when the field has one.

    ``status`` means a decision's or a step's status depending on the record;
    ``method`` depends on the kind of step.
    """
    if name == "status":
        return StepStatus if entity == "step" else DecisionStatus
    if name == "method":
        if kind == StepKind.EXPERT_REVIEW:
            return ExpertReviewMethod
        if kind == StepKind.PUBLIC_PARTICIPATION:
            return ParticipationMethod
        return None
    return _FIELD_ENUMS.get(name)
