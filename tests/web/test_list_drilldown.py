"""The decision list's new filters (rule, procedure status, organisation, search) and the dashboard's drill-down.

Each filter is checked against a count made independently in the test: from
the rows themselves (steps, stored findings, organisations, titles), never
through the service that the list page calls.
"""

from __future__ import annotations

import html
import re

import pytest

from .support import text_of

EXEMPTION = {"status": "exempted", "exemption_reason": "涉及国家秘密", "exemption_basis": "条例第三条"}


def _ref_nos(body: str) -> set[str]:
    return set(re.findall(r">((?:BD|CD|HA)-\d{4}-\d{3})</a>", body))


@pytest.fixture
def world(db, make_decision, make_user, walk, clerk):
    """Decisions of 白甸镇 (BD) in several states, one of 海安市 (HA) above it, one of 城东街道 (CD) apart."""
    from app.services.steps import record_step
    from tests.conftest import COMPLETE_STEPS, backdate

    made = {
        "done": walk(make_decision(title="白甸镇垃圾中转站建设"), "decided"),
        "fresh": make_decision(title="白甸镇农村道路维修", category="large_fund"),
        "signed": walk(make_decision(title="白甸镇集镇区停车管理办法", category="major_matter"), "signed"),
        "old": make_decision(title="白甸镇2024年度预算调整", year=2024),
        "cadre": make_decision(title="任免白甸镇财政所所长 Director", category="cadre_appointment", amount_cny=None),
    }
    exempt = make_decision(title="白甸镇应急物资储备")
    record_step(clerk, exempt, "public_participation", EXEMPTION)
    record_step(clerk, exempt, "expert_review", COMPLETE_STEPS["expert_review"])
    backdate(exempt)
    db.session.commit()
    made["exempt"] = exempt
    made["ha"] = make_decision(user=make_user("clerk", "HA", username="clerk_ha"), title="海安市城区道路改造")
    made["cd"] = make_decision(user=make_user("clerk", "CD", username="clerk_cd"), title="城东街道路灯改造")
    return made


