from fractions import Fraction

from django import template

from common.money import format_amount, format_wan
from funding.figures import whole_percent

register = template.Library()


@register.filter
def amount(yuan) -> str:
    """10.7亿元 / 3,500万元."""
    return "" if yuan is None else format_amount(int(yuan))


@register.filter
def wan(yuan) -> str:
    return "" if yuan is None else format_wan(int(yuan))


@register.filter
def percent(ratio: Fraction | None) -> str:
    value = whole_percent(ratio)
    return "—" if value is None else f"{value}%"


@register.filter
def percent1(ratio: Fraction | None) -> str:
    """A ratio as a percent with one decimal (time progress: 49.7%)."""
    if ratio is None:
        return "—"
    return f"{float(ratio) * 100:.1f}%"
