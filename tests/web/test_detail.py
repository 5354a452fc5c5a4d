"""The decision page: checklist, findings with citations, drafts, history, who may see it."""

from __future__ import annotations

import html

import pytest

STEP_NAMES = ["公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论决定"]


def _findings(decision):
    from app.services.compliance import evaluate_decision

    return evaluate_decision(decision).findings


def _section(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    end = body.find("</section>", start)
    return body[start:end]


def test_fresh_decision_shows_the_checklist_in_statutory_order(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    checklist = _section(body, "checklist-heading")
    positions = [checklist.index(f">{name}</h3>") for name in STEP_NAMES]
    assert positions == sorted(positions)
    assert checklist.count("未开始") == 5
    assert "尚未登记任何内容" in checklist
    # Header facts.
    assert "BD-2025-001" in body and "白甸镇农桥建设工程相关事宜" in body
    assert "重大项目安排" in body and "白甸镇建设局" in body and "1,250,000.00" in body
    assert "草稿" in body and "不完整" in body


def test_fresh_decision_shows_gen01_with_its_citation(login, clerk, make_decision, page_text):
    decision = make_decision()
    findings = _findings(decision)
    gen01 = [f for f in findings if f.rule == "GEN-01"]
    assert len(gen01) == 5
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    panel = _section(body, "findings")
    assert "阻断事项" in panel
    for finding in findings:
        assert finding.message_zh in panel
        assert finding.citation in panel
    assert "《重大行政决策程序暂行条例》第二十五条" in panel  # GEN-01 for the legality review


def test_findings_in_english(login, clerk, make_decision, english, page_text):
    decision = make_decision()
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    for finding in _findings(decision):
        assert finding.message_en in body
    assert "Blockers" in body and "Public participation" in body and "Not started" in body


def test_changed_draft_after_signature_shows_lr05(db, login, clerk, make_decision, walk, page_text):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "signed")
    signed_sha = decision.drafts[-1].sha256
    update_decision(clerk, decision, {"version": decision.version, "draft_text": "修改后的草案文本"})
    db.session.commit()
    lr05 = [f for f in _findings(decision) if f.rule == "LR-05"]
    assert lr05
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    panel = _section(body, "findings")
    assert "LR-05" in panel
    assert lr05[0].message_zh in panel
    assert lr05[0].citation in panel
    # Both drafts, newest first and marked current; the signature names the version it signed.
    drafts = _section(body, "drafts")
    assert drafts.index("第2稿") < drafts.index("第1稿")
    assert decision.drafts[-1].sha256[:12] in drafts and signed_sha[:12] in drafts
    assert "修改后的草案文本" in drafts
    assert "当前草案文本（第2稿）" in drafts
    signature = body[body.index('class="col-sm-8 col-md-9 signed-draft"'):]
    assert "签署所依据的草案" in body and "第1稿" in signature[:300] and signed_sha[:12] in signature[:300]


def test_decided_decision_shows_facts_experts_and_opinions(login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "decided")
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    checklist = _section(body, "checklist-heading")
    assert checklist.count("已完成") == 5
    assert "已决定" in body and '<span aria-hidden="true">✓</span> 完整' in body  # the mark hidden, the word read
    # Step facts with their labels, enum values translated.
    assert "网上公开征求意见" in checklist and "2025-03-01" in checklist and "采纳5条" in checklist
    assert "社会稳定" in checklist and "可以实施" in checklist
    assert "政府常务会议" in checklist and "通过" in checklist and "白政纪〔2025〕5号" in checklist
    # Experts.
    for name in ("张工", "李工", "王工"):
        assert name in checklist
    assert "南通大学" in checklist
    # Member opinions in speaking order, the principal marked.
    members = ["副镇长甲", "副镇长乙", "委员丙", "委员丁", "委员戊", "镇长"]
    opinions = checklist[checklist.index("组成人员表态（按发言顺序）"):]
    positions = [opinions.index(f"{name}\n") for name in members]
    assert positions == sorted(positions)
    principal_row = opinions[opinions.index("镇长\n"):]
    assert "主要负责人" in principal_row[:400]
    assert "造价偏高" in opinions and "不同意" in opinions
    # Only warnings remain (no evidence files, not yet published).
    panel = _section(body, "findings")
    assert "提示事项" in panel and "阻断事项" not in panel
    assert "EVD-01" in panel


def test_history_newest_first_with_changes(db, login, clerk, make_decision, walk, page_text):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "submitted_for_review")
    update_decision(clerk, decision, {"version": decision.version, "title": "白甸镇农桥建设工程（调整）"})
    db.session.commit()
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    history = _section(body, "history")
    actions = ["修改决策事项", "提交合法性审查材料", "登记风险评估", "登记专家论证", "登记公众参与", "创建决策事项"]
    positions = [history.index(action) for action in actions]
    assert positions == sorted(positions)
    assert "白甸镇农桥建设工程相关事宜" in history and "白甸镇农桥建设工程（调整）" in history
    assert "→" in history
    assert "clerk_bd" in history
    # Step status changes use the step labels.
    assert "未开始" in history and "已完成" in history


