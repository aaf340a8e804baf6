from datetime import date

from policy.states import DONE, DUE_SOON, ON_TRACK, OVERDUE, work_item_state

TODAY = date(2024, 6, 30)


def test_done_wins_even_when_late():
    assert work_item_state(date(2024, 1, 1), date(2024, 3, 1), TODAY) == DONE


def test_overdue_after_due_date():
    assert work_item_state(date(2024, 6, 29), None, TODAY) == OVERDUE


def test_due_today_is_due_soon():
    assert work_item_state(TODAY, None, TODAY) == DUE_SOON


def test_due_soon_boundary():
    assert work_item_state(date(2024, 7, 10), None, TODAY) == DUE_SOON
    assert work_item_state(date(2024, 7, 11), None, TODAY) == ON_TRACK


def test_soon_days_is_configurable():
    assert work_item_state(date(2024, 7, 5), None, TODAY, soon_days=3) == ON_TRACK
