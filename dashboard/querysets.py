"""Read shapes of the cockpit and the workbench: aggregated in the database, bounded queries."""

import datetime as dt

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import ExtractMonth

from common.dates import time_progress
from funding.models import Receipt, Target
from policy.models import Assignment, WorkItem


def secured_by_month(year: int, as_of: dt.date, unit_ids=None) -> list[int]:
    """元 secured in each month of `year` up to `as_of` (12 entries, zeros after as_of)."""
    receipts = Receipt.objects.in_year(year, as_of)
    if unit_ids is not None:
        receipts = receipts.filter(unit_id__in=unit_ids)
    totals = dict(
        receipts.annotate(month=ExtractMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    return [int(totals.get(month) or 0) for month in range(1, 13)]


def cumulative(values: list[int]) -> list[int]:
    out, running = [], 0
    for value in values:
        running += value
        out.append(running)
    return out


def month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def pro_rata_plan(target: int, year: int, mode: str) -> list[int]:
    """Where the cumulative total should stand at each month end to keep pace with time."""
    return [int(target * time_progress(month_end(year, m), mode)) for m in range(1, 13)]


def secured_by(field: str, year: int, as_of: dt.date, unit_ids=None) -> list[tuple[str, int]]:
    """Totals grouped by `field` (e.g. "channel__name", "level"), largest first."""
    receipts = Receipt.objects.in_year(year, as_of)
    if unit_ids is not None:
        receipts = receipts.filter(unit_id__in=unit_ids)
    rows = receipts.values(field).annotate(total=Sum("amount")).order_by("-total")
    return [(row[field] or "", int(row["total"])) for row in rows]


def items_needing_attention(user, as_of: dt.date, horizon: dt.date, limit: int = 20):
    """Open work items visible to `user` that are overdue or due by `horizon`."""
    lead_unit = Assignment.objects.filter(work_item=OuterRef("pk"), role="lead")
    return (
        WorkItem.objects.visible_to(user)
        .filter(done_on__isnull=True, due_on__lte=horizon)
        .select_related("lead_leader")
        .annotate(
            lead_unit_name=Subquery(lead_unit.values("unit__name")[:1]),
            lead_unit_id=Subquery(lead_unit.values("unit_id")[:1]),
        )
        .order_by("due_on", "code")[:limit]
    )


def targets_for(unit_ids, year: int):
    return Target.objects.filter(unit_id__in=unit_ids, year=year)
