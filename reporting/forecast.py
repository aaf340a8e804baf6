"""Year-end forecast (预计全年, design §3.1): each unit's expected secured amount at
31 December, with an honest low–high range and the method in words.

The rule, for a unit that has secured S by the as-of date D:
- **pace**: S divided by the share of a year's money that had arrived by the same day of the
  previous year — the unit's own share when it received at least `HISTORY_MIN` then, else the
  city's, else time progress (no history: money is assumed to come evenly);
- **pipeline**: approved projects whose money has not arrived (批复未到位), at their approved
  amount (else requested), and projects included in a higher-level plan (纳入计划) at their
  amount in the plan (else requested), less what already arrived on them;
- **forecast** = the larger of pace and S + pipeline, never below S; a unit with no result
  gets its forecast from the pipeline alone, not from a zero pace;
- **range**: low = S + `LOW` × (forecast − S), high = S + `HIGH` × (forecast − S) plus a share
  (`PENDING_SHARE`) of the money requested by projects still under application or review.

Figures come from the one read model (`figures_for`); the rule is the pure function
`forecast_unit`, which the back-test (benchmarks/forecast.py) also runs.
"""

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from common.dates import format_date_long, time_progress
from common.money import format_amount, yuan_to_wan
from common.percent import format_percent
from org.period import ReportingPeriod

from .read_model import SYSTEM, figures_for

HISTORY_MIN = 1_000_000  # 100万元: less than that last year says nothing about seasons
SHARE_BOUNDS = (Fraction(1, 20), Fraction(1))
LOW = Fraction(6, 10)
HIGH = Fraction(14, 10)
PENDING_SHARE = Fraction(1, 4)


@dataclass(frozen=True)
class UnitForecast:
    unit_id: int
    code: str
    name: str
    secured: int  # 元 by the as-of date
    forecast: int  # 元 expected at 31 December
    low: int
    high: int
    basis: "Basis" = field(repr=False, compare=False)
    as_of: dt.date = field(repr=False, compare=False)

    @cached_property
    def method(self) -> str:
        """The method in words, written when read: a province's cockpit shows 50 of 3,000."""
        return describe(self.basis, self.as_of, self.forecast)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "secured_wan": yuan_to_wan(self.secured),
            "forecast_wan": yuan_to_wan(self.forecast),
            "low_wan": yuan_to_wan(self.low),
            "high_wan": yuan_to_wan(self.high),
            "method": self.method,
        }


@dataclass(frozen=True)
class Basis:
    """What the rule knows of one unit."""

    secured: int
    share: Fraction  # of a year's money arrived by the as-of day
    share_source: str  # "own", "city" or "time"
    pipeline: int = 0  # approved, not yet arrived
    pending: int = 0  # requested, under application or review


def forecast_amounts(basis: Basis) -> tuple[int, int, int]:
    """(forecast, low, high) in 元, exactly rounded down; low ≤ forecast ≤ high, all ≥ S."""
    secured = basis.secured
    # share clamped to SHARE_BOUNDS, compared in integers (denominators are positive): a
    # Fraction comparison costs microseconds, and a province's cockpit makes 3,000 of them
    numerator, denominator = basis.share.numerator, basis.share.denominator
    lower, upper = SHARE_BOUNDS
    if numerator * lower.denominator < lower.numerator * denominator:
        numerator, denominator = lower.numerator, lower.denominator
    elif numerator * upper.denominator > upper.numerator * denominator:
        numerator, denominator = upper.numerator, upper.denominator
    forecast = max(_trunc(secured * denominator, numerator), secured + basis.pipeline)
    forecast = max(forecast, secured)
    rest = forecast - secured
    low = secured + _trunc(LOW.numerator * rest, LOW.denominator)
    high = (
        secured
        + _trunc(HIGH.numerator * rest, HIGH.denominator)
        + _trunc(PENDING_SHARE.numerator * basis.pending, PENDING_SHARE.denominator)
    )
    return forecast, low, high


