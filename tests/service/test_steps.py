"""Recording the five procedures: validation, exemptions, legality review, meeting."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Step
from app.services.errors import InvalidState, PermissionDenied, RuleBlocked, ValidationFailed
from app.services.steps import record_step, sign_legality_review
from tests.conftest import COMPLETE_STEPS, MEETING, SIGNATURE


def _events(db) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _refused_writes_nothing(db, decision, call, error_type):
    """A refused call leaves no trace even if the caller commits afterwards."""
    events, version = _events(db), decision.version
    before = {s.kind: (s.status, s.completed_on, s.method) for s in decision.steps}
    with pytest.raises(error_type) as error:
        call()
    db.session.commit()
    db.session.expire_all()
    assert _events(db) == events
    assert decision.version == version
    assert {s.kind: (s.status, s.completed_on, s.method) for s in decision.steps} == before
    return error.value


def test_recording_a_step_moves_the_decision_in_progress_and_audits(db, clerk, make_decision):
    decision = make_decision()
    step = record_step(clerk, decision, "public_participation", COMPLETE_STEPS["public_participation"])
    db.session.commit()
    assert step.status == "completed" and decision.status == "in_progress"
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "step.public_participation.record"
    assert event.after_data["comment_end"] == "2025-03-30"
    assert event.before_data["status"] == "not_started"


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("public_participation", {"comment_start": "2025-13-01"}, "comment_start"),
        ("public_participation", {"comments_received": -1}, "comments_received"),
        ("public_participation", {"comments_received": "many"}, "comments_received"),
        ("public_participation", {"comments_adopted": 13}, "comments_adopted"),
        ("public_participation", {"comment_end": "2025-02-01"}, "comment_end"),
        ("public_participation", {"method": None}, "method"),
        ("public_participation", {"method": "telepathy"}, "method"),
        ("public_participation", {"completed_on": "2099-01-01"}, "completed_on"),
        ("public_participation", {"surprise": 1}, "surprise"),
        ("expert_review", {"experts": []}, "experts"),
        ("expert_review", {"experts": [{"field": "桥梁"}]}, "experts[0].name"),
        ("expert_review", {"opinion_signed": "perhaps"}, "opinion_signed"),
        ("risk_assessment", {"risk_types": ["weather"]}, "risk_types"),
        ("risk_assessment", {"risk_level": None}, "risk_level"),
        ("risk_assessment", {"status": "finished"}, "status"),
    ],
)
def test_bad_step_input_names_the_field_and_writes_nothing(db, clerk, make_decision, kind, change, field):
    decision = make_decision()
    data = {**COMPLETE_STEPS[kind], **change}
    error = _refused_writes_nothing(db, decision, lambda: record_step(clerk, decision, kind, data), ValidationFailed)
    assert field in error.errors


def test_meeting_counts_are_checked(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    for change, field in (({"members_present": 9}, "members_present"), ({"members_total": 0}, "members_total")):
        data = {**MEETING, **change}
        error = _refused_writes_nothing(
            db, decision, lambda d=data: record_step(clerk, decision, "collective_decision", d), ValidationFailed
        )
        assert field in error.errors


def test_in_progress_step_needs_no_complete_facts(db, clerk, make_decision):
    decision = make_decision()
    step = record_step(clerk, decision, "risk_assessment", {"status": "in_progress", "risk_level": "medium"})
    assert step.status == "in_progress" and step.risk_level == "medium"


def test_lawful_exemption_with_reason_and_basis(db, clerk, make_decision):
    decision = make_decision()
    step = record_step(clerk, decision, "expert_review", {
        "status": "exempted", "exemption_reason": "事项不具有较强专业性、技术性",
        "exemption_basis": "《重大行政决策程序暂行条例》第十九条"})
    db.session.commit()
    assert step.status == "exempted"
    assert "GEN-01" in {row.rule for row in decision.findings}  # other steps still missing


def test_exemption_without_basis_is_blocked_by_gen02(db, clerk, make_decision):
    decision = make_decision()
    error = _refused_writes_nothing(db, decision, lambda: record_step(
        clerk, decision, "risk_assessment", {"status": "exempted", "exemption_reason": "无风险"}), RuleBlocked)
    assert [f.rule for f in error.findings] == ["GEN-02"]


def test_collective_decision_cannot_be_exempted(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    error = _refused_writes_nothing(db, decision, lambda: record_step(
        clerk, decision, "collective_decision",
        {"status": "exempted", "exemption_reason": "紧急", "exemption_basis": "无"}), RuleBlocked)
    assert [f.rule for f in error.findings] == ["GEN-02"]


def test_clerk_records_only_the_submission_of_the_legality_review(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="preparatory")
    step = record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    assert step.submitted_on.isoformat() == "2025-04-10" and step.status == "in_progress"
    error = _refused_writes_nothing(db, decision, lambda: record_step(
        clerk, decision, "legality_review", {"status": "completed", "submitted_on": "2025-04-10",
                                             "opinion": "lawful"}), RuleBlocked)
    assert [f.rule for f in error.findings] == ["LR-01"]


def test_only_a_legal_adviser_signs(db, clerk, auditor, make_decision, walk):
    decision = walk(make_decision(), until="submitted_for_review")
    error = _refused_writes_nothing(db, decision, lambda: sign_legality_review(clerk, decision, SIGNATURE),
                                    RuleBlocked)
    assert "LR-01" in [f.rule for f in error.findings]
    with pytest.raises((RuleBlocked, PermissionDenied)):
        sign_legality_review(auditor, decision, SIGNATURE)


def test_signing_before_the_preparatory_steps_is_blocked_by_lr02(db, clerk, legal, make_decision):
    decision = make_decision()
    record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    error = _refused_writes_nothing(db, decision, lambda: sign_legality_review(legal, decision, SIGNATURE),
                                    RuleBlocked)
    assert {f.rule for f in error.findings} == {"LR-02"}
    assert {f.step for f in error.findings} == {"public_participation", "expert_review", "risk_assessment"}


def test_signature_binds_the_current_draft(db, legal, make_decision, walk):
    decision = walk(make_decision(), until="submitted_for_review")
    step = sign_legality_review(legal, decision, SIGNATURE)
    db.session.commit()
    assert step.draft_sha256 == decision.drafts[-1].sha256
    assert step.reviewer == legal.display_name and step.status == "completed"
    assert step.completed_on.isoformat() == SIGNATURE["reviewed_on"]


def test_signature_needs_submitted_materials_and_sane_dates(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), until="preparatory")
    error = _refused_writes_nothing(db, decision, lambda: sign_legality_review(legal, decision, SIGNATURE),
                                    ValidationFailed)
    assert "submitted_on" in error.errors
    record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    for change, field in (({"reviewed_on": "2025-04-01"}, "reviewed_on"), ({"opinion": "maybe"}, "opinion"),
                          ({"opinion_text": ""}, "opinion_text"), ({"extra": 1}, "extra")):
        data = {**SIGNATURE, **change}
        error = _refused_writes_nothing(db, decision, lambda d=data: sign_legality_review(legal, decision, d),
                                        ValidationFailed)
        assert field in error.errors


def test_resigning_replaces_the_opinion_and_keeps_the_old_in_history(db, legal, make_decision, walk):
    decision = walk(make_decision(), until="signed")
    sign_legality_review(legal, decision, {**SIGNATURE, "opinion": "lawful_with_changes", "opinion_text": "修改后合法"})
    db.session.commit()
    signs = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "step.legality_review.sign").order_by(AuditEvent.id)
    ).scalars().all()
    assert len(signs) == 2
    assert signs[1].before_data["opinion"] == "lawful"
    assert signs[1].after_data["opinion"] == "lawful_with_changes"


def test_meeting_only_for_a_submitted_decision_cd01(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="signed")
    error = _refused_writes_nothing(db, decision, lambda: record_step(clerk, decision, "collective_decision", MEETING),
                                    RuleBlocked)
    assert [f.rule for f in error.findings] == ["CD-01"]


def test_meeting_decides_and_can_be_corrected_until_published(db, clerk, make_decision, walk):
    from app.services.decisions import publish_decision

    decision = walk(make_decision())
    assert decision.status == "decided"
    record_step(clerk, decision, "collective_decision", {**MEETING, "minutes_ref": "更正后的纪要号"})
    db.session.commit()
    corrections = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "step.collective_decision.record")
    ).scalar_one()
    assert corrections == 2
    publish_decision(clerk, decision, "2025-05-09")
    db.session.commit()
    error = _refused_writes_nothing(db, decision, lambda: record_step(clerk, decision, "collective_decision", MEETING),
                                    RuleBlocked)
    assert [f.rule for f in error.findings] == ["CD-01"]


def test_deferred_meeting_sends_the_decision_back(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    with pytest.raises(ValidationFailed) as error:  # 缓议 is not a decision: the step cannot be completed
        record_step(clerk, decision, "collective_decision", {**MEETING, "outcome": "deferred"})
    assert "outcome" in error.value.errors
    step = record_step(clerk, decision, "collective_decision", {**MEETING, "status": "in_progress",
                                                                "outcome": "deferred"})
    assert decision.status == "in_progress" and step.status == "in_progress"


def test_meeting_violations_are_recorded_but_keep_it_incomplete(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    opinions = [dict(o) for o in MEETING["opinions"]]
    opinions.insert(0, opinions.pop())  # the principal speaks first
    record_step(clerk, decision, "collective_decision", {**MEETING, "members_present": 3, "opinions": opinions})
    db.session.commit()
    assert decision.status == "decided"
    assert {"CD-02", "CD-03"} <= {row.rule for row in decision.findings}
    assert decision.is_complete is False


def test_steps_before_the_meeting_are_frozen_after_submission(db, clerk, make_decision, walk):
    decision = walk(make_decision(), until="submitted")
    with pytest.raises(InvalidState):
        record_step(clerk, decision, "public_participation", COMPLETE_STEPS["public_participation"])


def test_unknown_kind_and_other_roles(db, clerk, legal, auditor, make_decision, make_user):
    decision = make_decision()
    with pytest.raises(ValidationFailed) as error:
        record_step(clerk, decision, "step4", {"status": "completed"})
    assert "kind" in error.value.errors
    for user in (legal, auditor, make_user("clerk", "CD")):
        with pytest.raises(PermissionDenied):
            record_step(user, decision, "risk_assessment", COMPLETE_STEPS["risk_assessment"])


def test_one_step_row_per_kind_is_enforced_by_the_database(db, make_decision):
    from sqlalchemy.exc import IntegrityError

    decision = make_decision()
    db.session.add(Step(decision_id=decision.id, kind="expert_review", status="not_started"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
