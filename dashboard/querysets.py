"""Read shapes of the cockpit and the workbench: aggregated in the database, bounded queries."""

from django.db.models import OuterRef, Subquery

from policy.models import Assignment, WorkItem
from policy.states import DUE_SOON, OVERDUE, DueSoonHorizon


def items_needing_attention(user, states: DueSoonHorizon, limit: int = 20):
    """Open work items visible to `user` that are overdue or due soon (policy.states)."""
    lead_unit = Assignment.objects.filter(work_item=OuterRef("pk"), role="lead")
    return (
        WorkItem.objects.visible_to(user)
        .with_state(states.as_of, states.horizon)
        .filter(state__in=[OVERDUE, DUE_SOON])
        .select_related("lead_leader")
        .annotate(
            lead_unit_name=Subquery(lead_unit.values("unit__name")[:1]),
            lead_unit_id=Subquery(lead_unit.values("unit_id")[:1]),
        )
        .order_by("due_on", "code")[:limit]
    )
