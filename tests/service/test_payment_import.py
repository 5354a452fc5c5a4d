"""The finance-ledger import: encodings, header variants, dates and amounts, refusals, no doubling, dry run."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.models import AuditEvent, Payment
from app.services.audit import verify_chain
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.payment_import import import_organization, import_payments
from app.services.payments import link_payment, payment_report, set_threshold

HEADER = "日期,凭证号,收款单位,金额,摘要,决策编号\r\n"


def _csv(lines: list[str], header: str = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO((header + "\r\n".join(lines) + "\r\n").encode(encoding))


def _count(db) -> int:
    return db.session.execute(select(func.count()).select_from(Payment)).scalar_one()


def _run(db, user, stream, name="ledger.csv", **kwargs):
    result = import_payments(user, import_organization(user, None), stream, name, **kwargs)
    db.session.commit()
    return result


def test_bom_csv_with_variants_dates_and_separators(db, clerk):
    lines = ["2024-06-03,记-001,白甸建设公司,\"120,000.00\",道路维修,", "2024/6/4,记-002,某某公司,5000,办公用品,",
             "20240605,记-003,另一公司,\"1,234.5\",,"]
    result = _run(db, clerk, io.BytesIO(b"\xef\xbb\xbf" + _csv(lines).getvalue()))
    assert result.refused == [] and result.imported == 3
    payments = db.session.execute(select(Payment).order_by(Payment.paid_on)).scalars().all()
    assert [(p.paid_on, p.voucher_no, p.amount_cny) for p in payments] == [
        (date(2024, 6, 3), "记-001", Decimal("120000.00")), (date(2024, 6, 4), "记-002", Decimal("5000.00")),
        (date(2024, 6, 5), "记-003", Decimal("1234.50"))]
    # PAY-01 shown in the preview for the 120,000 payment with no decision.
    assert [f.rule for f in result.rows[0].findings] == ["PAY-01"]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "payments.import")).scalar_one()
    assert event.after_data["payments"] == 3 and len(event.after_data["payment_ids"]) == 3
    assert verify_chain().ok


def test_gb18030_csv_with_other_spellings(db, clerk):
    header = "凭证日期,凭证字号,对方单位,借方金额,用途\r\n"
    result = _run(db, clerk, _csv(["2024-07-01,银-17,白甸镇卫生院,80000,设备款"], header, "gb18030"))
    assert result.refused == [] and result.imported == 1
    assert db.session.execute(select(Payment.payee)).scalar_one() == "白甸镇卫生院"


def test_xlsx_with_a_title_row_above_the_header(db, clerk):
    book = Workbook()
    sheet = book.active
    sheet.append(["白甸镇 2024年 银行存款日记账"])
    sheet.append(["日期", "凭证号", "收款单位", "金额", "摘要"])
    sheet.append([date(2024, 3, 1), 12, "某公司", 60000, "工程款"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = _run(db, clerk, out, "ledger.xlsx")
    assert result.refused == [] and result.imported == 1
    assert db.session.execute(select(Payment.voucher_no)).scalar_one() == "12"


def test_one_bad_row_writes_nothing_and_every_refusal_is_listed(db, clerk):
    lines = ["2024-06-03,记-001,甲公司,100,,", "2024-13-01,记-002,乙公司,100,,", "2024-06-05,记-003,丙公司,12.345,,",
             "2024-06-06,,丁公司,100,,", "2024-06-07,记-005,戊公司,100,,BD-2024-999"]
    result = _run(db, clerk, _csv(lines))
    assert result.imported == 0 and _count(db) == 0
    assert [(r.row, r.field) for r in result.refused] == [(3, "日期"), (4, "金额"), (5, "凭证号"), (6, "决策编号")]
    assert "两位小数" in result.refused[1].message or "decimals" in result.refused[1].message
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "payments.import")).scalar_one() == 0


def test_missing_column_refuses_the_file(db, clerk):
    result = _run(db, clerk, _csv(["2024-06-03,甲公司"], "日期,收款单位\r\n"))
    assert result.imported == 0 and result.refused[0].row == 1 and "凭证号" in result.refused[0].message
    assert "金额" in result.refused[0].message and "日期" not in result.refused[0].message


def test_the_same_file_twice_is_not_doubled(db, clerk):
    lines = ["2024-06-03,记-001,甲公司,100,,", "2024-06-03,记-001,乙公司,200,,"]  # one voucher, two lines
    assert _run(db, clerk, _csv(lines)).imported == 2
    again = _run(db, clerk, _csv(lines))
    assert again.imported == 0 and again.skipped == 2 and _count(db) == 2


def test_dry_run_writes_nothing(db, clerk):
    result = _run(db, clerk, _csv(["2024-06-03,记-001,甲公司,150000,,"]), dry_run=True)
    assert result.imported == 1 and result.dry_run and _count(db) == 0
    assert [f.rule for f in result.rows[0].findings] == ["PAY-01"]


def test_linking_threshold_and_report(db, clerk, auditor, make_user, make_decision, walk):
    admin = make_user("admin", "BD")
    decision = walk(make_decision(amount_cny="100000"), "decided")
    meeting = decision.step("collective_decision").meeting_date
    lines = [f"{meeting.isoformat()},记-001,甲公司,90000,,{decision.ref_no}",
             f"{meeting.isoformat()},记-002,甲公司,20000,,"]
    _run(db, clerk, _csv(lines))
    year = meeting.year
    rules = [f.finding.rule for f in payment_report(auditor, year, "BD").findings]
    assert rules == []  # 90,000 decided; 20,000 below the threshold; not a split (one is approved)
    extra = db.session.execute(select(Payment).where(Payment.voucher_no == "记-002")).scalar_one()
    link_payment(auditor, extra, decision.ref_no)
    db.session.commit()
    report = payment_report(auditor, year, "BD")
    assert [f.finding.rule for f in report.findings] == ["PAY-04"] and report.findings[0].decision.id == decision.id
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "payment.link")).scalar_one()
    with pytest.raises(ValidationFailed):
        link_payment(auditor, extra, "BD-1999-001")
    # The threshold lowered from the first of the year: the unlinked 20,000 becomes PAY-01.
    link_payment(clerk, extra, None)
    set_threshold(admin, decision.organization, date(year, 1, 1).isoformat(), "15000")
    db.session.commit()
    report = payment_report(auditor, year, "BD")
    assert [f.finding.rule for f in report.findings] == ["PAY-01"] and report.threshold_cny == Decimal("15000")
    with pytest.raises(PermissionDenied):
        set_threshold(clerk, decision.organization, "2024-01-01", "1")
    assert verify_chain().ok


def test_permissions(db, legal, make_user):
    with pytest.raises(PermissionDenied):
        import_organization(legal, None)
    other = make_user("clerk", "CD")
    from app.services.errors import NotFound

    with pytest.raises(NotFound):
        import_organization(other, "BD")


@pytest.mark.parametrize("content", [b"PK\x03\x04garbage", b"\x00\x01\x02", "日期,凭证号\n\"unclosed".encode(),
                                     b"a,b\x00,c\n"])
def test_unreadable_files_are_refused_not_500(db, clerk, content):
    result = _run(db, clerk, io.BytesIO(content), "x.xlsx" if content.startswith(b"PK") else "x.csv")
    assert result.imported == 0 and result.refused and result.refused[0].row == 1
