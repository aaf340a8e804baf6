"""Read shapes of the cockpit and the workbench: aggregated in the database, bounded queries."""

import datetime as dt

from django.db.models import OuterRef, Subquery

from policy.models import Assignment, WorkItem


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
