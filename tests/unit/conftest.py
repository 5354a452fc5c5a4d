"""Fixtures for the rulebook's unit tests: no app, no database."""

from __future__ import annotations

import pytest

from app.rulebook import WorkdayCalendar


@pytest.fixture
def calendar() -> WorkdayCalendar:
    """A calendar with no admin overrides: chinese_calendar's years, else Monday to Friday."""
    return WorkdayCalendar()
