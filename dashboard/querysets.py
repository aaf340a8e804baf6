"""Read shapes of the cockpit and the workbench: aggregated in the database, bounded queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery

from policy.models import Assignment, Milestone, WorkItem
from policy.states import DUE_SOON, OVERDUE, DueSoonHorizon, state_expression


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


@dataclass(frozen=True)
class DueEntry:
    """One line of the workbench's due card: a work item, or a time node (with its item)."""

    state: str
    due_on: date
    item: WorkItem | None
    milestone: Milestone | None


def due_for_unit(unit, states: DueSoonHorizon, items=None) -> dict[str, list[DueEntry]]:
    """The unit's open work items and time nodes in two groups, `overdue` and `due_soon`,
    each complete and by due date. Both are classified by the one rule (policy.states): an
    item due within the horizon is on the card whether or not a node of it is."""
    wanted = [OVERDUE, DUE_SOON]
    if items is None:
        items = (
            WorkItem.objects.filter(assignments__unit=unit)
            .annotate(state=state_expression(states.as_of, states.horizon))
            .filter(state__in=wanted)
            .order_by("due_on", "code")
        )
    else:  # the unit's items already read with their state (the workbench's list)
        items = [i for i in items if i.state in wanted]
    milestones = (
        Milestone.objects.filter(
            Q(work_item__assignments__unit=unit) | Q(work_item__isnull=True, unit=unit)
        )
        .annotate(state=state_expression(states.as_of, states.horizon))
        .filter(state__in=wanted)
        .select_related("work_item")
        .order_by("due_on", "id")
    )
    entries = [DueEntry(i.state, i.due_on, i, None) for i in items]
    entries += [DueEntry(m.state, m.due_on, m.work_item, m) for m in milestones]
    # stable: on one day, items come before the nodes
    entries.sort(key=lambda e: e.due_on)
    return {state: [e for e in entries if e.state == state] for state in wanted}
