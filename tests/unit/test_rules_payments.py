"""PAY-01..04 at their boundaries: exactly the threshold, 30 against 31 days, a threshold changed mid-year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rulebook.rules.payments import (
    DEFAULT_THRESHOLD_CNY,
    PAYMENT_CATALOGUE,
    PAYMENT_RULES,
    LinkedDecision,
    PaymentFacts,
    PaymentSnapshot,
    Thresholds,
    check_payments,
)
from app.rulebook.vocabulary import Severity

D = Decimal


def pay(key, day, amount, payee="某建设公司", decision=None, voucher=None) -> PaymentFacts:
    return PaymentFacts(key=key, paid_on=day, voucher_no=voucher or f"记-{key}", payee=payee,
                        amount_cny=D(amount), decision=decision)


def approved(key="d1", meeting=date(2024, 3, 1), amount=None, ok=True) -> LinkedDecision:
    return LinkedDecision(key=key, ref_no=f"BD-2024-{key}", approved=ok, meeting_date=meeting,
                          amount_cny=None if amount is None else D(amount))


def run(rule: str, payments, decisions=(), thresholds=None):
    snap = PaymentSnapshot(payments=list(payments), decisions={d.key: d for d in decisions},
                           thresholds=thresholds or Thresholds())
    return PAYMENT_RULES[rule](snap)


def test_catalogue_order_and_severities():
    assert PAYMENT_CATALOGUE == ("PAY-01", "PAY-02", "PAY-03", "PAY-04")
    assert [PAYMENT_RULES[r].severity for r in PAYMENT_CATALOGUE] == [
        Severity.VIOLATION, Severity.VIOLATION, Severity.WARNING, Severity.VIOLATION]
    assert all(PAYMENT_RULES[r].citation for r in PAYMENT_CATALOGUE)


# -- thresholds --------------------------------------------------------------------------------------------------

def test_default_threshold_is_100000():
    assert Thresholds().on(date(2024, 1, 1)) == DEFAULT_THRESHOLD_CNY == D("100000")


def test_threshold_in_force_on_a_day():
    t = Thresholds(((date(2024, 7, 1), D("50000")), (date(2023, 1, 1), D("200000"))))
    assert t.on(date(2022, 12, 31)) == D("100000")  # before the first: the default
    assert t.on(date(2023, 1, 1)) == D("200000")  # effective on its first day
    assert t.on(date(2024, 6, 30)) == D("200000")
    assert t.on(date(2024, 7, 1)) == D("50000")


# -- PAY-01 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "found"), [("99999.99", False), ("100000.00", True), ("100000.01", True)])
def test_pay01_at_exactly_the_threshold(amount, found):
    findings = run("PAY-01", [pay(1, date(2024, 5, 1), amount)])
    assert bool(findings) is found
    if found:
        assert findings[0].payment == 1 and findings[0].decision is None
        assert "100,000.00" in findings[0].message_zh and findings[0].severity == Severity.VIOLATION


def test_pay01_approved_decision_clears_it_unapproved_does_not():
    big = D("150000")
    assert run("PAY-01", [pay(1, date(2024, 5, 1), big, decision="d1")], [approved()]) == []
    rejected = run("PAY-01", [pay(1, date(2024, 5, 1), big, decision="d1")], [approved(ok=False)])
    assert len(rejected) == 1 and rejected[0].decision == "d1" and "未经集体讨论通过" in rejected[0].message_zh
    # Linked to a decision the snapshot does not hold (another organisation's): as good as none.
    assert len(run("PAY-01", [pay(1, date(2024, 5, 1), big, decision="elsewhere")])) == 1


def test_pay01_threshold_changed_mid_year():
    t = Thresholds(((date(2024, 7, 1), D("50000")),))
    payments = [pay(1, date(2024, 6, 30), "60000"), pay(2, date(2024, 7, 1), "60000"),
                pay(3, date(2024, 7, 2), "49999")]
    assert [f.payment for f in run("PAY-01", payments, thresholds=t)] == [2]


# -- PAY-02 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "found"), [(date(2024, 2, 29), True), (date(2024, 3, 1), False),
                                             (date(2024, 3, 2), False)])
def test_pay02_before_on_after_the_meeting(day, found):
    findings = run("PAY-02", [pay(1, day, "5000", decision="d1")], [approved(meeting=date(2024, 3, 1))])
    assert bool(findings) is found
    if found:
        assert findings[0].decision == "d1" and "2024年3月1日" in findings[0].message_zh


def test_pay02_needs_a_meeting_date():
    assert run("PAY-02", [pay(1, date(2024, 1, 1), "5000", decision="d1")], [approved(meeting=None, ok=False)]) == []
    assert run("PAY-02", [pay(1, date(2024, 1, 1), "5000")]) == []


# -- PAY-03 ------------------------------------------------------------------------------------------------------

def test_pay03_two_halves_within_30_days_reach_it():
    findings = run("PAY-03", [pay(1, date(2024, 6, 1), "60000"), pay(2, date(2024, 7, 1), "60000")])  # 30 days apart
    assert len(findings) == 1
    f = findings[0]
    assert f.payment == 2 and f.related == (1, 2) and f.severity == Severity.WARNING
    assert "拆分" in f.message_zh and "120,000.00" in f.message_zh


def test_pay03_31_days_apart_is_not_a_split():
    assert run("PAY-03", [pay(1, date(2024, 6, 1), "60000"), pay(2, date(2024, 7, 2), "60000")]) == []


@pytest.mark.parametrize(("second", "found"), [("39999.99", False), ("40000.00", True)])
def test_pay03_together_exactly_the_threshold(second, found):
    findings = run("PAY-03", [pay(1, date(2024, 6, 1), "60000"), pay(2, date(2024, 6, 5), second)])
    assert bool(findings) is found


def test_pay03_one_payee_only_and_spacing_of_names_ignored():
    different = [pay(1, date(2024, 6, 1), "60000", payee="甲公司"), pay(2, date(2024, 6, 2), "60000", payee="乙公司")]
    assert run("PAY-03", different) == []
    spaced = [pay(1, date(2024, 6, 1), "60000", payee="甲 公司"), pay(2, date(2024, 6, 2), "60000", payee="甲  公司 ")]
    assert len(run("PAY-03", spaced)) == 1


def test_pay03_leaves_out_large_and_approved_payments():
    large = [pay(1, date(2024, 6, 1), "100000"), pay(2, date(2024, 6, 2), "10")]
    assert run("PAY-03", large) == []
    covered = [pay(1, date(2024, 6, 1), "60000", decision="d1"), pay(2, date(2024, 6, 2), "60000")]
    assert run("PAY-03", covered, [approved()]) == []


def test_pay03_each_payment_in_one_group_only():
    payments = [pay(i, date(2024, 6, i), "50000") for i in range(1, 5)]
    findings = run("PAY-03", payments)
    assert [f.related for f in findings] == [(1, 2), (3, 4)]


def test_pay03_threshold_changed_mid_year():
    t = Thresholds(((date(2024, 7, 1), D("50000")),))
    before = [pay(1, date(2024, 6, 20), "30000"), pay(2, date(2024, 6, 30), "30000")]
    assert run("PAY-03", before, thresholds=t) == []  # 60,000 < 100,000 in force on 30 June
    after = [pay(1, date(2024, 6, 20), "30000"), pay(2, date(2024, 7, 1), "30000")]
    findings = run("PAY-03", after, thresholds=t)  # 60,000 ≥ 50,000 in force on 1 July
    assert len(findings) == 1 and "50,000.00" in findings[0].message_zh


# -- PAY-04 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("second", "found"), [("40000.00", False), ("40000.01", True)])
def test_pay04_at_exactly_the_amount(second, found):
    payments = [pay(1, date(2024, 4, 1), "60000", decision="d1"), pay(2, date(2024, 5, 1), second, decision="d1")]
    findings = run("PAY-04", payments, [approved(amount="100000")])
    assert bool(findings) is found
    if found:
        assert findings[0].payment == 2 and findings[0].decision == "d1" and findings[0].related == (1, 2)
        assert "0.01" in findings[0].message_zh


def test_pay04_once_per_decision_and_only_with_an_amount():
    payments = [pay(i, date(2024, 4, i), "60000", decision="d1") for i in range(1, 4)]
    assert [f.payment for f in run("PAY-04", payments, [approved(amount="100000")])] == [2]
    assert run("PAY-04", payments, [approved(amount=None)]) == []


def test_check_payments_runs_every_rule_in_order():
    payments = [pay(1, date(2024, 2, 1), "150000"), pay(2, date(2024, 2, 1), "90000", decision="d1")]
    found = check_payments(PaymentSnapshot(payments, {"d1": approved(amount="80000")}))
    assert [f.rule for f in found] == ["PAY-01", "PAY-02", "PAY-04"]
    assert found[0].message("en").startswith("Payment 记-1")
