"""Optimistic locking: a stale write is a conflict, never a silent overwrite."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import Decision
from app.services.decisions import update_decision
from app.services.errors import Conflict
from app.services.steps import record_step
from tests.conftest import COMPLETE_STEPS


def test_stale_client_version_is_refused(db, clerk, make_decision):
    decision = make_decision()
    read_by_both = decision.version
    update_decision(clerk, decision, {"version": read_by_both, "summary": "甲的修改"})
    db.session.commit()
    with pytest.raises(Conflict):
        update_decision(clerk, decision, {"version": read_by_both, "summary": "乙的修改"})
    db.session.rollback()
    assert decision.summary == "甲的修改"


def test_writes_to_different_steps_never_conflict(db, clerk, make_decision):
    """Two tabs: risk assessment saved (and a file uploaded to it), then the public participation form read before."""
    from app.services.evidence import store_attachment

    decision = make_decision()
    participation_read = decision.step("public_participation").version
    decision_read = decision.version
    record_step(clerk, decision, "risk_assessment", COMPLETE_STEPS["risk_assessment"])
    store_attachment(clerk, decision, "risk_assessment", "评估报告.pdf", b"%PDF-1.4\n%%EOF\n")
    db.session.commit()
    record_step(clerk, decision, "public_participation",
                {**COMPLETE_STEPS["public_participation"], "version": participation_read})
    db.session.commit()
    assert decision.step("public_participation").status == "completed"
    # The decision's own version guards only its fields and draft: step writes and uploads leave it.
    assert decision.version == decision_read
    update_decision(clerk, decision, {"version": decision_read, "summary": "改"})
    db.session.commit()
    assert decision.version == decision_read + 1


def test_a_stale_write_of_the_same_step_is_a_conflict(db, clerk, make_decision):
    decision = make_decision()
    read = decision.step("risk_assessment").version
    record_step(clerk, decision, "risk_assessment", {**COMPLETE_STEPS["risk_assessment"], "version": read})
    db.session.commit()
    assert decision.step("risk_assessment").version == read + 1
    with pytest.raises(Conflict):
        record_step(clerk, decision, "risk_assessment",
                    {**COMPLETE_STEPS["risk_assessment"], "risk_level": "high", "version": read})
    db.session.rollback()
    assert decision.step("risk_assessment").risk_level == "low"


def test_a_step_version_must_be_a_whole_number(db, clerk, make_decision):
    from app.services.errors import ValidationFailed

    decision = make_decision()
    for bad in ("１", "1.0", True, 1.5):
        with pytest.raises(ValidationFailed) as refused:
            record_step(clerk, decision, "risk_assessment", {**COMPLETE_STEPS["risk_assessment"], "version": bad})
        assert set(refused.value.errors) == {"version"}
        db.session.rollback()


def test_two_sessions_racing_on_the_same_row(app, db, make_decision):
    """The database itself refuses the second UPDATE of the same version."""
    from app.extensions import db as database

    decision_id = make_decision().id
    engine = database.engine
    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        mine = first.get(Decision, decision_id)
        theirs = second.get(Decision, decision_id)
        first.commit()
        second.commit()  # both now hold version 1, outside any transaction
        mine.summary = "先提交"
        first.add(mine)
        first.commit()
        theirs.summary = "后提交"
        second.add(theirs)
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    db.session.rollback()  # leave this session's older read snapshot
    assert db.session.get(Decision, decision_id).summary == "先提交"
