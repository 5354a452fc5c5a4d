"""The money trail: thresholds with history, the payment cross-check (PAY-01..04) and linking a payment.

The rulebook judges plain facts (``app.rulebook.rules.payments``); this module reads them from the database:
an organisation's payments, the decisions they are linked to (meeting date, outcome, amount) and the threshold
history. Findings are computed when asked, not stored: they change with every link and threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.clock import today
from app.extensions import db
from app.models import Decision, FundThreshold, Organization, Payment, Step, User
from app.rulebook.rules.payments import (
    PAYMENT_RULES,
    SPLIT_WINDOW_DAYS,
    LinkedDecision,
    PaymentFacts,
    PaymentFinding,
    PaymentSnapshot,
    Thresholds,
    check_payments,
)
from app.rulebook.vocabulary import Outcome, StepKind, StepStatus

from . import permissions
from .audit import record_event
from .errors import NotFound, PermissionDenied, ValidationFailed, check_year
from .field_types import Empty, FieldErrors, FieldSpec, parse_field
from .memo import StampedLru
from .stamps import scope_stamp

# -- thresholds --------------------------------------------------------------------------------------------------

def thresholds_of(organization_id: int) -> Thresholds:
    """The organisation's 大额资金 standard over time (the default before the first one set)."""
    rows = db.session.execute(
        select(FundThreshold.effective_from, FundThreshold.amount_cny)
        .where(FundThreshold.organization_id == organization_id)
    ).all()
    return Thresholds(tuple((day, amount) for day, amount in rows))


def threshold_history(organization_id: int) -> list[FundThreshold]:
    return list(db.session.execute(
        select(FundThreshold).where(FundThreshold.organization_id == organization_id)
        .order_by(FundThreshold.effective_from.desc())
    ).scalars())


_EFFECTIVE_FROM = FieldSpec("effective_from", "date", empty=Empty.REQUIRED)
_AMOUNT = FieldSpec("amount_cny", "amount", empty=Empty.REQUIRED)


def set_threshold(user: User, organization: Organization, effective_from: Any, amount_cny: Any) -> FundThreshold:
    """An admin sets the standard in force from a day on; the same day again replaces that entry (audited)."""
    permissions.ensure(permissions.can_administer_organization(user, organization),
                       _("Only an administrator of the organisation may set its large-fund threshold."))
    errors = FieldErrors()
    day = parse_field(_EFFECTIVE_FROM, effective_from, errors)
    amount = parse_field(_AMOUNT, amount_cny, errors)
    if amount is not None and amount <= 0:
        errors.add("amount_cny", _("must be more than zero"))
    if errors:
        raise ValidationFailed(errors)
    row = db.session.execute(
        select(FundThreshold).where(FundThreshold.organization_id == organization.id,
                                    FundThreshold.effective_from == day)
    ).scalar_one_or_none()
    before = None if row is None else {"effective_from": day, "amount_cny": row.amount_cny}
    if row is None:
        row = FundThreshold(organization_id=organization.id, effective_from=day)
        db.session.add(row)
    row.amount_cny = amount
    row.set_by_id = user.id
    db.session.flush()
    record_event(user, "organization.threshold", "organization", organization.id, before=before,
                 after={"effective_from": day, "amount_cny": amount})
    return row


# -- the cross-check ---------------------------------------------------------------------------------------------

