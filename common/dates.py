"""Dates: time progress, tolerant date parsing and the statutory working-day calendar."""

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _

DAY = "day"
MONTH = "month"
EXCEL_EPOCH = dt.date(1899, 12, 30)


def time_progress(on: dt.date, mode: str = DAY) -> Fraction:
    """Share of the year elapsed at the end of `on` (design §3), exactly.

    By day: day-of-year / days-in-year (2024-06-30 → 182/366). By month: completed months / 12,
    a month counting as complete on its last day.
    """
    if mode == DAY:
        days = 366 if calendar.isleap(on.year) else 365
        return Fraction(on.timetuple().tm_yday, days)
    if mode == MONTH:
        last_day = calendar.monthrange(on.year, on.month)[1]
        months = on.month if on.day == last_day else on.month - 1
        return Fraction(months, 12)
    raise ValueError(f"unknown time progress mode {mode!r}")


class DateError(ValueError):
    """A text that is not a date; the message is for the user."""


_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


def parse_date(value: object) -> dt.date:
    """Parse a date as people and spreadsheets write it.

    Accepts `date`/`datetime`, Excel serial numbers, `2024-06-30`, `2024/6/30`, `2024.6.30`,
    `2024年6月30日` and `20240630`; refuses impossible dates such as `2024-02-30`.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) and value % 1 > 1e-6:
            raise DateError(_("“%(text)s” is not a date.") % {"text": value})
        if not 1 <= value < 2958466:
            raise DateError(_("“%(text)s” is not a date.") % {"text": value})
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise DateError(_("Date is empty."))
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise DateError(_("“%(text)s” is not a real date.") % {"text": value}) from None
    raise DateError(
        _("“%(text)s” is not a date; write e.g. 2024-06-30 or 2024年6月30日.") % {"text": value}
    )


def format_date_zh(on: dt.date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def format_date_long(on: dt.date) -> str:
    """A date as a sentence writes it: 2024年6月30日 in Chinese, 30 June 2024 in English."""
    from django.utils.translation import get_language

    if (get_language() or "zh-hans").startswith("zh"):
        return format_date_zh(on)
    return f"{on.day} {on:%B} {on.year}"


@dataclass
class WorkCalendar:
    """Statutory working days: weekday default, overridden by holidays and make-up days.

    `overrides` maps a date to whether it is a working day where that differs from Mon–Fri;
    `known_years` are the years whose State Council notice has been entered. Dates in other
    years fall back to Mon–Fri and are collected in `unknown_years`, so callers can warn.
    """

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    known_years: set[int] = field(default_factory=set)
    unknown_years: set[int] = field(default_factory=set)

    def is_workday(self, on: dt.date) -> bool:
        if on.year not in self.known_years:
            self.unknown_years.add(on.year)
        if on in self.overrides:
            return self.overrides[on]
        return on.weekday() < 5

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The date `count` working days after `start` (before it when negative)."""
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining, day = abs(count), start
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        if end <= start:
            return 0
        return sum(
            1
            for n in range(1, (end - start).days + 1)
            if self.is_workday(start + dt.timedelta(days=n))
        )

    def warning(self) -> str | None:
        if not self.unknown_years:
            return None
        years = "、".join(str(y) for y in sorted(self.unknown_years))
        return _(
            "No holiday calendar has been entered for %(years)s; weekends only are assumed "
            "(Mon–Fri working days). Ask the supervision office to enter the State Council notice."
        ) % {"years": years}
