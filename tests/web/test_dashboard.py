"""The auditor dashboard: numbers against a known set of decisions, scopes, year switch, charts, bounded queries."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts without cached reports or rendered dashboards."""
    from app.reports.dashboard import clear_caches
    from app.services.reports import clear_report_cache

    clear_caches()
    clear_report_cache()
    yield
    clear_caches()
    clear_report_cache()


@pytest.fixture
def known(db, make_decision, make_user, walk):
    """2025: 白甸镇 (BD) has one complete decision, one fresh draft and one waiting for its meeting;
    海安市 (HA) itself has one fresh draft; 城东街道 (CD, not under HA) one; BD has one more in 2024."""
    clerk_ha = make_user("clerk", "HA", username="clerk_ha")
    clerk_cd = make_user("clerk", "CD", username="clerk_cd")
    return {
        "done": walk(make_decision(title="白甸镇垃圾中转站建设"), "decided"),
        "fresh": make_decision(title="白甸镇农村道路维修", category="large_fund"),
        "signed": walk(make_decision(title="白甸镇集镇区停车管理办法", category="major_matter"), "submitted"),
        "old": make_decision(title="白甸镇2024年度预算调整", year=2024),
        "ha": make_decision(user=clerk_ha, title="海安市城区道路改造"),
        "cd": make_decision(user=clerk_cd, title="城东街道路灯改造"),
    }


def _count(body: str, name: str, scope: str | None = None) -> int:
    """The number in ``data-count="name"``, inside the element with ``data-<scope>`` if given."""
    if scope:
        start = body.index(scope)
        body = body[start: body.index("</tr>", start)]
    match = re.search(rf'data-count="{name}">\s*([\d,]+)', body)
    assert match, f"no {name} count in {body[:300]}"
    return int(match.group(1).replace(",", ""))


def _incomplete_refs(body: str) -> list[str]:
    section = body[body.index('id="incomplete"'):]
    return re.findall(r'href="/decisions/\d+">([A-Z]+-\d{4}-\d{3})</a>', section)


def _rules_in_db(db, decisions) -> dict[str, int]:
    from app.models import DecisionFinding

    rows = db.session.execute(
        select(DecisionFinding.rule, func.count())
        .where(DecisionFinding.decision_id.in_([d.id for d in decisions]))
        .group_by(DecisionFinding.rule)
    ).all()
    return dict(rows)


def test_auditor_of_the_city_sees_its_towns_included(db, login, auditor, known, page_text):
    body = page_text(login(auditor).get("/reports/dashboard?year=2025"))
    assert _count(body, "total") == 4  # HA's own and BD's three; CD is not under HA
    assert _count(body, "complete") == 1
    assert _count(body, "incomplete") == 3
    assert "25.0%" in body
    # By step: the complete one and the submitted one have done the four preparatory steps.
    for kind in ("public_participation", "expert_review", "risk_assessment", "legality_review"):
        row = f'data-step="{kind}"'
        counts = (_count(body, "completed", row), _count(body, "exempted", row), _count(body, "missing", row))
        assert counts == (2, 0, 2), kind
    row = 'data-step="collective_decision"'
    assert (_count(body, "completed", row), _count(body, "missing", row)) == (1, 3)
    # By rule: every rule broken, counted once per decision, as stored.
    expected = _rules_in_db(db, [known["done"], known["fresh"], known["signed"], known["ha"]])
    assert expected["GEN-01"] == 3
    found = {rule: _count(body, "decisions", f'data-rule="{rule}"') for rule in expected}
    assert found == expected
    assert set(re.findall(r'data-rule="([A-Z]+-\d+)"', body)) == set(expected)
    # By organisation: the city itself and the town under it.
    assert (_count(body, "total", 'data-org="HA"'), _count(body, "complete", 'data-org="HA"')) == (1, 0)
    assert (_count(body, "total", 'data-org="BD"'), _count(body, "complete", 'data-org="BD"')) == (3, 1)
    assert "data-org=\"CD\"" not in body
    # The incomplete ones, each linked to its page with the rules it breaks.
    refs = _incomplete_refs(body)
    assert sorted(refs) == sorted([known["fresh"].ref_no, known["signed"].ref_no, known["ha"].ref_no])
    assert f'href="/decisions/{known["fresh"].id}"' in body
    assert known["done"].ref_no not in refs


