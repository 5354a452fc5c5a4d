"""The finance-ledger cross-check (PAY-01..04): payments against the decisions that should authorise them.

Auditors cross-check the finance ledger against the meeting records (翠屏区审计局's method): money paid without a
meeting (应上会未上会), before it (先支付后决策), split to stay under the 大额 standard ("12万元拆成两个6万元"),
or beyond what was decided (超额未重新决策). These findings belong to a payment, not to a decision, so they
are computed here from plain facts: the payments, the threshold in force on each date, and the linked decisions'
meeting dates, outcomes and amounts. Nothing here touches Flask or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ..labels import zh_date
from ..vocabulary import Severity

#: The 大额资金 standard when an organisation has set none (DESIGN §5: default 100,000 yuan).
DEFAULT_THRESHOLD_CNY = Decimal("100000")
#: PAY-03's window: payments to one payee whose dates are at most this many days apart (first to last).
SPLIT_WINDOW_DAYS = 30
_SOURCE = "“三重一大”决策制度（大额度资金标准）；审计实务"


@dataclass(frozen=True)
class PaymentFacts:
    """One finance-ledger line as the rules read it; ``key`` is whatever the caller identifies it by."""

    key: Any
    paid_on: date
    voucher_no: str
    payee: str
    amount_cny: Decimal
    decision: Any = None


@dataclass(frozen=True)
class LinkedDecision:
    """What the rules need of a decision a payment is linked to."""

    key: Any
    ref_no: str
    #: The collective decision approved it (集体讨论决定 outcome ``approved``).
    approved: bool
    meeting_date: date | None = None
    amount_cny: Decimal | None = None


@dataclass(frozen=True)
class Thresholds:
    """An organisation's 大额资金 standard over time: ``(effective_from, amount)`` pairs.

    The standard in force on a day is the latest one effective on or before it; before the first (or with none)
    the default applies.
    """

    history: tuple[tuple[date, Decimal], ...] = ()
    default: Decimal = DEFAULT_THRESHOLD_CNY

    def __post_init__(self) -> None:
        object.__setattr__(self, "history", tuple(sorted(self.history)))

    def on(self, day: date) -> Decimal:
        amount = self.default
        for since, value in self.history:
            if since > day:
                break
            amount = value
        return amount


@dataclass(frozen=True)
class PaymentSnapshot:
    """One organisation's payments, the decisions they are linked to, and its thresholds."""

    payments: Sequence[PaymentFacts]
    decisions: Mapping[Any, LinkedDecision] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def decision_of(self, payment: PaymentFacts) -> LinkedDecision | None:
        return None if payment.decision is None else self.decisions.get(payment.decision)


@dataclass(frozen=True)
class PaymentFinding:
    """A finding of the cross-check: its rule, the payment it is about, and the decision when one is linked."""

    rule: str
    severity: Severity
    payment: Any
    decision: Any
    message_zh: str
    message_en: str
    citation: str
    #: The other payments a finding names (PAY-03: the split parts; PAY-04: the payments summed).
    related: tuple[Any, ...] = ()

    def message(self, locale: str = "zh_CN") -> str:
        return self.message_en if locale.startswith("en") else self.message_zh


@dataclass(frozen=True)
class _Issue:
    payment: PaymentFacts
    zh: str
    en: str
    decision: Any = None
    related: tuple[Any, ...] = ()


@dataclass(frozen=True)
class PaymentRule:
    """One payment rule of the catalogue (DESIGN §3): id, severity, citation, and the check."""

    id: str
    severity: Severity
    citation: str
    title_zh: str
    title_en: str
    check: Callable[[PaymentSnapshot], Iterable[_Issue]]

    def __call__(self, snapshot: PaymentSnapshot) -> list[PaymentFinding]:
        return [
            PaymentFinding(self.id, self.severity, issue.payment.key, issue.decision, issue.zh, issue.en,
                           self.citation, issue.related)
            for issue in self.check(snapshot)
        ]


_REGISTRY: dict[str, PaymentRule] = {}


def _rule(rule_id: str, severity: Severity, *, title_zh: str, title_en: str, citation: str = _SOURCE):
    def register(check: Callable[[PaymentSnapshot], Iterable[_Issue]]) -> PaymentRule:
        _REGISTRY[rule_id] = PaymentRule(rule_id, severity, citation, title_zh, title_en, check)
        return _REGISTRY[rule_id]

    return register


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _ordered(payments: Iterable[PaymentFacts]) -> list[PaymentFacts]:
    return sorted(payments, key=lambda p: (p.paid_on, p.voucher_no, str(p.key)))


@_rule("PAY-01", Severity.VIOLATION, title_zh="大额资金支付未经集体决策（应上会未上会）",
       title_en="A large payment with no approved decision")
def unapproved_large_payment(snap: PaymentSnapshot) -> Iterator[_Issue]:
    """A payment at or above the standard in force on its date needs an approved collective decision."""
    for payment in _ordered(snap.payments):
        threshold = snap.thresholds.on(payment.paid_on)
        if payment.amount_cny < threshold:
            continue
        decision = snap.decision_of(payment)
        if decision is not None and decision.approved:
            continue
        if decision is None:
            zh_why, en_why = "未关联任何决策", "is linked to no decision"
        else:
            zh_why = f"关联的决策{decision.ref_no}未经集体讨论通过"
            en_why = f"its decision {decision.ref_no} was not approved"
        yield _Issue(
            payment,
            f"{zh_date(payment.paid_on)}凭证{payment.voucher_no}向{payment.payee}支付{_yuan(payment.amount_cny)}元，"
            f"达到大额资金标准{_yuan(threshold)}元，{zh_why}",
            f"Payment {payment.voucher_no} of {payment.paid_on} to {payment.payee}, {_yuan(payment.amount_cny)} yuan, "
            f"reaches the large-fund threshold of {_yuan(threshold)} yuan and {en_why}",
            decision=None if decision is None else decision.key,
        )


