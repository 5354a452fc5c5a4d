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


def test_step_writes_accept_a_version_too(db, clerk, make_decision):
    decision = make_decision()
    stale = decision.version
    record_step(clerk, decision, "risk_assessment", COMPLETE_STEPS["risk_assessment"])
    db.session.commit()
    with pytest.raises(Conflict):
        record_step(clerk, decision, "expert_review", {**COMPLETE_STEPS["expert_review"], "version": stale})


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
