"""Money: parsed from what people type, stored as integer 元, shown as 万元/亿元.

Amounts are integers of 元 everywhere inside Luoshi. Conversions go through `Decimal` so a
typed "1.2亿" or a spreadsheet float never passes through binary floating point.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

YUAN_PER_WAN = 10_000
YUAN_PER_YI = 100_000_000

_UNITS = {"亿": YUAN_PER_YI, "万": YUAN_PER_WAN, "元": 1}
_TOO_LARGE = Decimal(10) ** 17
_AMOUNT = re.compile(r"^(?P<sign>[-+]?)(?P<number>\d+(?:\.\d+)?)(?P<unit>亿|万|元)?$")


class AmountError(ValueError):
    """A text that is not an amount of money; the message is for the user."""


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, dots, commas and spaces to ASCII.
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = text.replace(",", "").replace("，", "")
    for suffix in ("万元", "亿元"):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + suffix[0]
    if text.endswith("人民币"):
        text = text[: -len("人民币")]
    return text


def parse_amount(value: object, default_unit: str = "万") -> int:
    """Parse an amount into integer 元; bare numbers are in `default_unit` (万元 by default).

    Accepts `1.2亿`, `3,500`, `８０００万`, `12345元`, ints, Decimals and spreadsheet floats.
    Negative amounts and fractions of a 元 are refused.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError(_("Amount is empty."))
    if isinstance(value, int):
        number, unit = Decimal(value), default_unit
    elif isinstance(value, float | Decimal):
        # repr() of a float is the shortest text that round-trips, i.e. what the cell showed.
        number, unit = Decimal(repr(value) if isinstance(value, float) else value), default_unit
        if not number.is_finite():
            raise AmountError(_("Amount is not a number."))
    else:
        text = _normalise(str(value))
        if not text:
            raise AmountError(_("Amount is empty."))
        match = _AMOUNT.match(text)
        if not match:
            raise AmountError(
                _("“%(text)s” is not an amount; write e.g. 3500, 1.2亿 or 8000万.")
                % {"text": value}
            )
        number = Decimal(match["sign"] + match["number"])
        unit = match["unit"] or default_unit
    if number < 0:
        raise AmountError(_("Amount must not be negative."))
    try:
        yuan = number * _UNITS[unit]
    except InvalidOperation:
        raise AmountError(_("Amount is too large.")) from None
    if yuan != yuan.to_integral_value():
        raise AmountError(_("Amount must be a whole number of 元 (at most 4 decimals in 万元)."))
    if yuan >= _TOO_LARGE:
        raise AmountError(_("Amount is too large."))
    return int(yuan)


def yuan_to_wan(yuan: int) -> Decimal:
    """Exact 万元 value of an amount in 元 (up to 4 decimals, no trailing zeros)."""
    wan = Decimal(yuan) / YUAN_PER_WAN
    return wan.quantize(Decimal(1)) if wan == wan.to_integral_value() else wan.normalize()


def _group(number: Decimal, places: int) -> str:
    quantised = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{quantised:,.{places}f}"


def format_amount(yuan: int) -> str:
    """Display rule of design §3: 亿元 with one decimal at or above 1亿, else 万元."""
    if (get_language() or "").startswith("en"):
        return format_amount_english(yuan)
    if abs(yuan) >= YUAN_PER_YI:
        return _("%(amount)s亿元") % {"amount": _group(Decimal(yuan) / YUAN_PER_YI, 1)}
    return _("%(amount)s万元") % {"amount": format_wan(yuan)}


def format_amount_english(yuan: int) -> str:
    """The same figure as `format_amount`, rounded alike, as an English reader says it:
    2.2亿元 is "220 million yuan", 10.7亿元 "1.07 billion yuan", 1,456.28万元 "14,562,800 yuan"."""
    if abs(yuan) >= YUAN_PER_YI:
        tenths_of_yi = (Decimal(yuan) / YUAN_PER_YI).quantize(Decimal("0.1"), ROUND_HALF_UP)
        millions = tenths_of_yi * 100
        if abs(millions) >= 1000:
            billions = (millions / 1000).normalize()
            return f"{billions:,f} billion yuan"
        return f"{millions:,.0f} million yuan"
    wan = (Decimal(yuan) / YUAN_PER_WAN).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{wan * YUAN_PER_WAN:,.0f} yuan"


def format_wan(yuan: int, places: int = 2) -> str:
    """万元 with thousands separators and at most `places` decimals, trailing zeros dropped."""
    text = _group(Decimal(yuan) / YUAN_PER_WAN, places)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
