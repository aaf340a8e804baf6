"""The read model: figures for this viewer for this period (design §3.1).

The cockpit, the unit pages, the workbench, the lists that show figures, the JSON API, the
`summary` command, the ledger page (and bulletins, assessment and forecasts) all call
`figures_for`; nothing else adds up receipts against targets.

Who sees what: the city totals and the league table (every task department's target, secured,
rate and status) are what a bulletin publishes, so the office and every leader see them. A unit
sees its own line. The records behind a line and the drill-down follow `visible_to`: a link is
offered only where it opens.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Sum
from django.db.models.functions import ExtractMonth

from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from funding.figures import Summary, UnitFigures
from funding.models import Receipt, Target
from funding.querysets import doubtful_claims
from org.models import Unit

from .period import ReportingPeriod

#: `figures_for(SYSTEM, …)`: the figures as a command prints them, for the whole city
SYSTEM = object()


@dataclass
class Figures:
    """What one viewer may read of one period's figures."""

    period: ReportingPeriod
    summary: Summary
    #: units whose drill-down and records the viewer may open (None: every unit)
    openable: frozenset[int] | None = None
    #: the viewer's own units: a leader's overseen units, a unit's own
    own: frozenset[int] = frozenset()
    #: the units counted in the figures (the league's task departments)
    unit_ids: list[int] = field(default_factory=list)
    #: whether the viewer reads the whole league (the office, leaders, commands)
    whole_league: bool = False

    @property
    def units(self) -> list[UnitFigures]:
        return self.summary.units

    def can_open(self, unit_id: int) -> bool:
        return self.openable is None or unit_id in self.openable

    def unit(self, unit_id: int) -> UnitFigures | None:
        return next((u for u in self.summary.units if u.unit_id == unit_id), None)

    def ranked(self) -> list[UnitFigures]:
        """The viewer's own units first, then by completion rate, best first."""
        return sorted(
            self.summary.units,
            key=lambda u: (u.unit_id not in self.own, u.rate is None, -(u.rate or 0)),
        )

    @cached_property
    def doubtful_claims(self) -> list[dict]:
        """文号 recorded by several units in the period and not confirmed by the office (待核实):
        all of them for the league's readers, those involving its own unit for a unit."""
        return doubtful_claims(
            self.period.year,
            self.period.as_of,
            unit_ids=None if self.whole_league else self.unit_ids,
        )

    def as_json(self) -> dict:
        """The `summary --format json` contract of design §5."""
        return {
            **self.summary.as_json(),
            "doubtful_claims": [
                {"doc_no": c["doc_no"], "units": c["units"], "amount_wan": c["amount_wan"]}
                for c in self.doubtful_claims
            ],
        }

    # --- series, counted over exactly the units of the table ---

    def _receipts(self, unit_ids=None):
        ids = self.unit_ids if unit_ids is None else [i for i in unit_ids if i in self.unit_ids]
        return Receipt.objects.in_year(self.period.year, self.period.as_of).filter(unit_id__in=ids)

    def secured_by_month(self, unit_ids=None) -> list[int]:
        """元 secured in each month of the year up to the as-of date (12 entries)."""
        totals = dict(
            self._receipts(unit_ids)
            .annotate(month=ExtractMonth("received_on"))
            .values("month")
            .annotate(total=Sum("amount"))
            .values_list("month", "total")
        )
        return [int(totals.get(month) or 0) for month in range(1, 13)]

    def secured_by(self, field_name: str, unit_ids=None) -> list[tuple[str, int]]:
        """Totals grouped by `field_name` (e.g. "channel__name", "level"), largest first."""
        rows = (
            self._receipts(unit_ids)
            .values(field_name)
            .annotate(total=Sum("amount"))
            .order_by("-total", field_name)
        )
        return [(row[field_name] or "", int(row["total"])) for row in rows]


def _league_scope(viewer) -> tuple[bool, frozenset[int] | None, frozenset[int]]:
    """(sees the whole league, units it may open (None: all), its own units)."""
    if viewer is SYSTEM:
        return True, None, frozenset()
    role = role_of(viewer)
    if role == Role.OFFICE:
        return True, None, frozenset()
    if role == Role.LEADER:
        leader = getattr(viewer, "leader", None)
        own = frozenset(leader.oversees.values_list("pk", flat=True)) if leader else frozenset()
        openable = frozenset(Unit.objects.visible_to(viewer).values_list("pk", flat=True))
        return True, openable, own
    if role in UNIT_ROLES:
        own = frozenset({unit_id_of(viewer)})
        return False, own, own
    return False, frozenset(), frozenset()  # administrators and strangers: no figures


def figures_for(viewer, period: ReportingPeriod, *, unit_ids=None) -> Figures:
    """Figures of design §3 for `viewer` (a user, or `SYSTEM`) in `period`.

    Every task department (unit with a target in the year) is a line of the league; a unit
    viewer gets its own line only; `unit_ids` narrows further (a drill-down). Two aggregate
    queries whatever the number of units.
    """
    whole_league, openable, own = _league_scope(viewer)
    targets = Target.objects.filter(year=period.year)
    if not whole_league:
        targets = targets.filter(unit_id__in=list(openable or ()))
    if unit_ids is not None:
        targets = targets.filter(unit_id__in=list(unit_ids))
    # each unit's target as it stood on the as-of date: a later raise never rewrites the past
    rows = list(
        targets.in_force_on(period.as_of)
        .values_list("unit_id", "unit__code", "unit__name", "in_force")
        .order_by("unit__sort_order", "unit__code")
    )
    ids = [row[0] for row in rows]
    secured = (
        dict(
            Receipt.objects.in_year(period.year, period.as_of)
            .filter(unit_id__in=ids)
            .values("unit_id")
            .annotate(total=Sum("amount"))
            .values_list("unit_id", "total")
        )
        if rows
        else {}
    )
    progress = period.progress
    summary = Summary(
        year=period.year,
        as_of=period.as_of,
        progress=progress,
        units=[
            UnitFigures(
                unit_id=uid,
                code=code,
                name=name,
                target=amount,
                secured=int(secured.get(uid) or 0),
                progress=progress,
            )
            for uid, code, name, amount in rows
        ],
    )
    return Figures(
        period=period,
        summary=summary,
        openable=openable,
        own=own,
        unit_ids=ids,
        whole_league=whole_league,
    )


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def pro_rata_plan(target: int, period: ReportingPeriod) -> list[int]:
    """Where the cumulative total should stand at each month end to keep pace with time."""
    return [
        int(target * ReportingPeriod(period.year, month_end(period.year, m), period.mode).progress)
        for m in range(1, 13)
    ]


def cumulative(values: list[int]) -> list[int]:
    out, running = [], 0
    for value in values:
        running += value
        out.append(running)
    return out
