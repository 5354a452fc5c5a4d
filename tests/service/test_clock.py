"""One clock: "today" is Beijing's date whatever the server's time zone, for every check that reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app import clock
from app.services.errors import ValidationFailed
from app.services.steps import record_step
from config import Config
from tests.conftest import COMPLETE_STEPS

#: 07:30 in Beijing on 10 March is still 9 March on a server that keeps UTC. The year lies ahead of the
#: machine's own date, so a check reading the server's ``date.today()`` instead of the clock fails too.
MORNING_IN_BEIJING = datetime(2099, 3, 9, 23, 30, tzinfo=UTC)


@pytest.fixture
def early_morning(monkeypatch):
    monkeypatch.setattr(clock, "_utc_now", lambda: MORNING_IN_BEIJING)


@pytest.mark.usefixtures("early_morning")
def test_today_is_the_date_in_beijing():
    assert clock.today() == date(2099, 3, 10)
    assert clock.now().hour == 7 and clock.utcnow() == MORNING_IN_BEIJING


def _assessment(on: str) -> dict:
    return {**COMPLETE_STEPS["risk_assessment"], "assessed_on": on, "completed_on": on}


@pytest.mark.usefixtures("early_morning")
def test_a_step_dated_today_in_beijing_is_accepted_before_eight_utc(db, clerk, make_decision):
    decision = make_decision(year=2099)
    step = record_step(clerk, decision, "risk_assessment", _assessment("2099-03-10"))
    db.session.commit()
    assert step.completed_on == date(2099, 3, 10)


@pytest.mark.usefixtures("early_morning")
def test_tomorrow_in_beijing_is_still_the_future(db, clerk, make_decision):
    decision = make_decision(year=2099)
    with pytest.raises(ValidationFailed) as refused:
        record_step(clerk, decision, "risk_assessment", _assessment("2099-03-11"))
    assert set(refused.value.errors) == {"assessed_on", "completed_on"}


def test_pages_show_times_in_the_same_zone():
    assert clock.TIMEZONE.key == Config.BABEL_DEFAULT_TIMEZONE
