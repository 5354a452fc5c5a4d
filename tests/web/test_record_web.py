"""Issue 9 on the pages: saves that add findings say which, the new review round is announced, backfill, ledger."""

from __future__ import annotations

import csv
import io

from tests.conftest import COMPLETE_STEPS, DECISION_DATA

from .support import flatten, text_of
from .test_forms_steps import _post, _step


def test_a_save_that_adds_a_violation_says_which(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    short = {**COMPLETE_STEPS["public_participation"], "comment_end": "2025-03-03"}  # 3 days
    response = _post(client, decision, "public_participation", short)
    assert response.status_code == 302
    assert _step(db, decision, "public_participation").comment_end.isoformat() == "2025-03-03"
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert "alert-warning" in body
    flash = text_of(body)
    assert "已登记公众参与。" in flash and "PP-01" in flash and "第十五条" in flash


def test_a_high_risk_without_measures_is_saved_with_a_warning(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    form = page_text(client.get(f"/decisions/{decision.id}/steps/risk_assessment"))
    assert "不能提请集体讨论" in text_of(form)  # the hint says what the behaviour is
    risky = {**COMPLETE_STEPS["risk_assessment"], "risk_level": "high", "mitigation": ""}
    assert _post(client, decision, "risk_assessment", risky).status_code == 302
    flash = text_of(page_text(client.get(f"/decisions/{decision.id}")))
    assert "RA-01" in flash and "第二十三条" in flash


def test_a_clean_save_is_a_plain_success(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    response = _post(client, decision, "public_participation", {"status": "in_progress", "responsible": "党政办"})
    assert response.status_code == 302
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert "alert-success" in body and "已登记公众参与。" in text_of(body)


def test_the_legality_form_warns_before_a_new_review_round(db, login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted_for_review")
    client = login(clerk)
    before = page_text(client.get(f"/decisions/{decision.id}/steps/legality_review"))
    assert "new-review-round" not in before
    walk(decision, "signed")
    signed = page_text(client.get(f"/decisions/{decision.id}/steps/legality_review"))
    assert "new-review-round" in signed and "开启新一轮审查" in text_of(signed)
    version = _step(db, decision, "legality_review").version
    response = client.post(f"/decisions/{decision.id}/steps/legality_review",
                           data={"submitted_on": "2025-04-20", "version": str(version)})
    assert response.status_code == 302
    review = _step(db, decision, "legality_review")
    assert review.status == "in_progress" and review.opinion is None and review.draft_sha256 is None


def test_create_a_backfilled_decision_on_the_form(db, login, clerk, page_text):
    from app.models import Decision

    client = login(clerk)
    form = page_text(client.get("/decisions/new"))
    assert 'name="backfilled"' in form and 'name="backfill_reason"' in form
    data = dict(DECISION_DATA)
    refused = client.post("/decisions/new", data={**data, "backfilled": "y"})
    assert refused.status_code == 422 or refused.status_code == 400
    assert "事后补录时必须填写" in text_of(refused.get_data(as_text=True))
    created = client.post("/decisions/new", data={**data, "backfilled": "y", "backfill_reason": "依据纸质台账补录"})
    assert created.status_code == 302
    db.session.rollback()
    decision = db.session.query(Decision).one()
    assert decision.backfilled and decision.backfill_reason == "依据纸质台账补录"


def test_dashboard_and_ledger_count_and_mark_backfilled(db, login, clerk, auditor, make_decision, page_text):
    make_decision(backfilled=True, backfill_reason="补录")
    make_decision()
    dashboard = page_text(login(auditor).get("/reports/dashboard?year=2025"))
    assert 'data-count="backfilled"' in dashboard and "1项决策系事后补录" in text_of(dashboard)
    response = login(clerk).get("/reports/ledger.csv?year=2025", buffered=True)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:], newline="")))
    column = rows[0].index("是否补录")
    assert column == 22  # where it was; the columns a 台账 import needs back follow it
    assert [row[column] for row in rows[1:]] == ["是", "否"]


def test_step_forms_of_different_steps_do_not_conflict(db, login, clerk, make_decision):
    decision = make_decision()
    client = login(clerk)
    pp_read = _step(db, decision, "public_participation").version
    assert _post(client, decision, "risk_assessment", COMPLETE_STEPS["risk_assessment"]).status_code == 302
    body = flatten(COMPLETE_STEPS["public_participation"])
    body["version"] = str(pp_read)
    assert client.post(f"/decisions/{decision.id}/steps/public_participation", data=body).status_code == 302
    stale = flatten({**COMPLETE_STEPS["risk_assessment"], "risk_level": "medium"})
    stale["version"] = "1"
    assert client.post(f"/decisions/{decision.id}/steps/risk_assessment", data=stale).status_code == 409
