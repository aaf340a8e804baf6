from fractions import Fraction

from common.templatetags.luoshi import amount, percent, wan


def test_amount_and_wan():
    assert wan(35_000_000) == "3,500"
    assert amount(None) == ""
    assert wan(None) == ""


def test_percent_rounds_half_up():
    assert percent(0.505) == "51%"
    assert percent(None) == "—"
    assert percent(1) == "100%"


def test_percent_of_fraction():
    assert percent(Fraction(51, 100)) == "51%"
    assert percent(Fraction(1, 3)) == "33%"
