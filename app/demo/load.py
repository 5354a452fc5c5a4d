"""Load the demonstration data (``flask demo load``): 白甸镇 (under 海安市), its 2024 ledger, its 2025 cases.

Everything goes through the workflow services as a clerk and the legal adviser
would, so every fact is audit-logged and every stored compliance summary is
what the rulebook says.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Catalogue, CatalogueItem, Decision, Organization, User
from app.rulebook.vocabulary import DecisionStatus, Role, StepKind
from app.services import catalogues
from app.services.compliance import load_calendar, refresh_summary
from app.services.decisions import archive_decision, create_decision, publish_decision, submit_decision
from app.services.evidence import store_attachment
from app.services.steps import record_step, sign_legality_review
from app.services.users import create_user, ensure_organization

from .cases import CASES_2025, Case, Plan, at_local, draft_text, ledger_cases, make_plan, summary_text
from .catalogues import catalogue_2024, catalogue_2025
from .dates import next_workday
from .pdf import make_pdf

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the documented demo password (README, Makefile)

#: username, role, organisation, display name.
USERS = (
    ("clerk", Role.CLERK, "BD", "张晓梅"),
    ("legal", Role.LEGAL_ADVISER, "BD", "王律师"),
    ("auditor", Role.AUDITOR, "HA", "陈建国"),
    ("admin", Role.ADMIN, "HA", "系统管理员"),
)

EVIDENCE: dict[StepKind, tuple[str, str]] = {
    StepKind.PUBLIC_PARTICIPATION: ("征求意见公告及意见采纳情况.pdf", "public participation record"),
    StepKind.EXPERT_REVIEW: ("专家论证意见书.pdf", "signed expert opinion"),
    StepKind.RISK_ASSESSMENT: ("社会稳定风险评估报告.pdf", "risk assessment report"),
    StepKind.LEGALITY_REVIEW: ("合法性审查意见书.pdf", "legality review opinion"),
    StepKind.COLLECTIVE_DECISION: ("会议纪要.pdf", "meeting minutes"),
}

#: The workflow in order; a case runs its stages up to and including ``until``.
STAGES = (
    "public_participation", "expert_review", "risk_assessment", "submit_for_review", "sign", "submit", "meeting",
    "publish", "archive",
)  # fmt: skip


def _evidence(user: User, decision: Decision, kind: StepKind, on: str | date) -> None:
    """Upload the step's evidence file through the evidence service (stored at its content-hash path)."""
    filename, what = EVIDENCE[kind]
    content = make_pdf([f"Baidian Town People's Government - {what}", f"Decision {decision.ref_no}",
                        f"Step: {kind.value}", f"Dated {on}"])
    store_attachment(user, decision, kind, filename, content, "application/pdf")


# -- running a case through the services -------------------------------------------------------------


def _stamp(decision: Decision, plan: Plan, start: date) -> None:
    """Give the system's records the time they would have had if kept as it happened (REC-01 holds).

    The demo stands for a town that has kept its ledger in the system since 2024:
    the draft was written before the procedures began, the decision was
    submitted on the day after the review and decided on the day of the meeting.
    """
    for draft in decision.drafts:
        draft.created_at = at_local(start - timedelta(days=7))
    meeting = date.fromisoformat(plan.meeting["meeting_date"])
    if decision.submitted_at is not None:
        reviewed = date.fromisoformat(plan.signature["reviewed_on"])
        decision.submitted_at = at_local(min(reviewed + timedelta(days=1), meeting), hour=8)
    if decision.decided_at is not None:
        decision.decided_at = at_local(meeting, hour=17)
    refresh_summary(decision)


def _preparatory(case: Case, plan: Plan, clerk: User, decision: Decision, kind: StepKind) -> None:
    if kind in case.exempt:
        reason, basis = case.exempt[kind]
        # No reason or basis of its own: the exemption cites the catalogue item that leaves the step out.
        exemption = {"exemption_reason": reason, "exemption_basis": basis} if reason else {}
        record_step(clerk, decision, kind, {"status": "exempted", **exemption})
        return
    data = getattr(plan, kind.value)
    record_step(clerk, decision, kind, data)
    if case.evidence:
        _evidence(clerk, decision, kind, data["completed_on"])


