"""Assessment rules `default-2` (design §8, third round): the formulas on exact numbers, and the
demo recomputed independently (tests/test_assessment.py's `independent_scores`)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervision.assessment import (
    DEFAULT_1,
    DEFAULT_2,
    Rules,
    bonus,
    funding_score,
    items_score,
    share_ranks,
)

from .test_assessment import _assess, cents, independent_scores

JUNE = Fraction(182, 366)  # time progress on 2024-06-30
rates = st.fractions(min_value=0, max_value=5, max_denominator=10**6)
progresses = st.fractions(min_value=0, max_value=1, max_denominator=1000).filter(lambda p: p > 0)


def test_it_scores_funding_against_time_progress():
    # 36% at 49.73%: 70 × 0.36 × 366 / 182 = 50.6769… → 50.68
    assert funding_score(Fraction(36, 100), DEFAULT_2, JUNE) == Decimal("50.68")
    # ahead of time progress: the whole weight; nothing secured: nothing
    assert funding_score(Fraction(61, 100), DEFAULT_2, JUNE) == Decimal("70.00")
    assert funding_score(Fraction(0), DEFAULT_2, JUNE) == Decimal("0.00")
    # no time has passed yet (by month, in January): money earns the weight
    assert funding_score(Fraction(1, 100), DEFAULT_2, Fraction(0)) == Decimal("70.00")


def test_late_items_count_half_and_no_item_due_is_scored_on_money():
    assert items_score(2, 4, DEFAULT_2, late=1) == Decimal("18.75")  # 30 × 2.5 / 4
    assert items_score(0, 1, DEFAULT_2, late=1) == Decimal("15.00")
    assert items_score(0, 3, DEFAULT_2) == Decimal("0.00")
    # funding 50.68 × 30 / 70 = 21.72; 39.04 × 30 / 70 = 16.7314… → 16.73
    assert items_score(0, 0, DEFAULT_2, funding=Decimal("50.68")) == Decimal("21.72")
    assert items_score(0, 0, DEFAULT_2, funding=Decimal("39.04")) == Decimal("16.73")
    assert items_score(0, 0, DEFAULT_2, funding=Decimal("0.00")) == Decimal("0.00")
    # a copy that gives money no points has nothing to scale
    assert items_score(0, 0, Rules(funding_weight=Fraction(0), method="progress")) == 0


@given(rates)
def test_at_year_end_default_2_funding_equals_default_1(rate):
    assert funding_score(rate, DEFAULT_2, Fraction(1)) == funding_score(rate, DEFAULT_1)
    assert bonus(rate, DEFAULT_2) == bonus(rate, DEFAULT_1)


@given(rates, progresses)
def test_funding_against_progress_is_bounded_and_never_below_default_1(rate, progress):
    score = funding_score(rate, DEFAULT_2, progress)
    assert Decimal(0) <= score <= Decimal(70)
    assert score >= funding_score(rate, DEFAULT_1)
    if rate == 0:
        assert score == 0
    if rate >= progress:
        assert score == Decimal(70)
    else:
        assert score == cents(70 * rate / progress)


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_items_score_is_on_time_plus_half_late_over_due(on_time, late, not_done):
    due = on_time + late + not_done
    score = items_score(on_time, due, DEFAULT_2, late=late, funding=Decimal("12.34"))
    if due == 0:
        assert score == cents(Fraction(1234, 100) * 30 / 70)
        return
    assert score == cents(Fraction(60 * on_time + 30 * late, 2 * due))
    assert Decimal(0) <= score <= Decimal(30)
    # without late items default-2 scores items as default-1 does
    if late == 0:
        assert score == items_score(on_time, due, DEFAULT_1)


@given(st.decimals(min_value=0, max_value=70, places=2))
def test_a_unit_with_no_item_due_keeps_its_money_share(funding):
    score = items_score(0, 0, DEFAULT_2, funding=funding)
    assert score == cents(Fraction(funding) * 30 / 70)
    assert Decimal(0) <= score <= Decimal(30)


def test_the_default_is_default_2_seeded_and_locked(db):
    """As the migrations seed the rules: no data needed."""
    from supervision.assessment import rules_for_year
    from supervision.models import AssessmentRules

    rules = AssessmentRules.objects.get(code="default-2")
    assert rules.locked and rules.method == "progress"
    assert AssessmentRules.objects.get(code="default-1").method == "rate"
    for year in (2023, 2024, 2031):
        assert rules_for_year(year).code == "default-2"
    assert rules_for_year(2024, "default-1").code == "default-1"


def test_a_copy_keeps_the_method_of_its_source(db):
    from common.permissions import Role
    from org.tests.factories import PersonFactory
    from supervision import services
    from supervision.models import AssessmentRules

    cast = {"office": PersonFactory(role=Role.OFFICE)}

    for source, method in (("default-1", "rate"), ("default-2", "progress")):
        copy = services.copy_rules(
            user=cast["office"],
            source=AssessmentRules.objects.get(code=source),
            code=f"copy-of-{source}",
            name="",
            year=None,
        )
        assert copy.method == method


def test_the_demo_mid_year_under_default_2(demo):
    """No 无实绩 unit with no item due outranks a unit with money; every score is §8's."""
    as_of = "2024-06-30"
    result = _assess(as_of)  # no --rules: the default
    assert result["rules_version"] == "default-2"
    assert Decimal(str(result["time_progress"])) == Decimal("0.4973")
    expected = independent_scores(dt.date.fromisoformat(as_of), "default-2")
    assert {u["code"] for u in result["units"]} == set(expected) and len(expected) == 17
    for unit in result["units"]:
        funding, reward, items, total, (on_time, late, due), _secured, _rate = expected[
            unit["code"]
        ]
        assert (unit["items_due"], unit["items_on_time"], unit["items_late"]) == (
            due,
            on_time,
            late,
        ), unit["code"]
        assert all(type(unit[k]) is int for k in ("items_due", "items_on_time", "items_late"))
        assert Decimal(str(unit["funding_score"])) == funding, unit["code"]
        assert Decimal(str(unit["bonus"])) == reward, unit["code"]
        assert Decimal(str(unit["items_score"])) == items, unit["code"]
        assert Decimal(str(unit["total"])) == total, unit["code"]
        assert unit["calculation"][1].startswith("时间进度 = 第182天 ÷ 全年366天 = 49.73%")
        assert unit["calculation"][-1] == f"总分 = {funding} + {reward} + {items} = {total}分"
        if due == 0:
            assert f"按资金得分折算 = 资金得分{funding} × 30.00 ÷ 70.00" in unit["calculation"][4]
        else:
            assert f"逾期完成的牵头事项{late}项" in unit["calculation"][4]
    ranks = {u["code"]: u["rank"] for u in result["units"]}
    assert list(ranks.values()) == share_ranks([Decimal(str(u["total"])) for u in result["units"]])
    with_money = [code for code, row in expected.items() if row[5] > 0]
    idle = [code for code, row in expected.items() if row[5] == 0 and row[4][2] == 0]
    assert with_money and idle
    for code in idle:
        assert all(ranks[code] >= ranks[other] for other in with_money), code
    # the speech's complaint: 住建局 (61%, ahead) below 文旅局 (23%) under default-1
    assert ranks["ZJJ"] < ranks["WLJ"]


def test_at_year_end_the_demo_funding_scores_agree(demo):
    two = {u["code"]: u for u in _assess("2024-12-31")["units"]}
    one = {u["code"]: u for u in _assess("2024-12-31", rules="default-1")["units"]}
    assert set(one) == set(two) and len(one) == 17
    for code, unit in two.items():
        assert unit["funding_score"] == one[code]["funding_score"], code
        assert unit["bonus"] == one[code]["bonus"], code


def test_an_unknown_version_is_refused_by_the_command(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no rules version"):
        _assess("2024-06-30", rules="default-9")