def test_by_organisation_goes_one_level_down_with_each_subtree_whole(db, login, auditor, known, make_user,
                                                                     make_decision, orgs, page_text):
    """A province's page lists its cities, not its thousand townships: each row below counts its whole subtree."""
    from app.services.users import ensure_organization

    ensure_organization("XC", "新村", orgs["BD"])
    db.session.commit()
    make_decision(user=make_user("clerk", "XC", username="clerk_xc"), title="新村村道硬化")
    client = login(auditor)
    body = page_text(client.get("/reports/dashboard?year=2025"))
    assert _count(body, "total", 'data-org="HA"') == 1  # HA's own
    assert _count(body, "total", 'data-org="BD"') == 4  # BD's three and XC's one
    assert 'data-org="XC"' not in body
    assert 'href="/reports/dashboard?year=2025&amp;org=BD"' in body
    # One level further down: BD's own three, then XC.
    body = page_text(client.get("/reports/dashboard?year=2025&org=BD"))
    assert (_count(body, "total", 'data-org="BD"'), _count(body, "total", 'data-org="XC"')) == (3, 1)


def test_rule_rows_carry_severity_and_title(login, auditor, known, page_text):
    body = html.unescape(page_text(login(auditor).get("/reports/dashboard?year=2025")))
    start = body.index('data-rule="GEN-01"')
    row = body[start: body.index("</tr>", start)]
    assert "必经程序未履行" in row  # the rule's title
    assert "阻断" in row  # its severity


def test_auditor_may_narrow_to_a_town(login, auditor, known, page_text):
    body = page_text(login(auditor).get("/reports/dashboard?year=2025&org=BD"))
    assert (_count(body, "total"), _count(body, "complete")) == (3, 1)
    assert 'id="by-organization"' not in body  # BD has no sub-organisations
    assert known["ha"].ref_no not in body


def test_auditor_cannot_choose_an_organisation_outside_the_tree(login, auditor, known):
    client = login(auditor)
    assert client.get("/reports/dashboard?year=2025&org=CD").status_code == 404
    assert client.get("/reports/dashboard?year=2025&org=NOPE").status_code == 404


def test_clerk_sees_own_organisation_only(login, clerk, known, page_text):
    client = login(clerk)
    body = page_text(client.get("/reports/dashboard?year=2025"))
    assert (_count(body, "total"), _count(body, "complete"), _count(body, "incomplete")) == (3, 1, 2)
    assert 'id="report-org"' not in body  # nothing to choose
    assert known["ha"].ref_no not in body and known["cd"].ref_no not in body
    assert client.get("/reports/dashboard?year=2025&org=HA").status_code == 404
    assert client.get("/reports/dashboard?year=2025&org=CD").status_code == 404


def test_admin_sees_own_organisation(login, make_user, known, page_text):
    admin = make_user("admin", "HA")
    body = page_text(login(admin).get("/reports/dashboard?year=2025"))
    assert (_count(body, "total"), _count(body, "complete")) == (1, 0)


def test_legal_adviser_gets_403(login, legal, known):
    client = login(legal)
    assert client.get("/reports/dashboard?year=2025").status_code == 403
    assert client.get("/reports/ledger.csv?year=2025").status_code == 403


def test_anonymous_is_sent_to_login(client, known):
    response = client.get("/reports/dashboard?year=2025")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_year_switch(login, clerk, known, page_text):
    client = login(clerk)
    body = page_text(client.get("/reports/dashboard?year=2024"))
    assert (_count(body, "total"), _count(body, "complete")) == (1, 0)
    assert known["old"].ref_no in body
    assert '<option value="2024" selected>' in body
    assert 'href="/reports/dashboard?year=2023"' in body and 'href="/reports/dashboard?year=2025"' in body
    empty = page_text(client.get("/reports/dashboard?year=2019"))
    assert _count(empty, "total") == 0 and "<svg" not in empty


def test_default_year_is_this_year(login, clerk, known, page_text):
    from app.clock import today

    body = page_text(login(clerk).get("/reports/dashboard"))
    assert f'<option value="{today().year}" selected>' in body


def test_bad_values_are_ignored_and_named(login, clerk, known, page_text):
    body = page_text(login(clerk).get("/reports/dashboard?year=twenty&page=-1"))
    assert 'role="alert"' in body
    assert "年度" in body and "页码" in body


