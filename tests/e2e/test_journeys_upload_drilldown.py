"""Issue 10's journeys in Chromium: the clerk's upload keeps typed text; the auditor drills down from a number.

1. The clerk fills a step form and chooses a file there. Too large: with
   JavaScript the message is next to the file box before anything is sent;
   without JavaScript the server answers with the same page, the typed values
   and the same message. A fitting file is then saved with the step.
2. The auditor clicks a dashboard number (a card, a table cell, a rule, a chart
   bar) and lands on the list of exactly those decisions, then on a decision.
"""

from __future__ import annotations

import re
from itertools import count

import pytest

from tests.web.support import pdf_bytes

from .conftest import PASSWORD, TIMEOUT_MS, VIEWPORT, save_screenshot
from .test_journeys import YEAR, create_decision, expect_ok

pytestmark = pytest.mark.e2e

_titles = count(1)
KIND = "public_participation"
#: Over the 20 MB cap of the test configuration.
TOO_LARGE = 21 * 1024 * 1024


def _login_without_script(browser, live_server, username: str):
    """A browser with JavaScript off, logged in through the form: what the progressive enhancement falls back to."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN",
                                  java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    assert "/login" not in page.url
    return context, page


def _fill_public_participation(page) -> None:
    page.select_option("#status", "in_progress")
    page.fill("#responsible", "王晓燕")
    page.select_option("#method", "online_comment")
    page.fill("#comment_start", "2025-03-01")
    page.fill("#feedback_summary", "意见正在汇总，已收到十二条。")


def _assert_typed_values_kept(page) -> None:
    assert page.input_value("#responsible") == "王晓燕"
    assert page.input_value("#comment_start") == "2025-03-01"
    assert page.input_value("#feedback_summary") == "意见正在汇总，已收到十二条。"
    assert page.locator("#status").input_value() == "in_progress"


def _file(name: str, content: bytes) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


def _too_large_file(tmp_path):
    """A 21 MB file on disk: the local browser reads it by path (a buffer that size crawls through the protocol)."""
    path = tmp_path / "扫描件.pdf"
    with path.open("wb") as out:
        out.write(b"%PDF-")
        out.truncate(TOO_LARGE)
    return path


def _save_and_expect_the_decision_page(page, decision_id: int) -> None:
    with page.expect_navigation():
        page.click("form.step-form button[name=save]")
    expect_ok(page, "saving the step with its file")
    assert page.url.split("#")[0].endswith(f"/decisions/{decision_id}"), page.url


def test_clerk_upload_keeps_typed_text_and_shows_a_too_large_file_inline(login, tmp_path):
    clerk = login("clerk")
    decision_id, _ref_no = create_decision(clerk,
                                           f"白甸镇文化站修缮事宜（{next(_titles)}）", "关于文化站修缮的决定（草案）")
    clerk.goto(f"/decisions/{decision_id}/steps/{KIND}")
    _fill_public_participation(clerk)

    # Too large: the browser says so next to the file box, and the form is not sent.
    box = clerk.locator(f"#file-{KIND}")
    box.set_input_files(_too_large_file(tmp_path))
    message = clerk.locator(f"#file-{KIND}-error")
    assert "扫描件.pdf 为 21.0 MB，证明材料文件不得超过 20 MB" in message.inner_text()
    assert box.get_attribute("aria-invalid") == "true"
    url = clerk.url
    clerk.click("form.step-form button[name=save]")
    assert clerk.url == url
    _assert_typed_values_kept(clerk)
    save_screenshot(clerk, "upload-too-large.png")

    # A file that fits: the message goes, and the file is saved with the step.
    box.set_input_files(_file("征求意见公告.pdf", pdf_bytes("征求意见公告")))
    assert clerk.locator(f"#file-{KIND}-error").count() == 0
    _save_and_expect_the_decision_page(clerk, decision_id)
    card = clerk.locator(f"#step-{KIND}")
    assert "征求意见公告.pdf" in card.inner_text()
    assert "王晓燕" in card.inner_text()


def test_without_javascript_the_server_keeps_the_typed_text(browser, live_server, login, tmp_path):
    clerk = login("clerk")
    decision_id, _ref_no = create_decision(clerk,
                                           f"白甸镇污水管网改造事宜（{next(_titles)}）", "关于管网改造的决定（草案）")
    context, page = _login_without_script(browser, live_server, "clerk")
    try:
        step_url = f"/decisions/{decision_id}/steps/{KIND}"
        page.goto(step_url)
        _fill_public_participation(page)
        page.set_input_files(f"#file-{KIND}", _too_large_file(tmp_path))
        with page.expect_navigation():
            page.click("form.step-form button[name=save]")
        # The same page at the same address, what was typed, and the message next to the file box.
        assert page.url.endswith(step_url), page.url
        _assert_typed_values_kept(page)
        error = page.locator(f"#file-{KIND}-error").inner_text()
        assert "扫描件.pdf 为 21.0 MB，证明材料文件不得超过 20 MB" in error
        assert page.locator("h1").inner_text().strip() == "公众参与"

        # Reloading shows the step page again (GET), not a "method not allowed".
        page.goto(page.url)
        assert page.locator("h1").inner_text().strip() == "公众参与"

        # Typed again with a fitting file: saved together.
        _fill_public_participation(page)
        page.set_input_files(f"#file-{KIND}", _file("征求意见公告.pdf", pdf_bytes("征求意见公告")))
        _save_and_expect_the_decision_page(page, decision_id)
        assert "征求意见公告.pdf" in page.locator(f"#step-{KIND}").inner_text()
    finally:
        context.close()


def _list_total(page) -> int:
    heading = page.locator("h1 + span").first.inner_text()
    return int(re.search(r"(\d+)", heading).group(1))


def _follow(page, locator) -> None:
    with page.expect_navigation():
        locator.first.click()


def test_auditor_drills_down_from_a_dashboard_number_to_a_decision(login):
    clerk = login("clerk")
    _decision_id, ref_no = create_decision(clerk,
                                           f"白甸镇公厕改造事宜（{next(_titles)}）", "关于公厕改造的决定（草案）")

    auditor = login("auditor")
    dashboard = f"/reports/dashboard?year={YEAR}&org=HA"

    # A card: 不完整 N → the list of those N decisions.
    auditor.goto(dashboard)
    card = auditor.locator("#summary a[data-count=incomplete]")
    number = int(card.inner_text())
    assert number >= 1
    _follow(auditor, card)
    assert "complete=no" in auditor.url and "org=HA" in auditor.url and f"year={YEAR}" in auditor.url
    assert _list_total(auditor) == number
    assert auditor.locator("#filter-complete").input_value() == "no"

    # From the list to the decision.
    _follow(auditor, auditor.get_by_role("link", name=ref_no, exact=True))
    assert re.search(r"/decisions/\d+$", auditor.url)
    assert ref_no in auditor.locator("body").inner_text()

    # A table cell: 缺失 of the legality review.
    auditor.goto(dashboard)
    cell = auditor.locator("#by-step tr[data-step=legality_review] a[data-count=missing]")
    number = int(cell.inner_text())
    _follow(auditor, cell)
    assert "step=legality_review" in auditor.url and "step_status=missing" in auditor.url
    assert _list_total(auditor) == number
    assert auditor.locator("#filter-step").input_value() == "legality_review"

    # A rule: its badge and its count name the same decisions.
    auditor.goto(dashboard)
    row = auditor.locator("#by-rule tr[data-rule='GEN-01']")
    number = int(row.locator("a[data-count=decisions]").inner_text())
    _follow(auditor, row.locator("a:has(.rule-id)"))
    assert "rule=GEN-01" in auditor.url
    assert _list_total(auditor) == number
    assert auditor.locator("tbody .rule-id", has_text="GEN-01").count() == number

    # A chart bar: the rules chart's GEN-01 bar is a link too.
    auditor.goto(dashboard)
    bar = auditor.locator("xpath=//*[local-name()='svg']//*[local-name()='a']"
                          "[contains(@*[local-name()='href'], 'rule=GEN-01')]")
    assert bar.count() >= 1
    _follow(auditor, bar)
    assert "rule=GEN-01" in auditor.url
    assert _list_total(auditor) == number

    # A sub-organisation's row: 白甸镇 with everything under it (it has nothing under it here).
    auditor.goto(dashboard)
    bd = auditor.locator("#by-organization tr[data-org=BD] a[data-count=total]")
    number = int(bd.inner_text())
    _follow(auditor, bd)
    assert "org=BD" in auditor.url and "own=1" not in auditor.url
    assert _list_total(auditor) == number
    assert all(ref.startswith("BD-") for ref in auditor.locator("tbody td.text-nowrap a").all_inner_texts())
    save_screenshot(auditor, "drill-down-list.png")
