"""A clerk builds, approves and publishes a catalogue and links a decision; anyone reads the public page;
the auditor opens the annual report and follows a number to the decisions it counts."""

from __future__ import annotations

import re

import pytest

from .conftest import save_screenshot
from .test_journeys import expect_ok

pytestmark = pytest.mark.e2e

YEAR = 2027  # a year of its own: the other journeys work in 2025


def _create_decision(page, title: str) -> int:
    page.goto("/decisions/new")
    page.fill("#title", title)
    page.select_option("#category", "major_project")
    page.fill("#department", "白甸镇建设局")
    page.fill("#year", str(YEAR))
    page.fill("#amount_cny", "860000")
    page.fill("#draft_text", f"关于{title}的决定（草案）")
    page.click("form.decision-form button[type=submit]")
    page.wait_for_url(re.compile(r"/decisions/\d+$"))
    expect_ok(page, "creating the decision")
    return int(page.url.rsplit("/", 1)[1])


def test_catalogue_public_page_and_annual_report(login, browser, live_server):
    clerk = login("clerk")
    clerk.goto("/catalogues/")
    clerk.fill("#year", str(YEAR))
    with clerk.expect_navigation():
        clerk.click("form[action$='/catalogues/'] button[type=submit]")
    expect_ok(clerk, "opening the catalogue")
    catalogue_url = clerk.url
    assert re.search(r"/catalogues/\d+$", catalogue_url), catalogue_url

    clerk.fill("#title", "白甸镇镇区雨污分流改造工程")
    clerk.select_option("#category", "major_project")
    clerk.fill("#decision_body", "白甸镇人民政府")
    clerk.fill("#sponsor_unit", "白甸镇建设局")
    clerk.fill("#legal_basis", "《政府投资条例》")
    clerk.fill("#planned_completion", f"{YEAR}-09-30")
    clerk.uncheck("#expert_review")
    with clerk.expect_navigation():
        clerk.click("#add-item button[type=submit]")
    expect_ok(clerk, "listing the matter")
    row = clerk.locator("#item-1")
    assert "公众参与、风险评估、合法性审查、集体讨论决定" in row.inner_text()

    clerk.fill("#approved_on", "2026-11-20")
    clerk.fill("#approval_ref", "白委〔2026〕18号")
    with clerk.expect_navigation():
        clerk.click("#approve button[type=submit]")
    expect_ok(clerk, "recording the agreement")
    clerk.fill("#published_on", "2026-11-25")
    with clerk.expect_navigation():
        clerk.click("#publish button[type=submit]")
    expect_ok(clerk, "publishing")
    assert clerk.locator("#public-link").count() == 1

    decision_id = _create_decision(clerk, "白甸镇镇区雨污分流改造工程相关事宜")
    clerk.goto(catalogue_url)
    clerk.locator("#item-1 select[name=decision_id]").select_option(str(decision_id))
    with clerk.expect_navigation():
        clerk.click("#item-1 form[action$='/link'] button[type=submit]")
    expect_ok(clerk, "linking the decision")
    assert f"BD-{YEAR}-" in clerk.locator("#item-1").inner_text()
    save_screenshot(clerk, "catalogue.png")

    # Logged out: a context without any login reads the public page.
    anonymous = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900},
                                    locale="zh-CN")
    try:
        public = anonymous.new_page()
        public.goto(f"/public/catalogues/BD/{YEAR}")
        body = public.locator("main").inner_text()
        assert f"白甸镇{YEAR}年度重大行政决策事项目录" in body
        assert "白甸镇镇区雨污分流改造工程" in body and "白委〔2026〕18号" in body
        assert public.locator("nav, .navbar").count() == 0
        assert "陈静" not in public.content()  # the clerk's name appears nowhere
        save_screenshot(public, "public_catalogue.png")
    finally:
        anonymous.close()

    auditor = login("auditor")
    auditor.goto(f"/reports/annual?year={YEAR}&org=BD")
    text = auditor.locator("#annual-text").inner_text()
    assert text.startswith(f"{YEAR}年，白甸镇") and "目录列入事项1项" in text and "均落实" not in text
    save_screenshot(auditor, "annual_report.png")
    first = auditor.locator("#annual-text a.annual-number").first
    number = first.inner_text().strip()
    with auditor.expect_navigation():
        first.click()
    assert "/?" in auditor.url or auditor.url.rstrip("/").endswith(live_server.url) or "year=" in auditor.url
    assert f"共 {number} 项" in auditor.locator("main").inner_text()
