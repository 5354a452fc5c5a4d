"""Issue 10's journey: the legal adviser logs in and lands on the review queue, its count in the navigation.

The drafts are sent for review through the services (the clerk's pages are the
journeys of issue 3); the adviser sees each with its earliest lawful signing
date (7 working days after submission, 713号令 art. 26), and the clerk lands on
the to-dos.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import COMPLETE_STEPS, DECISION_DATA

from .conftest import save_screenshot

pytestmark = pytest.mark.e2e


def _sent_for_review(live_server, title: str) -> str:
    """A decision of 白甸镇 whose materials went to the legality review on 10 April 2025; its reference number."""
    from app.extensions import db
    from app.models import User
    from app.services import steps
    from app.services.decisions import create_decision

    with live_server.app.app_context():
        clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        decision = create_decision(clerk, {**DECISION_DATA, "title": title})
        for kind, data in COMPLETE_STEPS.items():
            steps.record_step(clerk, decision, kind, data)
        steps.record_step(clerk, decision, "legality_review", {"status": "in_progress",
                                                                "submitted_on": "2025-04-10"})
        db.session.commit()
        ref_no = decision.ref_no
        db.session.remove()
    return ref_no


def _sign_all(live_server, ref_nos: list[str]) -> None:
    """Leave the shared queue as it was: the other journeys expect it empty after their signature."""
    from app.extensions import db
    from app.models import Decision, User
    from app.services import steps

    with live_server.app.app_context():
        legal = db.session.execute(select(User).where(User.username == "legal")).scalar_one()
        for ref_no in ref_nos:
            decision = db.session.execute(select(Decision).where(Decision.ref_no == ref_no)).scalar_one()
            steps.sign_legality_review(legal, decision, {"opinion": "lawful", "opinion_text": "合法",
                                                         "reviewed_on": "2025-04-25"})
        db.session.commit()
        db.session.remove()


@pytest.fixture
def sent(live_server):
    """``sent(title)``: a draft sent for review, signed again when the test ends."""
    made: list[str] = []

    def send(title: str) -> str:
        made.append(_sent_for_review(live_server, title))
        return made[-1]

    yield send
    _sign_all(live_server, made)


def test_legal_adviser_lands_on_the_queue_with_its_count(login, live_server, sent):
    first = sent("白甸镇农贸市场改造工程相关事宜")
    second = sent("白甸镇河道疏浚工程相关事宜")
    page = login("legal")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/?", page.url), page.url  # the home page is the queue
    assert page.locator("h1").inner_text().strip() == "合法性审查待办"
    rows = page.locator("tr.queue-item")
    waiting = rows.count()
    assert int(page.locator("nav .queue-badge").inner_text()) == waiting >= 2
    for ref_no in (first, second):
        row = page.locator(f'tr.queue-item[data-ref="{ref_no}"]')
        # Submitted on Thursday 10 April 2025: the seventh working day after it is Monday 21 April.
        assert row.locator("td.not-before").get_attribute("data-date") == "2025-04-21"
        assert "可以签署" in row.inner_text()
    save_screenshot(page, "review-queue.png")

    # The count follows the queue on every page: a new draft sent for review adds one.
    sent("白甸镇文化站修缮相关事宜")
    page.goto("/decisions")
    assert int(page.locator("nav .queue-badge").inner_text()) == waiting + 1


def _decided(live_server, title: str) -> str:
    """A decision of 白甸镇 approved at the meeting of 6 May 2025 and not published: long overdue."""
    from app.extensions import db
    from app.models import Decision, User
    from app.services import steps
    from app.services.decisions import submit_decision
    from tests.conftest import MEETING, SIGNATURE

    ref_no = _sent_for_review(live_server, title)
    with live_server.app.app_context():
        legal = db.session.execute(select(User).where(User.username == "legal")).scalar_one()
        clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        decision = db.session.execute(select(Decision).where(Decision.ref_no == ref_no)).scalar_one()
        steps.sign_legality_review(legal, decision, SIGNATURE)
        submit_decision(clerk, decision)
        steps.record_step(clerk, decision, "collective_decision", MEETING)
        db.session.commit()
        db.session.remove()
    return ref_no


def test_clerk_lands_on_the_to_dos(login, live_server):
    ref_no = _decided(live_server, "白甸镇污水管网改造工程相关事宜")
    page = login("clerk")
    assert page.locator("h1").inner_text().strip() == "待办"
    assert page.locator("nav a[href='/due']").count() == 1
    publication = page.locator(f'.due-overdue tr.due-item[data-ref="{ref_no}"][data-deadline="publication"]')
    # 20 working days after the meeting of 6 May 2025 (art. 32): 4 June 2025, long past.
    assert publication.get_attribute("data-due-on") == "2025-06-04"
    assert "第三十二条" in publication.locator(".citation").inner_text()
    save_screenshot(page, "due.png")
