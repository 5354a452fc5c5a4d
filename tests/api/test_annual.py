"""The annual report: figures equal to counts made here independently, the paragraph, DOCX, CLI, scope."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from docx import Document

from app.services import catalogues
from app.services.annual_report import ALL_FIVE, clear_annual_cache, to_docx
from app.services.steps import record_step

EXEMPT_EXPERTS = {"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                  "exemption_basis": "《重大行政决策程序暂行条例》第十九条"}
SENTENCE = f"均落实{ALL_FIVE}五项法定程序"


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_annual_cache()
    yield
    clear_annual_cache()


def independent_counts(api, user, year: int) -> dict:
    """Count from the decisions as the API shows them one by one (no report code involved)."""
    items = api.get(f"/decisions?year={year}&per_page=100", as_=user).json["items"]
    by_kind = {kind: Counter(step["status"] for step in d_steps)
               for kind, d_steps in _steps_by_kind(items).items()}
    rules = Counter(rule for d in items for rule in {f["rule"] for f in d["compliance"]["findings"]})
    return {"decisions": len(items), "complete": sum(d["compliance"]["complete"] for d in items),
            "by_kind": by_kind, "rules": rules, "items": items}


def _steps_by_kind(items):
    kinds: dict[str, list] = {}
    for decision in items:
        for kind, step in decision["steps"].items():
            kinds.setdefault(kind, []).append(step)
    return kinds


def test_all_five_carried_out_says_so(api, clerk, make_decision, walk):
    for _ in range(3):
        walk(make_decision(), "decided")
    answer = api.get("/reports/annual?year=2025", as_=clerk)
    assert answer.status == 200, answer.json
    body = answer.json
    assert set(body) == {"year", "organization", "statistics", "text"}
    stats, text = body["statistics"], body["text"]
    counted = independent_counts(api, clerk, 2025)
    assert stats["decisions"] == counted["decisions"] == 3
    assert stats["complete"] == counted["complete"]
    for kind, counts in stats["by_procedure"].items():
        assert counts["carried_out"] == counted["by_kind"][kind]["completed"] == 3
        assert counts["not_required"] == counted["by_kind"][kind]["exempted"] == 0
    assert stats["all_five_carried_out"] is True
    assert f"全年3项“三重一大”事项中，{SENTENCE}。" in text
    assert stats["legality_review"]["reviews"] == 3 and stats["legality_review"]["lawful"] == 3
    assert stats["public_participation"]["comments_received"] == 36  # 12 each
    assert stats["findings"] == dict(counted["rules"])


def test_not_everything_done_reads_honestly(api, clerk, make_decision, walk, db):
    walk(make_decision(), "decided")
    exempted = make_decision()
    record_step(clerk, exempted, "expert_review", EXEMPT_EXPERTS)
    db.session.commit()
    walk(make_decision(), "preparatory")
    body = api.get("/reports/annual?year=2025", as_=clerk).json
    stats, text = body["statistics"], body["text"]
    counted = independent_counts(api, clerk, 2025)
    assert SENTENCE not in text and "均落实" not in text
    assert stats["all_five_carried_out"] is False
    for kind, counts in stats["by_procedure"].items():
        statuses = counted["by_kind"][kind]
        assert counts["carried_out"] == statuses["completed"]
        assert counts["not_required"] == statuses["exempted"]
        assert counts["missing"] == 3 - statuses["completed"] - statuses["exempted"]
    assert stats["by_procedure"]["expert_review"] == {"carried_out": 2, "not_required": 1, "missing": 0}
    assert stats["not_required_reasons"] == {"expert_review": {"不涉及专业技术问题": 1}}
    assert "履行公众参与2项、专家论证2项、风险评估2项、合法性审查1项、集体讨论决定1项" in text
    assert "经认定依法不适用专家论证1项（不涉及专业技术问题1项）" in text
    assert "尚未完成公众参与1项、风险评估1项、合法性审查2项、集体讨论决定2项" in text
    assert f"尚有{3 - counted['complete']}项决策程序未完整" in text
    assert f"必经程序未履行（GEN-01）{counted['rules']['GEN-01']}项" in text
    assert stats["findings"] == dict(counted["rules"])


def test_catalogue_figures(api, clerk, make_decision, walk, db):
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    first = catalogues.add_item(clerk, catalogue, {"title": "一", "category": "major_project", "sponsor_unit": "局"})
    removed = catalogues.add_item(clerk, catalogue, {"title": "二", "category": "major_matter", "sponsor_unit": "局"})
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-03-01", "approval_ref": "白委〔2025〕3号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-03-13"})
    catalogues.add_item(clerk, catalogue, {"title": "三", "category": "major_matter", "sponsor_unit": "局",
                                           "adjustment_reason": "年中新增"})
    catalogues.remove_item(clerk, catalogue, removed, {"adjustment_reason": "取消"})
    db.session.commit()
    decision = walk(make_decision(), "signed")
    catalogues.link_decision(clerk, catalogue, first, decision.id)
    db.session.commit()
    walk(decision, "decided")
    body = api.get("/reports/annual?year=2025", as_=clerk).json
    assert body["statistics"]["catalogue"] == {"catalogues": 1, "items": 2, "linked": 1, "decided": 1,
                                               "added": 1, "changed": 0, "removed": 1}
    assert "目录列入事项2项（年中调整新增1项、调出1项），已作出决定1项" in body["text"]


def test_docx_text_is_the_api_text(api, clerk, make_decision, walk, app):
    walk(make_decision(), "decided")
    text = api.get("/reports/annual?year=2025", as_=clerk).json["text"]
    from app.services.annual_report import annual_report

    report = annual_report(clerk, 2025)
    document = Document(io.BytesIO(to_docx(report)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[1] == text
    assert paragraphs[0] == "白甸镇2025年度重大行政决策情况"
    fonts = document.paragraphs[1].runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"


def test_cli(app, clerk, make_decision, walk, tmp_path, db):
    walk(make_decision(), "decided")
    db.session.remove()
    target = tmp_path / "report.docx"
    result = app.test_cli_runner().invoke(args=["report", "annual", "--org", "BD", "--year", "2025",
                                                "--docx", str(target)])
    assert result.exit_code == 0, result.output
    assert SENTENCE in result.output
    assert Document(str(target)).paragraphs[1].text == result.output.splitlines()[0]
    unknown = app.test_cli_runner().invoke(args=["report", "annual", "--org", "ZZ", "--year", "2025"])
    assert unknown.exit_code != 0


def test_scope(api, clerk, auditor, legal, other_clerk, admin, make_decision, walk):
    walk(make_decision(), "decided")
    make_decision(user=other_clerk)
    assert api.get("/reports/annual?year=2025&org=BD", as_=auditor).json["statistics"]["decisions"] == 1
    assert api.get("/reports/annual?year=2025&org=HA", as_=auditor).json["statistics"]["decisions"] == 1
    assert api.get("/reports/annual?year=2025", as_=other_clerk).json["statistics"]["decisions"] == 1
    assert api.get("/reports/annual?year=2025&org=BD", as_=other_clerk).status == 404
    assert api.get("/reports/annual?year=2025", as_=legal).status == 403
    assert api.get("/reports/annual?year=2025&org=XX", as_=auditor).status == 404
    empty = api.get("/reports/annual?year=2024", as_=clerk).json
    assert empty["statistics"]["decisions"] == 0 and "未作出" in empty["text"]
    assert api.get("/reports/annual?year=2025").status == 401


def test_a_few_queries_whatever_the_size(api, clerk, make_decision, walk, count_queries, app, db):
    from app.services.annual_report import annual_report

    for _ in range(2):
        walk(make_decision(), "decided")
    with app.test_request_context():
        annual_report(clerk, 2025)  # whatever is loaded once per process (the organisation tree)
    clear_annual_cache()
    db.session.commit()  # the same state before each count: the clerk and the organisation read again
    with app.test_request_context(), count_queries() as small:
        annual_report(clerk, 2025)
    clear_annual_cache()
    for _ in range(4):
        walk(make_decision(), "decided")
    db.session.commit()
    with app.test_request_context(), count_queries() as large:
        annual_report(clerk, 2025)
    assert len(large) == len(small) <= 15