def _trunc(numerator: int, denominator: int) -> int:
    """int(Fraction(numerator, denominator)) for a positive denominator, in integers (3,000
    units' forecasts without building 30,000 Fractions)."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def describe(basis: Basis, as_of: dt.date, forecast: int) -> str:
    """The method in words, with this unit's numbers."""
    day = format_date_long(as_of)
    percent = format_percent(basis.share)
    if basis.share >= 1:
        return _("The year is over: the forecast is what was secured.")
    parts = []
    if basis.secured and basis.share_source == "own":
        parts.append(
            _(
                "Last year this unit had received %(share)s of its year's money by %(day)s; "
                "at that pace %(secured)s becomes %(pace)s."
            )
            % {
                "share": percent,
                "day": day,
                "secured": format_amount(basis.secured),
                "pace": format_amount(int(Fraction(basis.secured) / basis.share)),
            }
        )
    elif basis.secured and basis.share_source == "city":
        parts.append(
            _(
                "Last year the city had received %(share)s of its year's money by %(day)s (this "
                "unit has no history of its own); at that pace %(secured)s becomes %(pace)s."
            )
            % {
                "share": percent,
                "day": day,
                "secured": format_amount(basis.secured),
                "pace": format_amount(int(Fraction(basis.secured) / basis.share)),
            }
        )
    elif basis.secured:
        parts.append(
            _(
                "No history: money is assumed to keep arriving at the pace of time (%(share)s of "
                "the year gone); %(secured)s becomes %(pace)s."
            )
            % {
                "share": percent,
                "secured": format_amount(basis.secured),
                "pace": format_amount(int(Fraction(basis.secured) / basis.share)),
            }
        )
    else:
        parts.append(_("Nothing secured yet, so no pace: only approved projects count."))
    if basis.pipeline:
        parts.append(
            _("Approved or plan-included projects whose money has not arrived: %(amount)s.")
            % {"amount": format_amount(basis.pipeline)}
        )
    parts.append(
        _(
            "The forecast is the larger of the pace and secured plus approved (%(forecast)s); the "
            "range runs from 60%% to 140%% of the money still expected, plus a quarter of the "
            "money requested by projects under application or review."
        )
        % {"forecast": format_amount(forecast)}
    )
    from django.utils.translation import get_language

    # Chinese sentences follow each other without a space
    return ("" if (get_language() or "zh").startswith("zh") else " ").join(parts)


# --- from the database ------------------------------------------------------------------


def _same_day_last_year(as_of: dt.date) -> dt.date:
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return dt.date(as_of.year - 1, 2, 28)


def _history_shares(unit_ids, as_of: dt.date) -> tuple[dict[int, Fraction], Fraction | None]:
    """Per unit and for the city: the share of last year's money that had arrived by the
    same day. Two aggregate queries."""
    from funding.models import Receipt

    previous = as_of.year - 1
    by_day = _same_day_last_year(as_of)
    rows = (
        Receipt.objects.in_year(previous)
        .filter(unit_id__in=unit_ids)
        .values("unit_id")
        .annotate(
            total=Sum("amount"),
            early=Coalesce(Sum("amount", filter=Q(received_on__lte=by_day)), 0),
        )
        .values_list("unit_id", "total", "early")
    )
    shares, city_total, city_early = {}, 0, 0
    for unit_id, total, early in rows:
        city_total += total
        city_early += early
        if total >= HISTORY_MIN and early > 0:
            shares[unit_id] = Fraction(early, total)
    city = Fraction(city_early, city_total) if city_total >= HISTORY_MIN and city_early else None
    return shares, city