def _linked_decisions(decision_ids: Iterable[int]) -> dict[int, LinkedDecision]:
    """What PAY-01/02/04 read of each linked decision: one query whatever the number."""
    ids = sorted({i for i in decision_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        select(Decision.id, Decision.ref_no, Decision.amount_cny, Step.status, Step.outcome, Step.meeting_date)
        .join(Step, and_(Step.decision_id == Decision.id, Step.kind == StepKind.COLLECTIVE_DECISION.value))
        .where(Decision.id.in_(ids))
    ).all()
    return {
        decision_id: LinkedDecision(
            key=decision_id, ref_no=ref_no, amount_cny=amount,
            approved=status == StepStatus.COMPLETED.value and outcome == Outcome.APPROVED.value,
            meeting_date=meeting_date,
        )
        for decision_id, ref_no, amount, status, outcome, meeting_date in rows
    }


def facts_of(payment: Payment) -> PaymentFacts:
    return PaymentFacts(key=payment.id, paid_on=payment.paid_on, voucher_no=payment.voucher_no,
                        payee=payment.payee, amount_cny=payment.amount_cny, decision=payment.decision_id)


def context_payments(organization_id: int, first: date, last: date, decision_ids: Iterable[int]) -> list[Payment]:
    """The stored payments a cross-check of ``first``..``last`` needs besides those dates' own.

    PAY-03 looks 30 days back; PAY-04 sums every payment of a linked decision, whenever it was paid.
    """
    ids = sorted({i for i in decision_ids if i is not None})
    window = Payment.paid_on.between(first - timedelta(days=SPLIT_WINDOW_DAYS), last)
    condition = or_(window, Payment.decision_id.in_(ids)) if ids else window
    return list(db.session.execute(
        select(Payment).where(Payment.organization_id == organization_id, condition)
    ).scalars())


def cross_check(organization_id: int, payments: Sequence[PaymentFacts]) -> list[PaymentFinding]:
    """PAY-01..04 over ``payments`` with the organisation's thresholds and the decisions they link to."""
    snapshot = PaymentSnapshot(
        payments=list(payments),
        decisions=_linked_decisions(p.decision for p in payments),
        thresholds=thresholds_of(organization_id),
    )
    return check_payments(snapshot)


@dataclass(frozen=True)
class ReportedFinding:
    finding: PaymentFinding
    payment: Payment
    decision: Decision | None


@dataclass(frozen=True)
class PaymentReport:
    year: int
    organizations: list[Organization]
    threshold_cny: Decimal
    thresholds: list[tuple[date, Decimal]]
    findings: list[ReportedFinding]
    payments: int

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(PAYMENT_RULES, 0)
        for item in self.findings:
            counts[item.finding.rule] += 1
        return counts


def report_organizations(user: User, org_code: str | None) -> list[Organization]:
    """The organisations a payment report covers: the one asked for (if the user sees it), else all visible."""
    if not permissions.can_view_payment_report(user):
        raise PermissionDenied(_("Your role does not see the payment cross-check."))
    visible = permissions.visible_organization_ids(user)
    stmt = select(Organization).where(Organization.id.in_(visible)).order_by(Organization.code)
    if org_code:
        stmt = stmt.where(Organization.code == org_code)
    found = list(db.session.execute(stmt).scalars())
    if org_code and not found:
        raise NotFound(_("There is no such organisation, or you cannot see it."))
    return found


def payment_report(user: User, year: int, org_code: str | None = None) -> PaymentReport:
    """The year's payment findings of the organisations the user sees (or the one asked for), by rule."""
    year = check_year(year)
    organizations = report_organizations(user, org_code)
    first, last = date(year, 1, 1), date(year, 12, 31)
    findings: list[ReportedFinding] = []
    count = 0
    for organization in organizations:
        own = list(db.session.execute(
            select(Payment).where(Payment.organization_id == organization.id, Payment.paid_on.between(first, last))
        ).scalars())
        count += len(own)
        if not own:
            continue
        payments = {p.id: p for p in context_payments(organization.id, first, last, (p.decision_id for p in own))}
        payments.update((p.id, p) for p in own)
        in_year = {p.id for p in own}
        found = [f for f in cross_check(organization.id, [facts_of(p) for p in payments.values()])
                 if f.payment in in_year]
        decisions = _decisions_by_id(f.decision for f in found)
        findings.extend(ReportedFinding(f, payments[f.payment], decisions.get(f.decision)) for f in found)
    order = {rule: i for i, rule in enumerate(PAYMENT_RULES)}
    findings.sort(key=lambda r: (order[r.finding.rule], r.payment.paid_on, r.payment.voucher_no, r.payment.id))
    day = min(last, max(first, today()))
    own_thresholds = thresholds_of(organizations[0].id) if len(organizations) == 1 else Thresholds()
    return PaymentReport(
        year=year, organizations=organizations, threshold_cny=own_thresholds.on(day),
        thresholds=list(own_thresholds.history), findings=findings, payments=count,
    )


def _decisions_by_id(ids: Iterable[Any]) -> dict[int, Decision]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {d.id: d for d in db.session.execute(select(Decision).where(Decision.id.in_(wanted))).scalars()}


def payment_to_dict(payment: Payment) -> dict[str, Any]:
    """A payment in the shape of DESIGN §5."""
    return {
        "id": payment.id,
        "paid_on": payment.paid_on.isoformat(),
        "voucher_no": payment.voucher_no,
        "payee": payment.payee,
        "amount_cny": f"{payment.amount_cny:.2f}",
        "summary": payment.summary,
        "decision_id": payment.decision_id,
    }


def report_to_dict(report: PaymentReport, locale: str = "zh_CN") -> dict[str, Any]:
    """``GET /reports/payments``: year, threshold, and findings with their payment, decision and citation."""
    findings = []
    for item in report.findings:
        entry: dict[str, Any] = {
            "rule": item.finding.rule,
            "severity": item.finding.severity.value,
            "payment": payment_to_dict(item.payment),
            "message": item.finding.message(locale),
            "citation": item.finding.citation,
        }
        if item.decision is not None:
            entry["decision"] = {"id": item.decision.id, "ref_no": item.decision.ref_no,
                                 "title": item.decision.title}
        findings.append(entry)
    return {
        "year": report.year,
        "threshold_cny": f"{report.threshold_cny:.2f}",
        "thresholds": [{"effective_from": day.isoformat(), "amount_cny": f"{amount:.2f}"}
                       for day, amount in report.thresholds],
        "payments": report.payments,
        "counts": report.counts(),
        "findings": findings,
    }


def payment_counts(user: User, year: int, organization_ids: Iterable[int], stamp: Any = None) -> dict[str, int] | None:
    """The dashboard's line of payment findings by rule, or None when the user does not see them.

    ``organization_ids`` is the dashboard's scope, already limited to what the user sees (``ReportQuery``), so the
    organisation tree is not read again. Bounded queries whatever the numbers: one when no payment of the year is
    imported (the usual case), else four (the year's payments, those around them, the thresholds, the linked
    decisions), for every organisation of the scope at once; kept under the scope's stamp (``stamp``, when the
    caller has read it already).
    """
    if not permissions.can_view_payment_report(user):
        return None
    scope = tuple(sorted(set(organization_ids)))
    # Payments, thresholds, links and the linked decisions are all written with an event in the scope's chains.
    key = (scope, year, scope_stamp(scope) if stamp is None else stamp)
    found = _payment_counts.get(key)
    if found is None:
        found = _payment_counts_of(scope, year)
        _payment_counts.put(key, found)
    return dict(found)


_payment_counts = StampedLru(256)


def _payment_counts_of(scope: Sequence[int], year: int) -> dict[str, int]:
    counts = dict.fromkeys(PAYMENT_RULES, 0)
    if not scope:
        return counts
    first, last = date(year, 1, 1), date(year, 12, 31)
    own = list(db.session.execute(
        select(Payment).where(Payment.organization_id.in_(scope), Payment.paid_on.between(first, last))
    ).scalars())
    if not own:
        return counts
    linked = sorted({p.decision_id for p in own if p.decision_id is not None})
    window = Payment.paid_on.between(first - timedelta(days=SPLIT_WINDOW_DAYS), last)
    around = list(db.session.execute(
        select(Payment).where(Payment.organization_id.in_(scope),
                              or_(window, Payment.decision_id.in_(linked)) if linked else window)
    ).scalars())
    history: dict[int, list[tuple[date, Decimal]]] = {}
    for org_id, day, amount in db.session.execute(
        select(FundThreshold.organization_id, FundThreshold.effective_from, FundThreshold.amount_cny)
        .where(FundThreshold.organization_id.in_(scope))
    ):
        history.setdefault(org_id, []).append((day, amount))
    decisions = _linked_decisions(p.decision_id for p in around)
    in_year = {p.id for p in own}
    by_org: dict[int, list[PaymentFacts]] = {}
    for payment in {p.id: p for p in around}.values():
        by_org.setdefault(payment.organization_id, []).append(facts_of(payment))
    for org_id, payments in by_org.items():
        snapshot = PaymentSnapshot(payments, decisions, Thresholds(tuple(history.get(org_id, ()))))
        for finding in check_payments(snapshot):
            if finding.payment in in_year:
                counts[finding.rule] += 1
    return counts


# -- linking a payment to its decision ---------------------------------------------------------------------------

def load_payment(user: User, payment_id: int) -> Payment:
    """The payment if the user sees its organisation; otherwise 404."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.organization_id not in permissions.visible_organization_ids(user):
        raise NotFound(_("There is no such payment, or it belongs to an organisation you cannot see."))
    return payment


def find_decision_by_ref(organization_id: int, ref_no: str) -> Decision | None:
    return db.session.execute(
        select(Decision).where(Decision.organization_id == organization_id, Decision.ref_no == ref_no)
    ).scalar_one_or_none()


def link_payment(user: User, payment: Payment, ref_no: str | None) -> Payment:
    """Link a payment to the decision (by 编号) of its organisation that authorised it, or unlink it; audited."""
    permissions.ensure(permissions.can_link_payment(user, payment.organization_id),
                       _("Only a clerk of the organisation or an auditor may link a payment to a decision."))
    ref_no = (ref_no or "").strip()
    decision = None
    if ref_no:
        decision = find_decision_by_ref(payment.organization_id, ref_no)
        if decision is None:
            raise ValidationFailed({"decision_ref": _("no decision of the organisation has this number")})
    new_id = None if decision is None else decision.id
    if new_id == payment.decision_id:
        return payment
    before = {"decision_id": payment.decision_id}
    payment.decision_id = new_id
    db.session.flush()
    record_event(user, "payment.link", "payment", payment.id, decision_id=new_id, before=before,
                 after={"decision_id": new_id, "ref_no": ref_no or None, "voucher_no": payment.voucher_no},
                 chain=payment.organization_id)
    return payment
