"""The three journeys of issue 3, end to end in Chromium against the live server.

1. A clerk takes a new decision through the step forms and submits it: refused
   with GEN-01 while the legality review is missing, with LR-04 after an
   ``unlawful`` opinion, accepted after a ``lawful`` one.
2. A legal adviser signs from the queue; the clerk revises the draft; LR-05
   blocks submission and the decision is back in the queue.
3. An auditor sees the dashboard numbers change and downloads the XLSX ledger.
"""

from __future__ import annotations

import re
from itertools import count

import pytest
from openpyxl import load_workbook

from .conftest import save_screenshot

pytestmark = pytest.mark.e2e

YEAR = 2025
_titles = count(1)


# -- what a person does on the pages ------------------------------------------------------------------


def expect_ok(page, what: str) -> None:
    """The last action ended on a page without form errors (else fail with what the page says)."""
    errors = page.locator(".invalid-feedback, .alert-danger, .error-summary")
    if errors.count():
        texts = [text.strip() for text in errors.all_inner_texts() if text.strip()]
        assert not texts, f"{what} refused: {texts}"


def create_decision(page, title: str, draft: str) -> tuple[int, str]:
    """Fill the new-decision form; answer the decision's id and reference number."""
    page.goto("/decisions/new")
    page.fill("#title", title)
    page.select_option("#category", "major_project")
    page.fill("#department", "白甸镇建设局")
    page.fill("#year", str(YEAR))
    page.fill("#amount_cny", "1250000.00")
    page.fill("#summary", "新建农桥三座")
    page.fill("#draft_text", draft)
    page.click("form.decision-form button[type=submit]")
    page.wait_for_url(re.compile(r"/decisions/\d+$"))
    expect_ok(page, "creating the decision")
    decision_id = int(page.url.rsplit("/", 1)[1])
    ref_no = page.locator(".decision-header .font-monospace").first.inner_text().strip()
    assert ref_no.startswith(f"BD-{YEAR}-"), ref_no
    return decision_id, ref_no


def click_and_load(page, selector: str) -> None:
    """Click a button that posts a form and wait for the page that answers."""
    with page.expect_navigation():
        page.click(selector)


def save_step(page, decision_id: int) -> None:
    click_and_load(page, "form.step-form button[name=save]")
    expect_ok(page, page.url)
    assert page.url.split("#")[0].endswith(f"/decisions/{decision_id}"), page.url


def open_step(page, decision_id: int, kind: str) -> None:
    page.goto(f"/decisions/{decision_id}/steps/{kind}")


def record_public_participation(page, decision_id: int) -> None:
    open_step(page, decision_id, "public_participation")
    page.select_option("#status", "completed")
    page.fill("#responsible", "张三")
    page.select_option("#method", "online_comment")
    page.fill("#comment_start", "2025-03-01")
    page.fill("#comment_end", "2025-03-30")
    page.fill("#comments_received", "12")
    page.fill("#comments_adopted", "5")
    page.fill("#feedback_summary", "采纳5条，未采纳的已说明理由")
    page.fill("#feedback_published_on", "2025-04-02")
    page.fill("#completed_on", "2025-04-02")
    save_step(page, decision_id)


EXPERTS = [("张工", "桥梁", "南通大学"), ("李工", "水利", "河海大学"), ("王工", "造价", "海安市造价站")]


def record_expert_review(page, decision_id: int) -> None:
    open_step(page, decision_id, "expert_review")
    page.select_option("#status", "completed")
    page.fill("#responsible", "李四")
    page.select_option("#method", "meeting")
    page.fill("#review_date", "2025-04-05")
    rows = page.locator("[data-list=experts] [data-rows] > [data-row]")
    assert rows.count() == 1  # the empty row offered by the form
    for _ in EXPERTS[1:]:
        page.click("[data-list=experts] [data-row-add]")  # the list grows in the page (JavaScript)
    assert rows.count() == len(EXPERTS)
    for index, (name, field, institution) in enumerate(EXPERTS):
        page.fill(f"input[name='experts-{index}-name']", name)
        page.fill(f"input[name='experts-{index}-field']", field)
        page.fill(f"input[name='experts-{index}-institution']", institution)
        page.check(f"input[name='experts-{index}-no_conflict']")
    page.fill("#opinion_text", "方案可行，建议加强施工期交通组织")
    page.check("#opinion_signed")
    page.fill("#completed_on", "2025-04-05")
    save_step(page, decision_id)


