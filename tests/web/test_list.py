"""The decision list: filters and pagination kept in the URL, bad input, bounded queries."""

from __future__ import annotations

import html
import re

import pytest


def _ref_nos(body: str) -> list[str]:
    return re.findall(r">((?:BD|CD|HA)-\d{4}-\d{3})</a>", body)


def _links(body: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', body)]


@pytest.fixture
def mixed(db, make_decision, make_user, walk):
    """Decisions of several years, categories and states; one of another organisation."""
    made = {
        "bridge": make_decision(),
        "fund": make_decision(title="农村道路维修资金", category="large_fund", year=2024, amount_cny="80000"),
        "cadre": make_decision(title="任免白甸镇财政所所长", category="cadre_appointment", amount_cny=None),
        "walked": walk(make_decision(title="白甸镇垃圾中转站建设"), "decided"),
    }
    other = make_user("clerk", "CD", username="clerk_cd")
    made["other"] = make_decision(user=other, title="城东街道路灯改造")
    return made


def test_list_shows_own_organisation_with_labels(login, clerk, mixed, page_text):
    body = page_text(login(clerk).get("/decisions"))
    assert set(_ref_nos(body)) == {"BD-2025-001", "BD-2024-001", "BD-2025-002", "BD-2025-003"}
    assert "城东街道路灯改造" not in body
    assert "重大项目安排" in body and "大额度资金使用" in body and "重要干部任免" in body
    assert "已决定" in body and "草稿" in body
    assert "白甸镇建设局" in body
    assert "1,250,000.00" in body and "80,000.00" in body
    assert "共 4 项" in body
    # The rules each decision breaks, from its stored summary.
    assert "GEN-01" in body and "EVD-01" in body
    assert "✓" in body and "✗" in body


def test_auditor_of_the_parent_sees_the_town_decisions(login, auditor, mixed, page_text):
    body = page_text(login(auditor).get("/decisions"))
    assert "BD-2025-001" in body
    assert "城东街道路灯改造" not in body
    assert "审计监督" in body and "海安市" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2024", {"BD-2024-001"}),
        ("category=cadre_appointment", {"BD-2025-002"}),
        ("status=decided", {"BD-2025-003"}),
        ("complete=yes", {"BD-2025-003"}),
        ("complete=no", {"BD-2025-001", "BD-2024-001", "BD-2025-002"}),
        ("year=2025&category=major_project&status=draft", {"BD-2025-001"}),
        ("year=2023", set()),
    ],
)
def test_filters(login, clerk, mixed, page_text, query, expected):
    body = page_text(login(clerk).get(f"/decisions?{query}"))
    assert set(_ref_nos(body)) == expected
    if not expected:
        assert "没有符合筛选条件的决策事项" in body


def test_filter_form_keeps_its_state(login, clerk, mixed, page_text):
    body = page_text(login(clerk).get("/decisions?year=2025&category=large_fund&status=draft&complete=no"))
    assert '<option value="2025" selected>' in body
    assert '<option value="large_fund" selected>' in body
    assert '<option value="draft" selected>' in body
    assert '<option value="no" selected>' in body


@pytest.mark.parametrize(
    "query",
    [
        "category=bogus",
        "year=abc",
        "year=99999999999999999999999",
        "year=1999",
        "year=-5",
        "status=nonsense",
        "complete=maybe",
        "page=abc",
        "page=0",
        "page=-3",
        "per_page=abc",
        "per_page=0",
        "year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95",  # full-width digits
        "category=major_project%27%20OR%201%3D1--",
    ],
)
def test_invalid_filter_values_are_ignored_with_a_message(login, clerk, mixed, page_text, query):
    body = page_text(login(clerk).get(f"/decisions?{query}"))
    assert "已忽略" in body
    assert set(_ref_nos(body)) == {"BD-2025-001", "BD-2024-001", "BD-2025-002", "BD-2025-003"}


def test_out_of_range_pages_do_not_fail(login, clerk, mixed, page_text):
    client = login(clerk)
    body = page_text(client.get("/decisions?page=99999999999"))
    assert "没有第 100000 页" in body
    assert page_text(client.get("/decisions?per_page=100000"))
    body = page_text(client.get("/decisions?page=3"))
    assert "回到第一页" in body


