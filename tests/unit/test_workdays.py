"""WorkdayCalendar: statutory holidays, make-up workdays, admin overrides and the Monday–Friday fallback."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from app.rulebook import WorkdayCalendar, WorkdayCount
from app.rulebook.vocabulary import CalendarDayKind

NATIONAL_DAY_2025 = [date(2025, 10, d) for d in range(1, 9)]
MAKE_UP_2025 = [date(2025, 9, 28), date(2025, 10, 11)]  # a Sunday and a Saturday


def test_library_agrees_with_the_2025_national_day_schedule() -> None:
    """The facts the tests below rely on, straight from chinese_calendar."""
    assert all(not chinese_calendar.is_workday(d) for d in NATIONAL_DAY_2025)
    assert [d.weekday() for d in MAKE_UP_2025] == [6, 5]
    assert all(chinese_calendar.is_workday(d) for d in MAKE_UP_2025)


def test_library_has_no_data_for_2027() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


class TestKnownYear:
    def test_holidays_are_off(self, calendar: WorkdayCalendar) -> None:
        assert not any(calendar.is_workday(d) for d in NATIONAL_DAY_2025)

    def test_make_up_days_are_on(self, calendar: WorkdayCalendar) -> None:
        assert all(calendar.is_workday(d) for d in MAKE_UP_2025)

    def test_ordinary_weekend_is_off(self, calendar: WorkdayCalendar) -> None:
        assert not calendar.is_workday(date(2025, 10, 12))  # Sunday
        assert calendar.is_workday(date(2025, 10, 13))  # Monday

    def test_count_across_national_day(self, calendar: WorkdayCalendar) -> None:
        # After Fri 26 Sep through Mon 13 Oct: 28, 29, 30 Sep; 9, 10, 11, 13 Oct.
        assert calendar.count_workdays(date(2025, 9, 26), date(2025, 10, 13)) == WorkdayCount(7, ())

    def test_make_up_saturday_is_counted(self, calendar: WorkdayCalendar) -> None:
        assert calendar.count_workdays(date(2025, 10, 10), date(2025, 10, 11)).days == 1
        assert calendar.count_workdays(date(2025, 10, 11), date(2025, 10, 12)).days == 0

    def test_count_excludes_the_start_and_includes_the_end(self, calendar: WorkdayCalendar) -> None:
        monday, tuesday = date(2025, 5, 12), date(2025, 5, 13)
        assert calendar.count_workdays(monday, monday).days == 0
        assert calendar.count_workdays(monday, tuesday).days == 1
        assert calendar.count_workdays(tuesday, monday) == WorkdayCount(0, ())

    def test_add_workdays_skips_the_holiday(self, calendar: WorkdayCalendar) -> None:
        assert calendar.add_workdays(date(2025, 9, 30), 1) == (date(2025, 10, 9), ())
        assert calendar.add_workdays(date(2025, 10, 10), 1) == (date(2025, 10, 11), ())
        assert calendar.add_workdays(date(2025, 10, 10), 0) == (date(2025, 10, 10), ())

    def test_add_and_count_agree(self, calendar: WorkdayCalendar) -> None:
        start = date(2025, 9, 20)
        for n in range(1, 30):
            end, _ = calendar.add_workdays(start, n)
            assert calendar.count_workdays(start, end).days == n
            assert calendar.is_workday(end)

    def test_add_workdays_rejects_negative(self, calendar: WorkdayCalendar) -> None:
        with pytest.raises(ValueError, match="forward only"):
            calendar.add_workdays(date(2025, 1, 1), -1)


class TestFallbackYear:
    def test_monday_to_friday(self, calendar: WorkdayCalendar) -> None:
        monday = date(2031, 3, 3)
        assert monday.weekday() == 0
        week = [monday + timedelta(days=i) for i in range(7)]
        assert [calendar.is_workday(d) for d in week] == [True] * 5 + [False] * 2
        assert calendar.is_workday(date(2031, 10, 1)), "no holiday data: National Day is an ordinary Wednesday"

    def test_count_reports_the_year(self, calendar: WorkdayCalendar) -> None:
        assert calendar.count_workdays(date(2031, 3, 3), date(2031, 3, 12)) == WorkdayCount(7, (2031,))
        assert calendar.is_fallback_year(2031)
        assert not calendar.is_fallback_year(2025)

    def test_span_into_an_unknown_year(self, calendar: WorkdayCalendar) -> None:
        count = calendar.count_workdays(date(2026, 12, 30), date(2027, 1, 5))
        assert count.fallback_years == (2027,)
        assert calendar.count_workdays(date(2026, 12, 1), date(2026, 12, 31)).fallback_years == ()

    def test_add_reports_the_year(self, calendar: WorkdayCalendar) -> None:
        assert calendar.add_workdays(date(2031, 3, 7), 1) == (date(2031, 3, 10), (2031,))

    def test_year_before_the_library_data(self, calendar: WorkdayCalendar) -> None:
        assert calendar.is_fallback_year(2003)
        assert calendar.count_workdays(date(2003, 1, 5), date(2003, 1, 6)) == WorkdayCount(1, (2003,))


class TestOverrides:
    OVERRIDES = {  # noqa: RUF012 - read-only test data
        date(2027, 10, 1): CalendarDayKind.HOLIDAY,  # Friday
        date(2027, 10, 4): CalendarDayKind.HOLIDAY,  # Monday
        date(2027, 10, 9): CalendarDayKind.WORKDAY,  # Saturday
    }

    def test_loaded_days_take_effect(self) -> None:
        calendar = WorkdayCalendar(self.OVERRIDES)
        assert not calendar.is_workday(date(2027, 10, 1))
        assert not calendar.is_workday(date(2027, 10, 4))
        assert calendar.is_workday(date(2027, 10, 9))
        assert calendar.is_workday(date(2027, 10, 5)), "a day not loaded follows Monday to Friday"
        assert not calendar.is_workday(date(2027, 10, 10))

    def test_a_loaded_year_is_not_a_fallback(self) -> None:
        calendar = WorkdayCalendar(self.OVERRIDES)
        # After Thu 30 Sep through Mon 11 Oct: 5, 6, 7, 8, 9 (Sat), 11 = 6.
        assert calendar.count_workdays(date(2027, 9, 30), date(2027, 10, 11)) == WorkdayCount(6, ())
        assert calendar.count_workdays(date(2028, 3, 1), date(2028, 3, 2)).fallback_years == (2028,)

    def test_override_wins_over_the_library(self) -> None:
        calendar = WorkdayCalendar({date(2025, 10, 1): CalendarDayKind.WORKDAY, date(2025, 10, 11): "holiday"})
        assert calendar.is_workday(date(2025, 10, 1))
        assert not calendar.is_workday(date(2025, 10, 11))
        assert not calendar.is_workday(date(2025, 10, 2)), "the rest of the year still comes from the library"

    def test_override_kind_is_validated(self) -> None:
        with pytest.raises(ValueError, match="weekend"):
            WorkdayCalendar({date(2027, 1, 1): "weekend"})  # type: ignore[dict-item]

    def test_calendars_do_not_share_overrides(self) -> None:
        WorkdayCalendar(self.OVERRIDES).is_workday(date(2027, 10, 1))
        assert WorkdayCalendar().is_workday(date(2027, 10, 1))
