"""Exact rounding and percentages: the one formatter (design §3, §10).

Every page, export, document, command and API answer that shows a ratio as a percent goes
through here, so the same ratio reads the same everywhere (time progress on 2024-06-30 is
49.7% on the cockpit, in the lag list and in the bulletin alike). Rounding is half up on the
exact value (a `Fraction`), never on a binary float.

Two precisions, each with its name:
- a completion rate (and any other share of a plan) is shown as a whole percent, the
  bulletin's rule of design §3: `rate_text` ("51%");
- time progress is shown with one decimal: `progress_text` ("49.7%").
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

#: decimals of a completion rate (design §3: bulletin percentages as whole percent)
RATE_PLACES = 0
#: decimals of time progress (182/366 → 49.7%)
PROGRESS_PLACES = 1
#: what a ratio that does not exist (no target to measure against) reads as
NO_RATIO = "—"


def as_fraction(value: Fraction | Decimal | int | float) -> Fraction:
    """A number as an exact fraction; a float is read as the text it prints as (0.505 is
    505/1000, not the binary value just below it)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(str(value))
    return Fraction(value)


def half_up(value: Fraction | Decimal | int | float, places: int = 2) -> Decimal:
    """An exact value rounded half up to `places` decimals."""
    exact = as_fraction(value)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def ratio_decimal(ratio: Fraction | None, places: int = 4) -> Decimal | None:
    """A ratio as a decimal number (JSON: 0.5577), half up; None stays None."""
    return None if ratio is None else half_up(ratio, places)


def percent_value(ratio: Fraction | Decimal | int | float | None, places: int) -> Decimal | None:
    """A ratio as a number of percent with `places` decimals, half up (0.49726… → 49.7)."""
    return None if ratio is None else half_up(as_fraction(ratio) * 100, places)


def whole_percent(ratio: Fraction | None) -> int | None:
    """A ratio as a whole percent, half up (bulletin style: 51)."""
    value = percent_value(ratio, 0)
    return None if value is None else int(value)


def format_percent(ratio: Fraction | Decimal | int | float | None, places: int = 0) -> str:
    """A ratio as a percent text with `places` decimals ("51%", "49.7%", "55.77%")."""
    value = percent_value(ratio, places)
    return NO_RATIO if value is None else f"{value}%"


def rate_text(ratio: Fraction | Decimal | int | float | None) -> str:
    """A completion rate (or any share of a plan) as the bulletin and the cockpit show it."""
    return format_percent(ratio, RATE_PLACES)


def progress_text(ratio: Fraction | Decimal | int | float | None) -> str:
    """Time progress as every page shows it (one decimal)."""
    return format_percent(ratio, PROGRESS_PLACES)


def chart_percent(ratio: Fraction | Decimal | int | float | None, places: int = 1) -> float:
    """A ratio as a number of percent for a chart's data (a float: charts take numbers);
    rounded here, half up, so the chart's label reads as the page's text."""
    value = percent_value(ratio, places)
    return 0.0 if value is None else float(value)
