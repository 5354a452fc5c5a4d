"""The public page of a published catalogue: no login, plain and printable, nothing internal."""

from __future__ import annotations

import pytest

from app.services import catalogues
from app.services.decisions import publish_decision

ITEM = {"title": "白甸镇农桥建设工程", "category": "major_project", "sponsor_unit": "白甸镇建设局",
        "decision_body": "白甸镇人民政府", "legal_basis": "《公路法》", "planned_completion": "2025-06-30",
        "procedures": {"expert_review": False, "hearing": True}}


@pytest.fixture
def published(db, clerk, make_decision, walk):
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    item = catalogues.add_item(clerk, catalogue, ITEM)
    other = catalogues.add_item(clerk, catalogue, {**ITEM, "title": "垃圾分类实施方案", "category": "major_matter"})
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-03-01", "approval_ref": "白委〔2025〕3号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-03-13"})
    db.session.commit()
    decision = walk(make_decision(), "signed")
    catalogues.link_decision(clerk, catalogue, item, decision.id)
    db.session.commit()
    walk(decision, "decided")
    publish_decision(clerk, decision, "2025-05-20")
    catalogues.add_item(clerk, catalogue, {**ITEM, "title": "老旧小区改造", "adjustment_reason": "年中新增"})
    catalogues.remove_item(clerk, catalogue, other, {"adjustment_reason": "并入其他事项"})
    db.session.commit()
    return catalogue


def test_public_page_without_login(client, published, page_text):
    body = page_text(client.get("/public/catalogues/BD/2025"))
    assert "白甸镇2025年度重大行政决策事项目录" in body
    assert "白委〔2025〕3号" in body and "2025-03-13" in body
    assert "白甸镇农桥建设工程" in body and "已公布" in body and "2025-05-20" in body
    assert "关于白甸镇农桥建设工程的决定（草案）" in body  # the published decision's text
    assert "公众参与、风险评估、听证、合法性审查、集体讨论决定" in body  # expert review not listed
    assert "老旧小区改造" in body and "未开始" in body
    assert "垃圾分类实施方案" in body and "并入其他事项" in body and "调出" in body
    # Nothing internal: no menu, no links into the application, no findings, no staff.
    for internal in ("navbar", "/decisions", "/reports", "clerk_bd", "CAT-0", "GEN-0", "sha256", "SHA-256"):
        assert internal not in body, internal
    assert '<html lang="zh-CN">' in body and "<caption" in body and 'scope="col"' in body


def test_public_page_404_until_published(client, db, clerk, page_text):
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    catalogues.add_item(clerk, catalogue, ITEM)
    db.session.commit()
    assert client.get("/public/catalogues/BD/2025").status_code == 404
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-03-01", "approval_ref": "白委〔2025〕3号"})
    db.session.commit()
    assert client.get("/public/catalogues/BD/2025").status_code == 404
    assert client.get("/public/catalogues/ZZ/2025").status_code == 404
    assert client.get("/public/catalogues/BD/1999").status_code == 404
