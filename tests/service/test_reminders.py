"""``reminders send``: each user's deadlines e-mailed through a real SMTP server, once per item and day."""

from __future__ import annotations

from datetime import date
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, ReminderDelivery
from app.services.reminders import send_reminders
from tests.smtp_server import smtp_server

REG = "《重大行政决策程序暂行条例》"
DAY = date(2025, 6, 5)


@pytest.fixture
def mailbox(app, monkeypatch):
    with smtp_server() as box:
        monkeypatch.setitem(app.config, "MAIL_SERVER", box.host)
        monkeypatch.setitem(app.config, "MAIL_PORT", box.port)
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ledger.example.gov.cn/tz")
        yield box


@pytest.fixture
def people(db, clerk, legal, auditor):
    clerk.email, legal.email, auditor.email = "clerk@bd.example.cn", "legal@bd.example.cn", "audit@ha.example.cn"
    db.session.commit()
    return clerk, legal


def _deliveries(db) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(ReminderDelivery)).scalar_one()


def test_each_user_gets_their_deadlines_once_a_day(db, mailbox, people, make_decision, walk):
    decided = walk(make_decision(), "decided")
    waiting = walk(make_decision(), "submitted_for_review")
    report = send_reminders(today=DAY)
    assert (report.sent, report.items, report.failed) == (2, 3, {})
    [to_clerk] = mailbox.to("clerk@bd.example.cn")
    [to_legal] = mailbox.to("legal@bd.example.cn")
    assert not mailbox.to("audit@ha.example.cn")  # auditors do not get the clerk's to-dos
    body = mailbox.body(to_clerk)
    assert str(make_header(decode_header(to_clerk["Subject"]))) == "重大决策程序期限：1项已逾期，共2项待办"
    assert "已逾期 (1)" in body and "即将到期 (1)" in body
    assert f"{decided.ref_no} {decided.title}" in body
    assert "决策公布: 已于2025-06-04逾期" in body and f"{REG}第三十二条" in body
    assert "决策材料归档: 应不晚于2025-06-05" in body and f"{REG}第三十三条" in body
    assert f"https://ledger.example.gov.cn/tz/decisions/{decided.id}" in body
    assert "https://ledger.example.gov.cn/tz/due" in body
    legal_body = mailbox.body(to_legal)
    assert "合法性审查意见最早可签署日: 不早于2025-04-21" in legal_body and f"{REG}第二十六条" in legal_body
    assert f"https://ledger.example.gov.cn/tz/review/{waiting.id}" in legal_body
    assert _deliveries(db) == 3
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "reminder.send")).scalar_one() == 2

    again = send_reminders(today=DAY)  # cron ran twice: nothing is sent twice
    assert (again.sent, again.items) == (0, 0) and len(mailbox.messages) == 2 and _deliveries(db) == 3

    next_day = send_reminders(today=date(2025, 6, 6))
    assert next_day.sent == 2 and len(mailbox.messages) == 4 and _deliveries(db) == 6


def test_a_new_item_the_same_day_is_sent_alone(db, mailbox, people, make_decision, walk):
    walk(make_decision(), "decided")
    send_reminders(today=DAY)
    newer = walk(make_decision(), "decided")
    report = send_reminders(today=DAY)
    assert (report.sent, report.items) == (1, 2)
    body = mailbox.body(mailbox.to("clerk@bd.example.cn")[-1])
    assert newer.ref_no in body and body.count("\n- ") == 2


def test_a_refused_message_is_not_recorded_and_is_tried_again(db, mailbox, people, make_decision, walk):
    walk(make_decision(), "decided")
    walk(make_decision(), "submitted_for_review")
    mailbox.refuse.add("clerk@bd.example.cn")
    report = send_reminders(today=DAY)
    assert report.sent == 1 and set(report.failed) == {"clerk_bd"}
    assert _deliveries(db) == 1  # the adviser's item only
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "reminder.send")).scalar_one() == 1
    mailbox.refuse.clear()
    retry = send_reminders(today=DAY)
    assert (retry.sent, retry.items, retry.failed) == (1, 2, {})
    assert len(mailbox.to("clerk@bd.example.cn")) == 1 and _deliveries(db) == 3


def test_items_a_concurrent_run_recorded_are_not_sent_again(db, mailbox, people, make_decision, walk,
                                                              monkeypatch):
    from app.services import reminders

    walk(make_decision(), "decided")
    assert send_reminders(today=DAY).sent == 1
    # A second run that read the deliveries before the first one committed them.
    monkeypatch.setattr(reminders, "already_sent", lambda day: set())
    late = send_reminders(today=DAY)
    assert (late.sent, late.skipped, late.failed) == (0, ["clerk_bd"], {})
    assert len(mailbox.messages) == 1 and _deliveries(db) == 2


def test_no_server_records_nothing(app, db, people, make_decision, walk, monkeypatch):
    from tests.smtp_server import free_port

    walk(make_decision(), "decided")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    report = send_reminders(today=DAY)
    assert report.sent == 0 and set(report.failed) == {"clerk_bd"} and _deliveries(db) == 0


def test_users_without_an_address_or_inactive_get_nothing(db, mailbox, clerk, make_user, make_decision, walk):
    walk(make_decision(), "decided")
    inactive = make_user("clerk", "BD", username="former")
    inactive.email, inactive.is_active = "former@bd.example.cn", False
    db.session.commit()
    report = send_reminders(today=DAY)
    assert report.sent == 0 and mailbox.messages == []


def test_a_run_costs_the_same_queries_for_more_decisions(app, db, mailbox, people, make_decision, walk,
                                                         count_queries):
    walk(make_decision(), "decided")
    db.session.commit()
    with count_queries() as statements:
        send_reminders(today=DAY)
    first = len(statements)
    for _ in range(3):
        walk(make_decision(), "decided")
    db.session.commit()
    with count_queries() as statements:
        send_reminders(today=date(2025, 6, 6))  # a new day: every item again, in as many statements
    assert len(statements) == first
