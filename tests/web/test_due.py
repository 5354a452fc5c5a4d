"""Each role's home page at ``/`` and the to-do page ``/due`` (issue 10, part 1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock
from app.services import steps as step_services

from .support import text_of


@pytest.fixture
def on_day(monkeypatch):
    """Freeze the clock at noon in Beijing of the given day (after the test's logins)."""

    def freeze(year: int, month: int, day: int) -> None:
        moment = datetime(year, month, day, 4, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "_utc_now", lambda: moment)

    return freeze


def test_clerk_lands_on_the_to_dos_with_dates_and_articles(login, clerk, make_decision, walk, page_text, on_day):
    decided = walk(make_decision(), "decided")  # approved at the meeting of 6 May 2025
    hearing = make_decision()
    step_services.record_step(clerk, hearing, "public_participation",
                              {"status": "in_progress", "method": "hearing", "hearing_date": "2025-06-20"})
    client = login(clerk)
    on_day(2025, 6, 5)
    body = page_text(client.get("/"))
    assert "<h1 class=\"h3 mb-0\">待办</h1>" in body
    overdue = body[body.index('due-table due-overdue'):body.index('id="due-heading"')]
    due = body[body.index('due-table due-due'):body.index('id="refused-heading"')]
    # Publication: 20 working days after 6 May is 4 June (art. 32), overdue on 5 June.
    assert f'data-ref="{decided.ref_no}" data-deadline="publication" data-due-on="2025-06-04"' in overdue
    assert "决策公布" in text_of(overdue) and "《重大行政决策程序暂行条例》第三十二条" in overdue
    assert "已逾期1日" in text_of(overdue)
    # Archiving: 30 days after the meeting, 5 June (art. 33), due today; hearing materials 13 June (art. 16).
    assert f'data-ref="{decided.ref_no}" data-deadline="archiving" data-due-on="2025-06-05"' in due
    assert f'data-ref="{hearing.ref_no}" data-deadline="hearing_materials" data-due-on="2025-06-13"' in due
    assert "第三十三条" in due and "第十六条" in due and "听证材料送达参加人" in due
    assert "应不晚于2025-06-13" in text_of(due) and "还有8日" in text_of(due)
    assert f'href="/decisions/{decided.id}"' in overdue
    assert f'href="/decisions/{hearing.id}/steps/public_participation"' in due
    assert body.index('id="overdue-heading"') < body.index('id="due-heading"')  # due and overdue apart
    nav = body[body.index("<nav"):body.index("</nav>")]
    assert 'href="/due"' in nav and "待办" in nav


def test_clerk_sees_refused_drafts_and_meetings_to_record(login, clerk, legal, make_decision, walk, page_text):
    refused = walk(make_decision(), "submitted_for_review")
    step_services.sign_legality_review(legal, refused, {"opinion": "unlawful", "opinion_text": "违反上位法",
                                                        "reviewed_on": "2025-04-25"})
    submitted = walk(make_decision(), "submitted")
    body = page_text(login(clerk).get("/due"))
    refused_part = body[body.index('id="refused-heading"'):body.index('id="meetings-heading"')]
    meetings_part = body[body.index('id="meetings-heading"'):]
    assert f'data-ref="{refused.ref_no}"' in refused_part and "经审查不合法的草案" in refused_part
    assert f'data-ref="{submitted.ref_no}"' in meetings_part and f'data-ref="{refused.ref_no}"' not in meetings_part


def test_legal_adviser_lands_on_the_queue_with_its_count_and_signing_dates(login, legal, make_decision, walk,
                                                                          page_text, on_day):
    first = walk(make_decision(), "submitted_for_review")  # submitted on 10 April 2025
    walk(make_decision(), "submitted_for_review")
    client = login(legal)
    on_day(2025, 4, 15)
    body = page_text(client.get("/"))
    assert "<h1 class=\"h3 mb-0\">合法性审查待办</h1>" in body
    nav = body[body.index("<nav"):body.index("</nav>")]
    assert '<span class="badge rounded-pill text-bg-light ms-1 queue-badge" aria-label="2 件草案待审查">2</span>' in nav
    row = body[body.index(f'data-ref="{first.ref_no}"'):]
    row = row[:row.index("</tr>")]
    # Seven working days after 10 April: 21 April (art. 26), not reached on 15 April.
    assert 'data-date="2025-04-21"' in row and "审查时间未满" in row
    assert "不少于7个工作日" in body and "《重大行政决策程序暂行条例》第二十六条" in body
    on_day(2025, 4, 21)
    assert "可以签署" in page_text(client.get("/review"))
    # The badge is on every page of the adviser, and falls with the queue.
    on_day(2025, 5, 1)
    walk(first, "signed")
    body = page_text(client.get(f"/decisions/{first.id}"))
    assert 'queue-badge" aria-label="1 件草案待审查">1</span>' in body


def test_legal_adviser_due_page_lists_not_before_dates(login, legal, make_decision, walk, page_text, on_day):
    decision = walk(make_decision(), "submitted_for_review")
    client = login(legal)
    on_day(2025, 4, 25)
    body = page_text(client.get("/due"))
    assert f'data-ref="{decision.ref_no}" data-deadline="legality_review" data-due-on="2025-04-21"' in body
    assert "不早于2025-04-21" in text_of(body) and "现在可以办理" in text_of(body)
    assert f'href="/review/{decision.id}"' in body
    assert 'id="refused-heading"' not in body  # the clerk's work lists are the clerk's
    assert 'href="/due"' not in body[body.index("<nav"):body.index("</nav>")]  # the queue is the adviser's menu


def test_auditor_lands_on_the_dashboard_without_the_clerks_to_dos(login, auditor, make_decision, walk, page_text):
    walk(make_decision(), "decided")
    client = login(auditor)
    body = page_text(client.get("/"))
    assert "dashboard" in body and "due-table" not in body
    assert 'href="/due"' not in body[body.index("<nav"):body.index("</nav>")]
    page_text(client.get("/due"), 403)


def test_admin_lands_on_the_users(login, make_user, page_text):
    admin = make_user("admin", "HA")
    body = page_text(login(admin).get("/"))
    assert "admin_ha" in body and 'href="/admin/users/new"' in body
    page_text(login(admin).get("/due"), 403)


def test_login_goes_home(client, clerk, db):
    db.session.commit()
    response = client.post("/login", data={"username": clerk.username, "password": "password123"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_window_from_the_query_string(login, clerk, make_decision, walk, page_text, on_day):
    decision = walk(make_decision(), "decided")
    client = login(clerk)
    on_day(2025, 5, 20)
    body = page_text(client.get("/due"))  # 14 days: 4 June is later
    later = body[body.index('id="later-heading"'):]
    assert f'data-ref="{decision.ref_no}" data-deadline="publication"' in later
    body = page_text(client.get("/due?within_days=30"))
    due = body[body.index('id="due-heading"'):body.index('id="refused-heading"')]
    assert f'data-ref="{decision.ref_no}" data-deadline="publication"' in due
    for bad in ("abc", "-1", "９", "99999"):
        assert "截至2025-05-20；列出14日内" in page_text(client.get(f"/due?within_days={bad}"))


def test_due_page_query_count_does_not_grow(app, db, login, clerk, make_decision, walk, count_queries):
    client = login(clerk)

    def count() -> int:
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/due").status_code == 200
        return len(statements)

    walk(make_decision(), "decided")
    one = count()
    for stage in ("decided", "submitted", "submitted_for_review", "preparatory"):
        walk(make_decision(), stage)
    assert count() == one <= 6
