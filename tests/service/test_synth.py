"""Synthetic benchmark data (``flask demo synth``): deterministic, chained, and what the rulebook says."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from app.demo.synth import synthesise
from app.models import AuditEvent, Decision, DecisionFinding, DraftVersion, Expert, MemberOpinion, Organization, Step
from app.services.audit import canonical_json, verify_chain
from app.services.compliance import rebuild_all
from app.services.statistics import check_statistics, rebuild_statistics
from tests.conftest import append_only_off


def _wipe(db) -> None:
    """Empty every table (as the ``db`` fixture does), so a second run starts from the same state."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn, append_only_off(conn):  # the audit tables refuse DELETE and TRUNCATE
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))  # organisations refer to their parents
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


def _fingerprint(db) -> dict[str, list]:
    """Everything synthesised except the audit timestamps (and the hashes that cover them)."""
    def rows(stmt):
        return [tuple(row) for row in db.session.execute(stmt).all()]

    return {
        "organizations": rows(select(Organization.code, Organization.name).order_by(Organization.code)),
        "decisions": rows(select(
            Decision.id, Decision.ref_no, Decision.title, Decision.category, Decision.department, Decision.year,
            Decision.amount_cny, Decision.status, Decision.published_on, Decision.is_complete, Decision.summary,
        ).order_by(Decision.id)),
        "drafts": rows(select(DraftVersion.decision_id, DraftVersion.number, DraftVersion.sha256)
                       .order_by(DraftVersion.id)),
        "steps": rows(select(Step.decision_id, Step.kind, Step.status, Step.comment_start, Step.comment_end,
                             Step.reviewed_on, Step.draft_sha256, Step.meeting_date, Step.members_present)
                      .order_by(Step.id)),
        "experts": rows(select(Expert.step_id, Expert.name, Expert.no_conflict).order_by(Expert.id)),
        "opinions": rows(select(MemberOpinion.step_id, MemberOpinion.member, MemberOpinion.position)
                         .order_by(MemberOpinion.id)),
        "findings": rows(select(DecisionFinding.decision_id, DecisionFinding.rule, DecisionFinding.severity,
                                DecisionFinding.count).order_by(DecisionFinding.decision_id, DecisionFinding.rule)),
        "events": rows(select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
                       .where(AuditEvent.actor == "synth", AuditEvent.entity == "decision").order_by(AuditEvent.id)),
    }


def _summaries(db) -> dict[int, tuple]:
    complete = dict(db.session.execute(select(Decision.id, Decision.is_complete)).all())
    findings: dict[int, list] = {}
    for decision_id, rule, severity, count in db.session.execute(
        select(DecisionFinding.decision_id, DecisionFinding.rule, DecisionFinding.severity, DecisionFinding.count)
    ):
        findings.setdefault(decision_id, []).append((rule, severity, count))
    return {i: (flag, sorted(findings.get(i, []))) for i, flag in complete.items()}


def test_synth_is_deterministic_for_a_seed(db):
    synthesise(300, 7)
    first = _fingerprint(db)
    _wipe(db)
    synthesise(300, 7)
    assert _fingerprint(db) == first
    _wipe(db)
    synthesise(300, 8)
    assert _fingerprint(db)["decisions"] != first["decisions"]


def test_synth_data_is_varied_chained_and_as_the_rulebook_says(db):
    summary = synthesise(300, 1)
    assert summary.startswith("synthesised 300 decisions")

    decisions = db.session.execute(select(Decision)).scalars().all()
    assert len(decisions) == 300
    assert len({d.ref_no for d in decisions}) == 300
    assert {d.category for d in decisions} == {"major_matter", "cadre_appointment", "major_project", "large_fund"}
    assert {d.year for d in decisions} == set(range(2019, 2027))
    statuses = Counter(d.status for d in decisions)
    assert statuses["published"] > 150 and len(statuses) >= 4
    assert 0 < sum(d.is_complete for d in decisions) < 300
    assert db.session.execute(select(func.count()).select_from(Step)).scalar_one() == 5 * 300
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar_one() == 11
    rules = set(db.session.execute(select(DecisionFinding.rule).distinct()).scalars())
    assert {"GEN-01", "EVD-01", "LR-03"} <= rules

    report = verify_chain()
    events = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert report.ok, report
    assert report.events == events >= 2 * 300
    # The events' JSON is written out by hand for speed: it must be what canonical_json gives.
    for before, after in db.session.execute(select(AuditEvent.before, AuditEvent.after)):
        for stored in (before, after):
            assert stored is None or canonical_json(json.loads(stored)) == stored

    # Each row's counted signature is written as refresh_summary would write it, and the counters agree.
    assert check_statistics() == []
    assert rebuild_statistics().signatures == 0
    db.session.rollback()

    before = _summaries(db)
    assert rebuild_all() == 300
    db.session.commit()
    assert _summaries(db) == before


