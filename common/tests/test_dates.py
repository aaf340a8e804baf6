import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.dates import (
    DAY,
    MONTH,
    DateError,
    WorkCalendar,
    parse_date,
    time_progress,
)


def test_it_computes_time_progress_by_day_in_a_leap_year():
    assert time_progress(dt.date(2024, 6, 30)) == Fraction(182, 366)
    assert round(float(time_progress(dt.date(2024, 6, 30))), 3) == 0.497


def test_it_computes_time_progress_by_day_in_a_common_year():
    assert time_progress(dt.date(2023, 6, 30)) == Fraction(181, 365)
    assert time_progress(dt.date(2023, 12, 31)) == 1
    assert time_progress(dt.date(2024, 12, 31)) == 1
    assert time_progress(dt.date(2024, 2, 29)) == Fraction(60, 366)


def test_it_computes_time_progress_by_month():
    assert time_progress(dt.date(2024, 6, 30), MONTH) == Fraction(1, 2)
    assert time_progress(dt.date(2024, 6, 29), MONTH) == Fraction(5, 12)
    assert time_progress(dt.date(2024, 2, 29), MONTH) == Fraction(2, 12)
    assert time_progress(dt.date(2023, 2, 28), MONTH) == Fraction(2, 12)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_time_progress_grows_within_a_year(day):
    progress = time_progress(day, DAY)
    assert 0 < progress <= 1
    if day.month < 12 or day.day < 31:
        assert time_progress(day + dt.timedelta(days=1), DAY) > progress


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-30",
        "2024/6/30",
        "2024年6月30日",
        "2024.6.30",
        "20240630",
        45473,
        dt.datetime(2024, 6, 30, 0, 0),
        "２０２４－０６－３０",
        "2024-06-30 00:00:00",
    ],
)
def test_it_parses_dates_as_written(value):
    assert parse_date(value) == dt.date(2024, 6, 30)


@pytest.mark.parametrize("value", ["2024-02-30", "2023-02-29", "2024-13-01", "明天", "", 45473.5])
def test_it_refuses_impossible_dates(value):
    with pytest.raises(DateError):
        parse_date(value)


def test_it_counts_working_days_with_holidays_and_make_up_days():
    calendar = WorkCalendar(
        overrides={
            dt.date(2024, 10, 1): False,
            dt.date(2024, 10, 2): False,
            dt.date(2024, 10, 3): False,
            dt.date(2024, 10, 4): False,
            dt.date(2024, 10, 7): False,
            dt.date(2024, 9, 29): True,
            dt.date(2024, 10, 12): True,
        },
        known_years={2024},
    )
    # Friday 27 Sept + 1 working day: Sunday 29 Sept is a make-up working day.
    assert calendar.add_workdays(dt.date(2024, 9, 27), 1) == dt.date(2024, 9, 29)
    assert calendar.add_workdays(dt.date(2024, 9, 30), 1) == dt.date(2024, 10, 8)
    assert calendar.workdays_between(dt.date(2024, 9, 30), dt.date(2024, 10, 12)) == 5
    assert calendar.warning() is None


def test_it_warns_instead_of_guessing_for_a_year_without_calendar():
    calendar = WorkCalendar(known_years={2026})
    assert calendar.add_workdays(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)
    assert "2027" in calendar.warning()
