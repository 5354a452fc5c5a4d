#!/usr/bin/env bash
# Times 10,000-row imports (DESIGN §7: ≤ 10 s each, nothing written when a row is refused) through the CLI:
# a finance ledger (`flask import payments`) and a 台账 (`flask import ledger`), on SQLite (/tmp/bench_imports.sqlite)
# or on DATABASE_URL. Each import prints its own time (the command's work, without the app start); `time` adds it.
#   bench/imports.sh [ROWS]
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_imports bench/imports.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000}
export FLASK_APP=wsgi
export DATABASE_URL=${DATABASE_URL:-sqlite:////tmp/bench_imports.sqlite}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
case "$DATABASE_URL" in
  sqlite:*) rm -f "${DATABASE_URL#sqlite:///}" ;;
  postgresql*) .venv/bin/python - <<PY
import sqlalchemy as sa, os
url = sa.engine.make_url(os.environ["DATABASE_URL"])
engine = sa.create_engine(url.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT")
with engine.connect() as c:
    c.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}"'))
    c.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
PY
  ;;
esac
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask users create --username bench_clerk --role clerk --org BD --password bench-password-1 >/dev/null 2>&1 || {
  .venv/bin/python - <<'PY'
from app import create_app
from app.extensions import db
from app.services.users import create_user, ensure_organization
app = create_app()
with app.app_context():
    ensure_organization("BD", "白甸镇", ensure_organization("HA", "海安市"))
    create_user("bench_clerk", "clerk", "BD", "bench-password-1", display_name="bench")
    db.session.commit()
PY
}
.venv/bin/python - "$ROWS" "$WORK" <<'PY'
import csv, sys
from datetime import date, timedelta
from openpyxl import Workbook
rows, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/payments.csv", "w", encoding="gb18030", newline="") as f:
    w = csv.writer(f)
    w.writerow(["日期", "凭证号", "对方单位", "金额", "摘要"])
    for i in range(rows):
        w.writerow([(date(2024, 1, 1) + timedelta(days=i % 366)).strftime("%Y/%m/%d"), f"记-{i:05d}",
                    f"供应商{i % 400}", f"{(i * 7919) % 150000 + 100:,}.00", "货款"])
book = Workbook(write_only=True)
sheet = book.create_sheet("台账")
sheet.append(["编号", "事项名称", "类别", "单位", "承办部门", "金额（元）", "状态", "是否完整",
              "公众参与 状态", "公众参与 完成日期", "专家论证 状态", "专家论证 完成日期", "风险评估 状态", "风险评估 完成日期",
              "合法性审查 状态", "合法性审查 送审日期", "合法性审查 审查日期", "合法性审查 意见",
              "集体讨论决定 状态", "集体讨论决定 会议日期", "集体讨论决定 决定结果", "发现问题", "是否补录"])
cats = ["重大事项决策", "重要干部任免", "重大项目安排", "大额度资金使用"]
for i in range(rows):
    d = date(2023, 1, 2) + timedelta(days=i % 300)
    sheet.append([f"旧-{i:05d}", f"事项{i}", cats[i % 4], "白甸镇", "党政办", 10000 + i, "已决定", "是",
                  "已完成", d, "已完成", d + timedelta(days=3), "已完成", d + timedelta(days=5),
                  "已完成", d + timedelta(days=6), d + timedelta(days=20), "合法",
                  "已完成", d + timedelta(days=25), "通过", "", "否"])
book.save(f"{work}/ledger.xlsx")
PY
echo "database: ${DATABASE_URL%%:*}, rows: $ROWS, load: $(cut -d" " -f1-3 /proc/loadavg)"
.venv/bin/flask --help >/dev/null 2>&1; /usr/bin/time -f "app start alone: wall %e s, cpu %U+%S s" .venv/bin/flask --help >/dev/null
/usr/bin/time -f "payments wall %e s, cpu %U+%S s, peak RSS %M KB" .venv/bin/flask import payments "$WORK/payments.csv" --org BD | tail -1
/usr/bin/time -f "payments again wall %e s, cpu %U+%S s" .venv/bin/flask import payments "$WORK/payments.csv" --org BD | tail -1
/usr/bin/time -f "ledger wall %e s, cpu %U+%S s, peak RSS %M KB" .venv/bin/flask import ledger "$WORK/ledger.xlsx" --org BD --year 2023 | tail -1
.venv/bin/flask audit verify --org BD | tail -1
