"""The audit-trail verification page: a button, the count when intact, the first broken event when not."""

from __future__ import annotations

import pytest
from sqlalchemy import select


def test_get_shows_the_button_only(login, auditor, page_text):
    body = page_text(login(auditor).get("/audit/verify"))
    assert 'action="/audit/verify"' in body and 'method="post"' in body
    assert 'id="verify-result"' not in body


def test_intact_chain_shows_the_count(db, login, auditor, make_decision, walk, page_text):
    from app.models import AuditEvent

    walk(make_decision(), "signed")
    events = len(db.session.execute(select(AuditEvent.id)).all())
    body = page_text(login(auditor).post("/audit/verify"))
    assert 'data-ok="true"' in body
    assert f'data-events="{events}"' in body


def test_tampered_chain_names_the_first_broken_event(db, login, make_user, make_decision, walk, page_text, tamper):
    from app.models import AuditEvent

    walk(make_decision(), "signed")
    ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    target = ids[5]
    tamper("UPDATE audit_events SET actor = 'someone_else' WHERE id = :id", {"id": target})
    admin = make_user("admin", "HA")  # appended after the broken one: the break is still found first
    body = page_text(login(admin).post("/audit/verify"))
    assert 'data-ok="false"' in body
    assert f'data-first-broken="{target}"' in body
    assert 'data-events="5"' in body


@pytest.mark.parametrize("role", ["clerk", "legal_adviser"])
def test_other_roles_get_403(login, make_user, role):
    client = login(make_user(role, "BD"))
    assert client.get("/audit/verify").status_code == 403
    assert client.post("/audit/verify").status_code == 403


def test_anonymous_is_sent_to_login(client, orgs):
    response = client.post("/audit/verify")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_navigation_links_the_page_for_auditors(login, auditor, page_text):
    assert 'href="/audit/verify"' in page_text(login(auditor).get("/"))
