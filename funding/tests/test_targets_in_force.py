"""Targets as of a date (design §3.1): a revision counts from its effective date on."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from funding import services
from funding.models import Target
from funding.querysets import targets_in_force
from funding.rules import amount_in_force
from funding.tests.factories import ZJJ, TargetFactory
from org.models import Unit
from org.period import ReportingPeriod
from org.services import save_unit
from org.tests.factories import UnitFactory
from reporting.read_model import SYSTEM, figures_for

JUNE_30, JULY_1, JULY_31 = dt.date(2024, 6, 30), dt.date(2024, 7, 1), dt.date(2024, 7, 31)

# --- the rule, without a database ---------------------------------------------------------


def test_the_original_holds_until_the_first_effective_date():
    revisions = [(JULY_1, 1, 250)]
    assert amount_in_force(180, revisions, JUNE_30) == 180
    assert amount_in_force(180, revisions, JULY_1) == 250
    assert amount_in_force(180, [], dt.date(2024, 12, 31)) == 180


def test_of_two_revisions_on_one_day_the_later_saved_wins():
    revisions = [(JULY_1, 7, 300), (JULY_1, 3, 250)]
    assert amount_in_force(180, revisions, JULY_31) == 300


_days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 12, 31))


@given(
    original=st.integers(min_value=0, max_value=10**12),
    changes=st.lists(st.tuples(_days, st.integers(min_value=0, max_value=10**12)), max_size=8),
    on=_days,
)
def test_the_amount_in_force_is_that_of_the_last_revision_effective_by_then(original, changes, on):
    revisions = [(day, order, amount) for order, (day, amount) in enumerate(changes)]
    # by hand: walk the days of the year, applying each day's revisions in the order saved
    expected = original
    for day, _order, amount in sorted(revisions):
        if day <= on:
            expected = amount
    assert amount_in_force(original, revisions, on) == expected
    # the order revisions are given in does not matter
    assert amount_in_force(original, list(reversed(revisions)), on) == expected


# --- the service and the read function ----------------------------------------------------


def _raise_slj(amount_wan: int, on: dt.date, reason: str = "年中调增") -> Target:
    target, changed = services.set_target(
        user=None,
        unit=Unit.objects.get(code="SLJ"),
        year=2024,
        amount=amount_wan * 10_000,
        effective_on=on,
        reason=reason,
    )
    assert changed
    return target


def _slj_target(db) -> Target:
    return TargetFactory(unit=UnitFactory(code="SLJ", name="市水利局"), amount=180_000_000)


def test_raising_slj_in_july_leaves_the_june_target_alone(db):
    slj = _slj_target(db).unit_id
    _raise_slj(25_000, JULY_1)
    assert targets_in_force(2024, JUNE_30)[slj] == 180_000_000
    assert targets_in_force(2024, JULY_1)[slj] == 250_000_000
    assert targets_in_force(2024, JULY_31)[slj] == 250_000_000
    assert Target.objects.get(unit_id=slj, year=2024).amount == 250_000_000
    revision = Target.objects.get(unit_id=slj, year=2024).revisions.get()
    assert (revision.old_amount, revision.new_amount) == (180_000_000, 250_000_000)
    assert revision.effective_on == JULY_1
    event = AuditEvent.objects.filter(action="funding.target.revised").latest("id")
    assert event.after["effective_on"] == "2024-07-01" and event.after["reason"] == "年中调增"


def _counts(as_of: dt.date) -> dict[str, int]:
    """The four classes as of a date, from the read model (targets in force then)."""
    return figures_for(SYSTEM, ReportingPeriod(2024, as_of)).summary.counts


def test_the_mid_year_figures_stay_after_a_july_raise(demo):
    june_before, july_before = _counts(JUNE_30), _counts(JULY_31)
    _raise_slj(25_000, JULY_1)
    assert _counts(JUNE_30) == june_before == {"completed": 1, "ahead": 4, "behind": 8, "none": 4}
    # SLJ (9,800万 secured) is behind time progress on 31 July with or without the raise
    assert _counts(JULY_31) == july_before
    # a raise effective before the half-year does move the mid-year figures
    _raise_slj(20_000, dt.date(2024, 6, 1), reason="年初漏报")
    assert _counts(JUNE_30) == {"completed": 1, "ahead": 3, "behind": 9, "none": 4}


def test_the_demo_raise_of_zjj_counts_from_20_june(demo):
    zjj = Unit.objects.get(code="ZJJ").pk
    assert targets_in_force(2024, dt.date(2024, 6, 19))[zjj] == 300_000_000
    assert targets_in_force(2024, dt.date(2024, 6, 20))[zjj] == 360_000_000
    assert targets_in_force(2023, JUNE_30) == {}


def test_targets_in_force_is_one_query_for_any_number_of_units(db, django_assert_num_queries):
    _slj_target(db)
    for unit in (UnitFactory(**ZJJ), UnitFactory(code="FGW")):
        TargetFactory(unit=unit)
    TargetFactory(unit=UnitFactory(code="GZW"), year=2023)  # another year's
    _raise_slj(25_000, JULY_1)
    with django_assert_num_queries(1):
        everyone = targets_in_force(2024, JULY_31)
    assert len(everyone) == 3
    slj_and_zjj = list(Unit.objects.filter(code__in=["SLJ", "ZJJ"]).values_list("pk", flat=True))
    with django_assert_num_queries(1):
        assert set(targets_in_force(2024, JULY_31, unit_ids=slj_and_zjj)) == set(slj_and_zjj)


@pytest.mark.django_db
def test_a_back_dated_revision_keeps_the_later_one_in_force():
    unit, _ = save_unit(user=None, code="T9", name="测试九局")
    services.set_target(user=None, unit=unit, year=2024, amount=100)
    services.set_target(user=None, unit=unit, year=2024, amount=300, effective_on=JULY_1)
    target, changed = services.set_target(
        user=None, unit=unit, year=2024, amount=200, effective_on=dt.date(2024, 3, 1)
    )
    assert changed and target.amount == 300  # still the amount in force on 31 December
    earliest = target.revisions.get(new_amount=200)
    assert earliest.old_amount == 100  # what was in force on 1 March
    in_force = [targets_in_force(2024, day)[unit.pk] for day in (dt.date(2024, 2, 1), JUNE_30)]
    assert in_force + [targets_in_force(2024, JULY_31)[unit.pk]] == [100, 200, 300]


@pytest.mark.django_db
def test_the_same_amount_as_in_force_then_is_no_revision():
    unit, _ = save_unit(user=None, code="T8", name="测试八局")
    services.set_target(user=None, unit=unit, year=2024, amount=100)
    services.set_target(user=None, unit=unit, year=2024, amount=300, effective_on=JULY_1)
    _target, changed = services.set_target(
        user=None, unit=unit, year=2024, amount=100, effective_on=JUNE_30
    )
    assert not changed and Target.objects.get(unit=unit).revisions.count() == 1


@pytest.mark.django_db
def test_the_effective_date_must_lie_in_the_year_and_defaults_to_the_day_saved():
    unit, _ = save_unit(user=None, code="T7", name="测试七局")
    services.set_target(user=None, unit=unit, year=2024, amount=100)
    with pytest.raises(ValidationError, match="2024"):
        services.set_target(
            user=None, unit=unit, year=2024, amount=200, effective_on=dt.date(2025, 1, 1)
        )
    saved = dt.datetime(2024, 8, 15, 9, 0, tzinfo=dt.UTC)
    services.set_target(user=None, unit=unit, year=2024, amount=200, at=saved)
    late = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)  # after the year: its last day
    services.set_target(user=None, unit=unit, year=2024, amount=250, at=late)
    early = dt.datetime(2023, 11, 1, 9, 0, tzinfo=dt.UTC)  # before the year: its first day
    services.set_target(user=None, unit=unit, year=2024, amount=150, at=early)
    effective = sorted(
        Target.objects.get(unit=unit).revisions.values_list("effective_on", "new_amount")
    )
    assert effective == [
        (dt.date(2024, 1, 1), 150),
        (dt.date(2024, 8, 15), 200),
        (dt.date(2024, 12, 31), 250),
    ]
