"""POST /payments/import, GET /reports/payments, POST /imports/ledger."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.models import Decision, Payment

CSV = ("日期,凭证号,对方单位,金额,摘要\r\n2024-06-03,记-001,甲公司,\"150,000.00\",工程款\r\n"
       "2024-06-10,记-002,乙公司,60000,设备\r\n2024-06-20,记-003,乙公司,60000,设备\r\n").encode("gb18030")
LEDGER = ("编号,事项名称,类别,承办部门,金额（元）,集体讨论决定 会议日期,集体讨论决定 决定结果,状态\r\n"
          "台-1,农桥建设,重大项目安排,建设办,500000,2024-03-20,通过,已决定\r\n").encode()


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_payments_import_dry_run_then_import_then_report(api, db, clerk, auditor):
    dry = api.post("/payments/import", as_=clerk, data={"file": (io.BytesIO(CSV), "ledger.csv"), "dry_run": "true"})
    assert dry.status == 200, dry.json
    assert dry.json["imported"] == 3 and dry.json["dry_run"] and _count(db, Payment) == 0
    assert [f["rule"] for f in dry.json["rows"][0]["findings"]] == ["PAY-01"]
    assert [f["rule"] for f in dry.json["rows"][2]["findings"]] == ["PAY-03"]
    done = api.post("/payments/import", as_=auditor, data={"file": (io.BytesIO(CSV), "ledger.csv"), "org": "BD"})
    assert done.status == 200 and done.json["imported"] == 3 and _count(db, Payment) == 3
    again = api.post("/payments/import", as_=clerk, data={"file": (io.BytesIO(CSV), "ledger.csv")})
    assert again.json["imported"] == 0 and again.json["already_imported"] == 3 and _count(db, Payment) == 3
    report = api.get("/reports/payments?year=2024&org=BD", as_=auditor)
    assert report.status == 200
    assert report.json["threshold_cny"] == "100000.00" and report.json["counts"]["PAY-01"] == 1
    assert [(f["rule"], f["payment"]["voucher_no"]) for f in report.json["findings"]] == [
        ("PAY-01", "记-001"), ("PAY-03", "记-003")]
    assert report.json["findings"][0]["citation"]


def test_payments_import_refusals_and_permissions(api, db, clerk, legal, other_clerk):
    bad = "日期,凭证号,收款单位,金额\r\n2024-06-03,记-1,甲,100\r\n2024-06-04,记-2,乙,abc\r\n".encode()
    answer = api.post("/payments/import", as_=clerk, data={"file": (io.BytesIO(bad), "x.csv")})
    assert answer.status == 200 and answer.json["imported"] == 0
    assert answer.json["refused"] == [{"row": 3, "field": "金额", "message": answer.json["refused"][0]["message"]}]
    assert _count(db, Payment) == 0
    assert api.post("/payments/import", as_=legal, data={"file": (io.BytesIO(CSV), "x.csv")}).status == 403
    assert api.post("/payments/import", as_=other_clerk,
                    data={"file": (io.BytesIO(CSV), "x.csv"), "org": "BD"}).status == 404
    assert api.get("/reports/payments?year=2024", as_=legal).status == 403
    assert api.post("/payments/import", as_=clerk, data={}, content_type="multipart/form-data").status == 422


def test_ledger_import(api, db, clerk, auditor):
    data = {"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024", "backfill_reason": "纸质台账补录",
            "dry_run": "true"}
    dry = api.post("/imports/ledger", as_=clerk, data=data)
    assert dry.status == 200, dry.json
    assert dry.json["created"] == 1 and _count(db, Decision) == 0
    assert "REC-02" in {f["rule"] for f in dry.json["decisions"][0]["findings"]}
    data = {"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024", "backfill_reason": "纸质台账补录"}
    done = api.post("/imports/ledger", as_=clerk, data=data)
    assert done.json == {"created": 1, "dry_run": False, "year": 2024, "refused": []} and _count(db, Decision) == 1
    data = {"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024", "backfill_reason": "纸质台账补录"}
    again = api.post("/imports/ledger", as_=clerk, data=data)
    assert again.json["created"] == 0 and again.json["refused"][0]["row"] == 2 and _count(db, Decision) == 1
    data = {"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024", "backfill_reason": "x"}
    assert api.post("/imports/ledger", as_=auditor, data=data).status == 403
    data = {"file": (io.BytesIO(LEDGER), "台账.csv"), "year": "2024", "backfill_reason": "  "}
    blank = api.post("/imports/ledger", as_=clerk, data=data)
    assert blank.status == 422 and "backfill_reason" in blank.json["error"]["fields"]
