"""The shared layout: navigation, user box, assets served locally, no dead links."""

from __future__ import annotations

import html
import re

import pytest


def _internal_links(body: str) -> set[str]:
    links = {html.unescape(href) for href in re.findall(r'(?:href|src)="(/[^"]*)"', body)}
    return {link for link in links if not link.startswith("//")}


@pytest.mark.parametrize("who", ["clerk", "legal", "auditor"])
def test_every_link_and_asset_of_the_pages_works(request, login, make_decision, walk, page_text, who):
    decision = walk(make_decision(), "signed")
    client = login(request.getfixturevalue(who))
    seen: set[str] = set()
    for url in ("/", "/decisions", f"/decisions/{decision.id}"):
        body = page_text(client.get(url))
        for link in _internal_links(body) - seen:
            seen.add(link)
            if link.startswith("/reports/ledger."):
                continue  # the auditor's home (the dashboard) links the streamed exports: tests/web/test_exports.py
            response = client.get(link)
            assert response.status_code == 200, link
            response.close()
    assert any(link.startswith("/bootstrap/static/") and link.endswith(".css") for link in seen)
    assert "/static/css/app.css" in seen


def test_navbar_shows_user_org_role_and_post_forms(login, legal, page_text):
    body = page_text(login(legal).get("/"))
    nav = body[body.index("<nav"):body.index("</nav>")]
    assert "重大决策程序合规台账" in nav
    assert "legal_adviser_bd" in nav and "白甸镇" in nav and "法律顾问" in nav
    assert 'action="/logout"' in nav and 'method="post"' in nav
    assert 'action="/language/en"' in nav and 'action="/language/zh_CN"' in nav
    assert 'name="next" value="/"' in nav
    assert ">决策事项</a>" in nav


def test_language_switch_returns_to_the_same_page_with_its_query(login, clerk, page_text):
    body = page_text(login(clerk).get("/decisions?year=2025&category=large_fund"))
    assert 'name="next" value="/decisions?year=2025&amp;category=large_fund"' in body


def test_login_page_has_no_user_menu(client, orgs, page_text):
    body = page_text(client.get("/login"))
    assert 'action="/logout"' not in body
    assert 'action="/language/en"' in body
