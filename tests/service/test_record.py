"""REC-01 against the system's own record, backfilled decisions (REC-02), the new review round, GEN-03."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from app.services.decisions import create_decision, publish_decision, submit_decision
from app.services.errors import RuleBlocked, ValidationFailed
from app.services.steps import record_step, sign_legality_review
from tests.conftest import DECISION_DATA, MEETING, SIGNATURE, backdate


def _rules(decision) -> set[str]:
    return {finding.rule for finding in decision.findings}


def _rec01_messages(decision) -> list[str]:
    from app.services.compliance import evaluate_decision

    return [f.message_zh for f in evaluate_decision(decision).findings if f.rule == "REC-01"]


def test_review_dated_before_the_signed_draft_was_recorded_is_rec01(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), "submitted_for_review")
    # Draft v1 entered on 2025-05-01 (Beijing), the adviser signs it with reviewed_on 2025-04-25.
    backdate(decision, datetime(2025, 4, 30, 17, 0, tzinfo=UTC))  # 2025-05-01 01:00 in Beijing
    sign_legality_review(legal, decision, SIGNATURE)
    db.session.commit()
    assert "REC-01" in _rules(decision)
    [message] = _rec01_messages(decision)
    assert "2025年4月25日" in message and "2025年5月1日" in message
    assert not decision.is_complete


def test_review_on_the_day_the_draft_was_recorded_holds(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), "submitted_for_review")
    backdate(decision, datetime(2025, 4, 24, 16, 30, tzinfo=UTC))  # 2025-04-25 00:30 in Beijing
    sign_legality_review(legal, decision, SIGNATURE)
    db.session.commit()
    assert "REC-01" not in _rules(decision)


def test_meeting_dated_before_the_submission_is_rec01(db, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    submit_decision(clerk, decision)  # submitted today, long after the meeting's stated 2025-05-06
    record_step(clerk, decision, "collective_decision", MEETING)
    db.session.commit()
    assert decision.submitted_at is not None and decision.decided_at is not None
    assert "REC-01" in _rules(decision)
    [message] = _rec01_messages(decision)
    assert "2025年5月6日" in message
    assert not decision.is_complete


def test_publication_dated_before_the_decision_was_recorded_is_rec01(db, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    decision.decided_at = datetime(2025, 5, 9, 2, 0, tzinfo=UTC)
    publish_decision(clerk, decision, "2025-05-08")
    db.session.commit()
    [message] = _rec01_messages(decision)
    assert "2025年5月8日" in message and "2025年5月9日" in message


def test_publication_before_the_meeting_stays_a_field_error(db, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    with pytest.raises(ValidationFailed) as refused:
        publish_decision(clerk, decision, "2025-05-05")
    assert set(refused.value.errors) == {"published_on"}


def test_a_backfilled_decision_gets_rec02_and_no_rec01(db, clerk, make_decision, walk):
    decision = create_decision(clerk, {**DECISION_DATA, "backfilled": True, "backfill_reason": "依据纸质台账补录"})
    db.session.commit()
    walk(decision, "signed")
    submit_decision(clerk, decision)
    record_step(clerk, decision, "collective_decision", MEETING)
    publish_decision(clerk, decision, "2025-05-08")
    db.session.commit()
    assert decision.backfilled and decision.backfill_reason == "依据纸质台账补录"
    assert "REC-02" in _rules(decision) and "REC-01" not in _rules(decision)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision.create",
                                                        AuditEvent.entity_id == decision.id)).scalar_one()
    assert '"backfilled":true' in event.after.replace(" ", "")


@pytest.mark.parametrize(("data", "field"), [
    ({"backfilled": True}, "backfill_reason"),
    ({"backfilled": True, "backfill_reason": " \u200b "}, "backfill_reason"),
    ({"backfilled": "yes", "backfill_reason": "补录"}, "backfilled"),
    ({"backfill_reason": "补录"}, "backfill_reason"),
])
def test_backfill_needs_a_reason_and_a_real_flag(db, clerk, data, field):
    with pytest.raises(ValidationFailed) as refused:
        create_decision(clerk, {**DECISION_DATA, **data})
    assert field in refused.value.errors


def test_the_database_refuses_a_backfilled_decision_without_reason(db, clerk, make_decision):
    from sqlalchemy.exc import IntegrityError

    decision = make_decision()
    decision.backfilled = True
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_backfill_cannot_be_changed_afterwards(db, clerk, make_decision):
    from app.services.decisions import update_decision

    decision = make_decision()
    with pytest.raises(ValidationFailed) as refused:
        update_decision(clerk, decision, {"version": decision.version, "backfilled": True})
    assert "backfilled" in refused.value.errors


# -- a new review round --------------------------------------------------------------------------------


def test_changing_submitted_on_after_signing_opens_a_new_review_round(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), "signed")
    review = decision.step("legality_review")
    assert review.status == "completed" and review.draft_sha256
    record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-20"})
    db.session.commit()
    assert review.status == "in_progress"
    assert (review.draft_sha256, review.opinion, review.opinion_text, review.reviewed_on) == (None, None, None, None)
    assert review.submitted_on.isoformat() == "2025-04-20"
    # The signed opinion is kept in the history.
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "step.legality_review.new_round")
                               ).scalar_one()
    assert "2025-04-25" in event.before and "合法" in event.before and "2025-04-10" in event.before
    # Submission is refused until the adviser signs again.
    with pytest.raises(RuleBlocked) as refused:
        submit_decision(clerk, decision)
    assert any(f.rule == "GEN-01" and f.step == "legality_review" for f in refused.value.findings)
    db.session.rollback()
    sign_legality_review(legal, decision, {**SIGNATURE, "reviewed_on": "2025-05-05"})
    db.session.commit()
    backdate(decision)
    submit_decision(clerk, decision)
    assert decision.status == "submitted"


def test_the_same_submitted_on_keeps_the_signature(db, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10",
                                                     "responsible": "党政办"})
    db.session.commit()
    review = decision.step("legality_review")
    assert review.status == "completed" and review.opinion == "lawful" and review.responsible == "党政办"


# -- GEN-03 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["major_project", "large_fund"])
def test_money_category_without_amount_is_gen03(db, make_decision, category):
    decision = make_decision(category=category, amount_cny=None)
    assert "GEN-03" in _rules(decision)
    assert "GEN-03" not in _rules(make_decision(category=category, amount_cny="0"))
    assert "GEN-03" not in _rules(make_decision(category="major_matter", amount_cny=None))


def test_a_completed_walk_of_a_project_without_amount_is_not_complete(db, make_decision, walk, clerk):
    decision = walk(make_decision(amount_cny=None), "decided")
    publish_decision(clerk, decision, "2025-05-08")
    db.session.commit()
    assert not decision.is_complete and "GEN-03" in _rules(decision)
