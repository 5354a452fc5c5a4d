"""The completeness report: counts from the stored summaries, in the user's scope, in a few queries."""

from __future__ import annotations

from collections import Counter

import pytest

from app.services import reports
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.steps import record_step

EXEMPT_EXPERTS = {"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                  "exemption_basis": "《重大行政决策程序暂行条例》第十九条"}


@pytest.fixture
def ledger(db, clerk, make_user, make_decision, walk):
    """2025 in 白甸镇: one decided, one with the preparatory steps, one with experts exempted; others elsewhere."""
    decided = walk(make_decision(), "decided")
    prepared = walk(make_decision(), "preparatory")
    exempted = make_decision()
    record_step(clerk, exempted, "expert_review", EXEMPT_EXPERTS)
    db.session.commit()
    make_decision(year=2024)
    make_decision(user=make_user("clerk", "CD"))  # 城东街道 is not under 海安市
    return {"decided": decided, "prepared": prepared, "exempted": exempted}


def test_completeness_counts(api, clerk, ledger):
    answer = api.get("/reports/completeness?year=2025", as_=clerk)
    assert answer.status == 200
    report = answer.json
    assert set(report) == {"year", "total", "complete", "by_step", "by_rule", "backfilled"}
    assert report["backfilled"] == 0
    assert report["year"] == 2025 and report["total"] == 3 and report["complete"] == 1
    assert report["by_step"]["public_participation"] == {"completed": 2, "exempted": 0, "missing": 1}
    assert report["by_step"]["expert_review"] == {"completed": 2, "exempted": 1, "missing": 0}
    assert report["by_step"]["legality_review"] == {"completed": 1, "exempted": 0, "missing": 2}
    assert report["by_step"]["collective_decision"] == {"completed": 1, "exempted": 0, "missing": 2}

    # by_rule counts decisions per rule, exactly as the findings of each decision say.
    expected = Counter()
    for decision in ledger.values():
        shown = api.get(f"/decisions/{decision.id}", as_=clerk).json
        expected.update({f["rule"] for f in shown["compliance"]["findings"]})
    assert report["by_rule"] == dict(expected)
    assert report["by_rule"]["GEN-01"] == 2


def test_scope_by_role(api, clerk, auditor, admin, legal, make_user, ledger):
    assert api.get("/reports/completeness?year=2025", as_=auditor).json["total"] == 3  # HA and BD under it
    assert api.get("/reports/completeness?year=2025", as_=admin).json["total"] == 3
    cd_clerk = make_user("clerk", "CD", username="clerk_cd2")
    assert api.get("/reports/completeness?year=2025", as_=cd_clerk).json["total"] == 1
    refused = api.get("/reports/completeness?year=2025", as_=legal)
    assert refused.status == 403 and refused.error["code"] == "forbidden"


def test_year_defaults_to_this_year_and_is_checked(api, clerk):
    from app.clock import today

    assert api.get("/reports/completeness", as_=clerk).json["year"] == today().year
    for bad in ("1999", "abc", "2101", "99999999999999999999"):
        answer = api.get(f"/reports/completeness?year={bad}", as_=clerk)
        assert answer.status == 422 and set(answer.error["fields"]) == {"year"}


def test_empty_year(api, clerk):
    report = api.get("/reports/completeness?year=2030", as_=clerk).json
    assert report["total"] == 0 and report["complete"] == 0 and report["by_rule"] == {}
    assert report["by_step"]["risk_assessment"] == {"completed": 0, "exempted": 0, "missing": 0}


def test_service_runs_a_few_queries_whatever_the_size(db, clerk, auditor, ledger, make_decision, count_queries):
    with count_queries() as few:
        reports.completeness(auditor, 2025)
    for _ in range(5):
        make_decision()
    with count_queries() as same:
        report = reports.completeness(auditor, 2025)
    assert report.total == 8
    assert len(same) == len(few) <= 5  # the user, the tree (twice outside a request), the scope's counter rows


def test_report_follows_every_write(app, db, clerk, ledger):
    first = reports.completeness(clerk, 2025)
    record_step(clerk, ledger["prepared"], "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    second = reports.completeness(clerk, 2025)
    assert second.by_step["legality_review"] == first.by_step["legality_review"]  # in progress is still missing
    record_step(clerk, ledger["prepared"], "public_participation", {"status": "in_progress"})
    db.session.commit()
    assert reports.completeness(clerk, 2025) == reports._compute([clerk.organization_id], 2025,
                                                                 reports.current_profile())


def test_scope_beyond_the_counters_is_computed_and_cached_until_a_write_in_it(app, db, clerk, ledger, auditor,
                                                                            count_queries, monkeypatch):
    from app.services import statistics

    monkeypatch.setattr(statistics, "MAX_TERMS", 0)
    first = reports.completeness(clerk, 2025)
    with count_queries() as cached:
        assert reports.completeness(clerk, 2025) is first
    assert len(cached) <= 3  # the tree (twice outside a request) and the scope's stamp
    record_step(clerk, ledger["prepared"], "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    second = reports.completeness(clerk, 2025)
    assert second is not first  # recomputed
    assert second.by_step["legality_review"] == first.by_step["legality_review"]


def test_service_checks(db, legal, clerk, auditor, ledger, orgs):
    with pytest.raises(PermissionDenied):
        reports.completeness(legal, 2025)
    with pytest.raises(ValidationFailed):
        reports.completeness(clerk, 1900)
    narrowed = reports.completeness(auditor, 2025, organization_ids=[orgs["HA"].id])
    assert narrowed.total == 0
    rows = reports.completeness_by_organization(auditor, 2025)
    assert [(row.code, row.total, row.complete) for row in rows] == [("BD", 3, 1), ("HA", 0, 0)]
