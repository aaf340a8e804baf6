"""Writes to milestones (time nodes) of a work item, and corrective measures followed as one."""

import datetime as dt

from django.db import transaction

from audit.services import record, snapshot
from org.models import Unit

from ..models import (
    Milestone,
    WorkItem,
)
from .access import require_item_change


@transaction.atomic
def add_milestone(
    *, user, work_item: WorkItem, title: str, due_on: dt.date, done_on: dt.date | None = None
) -> Milestone:
    """A time node of an item, set by the office or the item's lead unit (idempotent by title)."""
    require_item_change(user, work_item)
    milestone, created = Milestone.objects.get_or_create(
        work_item=work_item, title=title, defaults={"due_on": due_on, "done_on": done_on}
    )
    if created:
        record("policy.milestone.created", milestone, after=snapshot(milestone), user=user)
    return milestone


@transaction.atomic
def add_measure_milestone(*, user, unit: Unit, title: str, due_on: dt.date) -> Milestone:
    """A corrective measure followed as a milestone of the unit (no work item)."""
    milestone = Milestone.objects.create(unit=unit, title=title[:200], due_on=due_on)
    record("policy.milestone.created", milestone, after=snapshot(milestone), user=user)
    return milestone
