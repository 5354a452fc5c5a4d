"""The audit log as an auditor uses it: events filtered by who did them; the verification printed on one page."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from .test_journeys import create_decision, record_public_participation

pytestmark = pytest.mark.e2e


def test_auditor_filters_the_audit_log_by_actor(login):
    clerk = login("clerk")
    decision_id, ref_no = create_decision(clerk, "白甸镇路灯改造事宜（审计日志）", "关于白甸镇路灯改造的决定（草案）")
    record_public_participation(clerk, decision_id)
    login("legal")  # another actor's event (a login) in the same organisation's trail

    auditor = login("auditor")
    auditor.goto("/audit/events")
    everyone = set(auditor.locator("tr.audit-event").evaluate_all("rows => rows.map(r => r.dataset.actor)"))
    assert {"clerk", "legal", "auditor"} <= everyone, everyone

    auditor.fill("#filter-actor", "clerk")
    with auditor.expect_navigation():
        auditor.click("form.filter-form button[type=submit]")
    assert re.search(r"[?&]actor=clerk\b", auditor.url), auditor.url
    rows = auditor.locator("tr.audit-event")
    actors = set(rows.evaluate_all("rows => rows.map(r => r.dataset.actor)"))
    assert actors == {"clerk"}, actors
    actions = rows.evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert "decision.create" in actions and any(action.startswith("step.") for action in actions), actions
    assert ref_no in auditor.locator("table.audit-events").inner_text()
    assert auditor.locator("#filter-actor").input_value() == "clerk"  # the form keeps the filter

    auditor.fill("#filter-actor", "nobody")
    with auditor.expect_navigation():
        auditor.click("form.filter-form button[type=submit]")
    assert auditor.locator("tr.audit-event").count() == 0
    assert "没有符合" in auditor.locator("main").inner_text()


def test_the_verification_prints_on_one_page(login, tmp_path):
    auditor = login("auditor")
    auditor.goto("/audit/verify")
    with auditor.expect_navigation():
        auditor.click("form.verify-form button[type=submit]")
    record = auditor.locator("#verify-record")
    assert auditor.locator("#verify-result").get_attribute("data-ok") == "true"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", record.locator("#verified-at").inner_text())
    tips = record.locator("tr.chain-tip")
    assert tips.count() >= 2  # the global chain and the organisations'
    assert all(re.fullmatch(r"[0-9a-f]{64}", text) for text in tips.locator(".tip-hash").all_inner_texts())
    assert sum(int(n) for n in tips.evaluate_all("rows => rows.map(r => r.dataset.events)")) == \
        int(record.locator("#verified-events").inner_text())

    pdf = tmp_path / "verify.pdf"
    auditor.pdf(path=str(pdf), format="A4")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "本次校验记录" in text and tips.locator(".tip-hash").first.inner_text()[:16] in text.replace("\n", "")
    assert "立即校验" not in text  # no button on paper