def run_case(case: Case, plan: Plan, year: int, users: dict[str, User], start: date,
             listed: tuple[Catalogue, CatalogueItem] | None = None) -> Decision:
    """Create the decision, link it to its catalogue item, take it through its stages as the clerk and the
    legal adviser would."""
    clerk, legal = users["clerk"], users["legal"]
    decision = create_decision(clerk, {
        "title": case.title, "category": case.category.value, "department": case.department, "year": year,
        "summary": summary_text(case.title, case.category, case.department, case.amount_wan),
        "draft_text": draft_text(case.title, case.category, case.department, case.amount_wan),
        "amount_cny": None if case.amount_wan is None else Decimal(case.amount_wan) * 10_000,
        "backfilled": case.backfill_reason is not None,
        "backfill_reason": case.backfill_reason,
    })
    if listed is not None:
        catalogues.link_decision(clerk, listed[0], listed[1], decision.id)
    stages = STAGES[: STAGES.index(case.until) + 1] if case.until else ()
    for stage in stages:
        if stage in ("public_participation", "expert_review", "risk_assessment"):
            _preparatory(case, plan, clerk, decision, StepKind(stage))
        elif stage == "submit_for_review":
            record_step(clerk, decision, StepKind.LEGALITY_REVIEW,
                        {"status": "in_progress", "submitted_on": plan.submitted_on.isoformat()})
        elif stage == "sign":
            sign_legality_review(legal, decision, plan.signature)
            if case.evidence:
                _evidence(legal, decision, StepKind.LEGALITY_REVIEW, plan.signature["reviewed_on"])
        elif stage == "submit":
            submit_decision(clerk, decision)
        elif stage == "meeting":
            record_step(clerk, decision, StepKind.COLLECTIVE_DECISION, plan.meeting)
            if case.evidence:
                _evidence(clerk, decision, StepKind.COLLECTIVE_DECISION, plan.meeting["meeting_date"])
        elif stage == "publish":
            publish_decision(clerk, decision, plan.published_on)
        elif stage == "archive":
            archive_decision(clerk, decision)
    if case.backfill_reason is None:
        _stamp(decision, plan, start)
    if case.after is not None:
        case.after(users, decision)
    return decision


def _ensure_users() -> tuple[dict[str, User], list[str]]:
    users: dict[str, User] = {}
    created: list[str] = []
    for username, role, org_code, display_name in USERS:
        user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            user = create_user(username, role.value, org_code, DEMO_PASSWORD, display_name)
            created.append(username)
        elif user.role != role or user.organization.code != org_code:
            raise RuntimeError(f"user {username!r} exists but is not a {role.value} of {org_code}; "
                               "the demo cannot use it")
        users[username] = user
    return users, created


def load_demo() -> str:
    """Load 白甸镇's demo ledger through the services; a second run changes nothing and says so."""
    bd = db.session.execute(select(Organization).where(Organization.code == "BD")).scalar_one_or_none()
    if bd is not None:
        existing = db.session.execute(
            select(func.count()).select_from(Decision).where(Decision.organization_id == bd.id)
        ).scalar_one()
        if existing:
            return f"demo data already loaded (白甸镇 has {existing} decisions); nothing changed"
    ha = ensure_organization("HA", "海安市")
    ensure_organization("BD", "白甸镇", ha)
    users, created = _ensure_users()
    calendar = load_calendar()

    decisions: list[Decision] = []
    ledger = ledger_cases()
    listing_2024, items_2024 = catalogue_2024(users["clerk"], ledger)
    for index, case in enumerate(ledger):
        start = next_workday(date(2024, 1, 3) + timedelta(days=5 * index), calendar)
        decisions.append(run_case(case, make_plan(case.category, start, index, calendar), 2024, users, start,
                                  (listing_2024, items_2024[index])))
    listing_2025, items_2025 = catalogue_2025(users["clerk"], CASES_2025)
    for index, case in enumerate(CASES_2025):
        start = next_workday(date(2025, 2, 10) + timedelta(days=11 * index), calendar)
        plan = make_plan(case.category, start, index, calendar)
        if case.tweak is not None:
            case.tweak(plan, calendar)
        item = items_2025.get(case.title)
        decisions.append(run_case(case, plan, 2025, users, start, (listing_2025, item) if item else None))

    by_year: dict[int, Counter] = {2024: Counter(), 2025: Counter()}
    for decision in decisions:
        by_year[decision.year]["total"] += 1
        by_year[decision.year]["complete"] += decision.is_complete
        by_year[decision.year][decision.status] += 1
    attachments = db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()

    def describe(year: int) -> str:
        counts = by_year[year]
        statuses = ", ".join(f"{counts[s.value]} {s.value}" for s in DecisionStatus if counts[s.value])
        return f"{counts['total']} decisions of {year} ({counts['complete']} complete; {statuses})"

    users_text = ", ".join(created) if created else "none (all existed)"
    return (
        f"demo loaded for 白甸镇 (BD, under 海安市 HA): {describe(2024)}; {describe(2025)}; "
        f"{attachments} evidence files; users created: {users_text} (password {DEMO_PASSWORD})"
    )
