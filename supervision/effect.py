"""催办效果 (effect of urging, design §11): for each urging — a reminder that reached someone —
the working days until it was acknowledged (签收) and until the unit's next update (a progress
report, a time node done, a receipt, a lag explanation filed, a contact), counted by unit, by
channel and by escalation level: urgings, acknowledged, answered, median working days to the
answer, share answered within 2 working days.

`effect_for(year, as_of, unit_ids=None)` is the one function behind the page, the bulletin's
annex and `luoshi reminder_effect`. A reminder that reached no one is not an urging (it is
listed on 无法送达 instead)."""

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Exists, OuterRef
from django.utils import timezone

from common.percent import rate_text, ratio_decimal
from funding.models import Contact, Receipt
from org.calendar import load_calendar
from org.models import Unit
from policy.models import Assignment, AssignmentRole, Milestone, ProgressReport
from reminders.models import Delivery, DeliveryStatus, Reminder

from .models import LagExplanation

QUICK_WORKDAYS = 2  # "answered within 2 working days"
LEVEL_UNIT, LEVEL_HEAD, LEVEL_LEADER = 0, 1, 2


@dataclass
class Urging:
    reminder_id: int
    unit_id: int
    as_of: dt.date
    level: int
    channels: frozenset[str]
    ack_workdays: int | None
    answer_workdays: int | None


@dataclass
class Stats:
    """Counts over a group of urgings."""

    urgings: int = 0
    acknowledged: int = 0
    answered: int = 0
    quick: int = 0
    answer_days: list[int] = field(default_factory=list)
    ack_days: list[int] = field(default_factory=list)

    def add(self, urging: Urging) -> None:
        self.urgings += 1
        if urging.ack_workdays is not None:
            self.acknowledged += 1
            self.ack_days.append(urging.ack_workdays)
        if urging.answer_workdays is not None:
            self.answered += 1
            self.answer_days.append(urging.answer_workdays)
            self.quick += urging.answer_workdays <= QUICK_WORKDAYS

    @property
    def median_workdays(self) -> int | float | None:
        """Median working days from the urging to the unit's next update (answered ones)."""
        return _median(self.answer_days)

    @property
    def median_ack_workdays(self) -> int | float | None:
        return _median(self.ack_days)

    @property
    def quick_share(self) -> Fraction | None:
        """Share of the urgings answered within 2 working days (0–1), exact."""
        return Fraction(self.quick, self.urgings) if self.urgings else None


def _median(values: list[int]) -> int | float | None:
    if not values:
        return None
    middle = statistics.median(values)
    return int(middle) if middle == int(middle) else float(middle)


@dataclass
class Effect:
    year: int
    as_of: dt.date
    units: list[tuple[Unit, Stats]]
    by_channel: dict[str, Stats]
    by_level: dict[int, Stats]
    total: Stats

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "units": [
                {
                    "code": unit.code,
                    "name": unit.name,
                    "urgings": s.urgings,
                    "acknowledged": s.acknowledged,
                    "answered": s.answered,
                    "median_workdays": s.median_workdays,
                    "answered_within_2_share": _share(s.quick_share),
                }
                for unit, s in self.units
            ],
        }


def _share(value: Fraction | None) -> float | None:
    """A share as a JSON number (0.5577), rounded by the one formatter (common.percent)."""
    share = ratio_decimal(value)
    return None if share is None else float(share)


def _level(stage: str) -> int:
    if stage.startswith("escalate_leader"):
        return LEVEL_LEADER
    if stage.startswith("escalate_head"):
        return LEVEL_HEAD
    return LEVEL_UNIT


def _update_dates(unit_ids: set[int], start: dt.date, end: dt.date) -> dict[int, list[dt.date]]:
    """Every unit's update days in [start, end], sorted: the answers an urging may get."""
    days: dict[int, set[dt.date]] = defaultdict(set)
    # a progress report, money arrived, a contact with the higher level, and a time node done
    # (a measure's unit here; the lead units of a work item's node below)
    for model, day_field in (
        (ProgressReport, "reported_on"),
        (Receipt, "received_on"),
        (Contact, "occurred_on"),
        (Milestone, "done_on"),
    ):
        for unit_id, day in model.objects.filter(
            unit_id__in=unit_ids, **{f"{day_field}__range": (start, end)}
        ).values_list("unit_id", day_field):
            days[unit_id].add(day)
    done_by_item: dict[int, set[dt.date]] = defaultdict(set)
    for item_id, day in Milestone.objects.filter(
        work_item__isnull=False, done_on__range=(start, end)
    ).values_list("work_item_id", "done_on"):
        done_by_item[item_id].add(day)
    for item_id, unit_id in Assignment.objects.filter(
        work_item_id__in=list(done_by_item), role=AssignmentRole.LEAD, unit_id__in=unit_ids
    ).values_list("work_item_id", "unit_id"):
        days[unit_id] |= done_by_item[item_id]
    for unit_id, filed_at in LagExplanation.objects.filter(
        unit_id__in=unit_ids, filed_at__isnull=False
    ).values_list("unit_id", "filed_at"):
        day = timezone.localtime(filed_at).date()
        if start <= day <= end:
            days[unit_id].add(day)
    return {unit_id: sorted(value) for unit_id, value in days.items()}