def test_export_links_keep_the_year_and_organisation(login, auditor, known, page_text):
    body = html.unescape(page_text(login(auditor).get("/reports/dashboard?year=2025&org=BD")))
    assert 'href="/reports/ledger.xlsx?year=2025&org=BD"' in body
    assert 'href="/reports/ledger.csv?year=2025&org=BD"' in body


def test_charts_are_inline_svg_without_scripts_or_remote_files(login, auditor, known, page_text):
    body = page_text(login(auditor).get("/reports/dashboard?year=2025"))
    charts = re.findall(r"<svg\b.*?</svg>", body, re.S)
    assert len(charts) == 4  # completeness, steps, rules, organisations
    assert all("<script" not in chart for chart in charts)
    assert "<?xml" not in body
    assert "pygal-chart" in charts[0]
    # Nothing is loaded from elsewhere: every script and stylesheet is served by the app.
    for url in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not url.startswith(("http:", "https:", "//")), url
    assert "kozea.github.io" not in body


def test_incomplete_list_is_paginated(db, login, clerk, make_decision, page_text, app):
    app.config["PER_PAGE"] = 2
    try:
        made = [make_decision(title=f"事项{n}") for n in range(5)]
        client = login(clerk)
        first = page_text(client.get("/reports/dashboard?year=2025"))
        second = page_text(client.get("/reports/dashboard?year=2025&page=3"))
    finally:
        app.config["PER_PAGE"] = 25
    assert _incomplete_refs(first) == [d.ref_no for d in made[:2]]
    assert _incomplete_refs(second) == [made[4].ref_no]
    assert "page=2" in first
    beyond = page_text(client.get("/reports/dashboard?year=2025&page=9"))
    assert _incomplete_refs(beyond) == []
    assert 'href="/reports/dashboard?year=2025&amp;org=BD"' in beyond  # back to the first page


def test_numbers_follow_a_new_write(db, login, clerk, known, page_text):
    from app.services.steps import record_step
    from tests.conftest import MEETING

    client = login(clerk)
    before = page_text(client.get("/reports/dashboard?year=2025"))
    assert _count(before, "complete") == 1
    record_step(clerk, known["signed"], "collective_decision", MEETING)
    db.session.commit()
    after = page_text(client.get("/reports/dashboard?year=2025"))
    assert _count(after, "complete") == 2  # the cached page moved on with the audit chain
    assert known["signed"].ref_no not in _incomplete_refs(after)


def test_english_labels(login, auditor, known, english, page_text):
    body = html.unescape(page_text(login(auditor).get("/reports/dashboard?year=2025")))
    assert "A required procedure is missing" in body  # GEN-01's title in English
    assert "Public participation" in body


def _dashboard_queries(client, count_queries, url: str) -> int:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_query_count_is_bounded_and_independent_of_the_number_of_decisions(
    db, login, auditor, make_decision, make_user, walk, count_queries
):
    from app.reports.dashboard import clear_caches
    from app.services.reports import clear_report_cache

    clerk_ha = make_user("clerk", "HA", username="clerk_ha")
    walk(make_decision(title="完整事项"), "decided")
    client = login(auditor)
    client.get("/reports/dashboard?year=2025")  # whatever is loaded once per process
    counts = []
    for extra in (2, 10):
        for n in range(extra):
            make_decision(title=f"事项{n}")
            make_decision(user=clerk_ha, title=f"城区事项{n}")
        clear_caches()
        clear_report_cache()
        cold = _dashboard_queries(client, count_queries, "/reports/dashboard?year=2025")
        warm = _dashboard_queries(client, count_queries, "/reports/dashboard?year=2025")
        page = _dashboard_queries(client, count_queries, "/reports/dashboard?year=2025&page=1&org=HA")
        counts.append((cold, warm, page))
    assert counts[0] == counts[1], counts
    cold, warm, _page = counts[0]
    # Cold: BEGIN, user, scope, tree, the scope's stamp; in the reports service the scope's counter rows and the
    # organisations' own totals (decision_statistics: no GROUP BY over decisions); then a page of decisions and
    # their rules; the catalogue line; the payment cross-check's line (one query when no payment of the year is
    # imported: app.services.payments.payment_counts); the year archive's line (two counts).
    assert cold <= 12, cold
    # Warm (nothing written in the scope since): BEGIN, user, scope, tree and the scope's stamp; the payment and
    # archive lines are kept under that stamp too.
    assert warm <= 5, warm


