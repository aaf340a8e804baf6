from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common.money import AmountError, format_amount, format_wan, parse_amount, yuan_to_wan


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("1.2亿", 120_000_000),
        ("1.2亿元", 120_000_000),
        ("3,500", 35_000_000),  # bare numbers are 万元
        ("８０００万", 80_000_000),  # full-width digits
        ("８，０００", 80_000_000),
        ("12345元", 12_345),
        (" 0.5 万元 ", 5_000),
        ("10.7亿", 1_070_000_000),
        ("1234.5678", 12_345_678),
        (3500, 35_000_000),
        (3500.5, 35_005_000),
        (Decimal("0.0001"), 1),
    ],
)
def test_it_parses_amounts_as_people_write_them(text, yuan):
    assert parse_amount(text) == yuan


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.2.3亿", "1亿万", "0.00001", "1e5", None])
def test_it_refuses_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_it_uses_the_default_unit_for_bare_numbers():
    assert parse_amount("500", default_unit="元") == 500


@given(st.integers(min_value=0, max_value=10**15))
def test_it_round_trips_any_whole_yuan_amount_through_wan_text(yuan):
    assert parse_amount(f"{yuan_to_wan(yuan)}") == yuan
    assert parse_amount(f"{yuan}元") == yuan


@given(st.integers(min_value=0, max_value=10**8), st.sampled_from(["万", "亿", "元", ""]))
def test_it_accepts_thousands_separators_and_full_width(number, unit):
    plain = parse_amount(f"{number}{unit}")
    grouped = f"{number:,}{unit}"
    full_width = grouped.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert parse_amount(grouped) == plain == parse_amount(full_width)


def test_it_displays_yi_at_or_above_one_yi_and_wan_below():
    assert format_amount(1_070_000_000) == "10.7亿元"
    assert format_amount(100_000_000) == "1.0亿元"
    assert format_amount(99_990_000) == "9,999万元"
    assert format_amount(35_000_000) == "3,500万元"
    assert format_amount(125_000) == "12.5万元"
    assert format_amount(0) == "0万元"


def test_it_rounds_yi_half_up():
    assert format_amount(1_065_000_000) == "10.7亿元"
    assert format_amount(1_064_999_999) == "10.6亿元"
    assert format_wan(12_345) == "1.23"


@pytest.mark.parametrize(
    "yuan, english",
    [
        (1_070_000_000, "1.07 billion yuan"),
        (1_000_000_000, "1 billion yuan"),
        (10_000_000_000, "10 billion yuan"),
        (220_000_000, "220 million yuan"),
        (1_064_999_999, "1.06 billion yuan"),  # rounded as 10.6亿元
        (100_000_000, "100 million yuan"),
        (99_990_000, "99,990,000 yuan"),
        (14_562_800, "14,562,800 yuan"),
        (125_049, "125,000 yuan"),  # rounded as 12.5万元
        (0, "0 yuan"),
    ],
)
def test_english_amounts_are_the_same_figures_in_english_words(yuan, english):
    with translation.override("en"):
        assert format_amount(yuan) == english
    with translation.override("zh-hans"):
        assert "元" in format_amount(yuan)
