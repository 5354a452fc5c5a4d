"""The rolled-up counters (decision_statistics): every write keeps them equal to a fresh count, for every subtree."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text, update

from app.models import Decision, DecisionStatistic
from app.services import reports, statistics
from app.services.compliance import current_profile, refresh_summary
from app.services.decisions import archive_decision, publish_decision, submit_decision, update_decision
from app.services.evidence import store_attachment
from app.services.ledger_import import import_ledger
from app.services.organizations import load_tree
from app.services.steps import record_step, sign_legality_review
from tests.conftest import COMPLETE_STEPS, MEETING, SIGNATURE

EXEMPT_EXPERTS = {"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                  "exemption_basis": "《重大行政决策程序暂行条例》第十九条"}
HEAD = ["编号", "事项名称", "类别", "承办部门", "公众参与 状态", "公众参与 完成日期", "合法性审查 意见",
        "集体讨论决定 会议日期", "集体讨论决定 决定结果"]


def _xlsx(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def assert_counters_agree(db, years=(2024, 2025)) -> None:
    """For every organisation's subtree and each year, the counters' report is the oracle's (GROUP BY)."""
    db.session.flush()
    tree = load_tree()
    profile = current_profile()
    for org_id in tree.nodes:
        scope = tree.subtree(org_id)
        for year in years:
            counted = reports.report_from_counts(statistics.scope_counts(scope, year), year, profile)
            assert counted == reports._compute(scope, year, profile), (tree.nodes[org_id].code, year)
            own = statistics.own_by_organization([org_id], year, ("total", "complete"))[org_id]
            alone = reports._compute([org_id], year, profile)
            assert (own.get("total", 0), own.get("complete", 0)) == (alone.total, alone.complete)
    assert statistics.check_statistics() == []


