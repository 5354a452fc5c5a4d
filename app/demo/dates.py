"""Date helpers shared by the demo and the synthetic data."""

from __future__ import annotations

from datetime import date, timedelta

from app.rulebook import WorkdayCalendar


def next_workday(day: date, calendar: WorkdayCalendar) -> date:
    """The day itself when it is a working day, else the next one (procedures are dated on working days)."""
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day