def record_risk_assessment(page, decision_id: int) -> None:
    open_step(page, decision_id, "risk_assessment")
    page.select_option("#status", "completed")
    page.fill("#responsible", "王五")
    page.check("input[name=risk_types][value=social_stability]")
    page.select_option("#risk_level", "low")
    page.select_option("#conclusion", "proceed")
    page.fill("#assessed_on", "2025-04-08")
    page.fill("#risk_points", "施工期间交通不便")
    page.fill("#mitigation", "设置临时便道")
    page.fill("#completed_on", "2025-04-08")
    save_step(page, decision_id)


def record_legality_submission(page, decision_id: int) -> None:
    open_step(page, decision_id, "legality_review")
    page.fill("#submitted_on", "2025-04-10")
    page.fill("#responsible", "赵六")
    save_step(page, decision_id)


def submit_for_discussion(page, decision_id: int) -> None:
    page.goto(f"/decisions/{decision_id}")
    click_and_load(page, "form.submit-form button[type=submit]")


def refused_rules(page) -> list[str]:
    """The rules of the refusal box (empty when the action went through)."""
    return page.locator("#refusal .refusal-finding").evaluate_all("items => items.map(i => i.dataset.rule)")


def sign(page, decision_id: int, opinion: str, text: str, *, from_queue: str | None = None) -> None:
    """The adviser signs: from the queue row of ``from_queue`` (a ref_no), or on the review page directly."""
    if from_queue:
        page.goto("/review")
        page.locator(f"tr.queue-item[data-ref='{from_queue}'] a").click()
        page.wait_for_url(re.compile(rf"/review/{decision_id}$"))
    else:
        page.goto(f"/review/{decision_id}")
    page.select_option("#opinion", opinion)
    page.fill("#opinion_text", text)
    page.fill("#reviewed_on", "2025-04-25")
    page.click("form.sign-form button[type=submit]")
    page.wait_for_url(re.compile(r"/review$"))
    expect_ok(page, f"signing {opinion}")
    assert page.locator(".alert-success").count(), page.content()[:2000]


def queue_refs(page) -> list[str]:
    page.goto("/review")
    return page.locator("tr.queue-item").evaluate_all("rows => rows.map(r => r.dataset.ref)")


# -- the journeys ---------------------------------------------------------------------------------------


def test_clerk_takes_a_decision_through_the_steps_and_submits(login):
    clerk = login("clerk")
    decision_id, ref_no = create_decision(clerk, f"白甸镇农桥建设工程相关事宜（{next(_titles)}）",
                                          "关于白甸镇农桥建设工程的决定（草案）\n一、新建农桥三座。")
    record_public_participation(clerk, decision_id)
    record_expert_review(clerk, decision_id)
    record_risk_assessment(clerk, decision_id)
    experts = clerk.locator("#step-expert_review table.experts tbody tr")
    assert experts.count() == len(EXPERTS)

    # No legality review yet: refused, GEN-01 on the legality review, with its citation.
    submit_for_discussion(clerk, decision_id)
    assert "GEN-01" in refused_rules(clerk)
    gen01 = clerk.locator("#refusal .refusal-finding[data-rule='GEN-01']").first
    assert "合法性审查" in gen01.inner_text()
    assert re.search(r"《.+》第.+条", gen01.locator(".citation").inner_text()), gen01.inner_text()

    record_legality_submission(clerk, decision_id)

    adviser = login("legal")
    assert ref_no in queue_refs(adviser)
    sign(adviser, decision_id, "unlawful", "该草案第一条与上位法相抵触", from_queue=ref_no)

    submit_for_discussion(clerk, decision_id)
    assert "LR-04" in refused_rules(clerk)

    sign(adviser, decision_id, "lawful", "经审查，草案合法")

    submit_for_discussion(clerk, decision_id)
    assert refused_rules(clerk) == []
    expect_ok(clerk, "the submission")
    assert clerk.url.endswith(f"/decisions/{decision_id}")
    assert "已提请集体讨论" in clerk.locator(".decision-header").inner_text()
    assert clerk.locator("form.submit-form").count() == 0

    clerk.goto(f"/decisions/{decision_id}")  # without the one-off flash message
    save_screenshot(clerk, "decision.png")


