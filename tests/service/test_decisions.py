"""Decision-level services: creation, revision, submission, publication, archive."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Decision, DraftVersion
from app.services.decisions import (
    archive_decision,
    create_decision,
    publish_decision,
    submit_decision,
    update_decision,
)
from app.services.errors import Conflict, InvalidState, PermissionDenied, RuleBlocked, ValidationFailed
from app.services.steps import record_step, sign_legality_review
from tests.conftest import DECISION_DATA, MEETING


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_gives_reference_numbers_per_org_and_year(db, make_decision, make_user):
    first, second = make_decision(), make_decision()
    other_year = make_decision(year=2024)
    assert (first.ref_no, second.ref_no, other_year.ref_no) == ("BD-2025-001", "BD-2025-002", "BD-2024-001")
    other_org = make_decision(user=make_user("clerk", "CD"))
    assert other_org.ref_no == "CD-2025-001"
    assert first.status == "draft"
    assert [s.kind for s in first.steps] == [
        "public_participation", "expert_review", "risk_assessment", "legality_review", "collective_decision"]
    assert first.drafts[0].number == 1 and len(first.drafts[0].sha256) == 64


def test_new_decision_is_not_complete_and_lists_missing_steps(db, make_decision):
    decision = make_decision()
    assert decision.is_complete is False
    rules = {row.rule: row.count for row in decision.findings}
    assert rules["GEN-01"] == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "bogus"}, "category"),
        ({"year": 1999}, "year"),
        ({"year": "abc"}, "year"),
        ({"amount_cny": "-5"}, "amount_cny"),
        ({"amount_cny": "lots"}, "amount_cny"),
        ({"draft_text": "   "}, "draft_text"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(db, clerk, change, field):
    events = _count(db, AuditEvent)
    with pytest.raises(ValidationFailed) as error:
        create_decision(clerk, {**DECISION_DATA, **change})
    assert field in error.value.errors
    db.session.commit()
    assert _count(db, Decision) == 0
    assert _count(db, AuditEvent) == events


@pytest.mark.parametrize("role", ["legal_adviser", "auditor", "admin"])
def test_only_clerks_create(db, make_user, role):
    with pytest.raises(PermissionDenied):
        create_decision(make_user(role), DECISION_DATA)


def test_update_makes_a_new_draft_version_and_bumps_version(db, clerk, make_decision):
    decision = make_decision()
    version = decision.version
    update_decision(clerk, decision, {"version": version, "draft_text": "修改后的草案", "title": "新标题"})
    db.session.commit()
    assert decision.version > version
    assert [d.number for d in decision.drafts] == [1, 2]
    assert decision.title == "新标题"
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "decision.update"
    assert event.after_data["draft_number"] == 2
    assert event.before_data["title"] == DECISION_DATA["title"]


def test_same_draft_text_makes_no_new_version(db, clerk, make_decision):
    decision = make_decision()
    update_decision(clerk, decision, {"version": decision.version, "draft_text": DECISION_DATA["draft_text"]})
    db.session.commit()
    assert _count(db, DraftVersion) == 1


def test_update_needs_the_current_version(db, clerk, make_decision):
    decision = make_decision()
    with pytest.raises(ValidationFailed) as missing:
        update_decision(clerk, decision, {"title": "x"})
    assert "version" in missing.value.errors
    stale = decision.version
    update_decision(clerk, decision, {"version": stale, "title": "第一次"})
    db.session.commit()
    with pytest.raises(Conflict):
        update_decision(clerk, decision, {"version": stale, "title": "覆盖"})
    db.session.commit()
    assert decision.title == "第一次"


def test_year_cannot_change_after_numbering(db, clerk, make_decision):
    decision = make_decision()
    with pytest.raises(ValidationFailed) as error:
        update_decision(clerk, decision, {"version": decision.version, "year": 2024})
    assert "year" in error.value.errors


def test_submit_refused_with_gen01_while_steps_are_missing(db, clerk, make_decision):
    decision = make_decision()
    with pytest.raises(RuleBlocked) as error:
        submit_decision(clerk, decision)
    blocked = {(f.rule, f.step) for f in error.value.findings}
    assert ("GEN-01", "legality_review") in blocked
    assert ("GEN-01", "collective_decision") not in blocked
    assert decision.status == "draft"


def test_submit_refused_at_lr04_then_accepted_after_lawful_opinion(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), until="submitted_for_review")
    sign_legality_review(legal, decision, {"opinion": "unlawful", "opinion_text": "越权", "reviewed_on": "2025-04-25"})
    db.session.commit()
    with pytest.raises(RuleBlocked) as error:
        submit_decision(clerk, decision)
    assert [f.rule for f in error.value.findings] == ["LR-04"]
    sign_legality_review(legal, decision, {"opinion": "lawful", "opinion_text": "合法", "reviewed_on": "2025-04-28"})
    db.session.commit()
    submit_decision(clerk, decision)
    db.session.commit()
    assert decision.status == "submitted"


def test_unlawful_with_legal_risk_statement_may_go_forward(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), until="submitted_for_review")
    sign_legality_review(legal, decision, {"opinion": "unlawful", "opinion_text": "无明确规定",
                                           "reviewed_on": "2025-04-25",
                                           "legal_risk_statement": "探索性改革，法律风险已明示"})
    submit_decision(clerk, decision)
    assert decision.status == "submitted"


def test_changed_draft_blocks_submission_with_lr05(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="signed")
    update_decision(clerk, decision, {"version": decision.version, "draft_text": "改过的草案"})
    db.session.commit()
    with pytest.raises(RuleBlocked) as error:
        submit_decision(clerk, decision)
    assert [f.rule for f in error.value.findings] == ["LR-05"]


def test_high_risk_without_mitigation_blocks_submission(db, clerk, make_decision, walk):
    from tests.conftest import COMPLETE_STEPS

    decision = walk(make_decision(), until="signed")
    # The steps before the meeting can still be corrected before submission.
    risky = {**COMPLETE_STEPS["risk_assessment"], "risk_level": "high", "mitigation": ""}
    record_step(clerk, decision, "risk_assessment", risky)
    db.session.commit()
    with pytest.raises(RuleBlocked) as error:
        submit_decision(clerk, decision)
    assert "RA-01" in [f.rule for f in error.value.findings]


def test_submit_twice_is_an_invalid_state(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    with pytest.raises(InvalidState):
        submit_decision(clerk, decision)


def test_full_walk_is_complete_then_published_and_archived(db, clerk, make_decision, walk):
    decision = walk(make_decision())
    assert decision.status == "decided"
    assert decision.is_complete is True, [f.rule for f in decision.findings]
    with pytest.raises(ValidationFailed):
        publish_decision(clerk, decision, "2025-05-01")  # before the meeting
    with pytest.raises(ValidationFailed):
        publish_decision(clerk, decision, "not a date")
    publish_decision(clerk, decision, "2025-05-09")
    db.session.commit()
    assert decision.status == "published"
    archive_decision(clerk, decision)
    db.session.commit()
    assert decision.status == "archived"


def test_publish_and_archive_need_the_right_state(db, clerk, make_decision, walk):
    decision = make_decision()
    with pytest.raises(InvalidState):
        publish_decision(clerk, decision, "2025-05-09")
    with pytest.raises(InvalidState):
        archive_decision(clerk, decision)
    walk(decision, until="submitted")
    record_step(clerk, decision, "collective_decision", {**MEETING, "outcome": "rejected"})
    db.session.commit()
    with pytest.raises(InvalidState):
        publish_decision(clerk, decision, "2025-05-09")
    archive_decision(clerk, decision)
    assert decision.status == "archived"
