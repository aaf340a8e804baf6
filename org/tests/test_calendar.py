import datetime as dt

import pytest

from org.calendar import load_calendar


@pytest.mark.django_db
def test_the_seeded_calendar_knows_holidays_and_make_up_days():
    calendar = load_calendar()
    assert not calendar.is_workday(dt.date(2024, 10, 1))  # National Day
    assert calendar.is_workday(dt.date(2024, 9, 29))  # Sunday, make-up working day
    assert not calendar.is_workday(dt.date(2025, 1, 29))  # Spring Festival
    assert calendar.is_workday(dt.date(2026, 1, 5))
    assert calendar.warning() is None


@pytest.mark.django_db
def test_a_year_without_calendar_gives_a_visible_warning_not_a_crash():
    calendar = load_calendar()
    assert calendar.add_workdays(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 1)
    assert "2027" in calendar.warning()
