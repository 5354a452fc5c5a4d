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
    client = login(auditor)  # the login is an event of the chain too
    db.session.rollback()
    events = len(db.session.execute(select(AuditEvent.id)).all())
    body = page_text(client.post("/audit/verify"))
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


@pytest.fixture
def checkpoint(db, signing_key, make_decision, walk):
    from app.services.checkpoints import create_checkpoint

    walk(make_decision(), "signed")
    row, document = create_checkpoint()
    db.session.commit()
    return row.id, document


def test_the_page_shows_the_latest_checkpoint_and_its_signature(login, auditor, checkpoint, page_text):
    body = page_text(login(auditor).get("/audit/verify"))
    assert f'data-checkpoint="{checkpoint[0]}"' in body and 'data-signature-ok="true"' in body
    assert 'href="/audit/checkpoints/latest.json"' in body


def test_an_auditor_downloads_the_checkpoint(login, auditor, checkpoint):
    response = login(auditor).get("/audit/checkpoints/latest.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == checkpoint[1]


@pytest.mark.parametrize("role", ["clerk", "legal_adviser"])
def test_other_roles_cannot_download_it(login, make_user, checkpoint, role):
    user = make_user(role, "BD", username=f"other_{role}")
    assert login(user).get("/audit/checkpoints/latest.json").status_code == 403


def test_no_checkpoint_yet(login, auditor, page_text):
    client = login(auditor)
    assert 'data-checkpoint=""' in page_text(client.get("/audit/verify"))
    assert client.get("/audit/checkpoints/latest.json").status_code == 404


def test_verify_checks_the_chains_against_the_checkpoint(db, login, auditor, checkpoint, page_text, tamper):
    from app.models import AuditEvent

    client = login(auditor)
    assert 'id="verify-extends"' in page_text(client.post("/audit/verify"))
    bd_tip = db.session.execute(select(AuditEvent.id).where(AuditEvent.action == "step.legality_review.sign")
                                ).scalar_one()
    tamper("DELETE FROM audit_events WHERE id = :id", {"id": bd_tip})
    body = page_text(client.post("/audit/verify"))
    assert 'data-ok="false"' in body and "检查点之后" in body


def test_an_edited_stored_checkpoint_is_flagged(db, login, auditor, checkpoint, page_text, tamper):
    tamper("UPDATE audit_checkpoints SET document = replace(document, '\"events\": 1', '\"events\": 9')")
    body = page_text(login(auditor).get("/audit/verify"))
    assert 'data-signature-ok="false"' in body and "签名与其内容不符" in body


def test_the_record_carries_its_time_count_and_every_chain_tip(db, login, auditor, checkpoint, page_text):
    """The answer is the printed record (审计底稿): when, by whom, how many, each chain's last hash, the checkpoint."""
    import re

    from app.clock import today
    from app.services.audit import chain_tips

    client = login(auditor)
    body = page_text(client.post("/audit/verify"))
    db.session.rollback()
    tips = chain_tips(db.session)
    assert 'id="verify-record"' in body
    moment = re.search(r'<time datetime="([^"]+)" id="verified-at">', body)
    assert moment and moment.group(1).startswith(today().isoformat()) and moment.group(1).endswith("+08:00")
    assert f'id="verified-events">{sum(tip.seq for tip in tips.values())}<' in body
    shown = dict(re.findall(r'data-chain="(\d+)" data-events="\d+" data-hash="([0-9a-f]{64})"', body))
    assert shown == {str(chain): tip.hash for chain, tip in tips.items()}
    assert "白甸镇" in body and auditor.username in body
    assert "key " in body or "密钥" in body  # checked against the signed checkpoint, named by its key


def test_the_record_says_when_there_is_no_checkpoint(login, auditor, page_text):
    body = page_text(login(auditor).post("/audit/verify"))
    assert 'id="verify-record"' in body and "flask audit checkpoint" in body
