"""The rules of the figures leaders quote (design §3): pure functions on exact numbers, no
database. The read model that feeds them for a viewer and a period is reporting/read_model.py."""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.utils.translation import gettext as _

from common.dates import format_date_long
from common.money import format_amount, yuan_to_wan

# the one percent formatter (design §10); the names stay importable from here
from common.percent import ratio_decimal, whole_percent  # noqa: F401

from .choices import Status


def completion_rate(secured: int, target: int) -> Fraction | None:
    """Secured / target, exactly; None when there is no target to measure against."""
    if target <= 0:
        return None
    return Fraction(secured, target)


def amount_in_force(
    original: int, revisions: Iterable[tuple[dt.date, int, int]], on: dt.date
) -> int:
    """The target in force on `on` (design §3.1).

    `original` is the amount the target was set with, in force from 1 January; `revisions`
    are (effective date, order, new amount), where order (the revision's id) breaks ties
    between revisions effective on the same day: the later one wins. The latest revision
    effective on or before `on` gives the amount; before any, the original does.
    """
    best: tuple[dt.date, int] | None = None
    amount = original
    for effective_on, order, new_amount in revisions:
        if effective_on <= on and (best is None or (effective_on, order) > best):
            best, amount = (effective_on, order), new_amount
    return amount


def classify_unit(secured: int, target: int, progress: Fraction) -> Status:
    """Standing of a task department: completed, ahead, behind or no result.

    A rate exactly equal to time progress is ahead; exactly 100% is completed.
    """
    if secured <= 0:
        return Status.NONE
    # secured / target compared in integers (the same answer as with Fractions, cheaper:
    # a province's league classifies thousands of units a page)
    if target <= 0 or secured >= target:
        return Status.COMPLETED
    if secured * progress.denominator >= progress.numerator * target:
        return Status.AHEAD
    return Status.BEHIND


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    code: str
    name: str
    target: int
    secured: int
    progress: Fraction

    # computed once per line: a province's league reads them thousands of times a page
    @cached_property
    def rate(self) -> Fraction | None:
        return completion_rate(self.secured, self.target)

    @cached_property
    def status(self) -> Status:
        return classify_unit(self.secured, self.target, self.progress)

    @cached_property
    def gap_to_progress(self) -> int:
        """元 still needed to reach time progress (0 when at or above it)."""
        needed = self.progress * self.target - self.secured
        return max(0, int(needed) + (1 if needed != int(needed) else 0))


@dataclass
class Summary:
    year: int
    as_of: dt.date
    progress: Fraction
    units: list[UnitFigures] = field(default_factory=list)

    # computed once (the units are given when the summary is made and never change)
    @cached_property
    def target(self) -> int:
        return sum(u.target for u in self.units)

    @cached_property
    def secured(self) -> int:
        return sum(u.secured for u in self.units)

    @property
    def rate(self) -> Fraction | None:
        return completion_rate(self.secured, self.target)

    @cached_property
    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        for unit in self.units:
            counts[unit.status.value] += 1
        return counts

    def as_json(self) -> dict:
        """The `summary --format json` contract of design §5."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "time_progress": ratio_decimal(self.progress),
            "target_wan": yuan_to_wan(self.target),
            "secured_wan": yuan_to_wan(self.secured),
            "completion_rate": ratio_decimal(self.rate),
            "counts": {k: self.counts[k] for k in ("completed", "ahead", "behind", "none")},
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "target_wan": yuan_to_wan(u.target),
                    "secured_wan": yuan_to_wan(u.secured),
                    "completion_rate": ratio_decimal(u.rate),
                    "status": u.status.value,
                }
                for u in self.units
            ],
        }


def bulletin_sentence(summary: Summary) -> str:
    """The headline sentence of a bulletin, as the speech says it."""
    counts = summary.counts
    return _(
        "As of %(date)s, the city has secured %(secured)s of higher-level funds in total, "
        "%(percent)s%% of the annual plan. Of %(units)s task departments, %(completed)s completed "
        "the annual target, %(ahead)s are ahead of time progress, %(behind)s are behind time "
        "progress and %(none)s have no result."
    ) % {
        "date": format_date_long(summary.as_of),
        "secured": format_amount(summary.secured),
        "percent": whole_percent(summary.rate) or 0,
        "units": len(summary.units),
        "completed": counts["completed"],
        "ahead": counts["ahead"],
        "behind": counts["behind"],
        "none": counts["none"],
    }


class FiguresEncoder(json.JSONEncoder):
    """Decimals as JSON numbers: integers when whole, else their exact decimal digits."""

    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(str(o))
        return super().default(o)
