"""The reporting period (year, as-of date, time-progress mode), parsed and validated here only.

Every page, export, command and API call asks this module for its period; none works out a
year, a date or a mode itself, so two screens never disagree about the same unit.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.dates import DAY, MONTH, DateError, parse_date, time_progress
from common.validation import YEAR_MAX, YEAR_MIN, InputError, check_year, parse_year

# the window lives in common.validation, with every other bound on input
FIRST_YEAR = YEAR_MIN
LAST_YEAR = YEAR_MAX
MODES = (DAY, MONTH)
MODE_CHOICES = [(DAY, gettext_lazy("by day")), (MONTH, gettext_lazy("by month"))]


class PeriodError(InputError):
    """A period that cannot be reported on; the message is for the user."""


@dataclass(frozen=True)
class ReportingPeriod:
    year: int
    as_of: dt.date
    mode: str = DAY

    @property
    def progress(self) -> Fraction:
        """Time progress (时间进度) at the as-of date, exactly."""
        return time_progress(self.as_of, self.mode)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def query(self) -> str:
        """The query string that reopens this period on another page."""
        return f"year={self.year}&as_of={self.as_of.isoformat()}&mode={self.mode}"


def _check_year(year: int) -> int:
    try:
        return check_year(year)
    except InputError as exc:
        raise PeriodError(str(exc)) from None


def _parse_year(value: object) -> int:
    try:
        return parse_year(value)
    except InputError as exc:
        raise PeriodError(str(exc)) from None


def _parse_mode(value: object) -> str:
    if value not in MODES:
        raise PeriodError(_("The time-progress mode must be “day” or “month”."))
    return str(value)


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The as-of date for a year chosen alone: today in the current year, else its last day
    (a past year) or its first (a future one)."""
    today = today or timezone.localdate()
    if year == today.year:
        return today
    return dt.date(year, 12, 31) if year < today.year else dt.date(year, 1, 1)


def office_period() -> ReportingPeriod:
    """The period the office reports on by default (its settings; else today)."""
    from common import stamps
    from org.models import SiteConfig

    # read by nearly every page: kept under the data stamps (exact) rather than queried
    config = stamps.cached("site-config", (), SiteConfig.objects.first, receipts=False)
    mode = config.time_progress_mode if config else DAY
    if config and config.default_as_of:
        return ReportingPeriod(config.default_as_of.year, config.default_as_of, mode)
    if config and config.default_year:
        return ReportingPeriod(config.default_year, default_as_of(config.default_year), mode)
    today = timezone.localdate()
    return ReportingPeriod(today.year, today, mode)


def parse_period(
    year: object = None,
    as_of: object = None,
    mode: object = None,
    *,
    default: ReportingPeriod | None = None,
) -> ReportingPeriod:
    """A period from loose values (query parameters, command options); missing ones come from
    `default` (the office's period). Raises `PeriodError` with a message for the user."""
    default = default or office_period()
    chosen_mode = _parse_mode(mode) if mode not in (None, "") else default.mode
    chosen_year = _parse_year(year) if year not in (None, "") else None
    if as_of not in (None, ""):
        try:
            date = parse_date(str(as_of)[:40])
        except DateError as exc:
            raise PeriodError(str(exc)) from None
        _check_year(date.year)
        if chosen_year is not None and date.year != chosen_year:
            raise PeriodError(
                _("The as-of date %(date)s is not in %(year)s.")
                % {"date": date.isoformat(), "year": chosen_year}
            )
        return ReportingPeriod(date.year, date, chosen_mode)
    if chosen_year is not None:
        return ReportingPeriod(chosen_year, default_as_of(chosen_year), chosen_mode)
    return ReportingPeriod(default.year, default.as_of, chosen_mode)


def period_from_query(params: Mapping) -> tuple[ReportingPeriod, str | None]:
    """The period a page's `year`, `as_of` and `mode` parameters ask for, and the error to show
    when they make no sense (the office's period is used then, never a 500)."""
    default = office_period()
    try:
        return parse_period(
            params.get("year"), params.get("as_of"), params.get("mode"), default=default
        ), None
    except PeriodError as exc:
        return default, str(exc)


def add_period_arguments(parser, *, mode: bool = True) -> None:
    """A command's options for its period, read by `parse_period`: `--year`, `--as-of` and,
    unless `mode` is False, `--mode` (each defaults to the office's period)."""
    parser.add_argument("--year", help="year (default: the as-of date's year)")
    parser.add_argument(
        "--as-of", dest="as_of", help="date, e.g. 2024-06-30 (default: the office's date)"
    )
    if mode:
        parser.add_argument(
            "--mode", choices=MODES, help="time progress by day or by month (default: setting)"
        )


SESSION_KEY = "reporting_period"
PERIOD_PARAMS = ("year", "as_of", "mode")


def period_for_request(request) -> tuple[ReportingPeriod, str | None]:
    """The period a page shows: the one its parameters ask for, else the one this user last
    picked (remembered for the session, so the workbench and the cockpit agree), else the
    office's. A picked period that makes sense is remembered; a bad one is answered with its
    message and changes nothing."""
    remembered = _remembered(request)
    if not any(request.GET.get(name) not in (None, "") for name in PERIOD_PARAMS):
        return remembered or office_period(), None
    default = remembered or office_period()
    try:
        period = parse_period(
            request.GET.get("year"),
            request.GET.get("as_of"),
            request.GET.get("mode"),
            default=default,
        )
    except PeriodError as exc:
        return default, str(exc)
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = [period.year, period.as_of.isoformat(), period.mode]
    return period, None


def _remembered(request) -> ReportingPeriod | None:
    session = getattr(request, "session", None)
    stored = session.get(SESSION_KEY) if session is not None else None
    if not (isinstance(stored, list) and len(stored) == 3):
        return None
    try:
        return parse_period(*stored, default=ReportingPeriod(FIRST_YEAR, dt.date(FIRST_YEAR, 1, 1)))
    except PeriodError:
        return None
