"""Who may do what (DESIGN §4): the one source of truth for services and pages.

Each ``can_*`` answers for a user and, where it matters, a decision's state;
templates call the same functions to decide which buttons to show.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.models import Decision, Organization, User
from app.rulebook.vocabulary import EDITABLE_STATUSES, DecisionStatus, Outcome, Role, StepKind

from .errors import NotFound, PermissionDenied
from .organizations import load_tree


def subtree_ids(organization_id: int) -> list[int]:
    """The organisation and all its descendants."""
    return load_tree().subtree(organization_id)


def is_clerk_of(user: User, organization_id: int) -> bool:
    """An active clerk of that very organisation: who records its decisions (DESIGN §4)."""
    return user.is_active and user.role == Role.CLERK and user.organization_id == organization_id


def visible_organization_ids(user: User) -> list[int]:
    """The user's own organisation; an auditor also sees its descendants."""
    if user.role != Role.AUDITOR:
        return [user.organization_id]
    return subtree_ids(user.organization_id)


def can_read(user: User, decision: Decision) -> bool:
    return can_read_in(user, decision.organization_id)


def can_read_in(user: User, organization_id: int) -> bool:
    """Whether the user may read a decision of that organisation (a cached answer is checked without the row)."""
    if not user.is_active:
        return False
    if user.role == Role.AUDITOR:
        return organization_id in visible_organization_ids(user)
    return organization_id == user.organization_id


def can_create(user: User) -> bool:
    return user.is_active and user.role == Role.CLERK


def can_edit(user: User, decision: Decision) -> bool:
    """Edit the decision and its draft: a clerk, before it goes to the meeting."""
    return is_clerk_of(user, decision.organization_id) and decision.status in EDITABLE_STATUSES


def can_record_step(user: User, decision: Decision, kind: StepKind) -> bool:
    """Clerks record every step; for the legality review only its submission date."""
    if not is_clerk_of(user, decision.organization_id):
        return False
    if kind == StepKind.COLLECTIVE_DECISION:
        return decision.status in (DecisionStatus.SUBMITTED, DecisionStatus.DECIDED)
    return decision.status in EDITABLE_STATUSES


def can_sign_legality_review(user: User, decision: Decision) -> bool:
    return (
        user.is_active
        and user.role == Role.LEGAL_ADVISER
        and decision.organization_id == user.organization_id
        and decision.status in EDITABLE_STATUSES
    )


def can_review_legality(user: User) -> bool:
    """Works the legality review queue (the signature itself: ``can_sign_legality_review``)."""
    return user.is_active and user.role == Role.LEGAL_ADVISER


def is_publishable(decision: Decision) -> bool:
    """Only a decided and approved decision is published (713号令 art. 32)."""
    return decision.status == DecisionStatus.DECIDED and decision.step(StepKind.COLLECTIVE_DECISION).outcome == (
        Outcome.APPROVED
    )


def is_archivable(decision: Decision) -> bool:
    """A published decision, or a decided and rejected one, closes its file."""
    outcome = decision.step(StepKind.COLLECTIVE_DECISION).outcome
    return decision.status == DecisionStatus.PUBLISHED or (
        decision.status == DecisionStatus.DECIDED and outcome == Outcome.REJECTED
    )


def can_submit(user: User, decision: Decision) -> bool:
    return can_edit(user, decision)


def can_publish(user: User, decision: Decision) -> bool:
    return is_clerk_of(user, decision.organization_id) and decision.status == DecisionStatus.DECIDED


def can_archive(user: User, decision: Decision) -> bool:
    return is_clerk_of(user, decision.organization_id) and decision.status in (
        DecisionStatus.DECIDED,
        DecisionStatus.PUBLISHED,
    )


def may_attach(user: User, decision: Decision, kind: StepKind) -> bool:
    """Clerks attach evidence to every step, the legal adviser to the legality review only (role and organisation)."""
    if is_clerk_of(user, decision.organization_id):
        return True
    return (user.is_active and user.role == Role.LEGAL_ADVISER and decision.organization_id == user.organization_id
            and kind == StepKind.LEGALITY_REVIEW)


def is_frozen(decision: Decision) -> bool:
    """An archived decision's file is closed: nothing more is added to it."""
    return decision.status == DecisionStatus.ARCHIVED


def can_upload(user: User, decision: Decision, kind: StepKind) -> bool:
    """Whoever may attach to the step, while the file is not closed."""
    return may_attach(user, decision, kind) and not is_frozen(decision)


def can_view_reports(user: User) -> bool:
    return user.is_active and user.role in (Role.CLERK, Role.AUDITOR, Role.ADMIN)


def can_verify_audit(user: User) -> bool:
    return user.is_active and user.role in (Role.AUDITOR, Role.ADMIN)


def can_read_audit_log(user: User) -> bool:
    """The list of audit events across decisions (its scope: ``app.services.audit_log``)."""
    return user.is_active and user.role in (Role.AUDITOR, Role.ADMIN)


def sees_global_records(user: User, visible: list[int] | None = None) -> bool:
    """Whether the user's view reaches a top-level organisation: records of no organisation belong up there.

    ``visible`` is ``visible_organization_ids(user)`` when the caller has it already.
    """
    if not user.is_active:
        return False
    nodes = load_tree().nodes
    orgs = visible if visible is not None else visible_organization_ids(user)
    return any(org_id in nodes and nodes[org_id].parent_id is None for org_id in orgs)


def can_administer(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def administered_organization_ids(user: User) -> list[int]:
    """What an administrator manages: the own organisation and its descendants (nothing for others)."""
    return subtree_ids(user.organization_id) if can_administer(user) else []


def can_administer_organization(user: User, organization: Organization | None) -> bool:
    return organization is not None and organization.id in administered_organization_ids(user)


def can_administer_user(actor: User, user: User) -> bool:
    return user.organization_id in administered_organization_ids(actor)


def administered_user(actor: User, user: User | None) -> User:
    """The account if ``actor`` administers its organisation; otherwise a 404, never a 403."""
    if user is None or not can_administer_user(actor, user):
        raise NotFound("user not found")
    return user


def ensure(allowed: bool, message: str) -> None:
    """Raise ``PermissionDenied`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def readable_decision(user: User, decision: Decision | None) -> Decision:
    """The decision if the user may read it; otherwise a 404, never a 403."""
    if decision is None or not can_read(user, decision):
        raise NotFound(_("There is no such decision, or it belongs to an organisation you cannot see."))
    return decision


# -- the money trail (finance ledger, payment cross-check, 台账 import) --------------------------------------------

def can_import_payments(user: User, organization_id: int) -> bool:
    """A clerk for the own organisation; an auditor for any organisation it sees (DESIGN §4)."""
    if is_clerk_of(user, organization_id):
        return True
    return user.is_active and user.role == Role.AUDITOR and organization_id in visible_organization_ids(user)


def can_view_payment_report(user: User) -> bool:
    """The cross-check findings: auditors and admins, and a clerk for the own organisation (to link payments)."""
    return user.is_active and user.role in (Role.CLERK, Role.AUDITOR, Role.ADMIN)


def can_link_payment(user: User, organization_id: int) -> bool:
    """Linking a payment to the decision that authorised it: the organisation's clerk, or an auditor who sees it."""
    return can_import_payments(user, organization_id)


def can_import_ledger(user: User) -> bool:
    """An existing 台账 becomes backfilled decisions of the clerk's own organisation."""
    return can_create(user)
