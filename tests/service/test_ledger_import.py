"""The 台账 import: backfilled decisions with only the row's facts, refusals, dry run, and the demo's round trip."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.models import AuditEvent, Decision, LedgerEntry, Organization
from app.reports import exports
from app.services.audit import verify_chain
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.ledger_import import LEDGER_COLUMNS, TEMPLATE_HEADINGS, import_ledger

REASON = "2024年纸质台账补录"
HEAD = ["编号", "事项名称", "类别", "承办部门", "金额（元）", "公众参与 状态", "公众参与 完成日期", "专家论证 状态",
        "专家论证 免除理由", "专家论证 免除法律依据", "合法性审查 送审日期", "合法性审查 审查日期", "合法性审查 意见",
        "集体讨论决定 会议日期", "集体讨论决定 决定结果"]


def _xlsx(rows: list[list], head: list[str] = HEAD) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


GOOD = ["白政〔2024〕1号", "农桥建设", "重大项目安排", "建设办", "1,200,000", "已完成", date(2024, 3, 1),
        "依法免除", "不属于专业性技术性较强的事项", "《重大行政决策程序暂行条例》第十九条", "2024-03-05", "2024/3/15",
        "合法", "20240320", "通过"]
SPARSE = ["白政〔2024〕2号", "干部调整", "重要干部任免", "组织办", None, None, None, None, None, None, None, None,
          None, None, None]


def _count(db, model=Decision) -> int:
    stmt = select(func.count()).select_from(model)
    if model is AuditEvent:
        stmt = stmt.where(AuditEvent.action == "decision.import")
    return db.session.execute(stmt).scalar_one()


def test_rows_become_backfilled_decisions_with_only_their_facts(db, clerk):
    result = import_ledger(clerk, _xlsx([GOOD, SPARSE]), "old.xlsx", 2024, REASON)
    db.session.commit()
    assert result.refused == [] and result.created == 2
    first, second = db.session.execute(select(Decision).order_by(Decision.seq)).scalars().all()
    assert (first.ref_no, first.backfilled, first.backfill_reason) == ("BD-2024-001", True, REASON)
    assert (first.category, str(first.amount_cny), first.status) == ("major_project", "1200000.00", "decided")
    assert first.step("public_participation").completed_on == date(2024, 3, 1)
    expert = first.step("expert_review")
    assert expert.status == "exempted" and expert.exemption_basis.startswith("《重大行政决策")
    review = first.step("legality_review")
    assert (review.status, review.submitted_on, review.reviewed_on, review.opinion) == (
        "completed", date(2024, 3, 5), date(2024, 3, 15), "lawful")
    assert review.draft_sha256 is None and review.reviewer is None  # no signature invented
    meeting = first.step("collective_decision")
    assert (meeting.status, meeting.meeting_date, meeting.outcome) == ("completed", date(2024, 3, 20), "approved")
    assert meeting.members_total is None
    assert first.step("risk_assessment").status == "not_started"  # the row says nothing of it
    assert {f.rule for f in first.findings} >= {"REC-02", "GEN-01"}
    assert second.status == "draft" and {s.status for s in second.steps} == {"not_started"}
    assert db.session.execute(select(LedgerEntry.ledger_ref).order_by(LedgerEntry.row_number)).scalars().all() == [
        "白政〔2024〕1号", "白政〔2024〕2号"]
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision.import")).scalars().all()
    assert {e.decision_id for e in events} == {first.id, second.id}
    assert verify_chain().ok


def test_a_refused_row_writes_nothing_and_every_one_is_named(db, clerk):
    bad_category = [*SPARSE[:2], "其他", *SPARSE[3:]]
    bad_date = [*GOOD[:6], "2024-02-30", *GOOD[7:]]
    bad_amount = [*GOOD[:4], "12万", *GOOD[5:]]
    bad_amount[0] = "x-3"
    bad_date[0] = "x-2"
    result = import_ledger(clerk, _xlsx([GOOD, bad_category, bad_date, bad_amount, GOOD]), "old.xlsx", 2024, REASON)
    db.session.commit()
    assert result.created == 0 and _count(db) == 0 and _count(db, AuditEvent) == 0
    assert [(r.row, r.field) for r in result.refused] == [
        (3, "类别"), (4, "公众参与 完成日期"), (5, "金额（元）"), (6, "编号")]
    assert "第2行" in result.refused[-1].message or "row 2" in result.refused[-1].message


def test_an_existing_number_refuses_its_row(db, clerk):
    import_ledger(clerk, _xlsx([GOOD]), "old.xlsx", 2024, REASON)
    db.session.commit()
    again = import_ledger(clerk, _xlsx([SPARSE, GOOD]), "old.xlsx", 2024, REASON)
    assert [(r.row, r.field) for r in again.refused] == [(3, "编号")] and again.created == 0
    own = [*SPARSE]
    own[0] = "BD-2024-001"  # the number the first import gave
    assert [r.row for r in import_ledger(clerk, _xlsx([own]), "x.xlsx", 2024, REASON).refused] == [2]
    db.session.commit()
    assert _count(db) == 1


def test_exemption_without_reason_and_contradicting_status_refused(db, clerk):
    no_reason = [*GOOD[:8], None, None, *GOOD[10:]]
    status = [*SPARSE]
    result = import_ledger(clerk, _xlsx([no_reason, [*status, "已公布"]], [*HEAD, "状态"]), "x.xlsx", 2024, REASON)
    assert {(r.row, r.field) for r in result.refused} == {(2, "专家论证 免除理由"), (2, "专家论证 免除法律依据"),
                                                           (3, "状态")}


def test_dry_run_writes_nothing_and_shows_findings(db, clerk):
    result = import_ledger(clerk, _xlsx([GOOD, SPARSE]), "old.xlsx", 2024, REASON, dry_run=True)
    db.session.commit()
    assert result.created == 2 and _count(db) == 0 and _count(db, AuditEvent) == 0
    answer = result.to_dict(with_rows=True)
    assert answer["decisions"][0]["ref_no"] == "BD-2024-001"
    assert "REC-02" in {f["rule"] for f in answer["decisions"][0]["findings"]}


def test_reason_year_and_role_checked(db, clerk, auditor):
    with pytest.raises(ValidationFailed):
        import_ledger(clerk, _xlsx([GOOD]), "x.xlsx", 2024, "  ")
    with pytest.raises(ValidationFailed):
        import_ledger(clerk, _xlsx([GOOD]), "x.xlsx", 1800, REASON)
    with pytest.raises(PermissionDenied):
        import_ledger(auditor, _xlsx([GOOD]), "x.xlsx", 2024, REASON)


def test_template_headings_are_the_export_layout(app):
    with app.test_request_context():
        exported = [c.heading for c in exports._Words().columns]
    assert set(exported) <= {h for names in LEDGER_COLUMNS.values() for h in names}
    assert set(TEMPLATE_HEADINGS) == set(exported)


def _ledger_rows(user, label: str) -> list[list]:
    ledger = exports.ledger(user, 2024, None, label)
    book = load_workbook(exports.write_xlsx(ledger.columns, ledger.rows, ledger.sheet_title), read_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    width = len(rows[0])
    return [row + [None] * (width - len(row)) for row in rows]  # read-only mode trims empty trailing cells


def test_round_trip_of_the_demo_2024_into_another_organisation(app, db, make_user):
    from app.demo.load import load_demo

    with app.test_request_context():
        load_demo()
        db.session.commit()
        bd_clerk = db.session.execute(select(Organization).where(Organization.code == "BD")).scalar_one()
        from app.models import User

        source_user = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        exported = _ledger_rows(source_user, "BD")
        other = make_user("clerk", "CD")
        book = exports.write_xlsx(*_ledger_parts(source_user))
        result = import_ledger(other, book, "台账_BD_2024.xlsx", 2024, REASON)
        db.session.commit()
        assert result.refused == [] and result.created == len(exported) - 1 == 47
        back = _ledger_rows(other, "CD")
    assert bd_clerk.code == "BD"
    assert len(back) == len(exported)
    derived = {"编号", "单位", "是否完整", "发现问题", "是否补录"}
    keep = [i for i, heading in enumerate(exported[0]) if heading not in derived]
    assert [[row[i] for i in keep] for row in back] == [[row[i] for i in keep] for row in exported]
    assert all(row[exported[0].index("是否补录")] == "是" for row in back[1:])


def _ledger_parts(user):
    ledger = exports.ledger(user, 2024, None, "BD")
    return ledger.columns, ledger.rows, ledger.sheet_title
