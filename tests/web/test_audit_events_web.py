"""The audit-event page: who may open it, scope, each filter, paging, labels in both languages, queries."""

from __future__ import annotations

import re

import pytest

from .support import text_of


@pytest.fixture
def trail(db, orgs, make_user, make_decision, clerk):
    from app.services.audit import record_event

    users = {
        "clerk_bd": clerk,
        "auditor_bd": make_user("auditor", "BD"),
        "auditor_ha": make_user("auditor", "HA"),
        "admin_ha": make_user("admin", "HA"),
        "clerk_ha": make_user("clerk", "HA"),
        "clerk_cd": make_user("clerk", "CD"),
    }
    clerk.display_name = "白甸经办人"
    decisions = {
        "BD": make_decision(),
        "BD2": make_decision(title="第二个白甸事项"),
        "HA": make_decision(user=users["clerk_ha"], title="海安市级重大项目"),
        "CD": make_decision(user=users["clerk_cd"], title="城东街道重大项目"),
    }
    record_event(users["admin_ha"], "calendar.load", "calendar", None, after={"year": 2026})
    db.session.commit()
    return users, decisions


def _rows(body: str) -> list[str]:
    return re.findall(r'<tr class="audit-event"[^>]*>.*?</tr>', body, flags=re.S)


def _actions(body: str) -> list[str]:
    return re.findall(r'<tr class="audit-event" data-action="([^"]+)"', body)


def _actors(body: str) -> set[str]:
    return set(re.findall(r'data-actor="([^"]+)"', body))


@pytest.mark.parametrize("who", ["clerk_bd", "clerk_ha"])
def test_other_roles_get_403_and_no_menu_entry(login, trail, page_text, who):
    users, _ = trail
    client = login(users[who])
    page_text(client.get("/audit/events"), 403)
    assert 'href="/audit/events"' not in page_text(client.get("/"))


def test_auditor_sees_the_menu_entry_and_the_table(login, trail, page_text):
    users, decisions = trail
    client = login(users["auditor_ha"])
    assert 'href="/audit/events"' in page_text(client.get("/"))
    body = page_text(client.get("/audit/events"))
    assert '<table class="table table-sm align-top audit-events">' in body
    assert '<th scope="col" class="text-nowrap">时间</th>' in body and "<caption" in body
    assert 'aria-current="page"' in body and "审计事件" in body
    # Display names with the username, action labels, the decision linked by its reference number.
    assert "白甸经办人" in body and "(clerk_bd)" in body
    assert "创建决策事项" in text_of(body)
    assert f'href="/decisions/{decisions["BD"].id}">{decisions["BD"].ref_no}</a>' in body
    assert f'{decisions["CD"].ref_no}' not in body
    assert "calendar.load" in _actions(body)


def test_town_auditor_does_not_see_the_city(login, trail, page_text):
    users, decisions = trail
    body = page_text(login(users["auditor_bd"]).get("/audit/events?per_page=100"))
    assert decisions["BD"].ref_no in body
    assert decisions["HA"].ref_no not in body
    assert "calendar.load" not in _actions(body)
    assert "clerk_ha" not in _actors(body) and "clerk_cd" not in _actors(body)


def test_filter_by_actor(login, trail, page_text):
    users, _ = trail
    body = page_text(login(users["auditor_ha"]).get("/audit/events?actor=clerk_bd"))
    assert _actors(body) == {"clerk_bd"}
    assert set(_actions(body)) == {"decision.create"}
    assert 'value="clerk_bd"' in body  # the filter is kept in the form
    assert "共 2 条" in body


def test_filter_by_action_and_decision(login, trail, page_text):
    users, decisions = trail
    client = login(users["auditor_ha"])
    body = page_text(client.get("/audit/events?action=calendar.load"))
    assert _actions(body) == ["calendar.load"]
    assert '<option value="calendar.load" selected>' in body
    body = page_text(client.get(f"/audit/events?decision={decisions['BD2'].ref_no}"))
    assert len(_rows(body)) == 1 and decisions["BD2"].ref_no in body and decisions["BD"].ref_no + "<" not in body


def test_a_decision_out_of_sight_lists_nothing(login, trail, page_text):
    users, decisions = trail
    for ref_no in (decisions["CD"].ref_no, "XX-2025-999"):
        body = page_text(login(users["auditor_bd"]).get(f"/audit/events?decision={ref_no}"))
        assert _rows(body) == [] and 'id="unknown-decision"' in body


def test_filter_by_date_range(login, trail, page_text):
    from datetime import timedelta

    from app.clock import today

    users, _ = trail
    client = login(users["auditor_ha"])
    day = today()
    assert _rows(page_text(client.get(f"/audit/events?since={day}&until={day}")))
    assert _rows(page_text(client.get(f"/audit/events?since={day + timedelta(days=1)}"))) == []
    body = page_text(client.get(f"/audit/events?until={day - timedelta(days=1)}"))
    assert _rows(body) == [] and "没有符合筛选条件的事件" in body


@pytest.mark.parametrize("query", ["since=2025-13-01", "until=tomorrow", "page=abc", "page=0", "per_page=-1",
                                   "since=2025-03-02&until=2025-03-01", "actor=" + "x" * 65,
                                   "per_page=abc"])
def test_bad_filter_values_are_ignored_and_named(login, trail, page_text, query):
    users, _ = trail
    body = page_text(login(users["auditor_ha"]).get(f"/audit/events?{query}"))
    assert "无法识别" in body or "ignored" in body or "已忽略" in body


def test_paging_keeps_the_filters(login, trail, page_text):
    users, _ = trail
    client = login(users["auditor_ha"])
    first = page_text(client.get("/audit/events?per_page=2"))
    second = page_text(client.get("/audit/events?per_page=2&page=2"))
    assert len(_rows(first)) == len(_rows(second)) == 2
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert 'href="/audit/events?per_page=2&amp;page=2"' in first
    filtered = page_text(client.get("/audit/events?per_page=1&actor=clerk_bd"))
    assert "actor=clerk_bd" in filtered and "page=2" in filtered


def test_english(login, trail, english, page_text):
    users, _ = trail
    login(users["auditor_ha"])
    body = page_text(english.get("/audit/events?actor=clerk_bd"))
    assert "Audit events" in body and "Decision created" in body and "2 events" in body


def test_query_count_does_not_grow_with_the_page(login, trail, count_queries, make_decision, page_text):
    users, _ = trail
    client = login(users["auditor_ha"])
    with count_queries() as small:
        page_text(client.get("/audit/events?per_page=2"))
    for n in range(6):
        make_decision(title=f"更多事项{n}")
    with count_queries() as large:
        body = page_text(client.get("/audit/events?per_page=100"))
    assert len(_rows(body)) > 12
    assert len(large) == len(small), large


def test_a_page_past_the_end_links_back(login, trail, page_text):
    users, _ = trail
    body = page_text(login(users["auditor_ha"]).get("/audit/events?page=99999999999999999999999"))
    assert _rows(body) == [] and 'href="/audit/events"' in body
