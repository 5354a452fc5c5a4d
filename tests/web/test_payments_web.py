"""The money-trail pages: upload and preview, confirm, findings by rule, link, exports, 台账 import, dashboard."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import AuditEvent, Decision, Payment

CSV = ("日期,凭证号,收款单位,金额,摘要\r\n2024-06-03,记-001,甲公司,\"150,000.00\",工程款\r\n"
       "2024-06-10,记-002,乙公司,60000,设备\r\n2024-06-20,记-003,乙公司,60000,设备\r\n").encode("utf-8-sig")
LEDGER = ("编号,事项名称,类别,承办部门,集体讨论决定 会议日期,集体讨论决定 决定结果\r\n"
          "台-1,农桥建设,重大项目安排,建设办,2024-03-20,通过\r\n台-2,干部调整,重要干部任免,组织办,,\r\n").encode()


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _token(body: str) -> str:
    marker = 'name="token" type="hidden" value="'
    start = body.index(marker) + len(marker)
    return body[start:body.index('"', start)]


def test_auditor_previews_imports_and_sees_findings(db, login, auditor, clerk):
    client = login(auditor)
    assert client.get("/payments/import").status_code == 200
    preview = client.post("/payments/import", data={"file": (io.BytesIO(CSV), "ledger.csv"), "org": "BD"},
                          content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200, body
    assert "PAY-01" in body and "PAY-03" in body and _count(db, Payment) == 0
    done = client.post("/payments/import/confirm", data={"token": _token(body)})
    assert done.status_code == 302 and "/payments/" in done.headers["Location"]
    assert _count(db, Payment) == 3
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="finding-PAY-01-' in page and "记-001" in page and "应上会未上会" in page
    # The same file confirmed again (a second preview) writes nothing new.
    again = client.post("/payments/import", data={"file": (io.BytesIO(CSV), "ledger.csv"), "org": "BD"},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "3 笔已在台账中" in again or "already" in again
    xlsx = client.get("/payments/findings.xlsx?year=2024")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["PAY-01", "PAY-03"]
    csv = client.get("/payments/findings.csv?year=2024").get_data(as_text=True)
    assert csv.startswith("\ufeff") and "PAY-01" in csv
    dashboard = client.get("/reports/dashboard?year=2024").get_data(as_text=True)
    assert 'id="payment-findings"' in dashboard and 'data-count="PAY-01"' in dashboard


def test_refused_preview_names_every_row(db, login, clerk):
    bad = "日期,凭证号,收款单位,金额\r\n2024-06-03,记-1,甲,100\r\n2024-06-99,记-2,乙,5\r\n2024-06-04,,丙,5\r\n".encode()
    answer = login(clerk).post("/payments/import", data={"file": (io.BytesIO(bad), "x.csv"), "org": "BD"},
                               content_type="multipart/form-data")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and body.count('class="refused-row"') == 2 and 'name="token"' not in body
    assert _count(db, Payment) == 0


def test_link_a_payment_is_audited(db, login, clerk, auditor, make_decision, walk):
    decision = walk(make_decision(), "decided")
    client = login(auditor)
    body = client.post("/payments/import", data={"file": (io.BytesIO(CSV), "ledger.csv"), "org": "BD"},
                       content_type="multipart/form-data").get_data(as_text=True)
    client.post("/payments/import/confirm", data={"token": _token(body)})
    payment = db.session.execute(select(Payment).where(Payment.voucher_no == "记-001")).scalar_one()
    answer = client.post(f"/payments/{payment.id}/link", data={"decision_ref": decision.ref_no,
                                                               "back": "/payments/?year=2024"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/payments/?year=2024"
    db.session.rollback()
    assert db.session.get(Payment, payment.id).decision_id == decision.id
    assert _count(db, AuditEvent) and db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "payment.link")).scalar_one()
    unknown = client.post(f"/payments/{payment.id}/link", data={"decision_ref": "XX-1"})
    assert unknown.status_code == 302
    db.session.rollback()
    assert db.session.get(Payment, payment.id).decision_id == decision.id


def test_clerk_imports_a_ledger(db, login, clerk, legal):
    client = login(clerk)
    page = client.get("/imports/ledger").get_data(as_text=True)
    assert "ledger-template" in page
    template = client.get("/imports/ledger/template.xlsx")
    headings = [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]]
    assert headings[:3] == ["编号", "事项名称", "类别"]
    preview = client.post("/imports/ledger", data={"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024",
                                                   "backfill_reason": "纸质台账补录"},
                          content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200, body
    assert "BD-2024-001" in body and "REC-02" in body and _count(db, Decision) == 0
    done = client.post("/imports/ledger/confirm", data={"token": _token(body)})
    assert done.status_code == 302 and _count(db, Decision) == 2
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "农桥建设" in listing and "干部调整" in listing
    blank_reason = client.post("/imports/ledger", data={"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024",
                                                        "backfill_reason": ""}, content_type="multipart/form-data")
    assert blank_reason.status_code == 422
    assert login(legal).get("/imports/ledger").status_code == 403


def test_admin_sets_a_threshold_with_history(db, login, make_user):
    from app.services.payments import thresholds_of

    admin = make_user("admin", "HA")
    client = login(admin)
    assert "100,000.00" in client.get("/admin/thresholds").get_data(as_text=True)
    done = client.post("/admin/thresholds", data={"organization": "BD", "effective_from": "2024-07-01",
                                                  "amount_cny": "50000"})
    assert done.status_code == 302
    bad = client.post("/admin/thresholds", data={"organization": "BD", "effective_from": "2024-07-01",
                                                 "amount_cny": "-5"})
    assert bad.status_code == 422
    db.session.rollback()
    from datetime import date

    from app.models import Organization

    bd = db.session.execute(select(Organization).where(Organization.code == "BD")).scalar_one()
    assert str(thresholds_of(bd.id).on(date(2024, 7, 1))) == "50000.00"
    assert str(thresholds_of(bd.id).on(date(2024, 6, 30))) == "100000"
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "organization.threshold")).scalar_one()
    page = client.get("/admin/thresholds").get_data(as_text=True)
    assert "2024-07-01" in page and "50,000.00" in page


def test_dashboard_payment_line_costs_bounded_queries(db, auditor, clerk, count_queries):
    from app.services.payments import payment_counts

    for n in (3, 30):
        lines = "\r\n".join(f"2024-06-{10 + i % 20:02d},记-{n}-{i},公司{i % 2},{60000 + i},x" for i in range(n))
        from app.services.payment_import import import_organization, import_payments

        import_payments(clerk, import_organization(clerk, None), io.BytesIO(("日期,凭证号,收款单位,金额,摘要\r\n"
                                                                             + lines).encode()), "x.csv")
        db.session.commit()
        payment_counts(auditor, 2024, [auditor.organization_id])  # the organisation tree, loaded once
        with count_queries() as statements:
            counts = payment_counts(auditor, 2024, [auditor.organization_id, clerk.organization_id])
        assert sum(counts.values()) > 0
        assert len(statements) <= 5, statements
