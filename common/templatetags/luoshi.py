"""Template filters for figures: amounts in 万元/亿元 and percents (from `common.percent`)."""

from decimal import Decimal
from fractions import Fraction

from django import template

from common.money import format_amount, format_wan
from common.percent import progress_text, rate_text

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
def percent(value: Fraction | Decimal | float | int | None) -> str:
    """A completion rate (0.51) → "51%"; a dash for None (no target to measure against)."""
    return rate_text(value)


@register.filter
def percent1(ratio: Fraction | None) -> str:
    """Time progress with one decimal (49.7%), as every page shows it."""
    return progress_text(ratio)
