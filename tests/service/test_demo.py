"""The demo data (``flask demo load``): 白甸镇's complete 2024 ledger and its 2025 decisions, one finding each."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.demo.cases import CASES_2025, LEDGER_2024
from app.demo.load import DEMO_PASSWORD, load_demo
from app.models import Attachment, AuditEvent, Decision, DecisionFinding, DraftVersion, Organization, Step, User
from app.services.audit import chain_tips, verify_chain
from app.services.compliance import rebuild_all


def _summaries(db) -> dict[int, tuple]:
    decisions = db.session.execute(select(Decision.id, Decision.is_complete)).all()
    findings = db.session.execute(
        select(DecisionFinding.decision_id, DecisionFinding.rule, DecisionFinding.severity, DecisionFinding.count)
    ).all()
    by_decision: dict[int, list] = {}
    for decision_id, *rest in findings:
        by_decision.setdefault(decision_id, []).append(tuple(rest))
    return {i: (complete, sorted(by_decision.get(i, []))) for i, complete in decisions}


def _counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Organization, User, Decision, DraftVersion, Step, Attachment, DecisionFinding, AuditEvent)
    }


def test_demo_load_creates_the_users_the_ledger_and_the_findings(app, db):
    summary = load_demo()
    db.session.commit()
    assert "47 decisions of 2024 (47 complete" in summary

    ha = db.session.execute(select(Organization).where(Organization.code == "HA")).scalar_one()
    bd = db.session.execute(select(Organization).where(Organization.code == "BD")).scalar_one()
    assert (ha.name, bd.name, bd.parent_id) == ("海安市", "白甸镇", ha.id)
    users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    assert {name: (u.role, u.organization.code) for name, u in users.items()} == {
        "clerk": ("clerk", "BD"), "legal": ("legal_adviser", "BD"), "auditor": ("auditor", "HA"),
        "admin": ("admin", "HA"),
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())

    ledger = db.session.execute(select(Decision).where(Decision.year == 2024).order_by(Decision.seq)).scalars().all()
    assert len(ledger) == len(LEDGER_2024) == 47
    assert all(d.is_complete for d in ledger), [d.ref_no for d in ledger if not d.is_complete]
    assert {d.category for d in ledger} == {"major_matter", "cadre_appointment", "major_project", "large_fund"}
    assert {d.status for d in ledger} == {"published", "archived"}
    assert [d.ref_no for d in ledger][:2] == ["BD-2024-001", "BD-2024-002"]
    assert all(d.findings == [] for d in ledger)  # evidence on file for every step: not even a warning
    for decision in ledger:
        assert {s.status for s in decision.steps} == {"completed"}
        review = decision.step("legality_review")
        assert review.reviewer_id == users["legal"].id and review.draft_sha256 == decision.drafts[-1].sha256
        meeting = decision.step("collective_decision")
        assert meeting.opinions[-1].is_principal and meeting.meeting_date >= review.reviewed_on

    attachments = db.session.execute(select(Attachment)).scalars().all()
    upload = Path(app.config["UPLOAD_FOLDER"])
    for attachment in attachments[:10]:
        stored = upload / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256
        assert stored.read_bytes().startswith(b"%PDF-") and stored.stat().st_size == attachment.size
    uploads = db.session.execute(select(func.count()).where(AuditEvent.action == "attachment.upload")).scalar_one()
    assert uploads == len(attachments) >= 5 * 47

    by_title = {d.title: d for d in db.session.execute(select(Decision).where(Decision.year == 2025)).scalars()}
    assert len(by_title) == len(CASES_2025) >= 7
    for case in CASES_2025:
        decision = by_title[case.title]
        rules = set(db.session.execute(
            select(DecisionFinding.rule).where(DecisionFinding.decision_id == decision.id)
        ).scalars())
        if case.shows == "exemption":
            assert decision.is_complete and rules == set()
            assert decision.step("expert_review").status == "exempted"
        else:
            assert case.shows in rules, (case.title, rules)
    for rule in ("PP-01", "ER-02", "LR-03", "LR-05", "CD-02", "CD-03", "LR-04"):
        assert rule in {case.shows for case in CASES_2025}

    refused = next(by_title[c.title] for c in CASES_2025 if c.shows == "LR-04")
    assert refused.status == "in_progress"
    assert refused.step("legality_review").opinion == "unlawful"
    revised = next(by_title[c.title] for c in CASES_2025 if c.shows == "LR-05")
    assert [d.number for d in revised.drafts] == [1, 2]
    assert revised.step("legality_review").draft_sha256 == revised.drafts[0].sha256
    draft = next(by_title[c.title] for c in CASES_2025 if c.shows == "GEN-01")
    assert draft.status == "draft" and draft.findings[0].count == 5

    report = verify_chain()
    assert report.ok and report.events == _counts(db)["AuditEvent"]

    before = _summaries(db)
    rebuild_all()
    db.session.commit()
    assert _summaries(db) == before


def test_demo_load_twice_changes_nothing(db):
    load_demo()
    db.session.commit()
    counts, tip = _counts(db), chain_tips(db.session)

    again = load_demo()
    db.session.commit()
    assert "already loaded" in again and "nothing changed" in again
    assert _counts(db) == counts
    assert chain_tips(db.session) == tip


def test_demo_catalogues_and_annual_reports(app, db):
    """2024: the seed's sentence from the data; 2025: an honest paragraph, adjustments, exemptions by catalogue."""
    from app.models import Catalogue, CatalogueItem
    from app.services.annual_report import ALL_FIVE, clear_annual_cache, system_annual_report
    from app.services.catalogues import catalogue_findings

    load_demo()
    db.session.commit()
    clear_annual_cache()
    catalogues = {c.year: c for c in db.session.execute(select(Catalogue)).scalars()}
    assert {year: c.status for year, c in catalogues.items()} == {2024: "published", 2025: "published"}
    listed_2024 = [i for i in catalogues[2024].items if not i.removed]
    assert len(listed_2024) == 47 and all(i.decision is not None for i in listed_2024)

    report_2024 = system_annual_report("BD", 2024)
    assert report_2024.statistics["decisions"] == 47
    assert f"全年47项“三重一大”事项中，均落实{ALL_FIVE}五项法定程序。" in report_2024.text
    assert report_2024.statistics["catalogue"]["items"] == 47 and report_2024.statistics["catalogue"]["decided"] == 47

    c25 = catalogues[2025]
    assert [(c.action, c.on.isoformat()) for c in c25.changes] == [("added", "2025-06-16"), ("removed", "2025-07-10")]
    assert sum(i.removed for i in c25.items) == 1
    unlisted = db.session.execute(select(Decision).where(Decision.year == 2025, Decision.catalogue_item_id.is_(None))
                                  ).scalars().all()
    assert {d.title for d in unlisted} == {"白甸镇2026年度为民办实事项目安排", "白甸镇农村公共厕所改造项目"}
    exempted = db.session.execute(
        select(Step).join(Decision).where(Decision.year == 2025, Step.status == "exempted")).scalars().all()
    assert {(s.decision.title, s.kind) for s in exempted} == {("白甸镇机关事务管理办法", "expert_review"),
                                                             ("白甸镇残疾人两项补贴资金发放", "risk_assessment")}
    cited = next(s for s in exempted if s.kind == "risk_assessment")
    assert "重大行政决策事项目录》第" in cited.exemption_basis
    item = db.session.execute(select(CatalogueItem).where(CatalogueItem.title == "白甸镇残疾人两项补贴资金发放")
                              ).scalar_one()
    assert item.risk_assessment is False
    assert "CAT-03" in {f.rule for f in catalogue_findings(c25)}

    report_2025 = system_annual_report("BD", 2025)
    text = report_2025.text
    assert "均落实" not in text
    assert "年中调整新增1项、调出1项" in text
    assert "经认定依法不适用专家论证1项" in text and "风险评估1项" in text
    assert "尚有" in text and "项决策程序未完整" in text
