from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from funding.choices import Status
from funding.rules import classify_unit, completion_rate, whole_percent

HALF_YEAR = Fraction(182, 366)


def test_a_rate_exactly_at_time_progress_is_ahead():
    assert classify_unit(182, 366, HALF_YEAR) == Status.AHEAD
    assert classify_unit(181, 366, HALF_YEAR) == Status.BEHIND


def test_exactly_one_hundred_percent_is_completed():
    assert classify_unit(30_000, 30_000, HALF_YEAR) == Status.COMPLETED
    assert classify_unit(29_999, 30_000, HALF_YEAR) == Status.AHEAD


def test_nothing_secured_is_no_result_even_without_target():
    assert classify_unit(0, 10_000, HALF_YEAR) == Status.NONE
    assert classify_unit(0, 0, HALF_YEAR) == Status.NONE
    assert classify_unit(5, 0, HALF_YEAR) == Status.COMPLETED
    assert completion_rate(5, 0) is None


@given(
    secured=st.integers(min_value=0, max_value=10**12),
    target=st.integers(min_value=1, max_value=10**12),
    day=st.integers(min_value=1, max_value=366),
)
def test_classification_follows_the_rule_exactly(secured, target, day):
    progress = Fraction(day, 366)
    status = classify_unit(secured, target, progress)
    rate = Fraction(secured, target)
    if secured == 0:
        assert status == Status.NONE
    elif rate >= 1:
        assert status == Status.COMPLETED
    elif rate >= progress:
        assert status == Status.AHEAD
    else:
        assert status == Status.BEHIND


def test_whole_percent_rounds_half_up():
    assert whole_percent(Fraction(107000, 209800)) == 51
    assert whole_percent(Fraction(1, 200)) == 1
    assert whole_percent(Fraction(1, 201)) == 0
    assert whole_percent(None) is None


def test_the_bulletin_sentence_follows_the_language():
    import datetime as dt

    from django.utils import translation

    from funding.rules import Summary, UnitFigures, bulletin_sentence

    summary = Summary(
        2024,
        dt.date(2024, 6, 30),
        HALF_YEAR,
        [
            UnitFigures(1, "A", "甲", 100_000_000, 120_000_000, HALF_YEAR),
            UnitFigures(2, "B", "乙", 100_000_000, 0, HALF_YEAR),
        ],
    )
    with translation.override("zh-hans"):
        assert bulletin_sentence(summary).startswith(
            "截至2024年6月30日，全市累计完成对上争取资金1.2亿元，占全年计划的60%。2个任务部门中，完成全年任务的1家"
        )
    with translation.override("en"):
        assert bulletin_sentence(summary).startswith("As of 30 June 2024, the city has secured")
