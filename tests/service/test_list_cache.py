"""The decision list's count and span of years are cached by the scope's stamp: never stale, warm under other writes."""

from __future__ import annotations

from app.services.decisions import DecisionFilter, list_decision_rows, list_decisions


def _counts(statements: list[str]) -> list[str]:
    return [s for s in statements if "count(" in s.lower()]


def test_a_warm_list_runs_no_count(db, auditor, make_decision, count_queries):
    for _ in range(3):
        make_decision()
    cold_page = list_decisions(auditor, DecisionFilter())
    db.session.rollback()
    assert auditor.role == "auditor"  # loaded again, as a request's authentication has it
    with count_queries() as warm:
        page = list_decisions(auditor, DecisionFilter())
    assert (page.total, page.years) == (cold_page.total, cold_page.years) == (3, (2025, 2025))
    assert not _counts(warm), warm
    # The scope's tree and stamp, then the page and its findings.
    assert len(warm) <= 4, warm


def test_a_write_in_the_scope_changes_the_next_total(db, auditor, clerk, make_decision, walk):
    make_decision()
    assert list_decisions(auditor, DecisionFilter()).total == 1
    assert list_decisions(clerk, DecisionFilter(year=2024)).total == 0
    assert list_decisions(clerk, DecisionFilter(status="submitted")).total == 0
    db.session.rollback()
    make_decision(year=2024)
    page = list_decisions(auditor, DecisionFilter())
    assert page.total == 2 and page.years == (2024, 2025)
    assert list_decisions(clerk, DecisionFilter(year=2024)).total == 1
    db.session.rollback()
    walk(make_decision(), "submitted")  # a status change is a write in the scope too
    assert list_decisions(clerk, DecisionFilter(status="submitted")).total == 1
    assert list_decisions(auditor, DecisionFilter()).total == 3


def test_a_write_elsewhere_leaves_the_count_warm_and_right(db, auditor, make_user, make_decision, count_queries):
    mine = make_decision()
    other_clerk = make_user("clerk", "CD")  # 城东街道: not under the auditor's 海安市
    assert list_decisions(auditor, DecisionFilter()).total == 1
    db.session.rollback()
    make_decision(user=other_clerk)
    with count_queries() as statements:
        page = list_decisions(auditor, DecisionFilter())
    assert page.total == 1 and [d.id for d in page.items] == [mine.id]
    assert not _counts(statements), statements
    assert list_decisions(other_clerk, DecisionFilter()).total == 1


def test_rows_carry_their_organisations_stamp(db, auditor, clerk, make_decision):
    first = make_decision()
    rows = list_decision_rows(auditor, DecisionFilter()).items
    assert [row.id for row in rows] == [first.id]
    before = rows[0].stamp
    db.session.rollback()
    make_decision()
    rows = list_decision_rows(auditor, DecisionFilter()).items
    assert [row.id for row in rows][1] == first.id and rows[1].stamp > before
    assert list_decision_rows(auditor, DecisionFilter(), page=5).items == []


def test_ties_between_organisations_have_one_order(db, auditor, make_user, make_decision):
    """Two organisations' BD-2025-001 and HA-2025-001: the newer id first, on every page."""
    ha_clerk = make_user("clerk", "HA")
    a = make_decision()
    b = make_decision(user=ha_clerk)
    ids = [d.id for d in list_decisions(auditor, DecisionFilter()).items]
    assert ids == [b.id, a.id]
    pages = [list_decisions(auditor, DecisionFilter(), page=p, per_page=1).items[0].id for p in (1, 2)]
    assert pages == ids


def test_a_years_total_comes_from_the_rolled_up_counters_without_counting_rows(db, auditor, make_decision, walk,
                                                                                 make_user, count_queries):
    from app.services.memo import forget_all

    make_decision()
    walk(make_decision(), "decided")
    make_decision(user=make_user("clerk", "HA", username="clerk_ha"))
    make_decision(year=2024)
    cases = {DecisionFilter(year=2025): 3, DecisionFilter(year=2025, complete=True): 1,
             DecisionFilter(year=2025, complete=False): 2, DecisionFilter(year=2025, rule="GEN-01"): 2,
             DecisionFilter(year=2024): 1}
    for filters, expected in cases.items():
        forget_all()  # cold: nothing kept from the case before
        with count_queries() as statements:
            page = list_decisions(auditor, filters)
        assert page.total == expected == len(page.items), filters
        assert not [s for s in _counts(statements) if "FROM decisions" in s], statements
    # Filters the counters do not hold are counted in the table.
    forget_all()
    with count_queries() as statements:
        assert list_decisions(auditor, DecisionFilter(year=2025, status="decided")).total == 1
    assert _counts(statements)