def _visible_rows(auditor):
    """Every decision the auditor may see, read straight from the tables."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Decision, Organization

    db.session.rollback()
    ha = db.session.execute(select(Organization).where(Organization.code == "HA")).scalar_one()
    ids = {ha.id} | {o.id for o in db.session.execute(select(Organization)).scalars() if o.parent_id == ha.id}
    return [d for d in db.session.execute(select(Decision)).scalars() if d.organization_id in ids]


def _listed(client, query: str, page_text) -> set[str]:
    body = page_text(client.get(f"/decisions?per_page=100&{query}"))
    return _ref_nos(body)


def test_rule_filter_lists_exactly_the_decisions_whose_summary_names_the_rule(login, auditor, world, page_text):
    rows = _visible_rows(auditor)
    client = login(auditor)
    rules = {finding.rule for decision in rows for finding in decision.findings}
    assert {"GEN-01", "EVD-01"} <= rules
    for rule in sorted(rules):
        expected = {d.ref_no for d in rows if any(f.rule == rule for f in d.findings)}
        assert _listed(client, f"rule={rule}", page_text) == expected, rule


def test_procedure_status_filter_counts_like_the_dashboard(app, login, auditor, world, page_text):
    from app.rulebook import get_profile, required_steps
    from app.rulebook.vocabulary import Category, StepKind

    profile = get_profile(app.config["RULEBOOK_PROFILE"])
    rows = _visible_rows(auditor)
    client = login(auditor)
    seen = set()
    for kind in StepKind:
        for status in ("completed", "exempted", "missing"):
            def counts(decision, kind=kind, status=status) -> bool:
                step = next(s for s in decision.steps if s.kind == kind.value)
                if status == "missing":
                    needed = kind in set(required_steps(profile, Category(decision.category)))
                    return needed and step.status not in ("completed", "exempted")
                return step.status == status

            expected = {d.ref_no for d in rows if counts(d)}
            seen.add((kind.value, status, bool(expected)))
            assert _listed(client, f"step={kind.value}&step_status={status}", page_text) == expected, (kind, status)
    # The fixture exercises each column with something in it.
    assert ("public_participation", "exempted", True) in seen
    assert ("collective_decision", "completed", True) in seen
    assert ("legality_review", "missing", True) in seen


def test_half_a_procedure_filter_is_ignored_and_named(login, auditor, world, page_text):
    client = login(auditor)
    everything = _listed(client, "", page_text)
    body = page_text(client.get("/decisions?per_page=100&step=expert_review"))
    assert _ref_nos(body) == everything
    assert "无法识别" in body and "程序" in text_of(body)


def test_organisation_filter_with_and_without_sub_organisations(login, auditor, world, page_text):
    rows = _visible_rows(auditor)
    client = login(auditor)
    assert _listed(client, "org=HA", page_text) == {d.ref_no for d in rows}
    assert _listed(client, "org=HA&own=1", page_text) == {d.ref_no for d in rows if d.ref_no.startswith("HA-")}
    assert _listed(client, "org=BD", page_text) == {d.ref_no for d in rows if d.ref_no.startswith("BD-")}
    # Another organisation's code is not a way in: ignored, and the page says so.
    body = page_text(client.get("/decisions?per_page=100&org=CD"))
    assert _ref_nos(body) == {d.ref_no for d in rows}
    assert "单位" in text_of(body[body.index("alert-warning"):body.index("alert-warning") + 400])
    # The select offers the organisations the auditor sees, and keeps the choice.
    body = page_text(client.get("/decisions?org=BD&own=1"))
    assert '<option value="BD" selected>' in body and 'value="CD"' not in body
    assert 'id="filter-own" name="own" value="1" checked' in body


def test_a_clerk_has_no_organisation_select_and_cannot_reach_another(login, clerk, world, page_text):
    client = login(clerk)
    body = page_text(client.get("/decisions"))
    assert 'id="filter-org"' not in body
    assert _listed(client, "org=CD", page_text) == _listed(client, "", page_text)


@pytest.mark.parametrize("term", ["停车", "bd-2025-00", "director", "2024年度", "100%_"])
def test_search_by_title_or_reference_number(login, auditor, world, page_text, term):
    rows = _visible_rows(auditor)
    client = login(auditor)
    expected = {d.ref_no for d in rows if term.lower() in d.title.lower() or term.lower() in d.ref_no.lower()}
    assert _listed(client, f"q={term}", page_text) == expected
    body = page_text(client.get(f"/decisions?q={term}"))
    assert f'name="q" value="{html.escape(term)}"' in body


def test_filters_combine(login, auditor, world, page_text):
    rows = _visible_rows(auditor)
    client = login(auditor)
    expected = {d.ref_no for d in rows if d.year == 2025 and d.ref_no.startswith("BD-") and not d.is_complete
                and any(f.rule == "GEN-01" for f in d.findings)}
    assert expected
    assert _listed(client, "year=2025&org=BD&complete=no&rule=GEN-01", page_text) == expected


def test_filters_keep_the_query_count(app, db, login, auditor, world, count_queries):
    from .test_list import _count_page

    client = login(auditor)
    plain = _count_page(app, client, count_queries, "/decisions?per_page=50")
    filtered = _count_page(app, client, count_queries,
                           "/decisions?per_page=50&rule=GEN-01&step=legality_review&step_status=missing&org=BD&q=白甸")
    # Cold (the count is read, then cached by the scope's stamp): BEGIN on SQLite, session, the page cache's
    # stamp, tree, list_decisions' stamp, count, page, findings; warm, one fewer; the body cached: four.
    assert len(filtered) == len(plain) <= 8, filtered
    warm = _count_page(app, client, count_queries, "/decisions?per_page=50&page=1")  # same filters, new body
    assert len(warm) == len(plain) - 1, warm
    assert len(_count_page(app, client, count_queries, "/decisions?per_page=50")) <= 4  # + the tree (visible ids)
    # The tree is read once (the scope's stamps probe the organisations' chains: not the tree).
    assert len([s for s in filtered if "FROM organizations" in s and "audit_events" not in s]) == 1


def test_year_filter_offers_the_years_with_decisions_and_one_either_side(login, clerk, world, page_text):
    body = page_text(login(clerk).get("/decisions"))
    select = body[body.index('id="filter-year"'):body.index("</select>", body.index('id="filter-year"'))]
    assert re.findall(r'<option value="(\d+)"', select) == ["2026", "2025", "2024", "2023"]


def test_empty_list_says_there_are_no_decisions_yet(login, clerk, page_text):
    body = page_text(login(clerk).get("/decisions"))
    assert "还没有决策事项" in body and "没有符合筛选条件的决策事项" not in body
    assert 'href="/decisions/new"' in body[body.index("还没有决策事项") - 300:]


def test_no_match_still_says_no_match(login, clerk, world, page_text):
    body = page_text(login(clerk).get("/decisions?q=不存在的事项"))
    assert "没有符合筛选条件的决策事项" in body and "还没有决策事项" not in body


# -- the dashboard's drill-down -------------------------------------------------------------------------

_COUNT_LINK = re.compile(r'<a (?:class="[^"]*" )?href="([^"]+)" data-count="(\w+)">([\d,]+)</a>')


def test_every_dashboard_number_links_to_exactly_its_decisions(login, auditor, world, page_text):
    client = login(auditor)
    body = page_text(client.get("/reports/dashboard?year=2025"))
    links = [(html.unescape(href), name, int(number.replace(",", ""))) for href, name, number in
             _COUNT_LINK.findall(body)]
    names = {name for _href, name, _number in links}
    assert {"total", "complete", "incomplete", "completed", "exempted", "missing", "decisions"} <= names
    # the cards, 5 procedures × 3, the rules, and the three columns per organisation (HA and BD)
    assert len(links) >= 3 + 15 + 2 + 6, links
    for href, name, number in links:
        assert href.startswith("/decisions?") and "year=2025" in href, href
        listed = page_text(client.get(href + "&per_page=100"))
        assert len(_ref_nos(listed)) == number, (name, href)
        assert f"共 {number} 项" in text_of(listed), (name, href)


def test_dashboard_links_name_the_filters_they_stand_for(login, auditor, world, page_text):
    body = html.unescape(page_text(login(auditor).get("/reports/dashboard?year=2025")))
    assert 'href="/decisions?year=2025&org=HA&complete=no"' in body
    assert 'href="/decisions?year=2025&org=HA&step=public_participation&step_status=exempted"' in body
    assert 'href="/decisions?year=2025&org=HA&rule=GEN-01"' in body
    # By organisation: HA's own decisions, then BD with everything under it (and its own dashboard).
    assert 'href="/decisions?year=2025&org=HA&own=1&complete=no"' in body
    assert 'href="/decisions?year=2025&org=BD&complete=no"' in body
    assert 'href="/reports/dashboard?year=2025&org=BD"' in body
    # A rule's badge and a chart's bar link there too (pygal writes the bar's link as xlink:href).
    by_rule = body[body.index('id="by-rule"'):]
    assert '<a href="/decisions?year=2025&org=HA&rule=GEN-01" class="text-decoration-none">' in by_rule
    assert 'xlink:href="/decisions?year=2025&org=HA&step=legality_review&step_status=missing"' in body
    assert 'xlink:href="/decisions?year=2025&org=HA&complete=yes"' in body


def test_from_the_list_to_the_decision(login, auditor, world, page_text):
    client = login(auditor)
    body = page_text(client.get("/decisions?year=2025&org=HA&rule=CD-05"))
    listed = _ref_nos(body)
    for ref_no in listed:
        decision_id = re.search(rf'href="/decisions/(\d+)">{ref_no}</a>', body).group(1)
        page = page_text(client.get(f"/decisions/{decision_id}"))
        assert ref_no in page and "CD-05" in page


def test_a_large_tree_offers_a_drill_down_in_the_organisation_filter(db, login, auditor, world, orgs, monkeypatch,
                                                                       page_text):
    from app.services.users import ensure_organization
    from app.web import org_choices

    ensure_organization("XC", "新村", orgs["BD"])
    db.session.commit()
    client = login(auditor)
    options = re.compile(r'<option value="([A-Z]+)"')
    monkeypatch.setattr(org_choices, "OFFER_MAX", 2)
    body = page_text(client.get("/decisions?year=2025"))
    assert [code for code in options.findall(body) if code in ("HA", "BD", "XC")] == ["HA", "BD"]
    body = page_text(client.get("/decisions?year=2025&org=BD"))
    assert [code for code in options.findall(body) if code in ("HA", "BD", "XC")] == ["HA", "BD", "XC"]
    assert client.get("/decisions?year=2025&org=XC").status_code == 200
