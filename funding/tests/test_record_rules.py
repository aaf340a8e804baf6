"""The rules of targets, projects, guides and new codes (`funding/record_rules.py`), tested
as pure functions: no database."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from funding.choices import Level, Stage
from funding.record_rules import (
    TargetHistory,
    check_guide,
    check_project,
    check_target_amount,
    effective_date,
    next_free_code,
)
from funding.rules import amount_in_force

D = dt.date


def test_it_refuses_a_negative_target_and_takes_zero():
    check_target_amount(0)
    with pytest.raises(ValidationError):
        check_target_amount(-1)


def test_it_keeps_the_effective_date_inside_the_targets_year():
    assert effective_date(2024, None, today=D(2023, 5, 1)) == D(2024, 1, 1)
    assert effective_date(2024, None, today=D(2025, 5, 1)) == D(2024, 12, 31)
    assert effective_date(2024, D(2024, 7, 1), today=D(2030, 1, 1)) == D(2024, 7, 1)
    with pytest.raises(ValidationError) as refused:
        effective_date(2024, D(2025, 1, 1), today=D(2024, 7, 1))
    assert refused.value.code == "effective_on"


def test_it_reads_the_original_from_the_first_revisions_old_amount():
    history = TargetHistory.of(900, [(7, D(2024, 7, 1), 500, 900)])
    assert history.original == 500
    assert history.revisions == [(D(2024, 7, 1), 7, 900)]
    assert TargetHistory.of(500, []).original == 500


def test_a_revision_to_the_amount_in_force_is_none():
    history = TargetHistory.of(500, [])
    assert history.revise(500, D(2024, 3, 1)) is None
    assert history.revise(800, D(2024, 3, 1)) == 500


def test_a_back_dated_revision_keeps_a_later_one_in_force_at_year_end():
    history = TargetHistory.of(500, [])
    assert history.revise(900, D(2024, 9, 1)) == 500
    history.add(D(2024, 9, 1), 1, 900)
    assert history.revise(700, D(2024, 3, 1)) == 500
    history.add(D(2024, 3, 1), 2, 700)
    assert history.year_end(2024) == 900
    assert history.revise(700, D(2024, 6, 30)) is None  # 700 is in force then


@given(
    original=st.integers(0, 10**9),
    changes=st.lists(
        st.tuples(st.dates(D(2024, 1, 1), D(2024, 12, 31)), st.integers(0, 10**9)), max_size=8
    ),
)
def test_revisions_agree_with_the_amount_in_force(original, changes):
    history = TargetHistory.of(original, [])
    kept = []
    for number, (on, amount) in enumerate(changes, start=1):
        before = amount_in_force(original, kept, on)
        in_force = history.revise(amount, on)
        assert in_force == (None if before == amount else before)
        if in_force is not None:
            history.add(on, number, amount)
            kept.append((on, number, amount))
    assert history.year_end(2024) == amount_in_force(original, kept, D(2024, 12, 31))


@pytest.mark.parametrize(
    "values, code",
    [
        ({"stage": "nowhere"}, None),
        ({"level": "galactic"}, None),
        ({"requested": -1}, "requested"),
        ({"approved_amount": -5}, "approved_amount"),
        ({"plan_year": 1999}, "plan_year"),
        ({"plan_year": 2101}, "plan_year"),
    ],
)
def test_it_refuses_a_projects_bad_fields(values, code):
    with pytest.raises(ValidationError) as refused:
        check_project(values)
    assert refused.value.code == code


def test_it_takes_a_projects_good_fields():
    check_project(
        {"stage": Stage.APPLIED, "level": Level.values[0], "requested": 0, "plan_year": 2024}
    )


def test_it_checks_section_and_follow_up_against_the_unit_only_when_given_one():
    unit = SimpleNamespace(pk=1, name="发改委")
    other = SimpleNamespace(section=SimpleNamespace(unit_id=2))
    check_project({"section": other.section})  # the ledger resolved it within the unit
    with pytest.raises(ValidationError) as refused:
        check_project({"section": other.section}, unit=unit)
    assert refused.value.code == "section"
    outsider = SimpleNamespace(membership=SimpleNamespace(unit_id=2))
    with pytest.raises(ValidationError) as refused:
        check_project({"follow_up": outsider}, unit=unit)
    assert refused.value.code == "follow_up"
    member = SimpleNamespace(membership=SimpleNamespace(unit_id=1))
    check_project({"follow_up": member, "section": SimpleNamespace(unit_id=1)}, unit=unit)


def guide(**values):
    return {"title": "指南", "issuer": "省发改委", "level": Level.values[0], **values}


def test_it_takes_a_good_guide():
    check_guide(guide(published_on=D(2024, 3, 1), deadline=D(2024, 3, 1)))


@pytest.mark.parametrize(
    "values, code",
    [
        (guide(level=""), "level"),
        (guide(published_on=D(2024, 3, 2), deadline=D(2024, 3, 1)), "deadline"),
        (guide(title="  "), "title"),
        (guide(issuer=""), "title"),
    ],
)
def test_it_refuses_a_bad_guide(values, code):
    with pytest.raises(ValidationError) as refused:
        check_guide(values)
    assert refused.value.code == code


def test_it_gives_the_next_free_code():
    assert next_free_code("QD", set()) == ("QD001", 1)
    assert next_free_code("QD", {"QD001", "QD003"}) == ("QD004", 4)
    assert next_free_code("QD", {"QD005"}) == ("QD002", 2)
    assert next_free_code("ZN2024-", {"QD001"}, after=6) == ("ZN2024-007", 7)