def test_pagination_keeps_the_filters(login, clerk, make_decision, page_text):
    for n in range(12):
        make_decision(title=f"资金事项{n:02d}", category="large_fund")
    make_decision(title="其他项目")
    client = login(clerk)
    body = page_text(client.get("/decisions?category=large_fund&per_page=5"))
    assert len(_ref_nos(body)) == 5
    assert "共 12 项" in body
    page_links = [link for link in _links(body) if "page=" in link and "per_page=10" not in link]
    assert "/decisions?category=large_fund&per_page=5&page=2" in page_links
    assert "/decisions?category=large_fund&per_page=5&page=3" in page_links
    body = page_text(client.get("/decisions?category=large_fund&per_page=5&page=3"))
    assert len(_ref_nos(body)) == 2
    assert "其他项目" not in body
    # Back to page 1 keeps the filters and drops the page number.
    assert "/decisions?category=large_fund&per_page=5" in _links(body)
    # The filter form carries the page size on.
    assert '<input type="hidden" name="per_page" value="5">' in body


def test_pages_do_not_overlap(login, clerk, make_decision, page_text):
    for n in range(7):
        make_decision(title=f"事项{n}")
    client = login(clerk)
    first = _ref_nos(page_text(client.get("/decisions?per_page=4")))
    second = _ref_nos(page_text(client.get("/decisions?per_page=4&page=2")))
    assert len(first) == 4 and len(second) == 3
    assert not set(first) & set(second)
    assert first == sorted(first, reverse=True)


def test_english_labels(login, clerk, mixed, english, page_text):
    body = page_text(login(clerk).get("/decisions"))
    assert "Major project" in body and "Large fund use" in body
    assert "Decided" in body and "Draft" in body
    assert "4 decisions" in body


def _count_page(app, client, count_queries, url: str) -> list[str]:
    from app.extensions import db

    db.session.remove()  # nothing cached in the test's session
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return list(statements)


def test_list_query_count_is_bounded_and_independent_of_page_size(app, db, login, clerk, make_decision,
                                                                   count_queries):
    from app.services.decisions import create_decision
    from tests.conftest import DECISION_DATA

    for n in range(60):
        create_decision(clerk, {**DECISION_DATA, "title": f"事项{n}", "year": 2024 + n % 2})
    db.session.commit()
    client = login(clerk)
    cold = _count_page(app, client, count_queries, "/decisions?per_page=5")
    cached = _count_page(app, client, count_queries, "/decisions?per_page=5")
    medium = _count_page(app, client, count_queries, "/decisions?per_page=10")
    large = _count_page(app, client, count_queries, "/decisions?per_page=50")
    # The body cached until the next write in the scope: the session and the scope's stamp (and BEGIN).
    assert len(cached) <= 3, cached
    # Not cached yet: + list_decisions (its stamp, the page, its findings; its count cached by the first).
    assert len(medium) == len(large), (medium, large)
    assert len(large) <= 6, large
    assert len(cold) == len(large) + 1, cold
    user_queries = [s for s in large if "FROM users" in s or "JOIN users" in s]  # with its session row
    assert len(user_queries) == 1, user_queries
    filtered = _count_page(app, client, count_queries,
                           "/decisions?per_page=50&year=2024&category=major_project&complete=no")
    assert len(filtered) == len(cold)


def test_auditor_list_query_count_is_bounded(app, db, login, auditor, clerk, make_decision, count_queries):
    for n in range(8):
        make_decision(title=f"事项{n}")
    client = login(auditor)
    _count_page(app, client, count_queries, "/decisions?per_page=2")  # the count, cached by the scope's stamp
    # Another page size: the body is not cached yet (it is under its query), the count is.
    small = _count_page(app, client, count_queries, "/decisions?per_page=3")
    large = _count_page(app, client, count_queries, "/decisions?per_page=8")
    assert len(small) == len(large)
    assert len(large) <= 7, large  # with the scope's stamp
