"""Working days, for the limits the law counts in 工作日 (713号令 art. 26: 不少于7个工作日).

Which day is a working day, in order of precedence:

1. an override: a year's statutory holidays and make-up workdays (调休) loaded by an
   admin from a CSV (``calendar load``) and passed in by the services;
2. the ``chinese_calendar`` package, for the years it has data for;
3. otherwise Monday to Friday. Such a year is a *fallback year*: every count that
   touches one reports it, so a finding can say its count is provisional.

A year with at least one override counts as loaded, never as a fallback year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from .vocabulary import CalendarDayKind

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkdayCount:
    """A number of working days, and the years in it counted Monday to Friday for lack of data."""

    days: int
    fallback_years: tuple[int, ...] = ()


@cache
def _library_knows(year: int) -> bool:
    """Whether chinese_calendar has the year's holidays (it raises NotImplementedError otherwise)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _library_is_workday(day: date) -> bool:
    return chinese_calendar.is_workday(day)


class WorkdayCalendar:
    """China's working days with admin-loaded overrides; cheap to query thousands of times."""

    def __init__(self, overrides: Mapping[date, CalendarDayKind] | None = None) -> None:
        self._overrides: dict[date, CalendarDayKind] = {
            day: CalendarDayKind(kind) for day, kind in (overrides or {}).items()
        }
        self._loaded_years = frozenset(day.year for day in self._overrides)
        self._days: dict[date, bool] = {}

    def is_fallback_year(self, year: int) -> bool:
        """True when neither an admin nor the calendar package supplied the year's holidays."""
        return year not in self._loaded_years and not _library_knows(year)

    def is_workday(self, day: date) -> bool:
        """Whether government offices work on ``day`` (holidays off, make-up Saturdays and Sundays on)."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> bool:
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == CalendarDayKind.WORKDAY
        if _library_knows(day.year):
            return _library_is_workday(day)
        return day.weekday() < 5

    def _fallback_years(self, first: date, last: date) -> tuple[int, ...]:
        if last < first:
            return ()
        return tuple(year for year in range(first.year, last.year + 1) if self.is_fallback_year(year))

    def count_workdays(self, after: date, through: date) -> WorkdayCount:
        """Count working days strictly after ``after`` up to and including ``through``.

        This is how a period "from the day after submission" is counted; an empty
        or reversed span counts zero.
        """
        days = 0
        day = after + _ONE_DAY
        while day <= through:
            days += self.is_workday(day)
            day += _ONE_DAY
        return WorkdayCount(days, self._fallback_years(after + _ONE_DAY, through))

    def add_workdays(self, start: date, n: int) -> tuple[date, tuple[int, ...]]:
        """The ``n``-th working day after ``start`` (``start`` itself for 0), and the fallback years used."""
        if n < 0:
            raise ValueError(f"add_workdays counts forward only, got n={n}")
        day, remaining = start, n
        while remaining:
            day += _ONE_DAY
            remaining -= self.is_workday(day)
        return day, self._fallback_years(start + _ONE_DAY, day)