def test_synth_continues_the_demo_ids_numbers_and_chain(db):
    from app.demo.load import load_demo
    from app.models import User
    from app.services.decisions import create_decision

    load_demo()
    db.session.commit()
    demo_max = db.session.execute(select(func.max(Decision.id))).scalar_one()

    synthesise(200, 2)
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar_one() == 2
    added = db.session.execute(select(Decision).where(Decision.id > demo_max)).scalars().all()
    assert len(added) == 200
    bd_2024 = sorted(d.seq for d in added if d.ref_no.startswith("BD-2024-"))
    assert not bd_2024 or bd_2024[0] == 48
    assert verify_chain().ok

    before = _summaries(db)
    rebuild_all()
    db.session.commit()
    assert _summaries(db) == before

    # The services keep working on top: fresh ids (PostgreSQL sequences moved past the bulk rows).
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
    decision = create_decision(clerk, {"title": "新事项", "category": "major_matter", "department": "党政办",
                                       "year": 2026, "draft_text": "草案"})
    db.session.commit()
    assert decision.id > demo_max + 200
    assert verify_chain().ok


def test_synth_builds_a_nation_shaped_tree_with_its_users(db):
    from app.demo.synth import COUNTIES_PER_CITY, TOWNSHIPS_PER_COUNTY, TreeRefused
    from app.models import User
    from app.services.organizations import load_tree

    summary = synthesise(400, 3, townships=45)
    orgs = {org.code: org for org in db.session.execute(select(Organization)).scalars()}
    townships = [code for code in orgs if "T" in code[4:]]
    counties = [code for code in orgs if code.count("C") == 1 and "T" not in code[4:]]
    assert TOWNSHIPS_PER_COUNTY == COUNTIES_PER_CITY == 10
    assert len(townships) == 45
    assert len(counties) == -(-45 // TOWNSHIPS_PER_COUNTY) == 5
    assert len(orgs) == 1 + 1 + 5 + 45  # province, one city, five counties, the townships
    assert len({org.name for org in orgs.values()}) == len(orgs)
    assert f"in {len(orgs)} organisations" in summary
    tree = load_tree()
    root = orgs["SP"]
    assert set(tree.subtree(root.id)) == {org.id for org in orgs.values()}
    assert orgs["SP01C03T05"].parent.parent.parent is root

    roles = Counter(db.session.execute(select(User.role)).scalars())
    assert roles == {"clerk": 45, "legal_adviser": 45, "auditor": 7, "admin": 1}
    clerk = db.session.execute(select(User).where(User.username == "sp01c01t01_clerk")).scalar_one()
    assert clerk.organization.code == "SP01C01T01"
    assert db.session.execute(select(func.count()).select_from(Decision)).scalar_one() == 400
    level_of = {org.id: ("province" if code == "SP" else "township" if "T" in code else "county" if "C" in code
                         else "city") for code, org in orgs.items()}
    by_level = Counter(level_of[org_id] for org_id in db.session.execute(select(Decision.organization_id)).scalars())
    assert by_level["township"] > 300 and by_level["county"] > 0 and "province" not in by_level
    assert verify_chain().ok
    for code in ("SP01C03T05", "SP01C02", "SP"):
        report = verify_chain(chain=orgs[code].id)
        events = db.session.execute(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.chain == orgs[code].id)).scalar_one()
        assert report.ok and report.events == events > 0

    with pytest.raises(TreeRefused):
        synthesise(10, 3, townships=5)


def test_synth_tree_beside_the_demo_with_the_indexes_rebuilt(db):
    """The nation's run: ``demo load`` first, then the tree beside it, the PostgreSQL load without its indexes."""
    from app.demo.load import load_demo

    load_demo()
    db.session.commit()
    demo_decisions = db.session.execute(select(func.count()).select_from(Decision)).scalar_one()

    def schema():
        if db.engine.dialect.name != "postgresql":
            return None
        return sorted(db.session.execute(text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        )).all())

    before = schema()
    summary = synthesise(300, 4, townships=12, rebuild=True)
    assert "in 16 organisations" in summary  # province, a city, two counties, twelve townships
    assert schema() == before
    assert db.session.execute(select(func.count()).select_from(Decision)).scalar_one() == demo_decisions + 300
    bd = db.session.execute(select(Organization).where(Organization.code == "BD")).scalar_one()
    assert db.session.execute(select(func.count()).select_from(Decision)
                              .where(Decision.organization_id == bd.id)).scalar_one() == demo_decisions
    assert verify_chain().ok
    before_summaries = _summaries(db)
    rebuild_all()
    db.session.commit()
    assert _summaries(db) == before_summaries


def test_demo_synth_command_takes_the_tree_and_index_options(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "synth", "--decisions", "60", "--townships", "12", "--seed", "5",
                                 "--rebuild-indexes"])
    assert result.exit_code == 0, result.output
    assert "synthesised 60 decisions (seed 5) in 16 organisations" in result.output
    if db.engine.dialect.name == "postgresql":
        assert "indexes and constraints rebuilt" in result.output
    again = runner.invoke(args=["demo", "synth", "--decisions", "5", "--townships", "12", "--keep-indexes"])
    assert again.exit_code == 2 and "SP" in again.output  # the tree is there already
    assert runner.invoke(args=["audit", "verify", "--org", "SP01C02T02"]).exit_code == 0
