"""``flask import payments`` and ``flask import ledger``: a row-by-row report, nothing written on a refusal."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Decision, Payment


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_payments_dry_run_then_for_real(app, db, clerk, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("日期,凭证号,收款单位,金额\r\n2024-06-03,记-1,甲公司,\"150,000\"\r\n".encode("gb18030"))
    dry = _run(app, "import", "payments", str(path), "--org", "BD", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "row 2:" in dry.output and "PAY-01" in dry.output and "would import 1" in dry.output
    assert _count(db, Payment) == 0
    done = _run(app, "import", "payments", str(path), "--org", "BD")
    assert done.exit_code == 0 and "imported 1 payments" in done.output and _count(db, Payment) == 1


def test_import_payments_refused_row(app, db, clerk, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("日期,凭证号,收款单位,金额\n2024-06-03,记-1,甲公司,100\n2024-06-31,记-2,乙,5\n", encoding="utf-8")
    result = _run(app, "import", "payments", str(path), "--org", "BD")
    assert result.exit_code == 1 and "row 3: 日期:" in result.output and _count(db, Payment) == 0


def test_import_ledger(app, db, clerk, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("编号,事项名称,类别,承办部门\n台-1,农桥建设,重大项目安排,建设办\n", encoding="utf-8-sig")
    dry = _run(app, "import", "ledger", str(path), "--org", "BD", "--year", "2024", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "台-1 → BD-2024-001" in dry.output and "REC-02" in dry.output and _count(db, Decision) == 0
    done = _run(app, "import", "ledger", str(path), "--org", "BD", "--year", "2024")
    assert done.exit_code == 0 and "created 1 decisions" in done.output and _count(db, Decision) == 1
    again = _run(app, "import", "ledger", str(path), "--org", "BD", "--year", "2024")
    assert again.exit_code == 1 and "row 2: 编号:" in again.output and _count(db, Decision) == 1