def _pipelines(unit_ids, as_of: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """(approved and not arrived, requested and pending) per unit in 元, with each project at
    the stage it had on the as-of date (its stage history), so a forecast can be reproduced.
    `unit_ids`: ids or a subquery. One query: the stage on the day and the money arrived by it
    are read per project in the database, so a province's 30,000 projects never travel."""
    from django.db.models import OuterRef, Subquery

    from funding.choices import Stage
    from funding.models import Project, ProjectStageChange, Receipt

    stage_on = (
        ProjectStageChange.objects.filter(project=OuterRef("pk"), changed_on__lte=as_of)
        .order_by("-changed_on", "-pk")
        .values("to_stage")[:1]
    )
    arrived = (
        Receipt.objects.filter(project=OuterRef("pk"), received_on__lte=as_of)
        .arrived_per_project()
        .values("total")
    )
    approved: dict[int, int] = {}
    pending: dict[int, int] = {}
    for unit_id, stage, amount, requested, got in (
        Project.objects.filter(
            unit_id__in=unit_ids,
            # only a project moved into the pipeline by then can be in it (most never were):
            # the stage on the day is then looked up for a few rows, not for every project
            pk__in=ProjectStageChange.objects.filter(
                changed_on__lte=as_of, to_stage__in=PIPELINE_STAGES
            ).values("project_id"),
        )
        .annotate(
            stage_on=Subquery(stage_on),
            amount=Coalesce(F("approved_amount"), F("included_amount"), F("requested"), 0),
            arrived=Coalesce(Subquery(arrived), 0),
        )
        .order_by()
        .values_list("unit_id", "stage_on", "amount", "requested", "arrived")
    ):
        # (the stage on the day is compared here: in the query's WHERE, PostgreSQL would look
        # it up for every project before narrowing them down)
        if stage not in PIPELINE_STAGES:
            continue
        if stage in (Stage.APPROVED, Stage.INCLUDED):  # money planned by the higher level
            approved[unit_id] = approved.get(unit_id, 0) + max(0, amount - got)
        else:
            pending[unit_id] = pending.get(unit_id, 0) + (requested or 0)
    return approved, pending


PIPELINE_STAGES = {"applied", "in_review", "included", "approved"}


def forecasts_for(
    viewer, period: ReportingPeriod, *, unit_ids=None, figures=None
) -> list[UnitForecast]:
    """The forecast of every unit line the viewer reads in `period` (same lines as
    `figures_for`), in the league's order. A bounded number of queries. `figures`: the
    page's own `figures_for(viewer, period, unit_ids=unit_ids)`, when it has them already."""
    if figures is None:
        figures = figures_for(viewer, period, unit_ids=unit_ids)
    ids = [u.unit_id for u in figures.units]
    if not ids:
        return []
    # the table's units as a subquery (the same set as `ids`): 3,000 ids never travel
    league = figures.league if figures.league is not None else ids
    shares, city = figures.league_wide(
        "forecast-shares", lambda: _history_shares(league, period.as_of)
    )
    approved, pending = figures.league_wide(
        "forecast-pipelines", lambda: _pipelines(league, period.as_of)
    )
    time_share = time_progress(period.as_of)  # by day, whatever the period's mode
    year_over = period.as_of >= dt.date(period.year, 12, 31)
    out = []
    for line in figures.units:
        if line.unit_id in shares:
            share, source = shares[line.unit_id], "own"
        elif city is not None:
            share, source = city, "city"
        else:
            share, source = time_share, "time"
        basis = Basis(
            secured=line.secured,
            share=Fraction(1) if year_over else share,
            share_source=source,
            # money still to come counts only while the year is not over
            pipeline=0 if year_over else approved.get(line.unit_id, 0),
            pending=0 if year_over else pending.get(line.unit_id, 0),
        )
        forecast, low, high = forecast_amounts(basis)
        out.append(
            UnitForecast(
                unit_id=line.unit_id,
                code=line.code,
                name=line.name,
                secured=line.secured,
                forecast=forecast,
                low=low,
                high=high,
                basis=basis,
                as_of=period.as_of,
            )
        )
    return out


def city_forecast(forecasts: list[UnitForecast]) -> tuple[int, int, int, int]:
    """(secured, forecast, low, high) summed over the units."""
    return (
        sum(f.secured for f in forecasts),
        sum(f.forecast for f in forecasts),
        sum(f.low for f in forecasts),
        sum(f.high for f in forecasts),
    )


def forecast_json(period: ReportingPeriod, viewer=SYSTEM) -> dict:
    """The `forecast --format json` contract of design §5."""
    units = forecasts_for(viewer, period)
    return {
        "year": period.year,
        "as_of": period.as_of.isoformat(),
        "units": [f.as_json() for f in units],
    }


def forecast_context(
    viewer, period: ReportingPeriod, *, unit_ids=None, figures=None
) -> dict | None:
    """What the cockpit and the unit page show: the total (when several units), each line,
    and the method in words. None when the viewer reads no figures in the period."""
    forecasts = forecasts_for(viewer, period, unit_ids=unit_ids, figures=figures)
    if not forecasts:
        return None
    secured, forecast, low, high = city_forecast(forecasts)
    return {
        "units": forecasts,
        "single": forecasts[0] if len(forecasts) == 1 else None,
        "secured": secured,
        "forecast": forecast,
        "low": low,
        "high": high,
        "rule": _(
            "Each unit's pace: what it has secured, divided by the share of a year's money it "
            "(else the city) had received by this day last year — or, with no history, by time "
            "progress; at least what is secured plus approved projects whose money has not "
            "arrived. The range runs from 60% to 140% of the money still expected, plus a "
            "quarter of the money requested by projects under application or review."
        ),
    }