def urgings_for(year: int, as_of: dt.date, unit_ids=None) -> list[Urging]:
    """The urgings of `year` up to `as_of`: reminders about a unit that reached someone."""
    calendar = load_calendar(year - 1, year + 1)
    reached = Delivery.objects.filter(reminder=OuterRef("pk"), status=DeliveryStatus.SENT)
    reminders = (
        Reminder.objects.filter(as_of__year=year, as_of__lte=as_of, unit__isnull=False)
        .exclude(source="digest")
        .filter(Exists(reached))
    )
    if unit_ids is not None:
        reminders = reminders.filter(unit_id__in=list(unit_ids))
    rows = list(reminders.values_list("pk", "unit_id", "as_of", "stage", "acknowledged_at"))
    channels: dict[int, set[str]] = defaultdict(set)
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 500):
        for reminder_id, channel in Delivery.objects.filter(
            reminder_id__in=ids[start : start + 500], status=DeliveryStatus.SENT
        ).values_list("reminder_id", "channel"):
            channels[reminder_id].add(channel)
    updates = _update_dates({row[1] for row in rows}, dt.date(year, 1, 1), as_of)
    out = []
    for pk, unit_id, day, stage, acknowledged_at in rows:
        ack = None
        if acknowledged_at is not None:
            ack_day = timezone.localtime(acknowledged_at).date()
            if ack_day <= as_of:
                ack = calendar.workdays_between(day, ack_day)
        answer = None
        days = updates.get(unit_id, [])
        index = bisect.bisect_left(days, day)
        if index < len(days):
            answer = calendar.workdays_between(day, days[index])
        out.append(
            Urging(
                reminder_id=pk,
                unit_id=unit_id,
                as_of=day,
                level=_level(stage),
                channels=frozenset(channels[pk]),
                ack_workdays=ack,
                answer_workdays=answer,
            )
        )
    return out


def effect_for(year: int, as_of: dt.date, unit_ids=None) -> Effect:
    urgings = urgings_for(year, as_of, unit_ids)
    per_unit: dict[int, Stats] = defaultdict(Stats)
    by_channel: dict[str, Stats] = defaultdict(Stats)
    by_level: dict[int, Stats] = defaultdict(Stats)
    total = Stats()
    for urging in urgings:
        per_unit[urging.unit_id].add(urging)
        by_level[urging.level].add(urging)
        total.add(urging)
        for channel in urging.channels:
            by_channel[channel].add(urging)
    units = Unit.objects.filter(pk__in=per_unit).order_by("sort_order", "code")
    return Effect(
        year=year,
        as_of=as_of,
        units=[(unit, per_unit[unit.pk]) for unit in units],
        by_channel=dict(by_channel),
        by_level=dict(sorted(by_level.items())),
        total=total,
    )


def effect_annex(year: int, as_of: dt.date) -> dict | None:
    """The bulletin's annex (催办效果): the totals and each unit's row as plain data, frozen
    with an issued bulletin. None when no urging reached anyone."""
    result = effect_for(year, as_of)
    if not result.total.urgings:
        return None

    def row(name: str, s: Stats) -> list:
        median = s.median_workdays
        quick = s.quick_share
        return [
            name,
            s.urgings,
            s.acknowledged,
            s.answered,
            "—" if median is None else str(median),
            rate_text(quick),
        ]

    return {
        "urgings": result.total.urgings,
        "acknowledged": result.total.acknowledged,
        "answered": result.total.answered,
        "median": None
        if result.total.median_workdays is None
        else str(result.total.median_workdays),
        "rows": [row(unit.name, s) for unit, s in result.units],
    }
