"""Issue 13 end to end: an auditor imports a finance ledger through its preview and opens a PAY-01 finding;
a clerk imports a 台账 and sees the backfilled decisions."""

from __future__ import annotations

import re

import pytest

from .conftest import save_screenshot

pytestmark = pytest.mark.e2e

FINANCE = ("日期,凭证号,对方单位,金额,摘要\r\n"
           "2024/6/3,记-101,白甸路桥工程有限公司,\"180,000.00\",道路维修工程款\r\n"
           "2024-06-10,记-102,海安办公设备公司,60000,办公设备\r\n"
           "20240625,记-103,海安办公设备公司,\"55,000.00\",办公设备\r\n"
           "2024-07-01,记-104,白甸镇文化站,8000,活动经费\r\n").encode("gb18030")
TAIZHANG = ("编号,事项名称,类别,承办部门,金额（元）,公众参与 完成日期,合法性审查 送审日期,合法性审查 审查日期,"
            "合法性审查 意见,集体讨论决定 会议日期,集体讨论决定 决定结果\r\n"
            "白政〔2023〕7号,白甸镇老街改造工程,重大项目安排,建设办,2300000,2023-03-02,2023-03-10,2023-03-21,合法,"
            "2023-04-06,通过\r\n"
            "白政〔2023〕8号,镇属企业负责人调整,重要干部任免,组织办,,,,,,2023-05-11,通过\r\n").encode("utf-8-sig")


def test_auditor_uploads_a_finance_ledger_previews_imports_and_opens_a_pay01_finding(login, tmp_path):
    ledger = tmp_path / "白甸镇2024年银行日记账.csv"
    ledger.write_bytes(FINANCE)
    page = login("auditor")
    page.goto("/payments/")
    page.click("#upload-ledger")
    page.wait_for_url(re.compile(r"/payments/import$"))
    page.set_input_files("input[type=file][name=file]", str(ledger))
    page.select_option("select[name=org]", "BD")
    page.click("#preview-button")
    page.wait_for_selector("#preview-rows")
    rows = page.locator("#preview-rows .preview-row")
    assert rows.count() == 4
    assert "PAY-01" in rows.nth(0).inner_text()
    assert "PAY-03" in rows.nth(2).inner_text()
    assert "尚未写入" in page.locator("#preview-summary").inner_text()
    save_screenshot(page, "payments-preview.png")
    with page.expect_navigation():
        page.click("#confirm-import")
    assert "/payments/" in page.url
    assert "已导入 4 笔支付" in page.locator(".alert-success, .alert").first.inner_text()
    assert page.locator('[data-count="PAY-01"]').first.inner_text().strip() == "1"
    page.click('a[href="#rule-PAY-01"]')
    finding = page.locator("#rule-PAY-01 .payment-finding").first
    assert "记-101" in finding.inner_text() and "未关联任何决策" in finding.inner_text()
    assert "三重一大" in page.locator("#rule-PAY-01").inner_text()
    save_screenshot(page, "payments-findings.png")


def test_clerk_imports_a_taizhang_and_sees_the_backfilled_decisions(login, tmp_path):
    source = tmp_path / "白甸镇2023年三重一大台账.csv"
    source.write_bytes(TAIZHANG)
    page = login("clerk")
    page.goto("/imports/ledger")
    assert page.locator("#ledger-template").count() == 1
    page.set_input_files("input[type=file][name=file]", str(source))
    page.fill("#year", "2023")
    page.fill("#backfill_reason", "2023年纸质台账补录")
    page.click("#preview-button")
    page.wait_for_selector("#preview-rows")
    assert page.locator("#preview-rows .preview-row").count() == 2
    assert "REC-02" in page.locator("#preview-rows").inner_text()
    save_screenshot(page, "ledger-import-preview.png")
    with page.expect_navigation():
        page.click("#confirm-import")
    assert "year=2023" in page.url
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "白甸镇老街改造工程" in body and "镇属企业负责人调整" in body
    with page.expect_navigation():
        page.locator("tr", has_text="白甸镇老街改造工程").locator("a").first.click()
    assert re.search(r"/decisions/\d+$", page.url)
    assert "补录" in page.content()
    save_screenshot(page, "ledger-imported-decision.png")