def test_a_changed_draft_needs_a_new_review(login):
    clerk = login("clerk")
    decision_id, ref_no = create_decision(clerk, f"白甸镇垃圾中转站改造事宜（{next(_titles)}）",
                                          "关于白甸镇垃圾中转站改造的决定（草案）")
    record_public_participation(clerk, decision_id)
    record_expert_review(clerk, decision_id)
    record_risk_assessment(clerk, decision_id)
    record_legality_submission(clerk, decision_id)

    adviser = login("legal")
    sign(adviser, decision_id, "lawful", "经审查，草案合法", from_queue=ref_no)
    assert ref_no not in queue_refs(adviser)

    # The clerk revises the draft after the signature.
    clerk.goto(f"/decisions/{decision_id}/edit")
    clerk.fill("#draft_text", "关于白甸镇垃圾中转站改造的决定（草案修改稿）\n增加除臭设施。")
    clerk.click("form.decision-form button[type=submit]")
    clerk.wait_for_url(re.compile(rf"/decisions/{decision_id}$"))
    expect_ok(clerk, "revising the draft")
    assert clerk.locator("#findings .finding .rule-id", has_text="LR-05").count() >= 1
    assert clerk.locator("#step-legality_review .rule-id", has_text="LR-05").count() >= 1

    submit_for_discussion(clerk, decision_id)
    assert "LR-05" in refused_rules(clerk)

    # Signed on an older draft: back in the adviser's queue, marked as changed.
    assert ref_no in queue_refs(adviser)
    row = adviser.locator(f"tr.queue-item[data-ref='{ref_no}']")
    assert "第2稿" in row.inner_text()
    assert "草案已修改" in row.locator(".badge").inner_text()  # not "not yet reviewed": a re-review


def _counts(page) -> dict[str, int]:
    return {name: int(page.locator(f"#summary [data-count={name}]").inner_text().strip())
            for name in ("total", "complete", "incomplete")}


def test_auditor_sees_the_dashboard_change_and_downloads_the_ledger(login, tmp_path):
    auditor = login("auditor")
    auditor.goto(f"/reports/dashboard?year={YEAR}&org=HA")
    before = _counts(auditor)

    clerk = login("clerk")
    title = f"白甸镇敬老院扩建事宜（{next(_titles)}）"
    _decision_id, ref_no = create_decision(clerk, title, "关于白甸镇敬老院扩建的决定（草案）")

    auditor.reload()
    after = _counts(auditor)
    assert after["total"] == before["total"] + 1
    assert after["complete"] == before["complete"]
    assert after["incomplete"] == before["incomplete"] + 1
    assert ref_no in auditor.locator("body").inner_text()  # listed among the incomplete ones

    with auditor.expect_download() as download_info:
        auditor.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "ledger.xlsx"
    download.save_as(path)

    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = rows[0]
    assert header[:2] == ("编号", "事项名称")
    assert "是否完整" in header
    assert any("合法性审查" in str(heading) for heading in header)
    by_ref = {row[0]: row for row in rows[1:]}
    assert len(by_ref) == after["total"]
    assert by_ref[ref_no][1] == title

    save_screenshot(auditor, "dashboard.png")
