"""Template filters for figures: amounts in 万元/亿元 and whole percents."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django import template

from common.money import format_amount, format_wan

register = template.Library()


@register.filter
def amount(value: int | None) -> str:
    """Integer 元 → "1.07亿元" / "3,500万元"; empty for None."""
    return "" if value is None else format_amount(value)


@register.filter
def wan(value: int | None) -> str:
    """Integer 元 → number of 万元 with thousands separators; empty for None."""
    return "" if value is None else format_wan(value)


@register.filter
def percent(value: Fraction | float | int | None) -> str:
    """A ratio (0.51) → "51%"; a dash for None (no target to measure against)."""
    if value is None:
        return "—"
    ratio = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    whole = (Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return f"{whole}%"


@register.filter
def percent1(ratio: Fraction | None) -> str:
    """A ratio as a percent with one decimal (time progress: 49.7%)."""
    return "—" if ratio is None else f"{float(ratio) * 100:.1f}%"
