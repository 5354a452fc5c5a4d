"""PAY-01..04 at their boundaries, through the stored payments and thresholds (both databases).

The rulebook's own tests (tests/unit/test_rules_payments.py) judge plain facts; these go the whole way: the
ledger imported, the threshold history stored, the report read back from the database.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from app.services.payment_import import import_organization, import_payments
from app.services.payments import payment_report, set_threshold

HEADER = "日期,凭证号,收款单位,金额,摘要,决策编号\r\n"


def _import(db, user, rows: list[tuple[date, str, str, str, str]]) -> None:
    lines = [f"{day.isoformat()},{voucher},{payee},{amount},,{ref}" for day, voucher, payee, amount, ref in rows]
    stream = io.BytesIO((HEADER + "\r\n".join(lines) + "\r\n").encode())
    result = import_payments(user, import_organization(user, None), stream, "ledger.csv")
    assert not result.refused, result.refused
    db.session.commit()


def _rules(auditor, year: int) -> list[str]:
    return sorted(f.finding.rule for f in payment_report(auditor, year, "BD").findings)


@pytest.mark.parametrize(("amount", "rules"), [("100000.00", ["PAY-01"]), ("99999.99", [])])
def test_pay01_exactly_the_threshold_is_large(db, clerk, auditor, amount, rules):
    _import(db, clerk, [(date(2025, 3, 3), "记-1", "甲公司", amount, "")])
    assert _rules(auditor, 2025) == rules


@pytest.mark.parametrize(("gap", "rules"), [(30, ["PAY-03"]), (31, [])])
def test_pay03_thirty_days_apart_is_a_split_thirty_one_is_not(db, clerk, auditor, gap, rules):
    first = date(2025, 3, 3)
    _import(db, clerk, [(first, "记-1", "甲公司", "50000", ""),
                        (first + timedelta(days=gap), "记-2", "甲公司", "50000", "")])
    assert _rules(auditor, 2025) == rules


@pytest.mark.parametrize(("second", "rules"), [("50000.00", ["PAY-03"]), ("49999.99", [])])
def test_pay03_together_exactly_the_threshold(db, clerk, auditor, second, rules):
    _import(db, clerk, [(date(2025, 3, 3), "记-1", "甲公司", "50000", ""),
                        (date(2025, 3, 10), "记-2", "甲公司", second, "")])
    assert _rules(auditor, 2025) == rules


@pytest.mark.parametrize(("day", "rules"), [(date(2025, 6, 30), []), (date(2025, 7, 1), ["PAY-01"])])
def test_the_threshold_in_force_on_the_payments_date_applies(db, clerk, auditor, make_user, orgs, day, rules):
    set_threshold(make_user("admin", "BD"), orgs["BD"], "2025-07-01", "50000")
    db.session.commit()
    _import(db, clerk, [(day, "记-1", "甲公司", "60000", "")])
    assert _rules(auditor, 2025) == rules


@pytest.mark.parametrize(("days_before", "rules"), [(0, []), (1, ["PAY-02"])])
def test_pay02_on_the_meeting_day_is_not_before_it(db, clerk, auditor, make_decision, walk, days_before, rules):
    decision = walk(make_decision(amount_cny="100000"), "decided")
    meeting = decision.step("collective_decision").meeting_date
    _import(db, clerk, [(meeting - timedelta(days=days_before), "记-1", "甲公司", "80000", decision.ref_no)])
    assert _rules(auditor, meeting.year) == rules


@pytest.mark.parametrize(("second", "rules"), [("40000.00", []), ("40000.01", ["PAY-04"])])
def test_pay04_the_decided_amount_may_be_paid_not_a_cent_more(db, clerk, auditor, make_decision, walk, second,
                                                              rules):
    decision = walk(make_decision(amount_cny="100000"), "decided")
    meeting = decision.step("collective_decision").meeting_date
    _import(db, clerk, [(meeting, "记-1", "甲公司", "60000", decision.ref_no),
                        (meeting + timedelta(days=1), "记-2", "甲公司", second, decision.ref_no)])
    assert _rules(auditor, meeting.year) == rules