def test_exempted_step_shows_reason_and_basis(db, login, clerk, make_decision, page_text):
    from app.services.steps import record_step

    decision = make_decision()
    record_step(clerk, decision, "expert_review", {
        "status": "exempted",
        "exemption_reason": "不涉及专业性、技术性问题",
        "exemption_basis": "《重大行政决策程序暂行条例》第十九条",
    })
    db.session.commit()
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    card = body[body.index('id="step-expert_review"'):body.index('id="step-risk_assessment"')]
    assert "依法免除" in card
    assert "免除理由：" in card and "不涉及专业性、技术性问题" in card
    assert "免除法律依据：" in card and "第十九条" in card


def test_other_organisation_is_404(db, login, make_user, make_decision, page_text):
    decision = make_decision()
    other = make_user("clerk", "CD", username="clerk_cd")
    body = page_text(login(other).get(f"/decisions/{decision.id}"), 404)
    assert "未找到" in body
    assert decision.title not in body


def test_missing_decision_is_404(login, clerk, page_text):
    page_text(login(clerk).get("/decisions/999999"), 404)


@pytest.mark.parametrize("who", ["auditor", "legal"])
def test_auditor_of_parent_and_legal_adviser_see_the_decision(request, login, make_decision, page_text, who):
    decision = make_decision()
    user = request.getfixturevalue(who)
    body = page_text(login(user).get(f"/decisions/{decision.id}"))
    assert decision.title in body
    assert "白甸镇" in body


def test_auditor_of_unrelated_org_gets_404(login, make_user, make_decision, page_text):
    decision = make_decision()
    outsider = make_user("auditor", "CD", username="auditor_cd")
    page_text(login(outsider).get(f"/decisions/{decision.id}"), 404)


def _count(app, client, count_queries, url):
    from app.extensions import db

    db.session.remove()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return list(statements)


def test_decision_page_query_count_is_bounded(app, db, login, clerk, legal, make_decision, walk, count_queries):
    from app.services.decisions import update_decision

    fresh = make_decision()
    busy = walk(make_decision(), "signed")
    for n in range(4):
        update_decision(clerk, busy, {"version": busy.version, "draft_text": f"第{n}次修改"})
        db.session.commit()
    urls = [f"/decisions/{fresh.id}", f"/decisions/{busy.id}"]
    client = login(clerk)
    few = _count(app, client, count_queries, urls[0])
    many = _count(app, client, count_queries, urls[1])
    assert len(few) == len(many), (few, many)
    # the session with the page's stamp (app.web.prefetch: is it cached?), then, not cached yet: decision, steps,
    # experts, opinions, drafts (texts deferred), their authors, findings, evidence counts, calendar, the current
    # draft's text, events (and SQLite's explicit BEGIN)
    assert len(many) <= 14, many
    rendering = [s for s in many if "companion" not in s]
    assert len(rendering) == len(many) - 1, many
    assert len([s for s in rendering if "FROM audit_events" in s]) == 1
    assert len([s for s in rendering if "FROM attachments" in s]) == 1
    # Cached: the session with the stamp (and BEGIN).
    assert len(_count(app, client, count_queries, urls[1])) <= 2
