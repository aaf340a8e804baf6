"""The read model: figures for this viewer for this period (design §3.1), read from the
database and computed by the pure rules of funding/rules.py.

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

from common import stamps
from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from funding.models import Channel, Receipt, ReceiptCityMonth, ReceiptUnitMonth, Target
from funding.querysets import doubtful_claims
from funding.rules import Summary, UnitFigures
from org.models import Unit
from org.period import ReportingPeriod

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
    #: the league's units as a subquery (the same set as `unit_ids`, cheaper to send)
    league: object = None
    #: the lines are the whole league, not narrowed to some units: what the office and
    #: every leader read alike
    everyone: bool = False

    @property
    def units(self) -> list[UnitFigures]:
        return self.summary.units

    def can_open(self, unit_id: int) -> bool:
        return self.openable is None or unit_id in self.openable

    def league_wide(self, name: str, compute):
        """`compute()` of something counted over the lines; when they are the whole league
        (the same for the office and every leader), cached across those readers under the
        data stamps: after a receipt, the second reader's cockpit reuses the first's."""
        if not self.everyone:
            return compute()
        return stamps.cached(f"league-{name}", (self.period.query(),), compute)

    def unit(self, unit_id: int) -> UnitFigures | None:
        return next((u for u in self.summary.units if u.unit_id == unit_id), None)

    def ranked(self) -> list[UnitFigures]:
        """The viewer's own units first, then by completion rate, best first."""
        return sorted(self.summary.units, key=lambda u: (u.unit_id not in self.own, *rate_key(u)))

    @cached_property
    def doubtful_claims(self) -> list[dict]:
        """文号 recorded by several units in the period and not confirmed by the office (待核实):
        all of them for the league's readers, those involving its own unit for a unit."""
        if self.whole_league:
            return stamps.cached(
                "league-doubtful-claims",
                (self.period.query(),),
                lambda: doubtful_claims(self.period.year, self.period.as_of),
            )
        return doubtful_claims(self.period.year, self.period.as_of, unit_ids=self.unit_ids)

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
    #
    # Whole months come from the rollups (`funding/rollups.py`, kept by triggers), the days of
    # a month not yet over from the receipts themselves; `tests/test_rollups.py` checks both
    # against the plain sums (`*_from_receipts`) after random writes.

    def _ids(self, unit_ids):
        """The units to count: the table's, or those of `unit_ids` among them."""
        if unit_ids is None:
            return self.league if self.league is not None else self.unit_ids
        table = set(self.unit_ids)
        return [i for i in unit_ids if i in table]

    def _receipts(self, unit_ids=None):
        ids = self.unit_ids if unit_ids is None else [i for i in unit_ids if i in self.unit_ids]
        return Receipt.objects.in_year(self.period.year, self.period.as_of).filter(unit_id__in=ids)

    def secured_by_month(self, unit_ids=None) -> list[int]:
        """元 secured in each month of the year up to the as-of date (12 entries)."""
        if unit_ids is None:
            return self.league_wide("by-month", lambda: self._secured_by_month(None))
        return self._secured_by_month(unit_ids)

    def _secured_by_month(self, unit_ids) -> list[int]:
        ids = self._ids(unit_ids)
        full, partial_from = whole_months(self.period)
        totals = dict(
            ReceiptUnitMonth.objects.filter(year=self.period.year, month__lte=full, unit_id__in=ids)
            .order_by()
            .values("month")
            .annotate(sum=Sum("total"))
            .values_list("month", "sum")
            if full
            else ()
        )
        if partial_from is not None:
            rest = (
                Receipt.objects.filter(
                    received_on__gte=partial_from, received_on__lte=self.period.as_of
                )
                .filter(unit_id__in=ids)
                .aggregate(sum=Sum("amount"))["sum"]
            )
            totals[self.period.as_of.month] = rest or 0
        return [int(totals.get(month) or 0) for month in range(1, 13)]

    def secured_by_month_from_receipts(self, unit_ids=None) -> list[int]:
        """`secured_by_month` summed from the receipts themselves (the check of the rollups)."""
        totals = dict(
            self._receipts(unit_ids)
            .annotate(month=ExtractMonth("received_on"))
            .values("month")
            .annotate(total=Sum("amount"))
            .values_list("month", "total")
        )
        return [int(totals.get(month) or 0) for month in range(1, 13)]

    @cached_property
    def _channel_level_totals(self) -> dict[tuple[int, str], int]:
        """(channel id or 0, level) → 元 over the table's units: by channel and by level are
        both read from it, so a page showing both runs its queries once."""
        return self.league_wide("by-channel-level", self._count_channel_level)

    def _count_channel_level(self) -> dict[tuple[int, str], int]:
        period = self.period
        full, partial_from = whole_months(period)
        totals: dict[tuple[int, str], int] = {}

        def add(rows, sign: int = 1) -> None:
            for channel, level, total in rows:
                key = (channel or 0, level)
                totals[key] = totals.get(key, 0) + sign * int(total)

        if full:
            # every unit's receipts of the whole months…
            add(
                ReceiptCityMonth.objects.filter(year=period.year, month__lte=full)
                .order_by()
                .values("channel_key", "level")
                .annotate(sum=Sum("total"))
                .values_list("channel_key", "level", "sum")
            )
            # …less those of units outside the table (found in the small unit rollup)
            outside = list(
                ReceiptUnitMonth.objects.filter(year=period.year, month__lte=full)
                .exclude(unit_id__in=self._ids(None))
                .order_by()
                .values_list("unit_id", flat=True)
                .distinct()
            )
            if outside:
                add(
                    Receipt.objects.filter(
                        unit_id__in=outside,
                        received_on__gte=dt.date(period.year, 1, 1),
                        received_on__lte=month_end(period.year, full),
                    )
                    .order_by()
                    .values("channel_id", "level")
                    .annotate(sum=Sum("amount"))
                    .values_list("channel_id", "level", "sum"),
                    -1,
                )
        if partial_from is not None:
            add(
                Receipt.objects.filter(
                    received_on__gte=partial_from,
                    received_on__lte=period.as_of,
                    unit_id__in=self._ids(None),
                )
                .order_by()
                .values("channel_id", "level")
                .annotate(sum=Sum("amount"))
                .values_list("channel_id", "level", "sum")
            )
        return totals

    def secured_by(self, field_name: str, unit_ids=None) -> list[tuple[str, int]]:
        """Totals grouped by `field_name` ("channel__name" or "level"), largest first."""
        if field_name not in ("channel__name", "level") or unit_ids is not None:
            return self.secured_by_from_receipts(field_name, unit_ids)
        totals = self._channel_level_totals
        if field_name == "level":
            grouped: dict[str, int] = {}
            for (_channel, level), total in totals.items():
                grouped[level] = grouped.get(level, 0) + total
        else:
            names = self._channel_names
            grouped = {}
            for (channel, _level), total in totals.items():
                name = names.get(channel, "")
                grouped[name] = grouped.get(name, 0) + total
        return sorted(
            ((name, total) for name, total in grouped.items() if total),
            key=lambda row: (-row[1], row[0]),
        )

    @cached_property
    def _channel_names(self) -> dict[int, str]:
        return dict(Channel.objects.values_list("pk", "name"))

    def secured_by_from_receipts(self, field_name: str, unit_ids=None) -> list[tuple[str, int]]:
        """Totals grouped by `field_name`, summed from the receipts themselves."""
        rows = (
            self._receipts(unit_ids)
            .values(field_name)
            .annotate(total=Sum("amount"))
            .order_by("-total", field_name)
        )
        return sorted(
            ((row[field_name] or "", int(row["total"])) for row in rows),
            key=lambda row: (-row[1], row[0]),
        )