@pytest.fixture
def varied(db, orgs, clerk, legal, make_user, make_decision, walk):
    """Decisions of BD (under HA), HA itself and CD, taken through every kind of write."""
    decided = walk(make_decision(), "decided")
    publish_decision(clerk, decided, "2025-05-20")
    db.session.commit()
    archived = walk(make_decision(category="large_fund"), "decided")
    publish_decision(clerk, archived, "2025-05-21")
    archive_decision(clerk, archived)
    db.session.commit()
    prepared = walk(make_decision(category="major_matter"), "preparatory")
    record_step(clerk, prepared, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    sign_legality_review(legal, prepared, SIGNATURE)
    submit_decision(clerk, prepared)
    db.session.commit()
    edited = make_decision()
    record_step(clerk, edited, "expert_review", EXEMPT_EXPERTS)
    update_decision(clerk, edited, {"category": "cadre_appointment", "title": "改为干部任免",
                                    "version": edited.version})
    store_attachment(clerk, edited, "public_participation", "征求意见公告.pdf", b"%PDF-1.4\n%%EOF\n")
    db.session.commit()
    make_decision(year=2024, backfilled=True, backfill_reason="纸质台账补录")
    clerk_ha = make_user("clerk", "HA", username="clerk_ha")
    make_decision(user=clerk_ha, title="海安市城区道路改造")
    clerk_cd = make_user("clerk", "CD", username="clerk_cd")
    cd = make_decision(user=clerk_cd, title="城东街道路灯改造")
    record_step(clerk_cd, cd, "public_participation", COMPLETE_STEPS["public_participation"])
    db.session.commit()
    rows = [["白政〔2024〕1号", "农桥建设", "重大项目安排", "建设办", "已完成", "2024-03-01", "合法", "2024-03-20",
             "通过"],
            ["白政〔2024〕2号", "干部调整", "重要干部任免", "组织办", None, None, None, None, None]]
    result = import_ledger(clerk, _xlsx(rows), "old.xlsx", 2024, "2024年纸质台账补录")
    assert result.refused == [] and result.created == 2
    db.session.commit()
    return {"decided": decided, "prepared": prepared, "edited": edited, "cd": cd}


def test_every_write_keeps_the_counters_equal_to_a_fresh_count(db, varied):
    assert_counters_agree(db)
    bd = db.session.get(Decision, varied["prepared"].id)
    assert bd.statistics_keys.startswith(f"{bd.organization_id}|2025|major_matter|")


def test_the_meeting_and_a_refused_write_leave_them_right(db, clerk, varied):
    record_step(clerk, varied["prepared"], "collective_decision", MEETING)
    db.session.commit()
    assert_counters_agree(db)
    record_step(clerk, varied["edited"], "risk_assessment", {"status": "in_progress"})
    db.session.rollback()  # the write is taken back, its counter change with it
    assert_counters_agree(db)


def test_a_decision_moved_to_another_year_is_counted_there(db, varied):
    decision = db.session.get(Decision, varied["edited"].id)
    decision.year = 2024  # the services refuse it; the counters must still follow what is stored
    refresh_summary(decision)
    db.session.commit()
    assert decision.statistics_keys.split("|")[1] == "2024"
    assert_counters_agree(db)


def test_rebuild_recounts_what_bypassed_the_writes(db, app, orgs, varied):
    db.session.execute(update(Decision).values(statistics_keys=None))
    db.session.execute(update(DecisionStatistic).values(count=DecisionStatistic.count + 3))
    db.session.commit()
    assert statistics.check_statistics()  # the check sees it
    result = statistics.rebuild_statistics()
    db.session.commit()
    assert result.signatures == db.session.query(Decision).count()
    assert_counters_agree(db)
    # Only one organisation and year: its own decisions are recounted, its ancestors follow, the rest stay.
    db.session.execute(update(Decision).where(Decision.organization_id == orgs["BD"].id, Decision.year == 2025)
                       .values(statistics_keys=None))
    db.session.execute(text("DELETE FROM decision_statistics WHERE organization_id = :bd AND year = 2025"),
                       {"bd": orgs["BD"].id})
    db.session.execute(text("UPDATE decision_statistics SET count = count + 1 WHERE organization_id = :ha"
                            " AND year = 2025 AND key = 'total'"), {"ha": orgs["HA"].id})
    db.session.commit()
    statistics.rebuild_statistics([orgs["BD"].id], [2025])
    db.session.commit()
    assert_counters_agree(db)


def test_compliance_rebuild_and_the_statistics_commands(app, db, varied):
    db.session.execute(update(Decision).values(statistics_keys=None))
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["compliance", "statistics", "--check"]).exit_code == 1
    result = runner.invoke(args=["compliance", "rebuild"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert_counters_agree(db)
    db.session.execute(text("DELETE FROM decision_statistics"))
    db.session.commit()
    result = runner.invoke(args=["compliance", "statistics", "--rebuild", "--check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output
    db.session.rollback()
    assert_counters_agree(db)


def test_a_scope_reads_its_few_counter_rows(db, orgs, auditor, varied, count_queries):
    bd_only = reports.completeness(auditor, 2025, [orgs["BD"].id])
    assert bd_only == reports._compute([orgs["BD"].id], 2025, current_profile())
    table = DecisionStatistic.__table__
    keys = db.session.execute(select(table.c.key).where(table.c.organization_id == orgs["HA"].id,
                                                        table.c.year == 2025)).scalars().all()
    assert "total" in keys and any(key.startswith("step:") for key in keys) and any(
        key.startswith("rule:") for key in keys)


def test_the_annual_report_stays_cached_under_writes_elsewhere(db, auditor, varied, make_decision):
    from app.models import User
    from app.services.annual_report import annual_report

    clerk_cd = db.session.execute(select(User).where(User.username == "clerk_cd")).scalar_one()
    first = annual_report(auditor, 2025)
    assert annual_report(auditor, 2025) is first
    make_decision(user=clerk_cd, title="城东街道又一事项")
    assert annual_report(auditor, 2025) is first  # 城东街道 is not under 海安市
    make_decision(title="白甸镇新事项")
    second = annual_report(auditor, 2025)
    assert second is not first and second.statistics["decisions"] == first.statistics["decisions"] + 1


def _held_open_create(app, user_id: int, opened, release) -> None:
    from app.database import write_intent
    from app.extensions import db as database
    from app.models import User
    from app.services.decisions import create_decision
    from tests.conftest import DECISION_DATA

    with app.app_context(), write_intent():
        create_decision(database.session.get(User, user_id), DECISION_DATA)
        opened.set()
        release.wait(timeout=3)
        database.session.commit()
        database.session.remove()


def test_writers_under_one_parent_do_not_queue_behind_each_other(app, db, orgs, clerk, make_user):
    """PostgreSQL: the shared counter rows (海安市's) are locked only while a writer commits, not for its request."""
    import threading

    if app.backend != "postgresql":
        pytest.skip("SQLite serialises every writer at BEGIN IMMEDIATE")
    ha_clerk = make_user("clerk", "HA", username="clerk_ha").id
    opened, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_held_open_create, args=(app, ha_clerk, opened, release))
    first.start()
    assert opened.wait(timeout=10)

    def second() -> None:
        from app.database import write_intent
        from app.extensions import db as database
        from app.models import User
        from app.services.decisions import create_decision
        from tests.conftest import DECISION_DATA

        with app.app_context(), write_intent():
            create_decision(database.session.get(User, clerk.id), {**DECISION_DATA, "title": "白甸镇并发事项"})
            database.session.commit()
            database.session.remove()

    writer = threading.Thread(target=second)
    writer.start()
    writer.join(timeout=1.5)
    finished_while_first_open = not writer.is_alive()
    release.set()
    first.join(timeout=10)
    writer.join(timeout=10)
    assert finished_while_first_open
    db.session.rollback()
    assert_counters_agree(db)
