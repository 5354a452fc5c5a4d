"""The ledger (台账) as CSV and XLSX: headings, one row per decision, values, BOM, formula guard, scopes."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import quote

import openpyxl
import pytest

HEADINGS_START = ["编号", "事项名称", "类别", "单位", "承办部门", "金额（元）", "状态"]
STEP_HEADINGS = [
    "公众参与 状态", "公众参与 完成日期",
    "专家论证 状态", "专家论证 完成日期",
    "风险评估 状态", "风险评估 完成日期",
    "合法性审查 状态", "合法性审查 送审日期", "合法性审查 审查日期",
]


@pytest.fixture
def ledger(db, make_decision, make_user, walk):
    """白甸镇 2025: one decided (complete), one fresh draft; 2024: one; 海安市 2025: one."""
    clerk_ha = make_user("clerk", "HA", username="clerk_ha")
    return {
        "done": walk(make_decision(title="白甸镇垃圾中转站建设"), "decided"),
        "fresh": make_decision(title="白甸镇农村道路维修", category="large_fund", amount_cny="80000"),
        "old": make_decision(title="白甸镇2024年度预算调整", year=2024),
        "ha": make_decision(user=clerk_ha, title="海安市城区道路改造"),
    }


# ``buffered``: the test client reads the streamed body before the request's context is gone, as a server does.


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel and WPS read it as UTF-8
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF only
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return workbook.worksheets[0]


def test_csv_headings_rows_and_values(login, clerk, ledger):
    response = login(clerk).get("/reports/ledger.csv?year=2025", buffered=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    headings = rows[0]
    assert headings[: len(HEADINGS_START)] == HEADINGS_START
    assert headings[8:17] == STEP_HEADINGS
    assert headings[17] == "合法性审查 意见"
    assert headings[18:21] == ["集体讨论决定 状态", "集体讨论决定 会议日期", "集体讨论决定 决定结果"]
    assert headings[7] == "是否完整" and headings[21] == "发现问题"
    assert headings[22] == "是否补录"  # the columns before it stay where they were
    # Then what a 台账 import needs for the round trip: the publication date, the exemptions' reasons and bases.
    assert headings[23:] == ["公布日期", "公众参与 免除理由", "公众参与 免除法律依据", "专家论证 免除理由",
                             "专家论证 免除法律依据", "风险评估 免除理由", "风险评估 免除法律依据"]
    assert len(headings) == 30
    # One row per decision of BD's 2025, in reference-number order.
    body = rows[1:]
    assert [row[0] for row in body] == [ledger["done"].ref_no, ledger["fresh"].ref_no]
    done = dict(zip(headings, body[0], strict=True))
    assert done["事项名称"] == "白甸镇垃圾中转站建设"
    assert done["类别"] == "重大项目安排" and done["单位"] == "白甸镇" and done["承办部门"] == "白甸镇建设局"
    assert done["金额（元）"] == "1250000.00"
    assert done["状态"] == "已决定"
    assert done[headings[7]] == "是"
    assert done["公众参与 状态"] == "已完成" and done["公众参与 完成日期"] == "2025-04-02"
    assert done["专家论证 完成日期"] == "2025-04-05" and done["风险评估 完成日期"] == "2025-04-08"
    assert done["合法性审查 状态"] == "已完成"
    assert done["合法性审查 送审日期"] == "2025-04-10" and done["合法性审查 审查日期"] == "2025-04-25"
    assert done[headings[17]] == "合法"
    assert done["集体讨论决定 状态"] == "已完成" and done["集体讨论决定 会议日期"] == "2025-05-06"
    assert done["集体讨论决定 决定结果"] == "通过"
    assert "GEN-01" not in done[headings[21]]
    fresh = dict(zip(headings, body[1], strict=True))
    assert fresh["状态"] == "草稿" and fresh[headings[7]] == "否" and fresh["金额（元）"] == "80000.00"
    assert fresh["公众参与 状态"] == "未开始" and fresh["公众参与 完成日期"] == ""
    assert fresh[headings[21]] == "GEN-01 阻断"


def test_findings_column_lists_rules_worst_first(db, login, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")  # GEN-01 for the meeting, EVD-01 for files never uploaded
    rows = _csv(login(clerk).get("/reports/ledger.csv?year=2025", buffered=True))
    cell = rows[1][21]
    assert cell.startswith("GEN-01 阻断; ")
    assert "EVD-01 提示" in cell
    assert rows[1][0] == decision.ref_no


def test_xlsx_opens_with_openpyxl(login, clerk, ledger):
    response = login(clerk).get("/reports/ledger.xlsx?year=2025", buffered=True)
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = _xlsx(response)
    assert sheet.freeze_panes == "A2"
    headings = [cell.value for cell in sheet[1]]
    assert headings[: len(HEADINGS_START)] == HEADINGS_START and headings[8:17] == STEP_HEADINGS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width >= 30  # the title column is wide
    assert sheet.max_row == 3
    done = dict(zip(headings, [cell.value for cell in sheet[2]], strict=True))
    assert done["编号"] == ledger["done"].ref_no
    assert done["公众参与 完成日期"] == datetime(2025, 4, 2)  # a real date, not text
    assert sheet.cell(row=2, column=headings.index("公众参与 完成日期") + 1).number_format == "yyyy-mm-dd"
    assert done["金额（元）"] == 1250000
    assert done["状态"] == "已决定"
    fresh = [cell.value for cell in sheet[3]]
    assert fresh[0] == ledger["fresh"].ref_no and fresh[21] == "GEN-01 阻断"


def test_file_names_are_rfc5987(login, clerk, ledger):
    client = login(clerk)
    xlsx = client.get("/reports/ledger.xlsx?year=2025", buffered=True)
    disposition = xlsx.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="ledger_BD_2025.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote('台账_BD_2025.xlsx')}" in disposition
    xlsx.close()
    csv_response = client.get("/reports/ledger.csv?year=2024", buffered=True)
    assert f"filename*=UTF-8''{quote('台账_BD_2024.csv')}" in csv_response.headers["Content-Disposition"]


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example","点击")', "+1+2", "-3+4", "@SUM(A1)"])
def test_formula_injection_is_neutralised(db, login, clerk, make_decision, title):
    make_decision(title=title)
    client = login(clerk)
    rows = _csv(client.get("/reports/ledger.csv?year=2025", buffered=True))
    assert rows[1][1] == "'" + title
    sheet = _xlsx(client.get("/reports/ledger.xlsx?year=2025", buffered=True))
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'" + title
    assert cell.data_type == "s"  # text, never a formula


def test_auditor_exports_the_city_with_its_towns(login, auditor, ledger):
    client = login(auditor)
    rows = _csv(client.get("/reports/ledger.csv?year=2025", buffered=True))
    assert sorted(row[0] for row in rows[1:]) == sorted([ledger["done"].ref_no, ledger["fresh"].ref_no,
                                                         ledger["ha"].ref_no])
    assert {row[3] for row in rows[1:]} == {"海安市", "白甸镇"}
    narrowed = client.get("/reports/ledger.csv?year=2025&org=BD", buffered=True)
    assert len(_csv(narrowed)) == 3
    assert quote("台账_BD_2025.csv") in narrowed.headers["Content-Disposition"]
    whole = client.get("/reports/ledger.csv?year=2025", buffered=True)
    assert quote("台账_HA_2025.csv") in whole.headers["Content-Disposition"]


def test_scope_and_roles(client, login, clerk, legal, make_user, ledger):
    assert client.get("/reports/ledger.csv?year=2025", buffered=True).status_code == 302  # anonymous → login
    clerk_client = login(clerk)
    assert clerk_client.get("/reports/ledger.csv?year=2025&org=HA", buffered=True).status_code == 404
    assert clerk_client.get("/reports/ledger.xlsx?year=2025&org=CD", buffered=True).status_code == 404


def test_legal_adviser_cannot_export(login, legal, ledger):
    client = login(legal)
    assert client.get("/reports/ledger.csv?year=2025", buffered=True).status_code == 403
    assert client.get("/reports/ledger.xlsx?year=2025", buffered=True).status_code == 403


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=2025&page=x"])
def test_bad_year_is_refused(login, clerk, ledger, query):
    assert login(clerk).get(f"/reports/ledger.csv?{query}", buffered=True).status_code == 400


def test_empty_year_has_headings_only(login, clerk, ledger):
    rows = _csv(login(clerk).get("/reports/ledger.csv?year=2019", buffered=True))
    assert len(rows) == 1 and rows[0][0] == "编号"
    sheet = _xlsx(login(clerk).get("/reports/ledger.xlsx?year=2019", buffered=True))
    assert sheet.max_row == 1


def test_rows_are_read_in_batches_and_stay_right(db, login, clerk, make_decision, walk, monkeypatch, count_queries):
    """Batches of two: every row still gets its own steps and findings, and queries grow by batch only."""
    from app.reports import exports

    monkeypatch.setattr(exports, "BATCH", 2)
    made = [make_decision(title=f"事项{n}") for n in range(4)]
    made.append(walk(make_decision(title="完整事项"), "decided"))
    client = login(clerk)
    with count_queries() as statements:
        rows = _csv(client.get("/reports/ledger.csv?year=2025", buffered=True))
    assert [row[0] for row in rows[1:]] == [d.ref_no for d in made]
    assert [row[21] for row in rows[1:4]] == ["GEN-01 阻断"] * 3
    assert rows[5][7] == "是" and rows[5][8] == "已完成"
    batches = 3
    # user + scope, then per batch its steps and findings (the decisions stream from one cursor).
    assert len(statements) <= 5 + 2 * batches, statements


def test_export_does_not_depend_on_the_page_language(login, clerk, ledger, english):
    rows = _csv(login(clerk).get("/reports/ledger.csv?year=2025", buffered=True))
    assert rows[0][0] == "编号" and rows[1][6] == "已决定"


def test_neutralise_unit():
    from app.reports.exports import neutralise

    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("BD-2025-001") == "BD-2025-001"
    assert neutralise("普通标题") == "普通标题"