#: rates are ranked by secured × SCALE // target: exact for any two different rates of
#: targets below 10^15 元 (they differ by more than 1/10^30), and integers sort fast
RATE_SCALE = 10**30


def rate_key(u: UnitFigures) -> tuple:
    """Sorts by completion rate, best first, no target last (3,000 lines in milliseconds)."""
    if u.target <= 0:
        return (True, 0)
    return (False, -(u.secured * RATE_SCALE // u.target))


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
    league = targets.order_by().values("unit_id")
    everyone = whole_league and unit_ids is None
    if not rows:
        secured = {}
    elif everyone:  # the same for every reader of the whole league
        secured = stamps.cached(
            "league-secured", (period.query(),), lambda: secured_by_unit(period, league)
        )
    else:
        secured = secured_by_unit(period, league)
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
        league=league,
        everyone=everyone,
    )


def whole_months(period: ReportingPeriod) -> tuple[int, dt.date | None]:
    """(the last whole month up to the as-of date — 0 for none —, the first day of the month
    not yet over, or None when the as-of date is a month end)."""
    as_of = period.as_of
    if as_of == month_end(as_of.year, as_of.month):
        return as_of.month, None
    return as_of.month - 1, as_of.replace(day=1)


def secured_by_unit(period: ReportingPeriod, unit_ids) -> dict[int, int]:
    """unit id → 元 secured in the period's year up to its as-of date, for `unit_ids` (ids or
    a subquery): whole months from the rollup, the rest from the receipts. Two queries at most."""
    full, partial_from = whole_months(period)
    secured: dict[int, int] = {}
    if full:
        secured.update(
            ReceiptUnitMonth.objects.filter(year=period.year, month__lte=full, unit_id__in=unit_ids)
            .order_by()
            .values("unit_id")
            .annotate(sum=Sum("total"))
            .values_list("unit_id", "sum")
        )
    if partial_from is not None:
        for unit_id, total in (
            Receipt.objects.filter(
                received_on__gte=partial_from, received_on__lte=period.as_of, unit_id__in=unit_ids
            )
            .order_by()
            .values("unit_id")
            .annotate(sum=Sum("amount"))
            .values_list("unit_id", "sum")
        ):
            secured[unit_id] = secured.get(unit_id, 0) + total
    return secured


def secured_by_unit_from_receipts(period: ReportingPeriod, unit_ids) -> dict[int, int]:
    """`secured_by_unit` summed from the receipts themselves (the check of the rollups)."""
    return dict(
        Receipt.objects.in_year(period.year, period.as_of)
        .filter(unit_id__in=unit_ids)
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("amount"))
        .values_list("unit_id", "total")
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
