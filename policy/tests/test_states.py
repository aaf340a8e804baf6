"""One rule for a work item's state, in working days; Python and SQL agree."""

import datetime as dt
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.dates import WorkCalendar
from policy.states import (
    DONE,
    DUE_SOON,
    ON_TRACK,
    OVERDUE,
    due_soon_horizon,
    work_item_state,
)

AS_OF = date(2024, 6, 30)  # a Sunday
HORIZON = date(2024, 7, 12)  # 10 working days later


def test_it_lets_done_win_even_when_late():
    assert work_item_state(date(2024, 1, 1), date(2024, 3, 1), AS_OF, HORIZON) == DONE


def test_it_is_overdue_the_day_after_the_due_date():
    assert work_item_state(date(2024, 6, 29), None, AS_OF, HORIZON) == OVERDUE


def test_an_item_due_on_the_as_of_date_is_due_soon():
    assert work_item_state(AS_OF, None, AS_OF, HORIZON) == DUE_SOON


def test_due_soon_runs_up_to_and_including_the_horizon():
    assert work_item_state(HORIZON, None, AS_OF, HORIZON) == DUE_SOON
    assert work_item_state(HORIZON + dt.timedelta(days=1), None, AS_OF, HORIZON) == ON_TRACK


def test_the_horizon_counts_working_days_not_calendar_days():
    # 2024-06-30 is a Sunday: ten working days are 1–5 and 8–12 July; the old
    # calendar-day rule stopped at 10 July and called an item due on 11 July on track.
    calendar = WorkCalendar(known_years={2024})
    assert due_soon_horizon(AS_OF, workdays=10, calendar=calendar).horizon == HORIZON
    assert work_item_state(date(2024, 7, 11), None, AS_OF, HORIZON) == DUE_SOON


@pytest.mark.django_db
def test_the_horizon_skips_statutory_holidays_and_counts_make_up_days():
    # National Day 2024: 1–7 October off; Sunday 29 September and Saturday 12 October worked.
    horizon = due_soon_horizon(date(2024, 9, 27))
    assert horizon.workdays == 10
    assert horizon.horizon == date(2024, 10, 16)
    assert horizon.warning is None


@pytest.mark.django_db
def test_the_number_of_working_days_is_the_offices_setting():
    from org.services import save_site_config

    save_site_config(user=None, due_soon_workdays=3)
    horizon = due_soon_horizon(AS_OF)
    assert (horizon.workdays, horizon.horizon) == (3, date(2024, 7, 3))


@pytest.mark.django_db
def test_a_year_without_a_calendar_falls_back_to_mon_fri_with_a_warning():
    from org.models import CalendarYear

    assert not CalendarYear.objects.filter(year=2090).exists()
    horizon = due_soon_horizon(date(2090, 1, 2), workdays=5)  # a Monday
    assert horizon.horizon == date(2090, 1, 9)
    assert horizon.warning and "2090" in horizon.warning


@pytest.mark.django_db
def test_a_horizon_running_into_a_year_without_a_calendar_warns_too():
    from org.models import CalendarYear

    last = CalendarYear.objects.order_by("-year").first().year
    horizon = due_soon_horizon(date(last, 12, 28), workdays=10)
    assert horizon.horizon.year == last + 1
    assert horizon.warning and str(last + 1) in horizon.warning


# --- Python and SQL: the same rule over random dates ---

DAY0 = date(2023, 12, 1)
days = st.integers(min_value=0, max_value=500).map(lambda n: DAY0 + dt.timedelta(days=n))


@pytest.fixture
def owner(db):
    from org.models import Leader
    from policy.models import Policy

    return Policy.objects.create(title="状态规则测试"), Leader.objects.create(name="状态测试")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(st.tuples(days, st.none() | days), min_size=1, max_size=12),
    as_of=days,
    ahead=st.integers(min_value=0, max_value=90),
)
def test_it_gives_the_same_state_in_python_and_sql(owner, items, as_of, ahead):
    from policy.models import WorkItem

    policy, leader = owner
    horizon = as_of + dt.timedelta(days=ahead)
    with transaction.atomic():
        WorkItem.objects.bulk_create(
            WorkItem(
                policy=policy,
                lead_leader=leader,
                code=f"H-{n}",
                title="随机",
                due_on=due_on,
                done_on=done_on,
            )
            for n, (due_on, done_on) in enumerate(items)
        )
        rows = WorkItem.objects.with_state(as_of, horizon).values_list("due_on", "done_on", "state")
        for due_on, done_on, state in rows:
            assert state == work_item_state(due_on, done_on, as_of, horizon)
        transaction.set_rollback(True)
