"""schedule_backwards: a pure function on a calendar, no database."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common.dates import WorkCalendar
from policy.planning import ScheduleError, schedule_backwards


def calendar_2024() -> WorkCalendar:
    """National Day 2024: 1–7 October off, Sunday 29 September and Saturday 12 October worked."""
    overrides = {dt.date(2024, 10, d): False for d in range(1, 8)}
    overrides[dt.date(2024, 9, 29)] = True
    overrides[dt.date(2024, 10, 12)] = True
    return WorkCalendar(overrides=overrides, known_years={2024})


def test_it_schedules_the_last_step_to_end_on_the_deadline():
    schedule = schedule_backwards(
        dt.date(2024, 3, 29), [("梳理清单", 3), ("编制方案", 5)], WorkCalendar(known_years={2024})
    )
    first, second = schedule.steps
    # Fri 29 March back 5 working days: Mon 25 – Fri 29; then 3 days: Wed 20 – Fri 22
    assert (second.starts_on, second.ends_on) == (dt.date(2024, 3, 25), dt.date(2024, 3, 29))
    assert (first.starts_on, first.ends_on) == (dt.date(2024, 3, 20), dt.date(2024, 3, 22))
    assert [s.position for s in schedule.steps] == [1, 2]
    assert schedule.warning is None


def test_it_skips_the_national_day_holiday_and_counts_make_up_days():
    schedule = schedule_backwards(dt.date(2024, 10, 15), [("a", 5), ("b", 4)], calendar_2024())
    first, second = schedule.steps
    # 15 Oct (Tue), 14 (Mon), 12 (Sat, make-up), 11 (Fri)
    assert (second.starts_on, second.ends_on) == (dt.date(2024, 10, 11), dt.date(2024, 10, 15))
    # then 10, 9, 8 Oct and — across the holiday — Monday 30 and Sunday 29 September (make-up)
    assert (first.starts_on, first.ends_on) == (dt.date(2024, 9, 29), dt.date(2024, 10, 10))


def test_a_deadline_on_a_holiday_ends_on_the_working_day_before():
    schedule = schedule_backwards(dt.date(2024, 10, 3), [("a", 1)], calendar_2024())
    assert schedule.steps[0].ends_on == dt.date(2024, 9, 30)
    assert schedule.steps[0].starts_on == dt.date(2024, 9, 30)


def test_it_warns_for_a_year_without_a_calendar_and_still_answers():
    schedule = schedule_backwards(dt.date(2027, 1, 8), [("a", 10)], calendar_2024())
    assert schedule.steps[0].starts_on == dt.date(2026, 12, 28)  # Mon–Fri assumed
    assert "2026" in schedule.warning and "2027" in schedule.warning


@pytest.mark.parametrize(
    "steps, message",
    [
        ([], "at least"),
        ([("a", 0)], "1"),
        ([("a", 251)], "250"),
        ([("a", 1)] * 31, "30"),
    ],
)
def test_it_refuses_steps_it_cannot_schedule(steps, message):
    with translation.override("en"), pytest.raises(ScheduleError) as error:
        schedule_backwards(dt.date(2024, 6, 28), steps, calendar_2024())
    assert message in str(error.value)


@given(
    deadline=st.dates(min_value=dt.date(2024, 2, 1), max_value=dt.date(2024, 12, 31)),
    days=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=5),
)
def test_each_step_takes_exactly_its_working_days_and_steps_follow_each_other(deadline, days):
    calendar = calendar_2024()
    schedule = schedule_backwards(deadline, [(str(n), d) for n, d in enumerate(days)], calendar)
    for step in schedule.steps:
        assert calendar.is_workday(step.starts_on) and calendar.is_workday(step.ends_on)
        span = calendar.workdays_between(step.starts_on - dt.timedelta(days=1), step.ends_on)
        assert span == step.workdays
    for earlier, later in zip(schedule.steps, schedule.steps[1:], strict=False):
        assert calendar.add_workdays(earlier.ends_on, 1) == later.starts_on
    assert schedule.steps[-1].ends_on <= deadline
    assert calendar.workdays_between(schedule.steps[-1].ends_on, deadline) == 0