def test_chinese_by_default(login, auditor, known, page_text):
    body = html.unescape(page_text(login(auditor).get("/reports/dashboard?year=2025")))
    for words in ("完整性统计", "含 1 个下级单位", "2025 年度", "完整率", "按程序统计", "按规则统计", "按单位统计",
                  "不完整的决策事项", "下载台账（XLSX）", "缺失"):
        assert words in body, words


def test_a_write_elsewhere_leaves_the_dashboard_warm_and_one_inside_shows_at_once(
    db, login, auditor, known, make_decision, count_queries, page_text
):
    from app.models import User

    clerk_cd = db.session.execute(select(User).where(User.username == "clerk_cd")).scalar_one()
    client = login(auditor)
    url = "/reports/dashboard?year=2025"
    assert _count(page_text(client.get(url)), "total") == 4
    warm = _dashboard_queries(client, count_queries, url)
    make_decision(user=clerk_cd, title="城东街道又一事项")  # 城东街道 is not under 海安市
    with count_queries() as statements:
        body = page_text(client.get(url))
    assert len(statements) == warm  # still the cached sections: no report query
    assert not any("decision_statistics" in statement for statement in statements)
    assert _count(body, "total") == 4
    make_decision(title="白甸镇新事项")  # 白甸镇 is under 海安市: the next read shows it
    with count_queries() as statements:
        body = page_text(client.get(url))
    assert _count(body, "total") == 5 and _count(body, "total", 'data-org="BD"') == 4
    assert any("decision_statistics" in statement for statement in statements)


def test_the_counters_answer_like_the_summaries_for_every_scope(db, auditor, known, orgs):
    from app.services import reports, statistics
    from app.services.compliance import current_profile

    for scope in ([orgs["HA"].id, orgs["BD"].id], [orgs["BD"].id], [orgs["HA"].id], [orgs["CD"].id]):
        counted = reports.report_from_counts(statistics.scope_counts(scope, 2025), 2025, current_profile())
        assert counted == reports._compute(scope, 2025, current_profile()), scope


def test_a_large_tree_offers_a_drill_down_not_every_organisation(db, login, auditor, known, orgs, monkeypatch,
                                                                  page_text):
    from app.services.users import ensure_organization
    from app.web import org_choices

    ensure_organization("XC", "新村", orgs["BD"])
    db.session.commit()
    client = login(auditor)
    options = re.compile(r'<option value="([A-Z]+)"')
    assert options.findall(page_text(client.get("/reports/dashboard?year=2025"))) == ["HA", "BD", "XC"]
    monkeypatch.setattr(org_choices, "OFFER_MAX", 2)
    # At the city: the city and the level below it; at the town: the way down and the town's own level below.
    assert options.findall(page_text(client.get("/reports/dashboard?year=2025"))) == ["HA", "BD"]
    body = page_text(client.get("/reports/dashboard?year=2025&org=BD"))
    assert options.findall(body) == ["HA", "BD", "XC"] and '<option value="BD" selected>' in body
    # The grandchild is still a valid choice, and the annual report's selector does the same.
    assert client.get("/reports/dashboard?year=2025&org=XC").status_code == 200
    assert options.findall(page_text(client.get("/reports/annual?year=2025"))) == ["HA", "BD"]


def test_the_payment_and_archive_lines_follow_a_write_in_the_scope(db, login, auditor, clerk, known, make_decision,
                                                                  walk, page_text):
    import io

    from app.services.payment_import import import_organization, import_payments

    client = login(auditor)
    pay01 = re.compile(r'data-count="PAY-01">.*?<span class="amount">(\d+)</span>', re.S)
    decided = re.compile(r"2025 年已决定的决策 (\d+) 项")
    body = page_text(client.get("/reports/dashboard?year=2025&org=BD"))
    assert (pay01.search(body).group(1), decided.search(body).group(1)) == ("0", "1")
    import_payments(clerk, import_organization(clerk, None),
                    io.BytesIO("日期,凭证号,收款单位,金额\r\n2025-05-06,记-9,甲公司,200000\r\n".encode()), "x.csv")
    walk(make_decision(title="又一项"), "decided")
    db.session.commit()
    body = page_text(client.get("/reports/dashboard?year=2025&org=BD"))
    assert (pay01.search(body).group(1), decided.search(body).group(1)) == ("1", "2")