@_rule("PAY-02", Severity.VIOLATION, title_zh="先支付后决策", title_en="Paid before the meeting that decided it")
def paid_before_meeting(snap: PaymentSnapshot) -> Iterator[_Issue]:
    """Money may not move before the meeting that decides it; a payment on the meeting day is not before it."""
    for payment in _ordered(snap.payments):
        decision = snap.decision_of(payment)
        if decision is None or decision.meeting_date is None or payment.paid_on >= decision.meeting_date:
            continue
        yield _Issue(
            payment,
            f"凭证{payment.voucher_no}支付日期（{zh_date(payment.paid_on)}）早于决策{decision.ref_no}的集体讨论会议"
            f"（{zh_date(decision.meeting_date)}）",
            f"Payment {payment.voucher_no} is dated {payment.paid_on}, before the meeting of {decision.ref_no} "
            f"({decision.meeting_date})",
            decision=decision.key,
        )


@_rule("PAY-03", Severity.WARNING, title_zh="拆分支付规避大额标准",
       title_en="Payments split to stay under the threshold")
def split_payments(snap: PaymentSnapshot) -> Iterator[_Issue]:
    """Payments to one payee, each below the standard, dated at most 30 days apart, that together reach it.

    Payments already authorised by an approved decision went to a meeting and are not a dodge. Each group is
    reported once, on the payment that brought the sum to the standard in force on its date; the next group
    starts after it, so one payment is never counted in two findings.
    """
    by_payee: dict[str, list[PaymentFacts]] = {}
    for payment in _ordered(snap.payments):
        decision = snap.decision_of(payment)
        if decision is not None and decision.approved:
            continue
        if payment.amount_cny >= snap.thresholds.on(payment.paid_on):
            continue  # a large payment on its own is PAY-01's matter
        by_payee.setdefault(" ".join(payment.payee.split()), []).append(payment)
    window = timedelta(days=SPLIT_WINDOW_DAYS)
    for payee, payments in by_payee.items():
        start = 0
        for end, last in enumerate(payments):
            while payments[start].paid_on < last.paid_on - window:
                start += 1
            group = payments[start:end + 1]
            total = sum((p.amount_cny for p in group), Decimal(0))
            threshold = snap.thresholds.on(last.paid_on)
            if len(group) < 2 or total < threshold:
                continue
            vouchers = "、".join(p.voucher_no for p in group)
            yield _Issue(
                last,
                f"{zh_date(group[0].paid_on)}至{zh_date(last.paid_on)}向{payee}分{len(group)}笔支付（凭证{vouchers}），"
                f"每笔均低于大额资金标准{_yuan(threshold)}元，合计{_yuan(total)}元已达到该标准，疑似拆分规避集体决策",
                f"{len(group)} payments to {payee} from {group[0].paid_on} to {last.paid_on} (vouchers "
                f"{', '.join(p.voucher_no for p in group)}), each below the {_yuan(threshold)} yuan threshold, "
                f"together {_yuan(total)} yuan: possibly split to avoid a collective decision",
                related=tuple(p.key for p in group),
            )
            start = end + 1


@_rule("PAY-04", Severity.VIOLATION, title_zh="超出决策金额支付（超额未重新决策）",
       title_en="More paid than the decision's amount")
def overrun(snap: PaymentSnapshot) -> Iterator[_Issue]:
    """The payments linked to a decision, summed in date order, may not exceed its ``amount_cny``.

    The finding sits on the payment that first takes the sum over the amount: the excess needed a new meeting
    before it was paid. A decision without an amount is GEN-03's matter, not this one.
    """
    linked: dict[Any, list[PaymentFacts]] = {}
    for payment in _ordered(snap.payments):
        decision = snap.decision_of(payment)
        if decision is not None and decision.amount_cny is not None:
            linked.setdefault(decision.key, []).append(payment)
    for key, payments in linked.items():
        decision = snap.decisions[key]
        total = Decimal(0)
        for index, payment in enumerate(payments):
            total += payment.amount_cny
            if total <= decision.amount_cny:
                continue
            paid = payments[: index + 1]
            yield _Issue(
                payment,
                f"决策{decision.ref_no}决定金额{_yuan(decision.amount_cny)}元，截至凭证{payment.voucher_no}"
                f"（{zh_date(payment.paid_on)}）已支付{_yuan(total)}元，超出{_yuan(total - decision.amount_cny)}元，"
                f"超额部分未重新决策",
                f"Decision {decision.ref_no} decided {_yuan(decision.amount_cny)} yuan; "
                f"by voucher {payment.voucher_no} "
                f"({payment.paid_on}) {_yuan(total)} yuan was paid, {_yuan(total - decision.amount_cny)} yuan more",
                decision=key,
                related=tuple(p.key for p in paid),
            )
            break


#: The payment rules by id, in catalogue order.
PAYMENT_CATALOGUE: tuple[str, ...] = ("PAY-01", "PAY-02", "PAY-03", "PAY-04")
PAYMENT_RULES: MappingProxyType[str, PaymentRule] = MappingProxyType({i: _REGISTRY[i] for i in PAYMENT_CATALOGUE})


def check_payments(snapshot: PaymentSnapshot) -> list[PaymentFinding]:
    """Every payment finding of the snapshot, by rule in catalogue order, then by payment date."""
    return [finding for rule in PAYMENT_RULES.values() for finding in rule(snapshot)]
