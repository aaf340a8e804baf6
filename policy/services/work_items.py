"""Writes to work items (the division of labour) and their units, single and from the ledger."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from org.models import Leader, Unit

from ..models import (
    Assignment,
    AssignmentRole,
    Measure,
    Milestone,
    Policy,
    WorkItem,
)
from ..record_rules import check_division, check_measure
from .base import _require_office, save_changes
from .completion import _move_due_date, keep_old_due_date
from .milestones import add_milestone


@transaction.atomic
def save_work_item(
    *,
    user,
    policy: Policy,
    code: str,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units: list[Unit] = (),
    due_on: dt.date,
    measure: Measure | None = None,
    goal: str = "",
) -> tuple[WorkItem, bool]:
    """Create a work item with its one lead unit and co-units (idempotent by code)."""
    _require_office(user)
    check_division(lead_unit.pk, [u.pk for u in co_units])
    item = WorkItem.objects.filter(code=code).first()
    if item is not None:
        return item, False
    item = WorkItem.objects.create(
        policy=policy,
        code=code,
        title=title,
        lead_leader=lead_leader,
        due_on=due_on,
        measure=measure,
        goal=goal,
    )
    _assign(item, lead_unit.pk, [u.pk for u in co_units])
    record(
        "policy.work_item.created",
        item,
        after={**snapshot(item), "lead_unit": lead_unit.pk, "co_units": [u.pk for u in co_units]},
        user=user,
    )
    return item, True


@transaction.atomic
def edit_work_item(
    *,
    user,
    item: WorkItem,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units: list[Unit],
    measure: Measure | None,
    goal: str = "",
    expected_version: int | None = None,
) -> WorkItem:
    """Change an item's title, goal, measure, lead leader and units (the division of labour).

    The due date changes only by rescheduling, with a reason (`reschedule_work_item`).
    """
    _require_office(user)
    check_division(lead_unit.pk, [u.pk for u in co_units])
    check_measure(measure, item.policy_id)
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)
    before = {**snapshot(item), **_units_of(item)}
    item.title, item.goal, item.lead_leader, item.measure = title, goal, lead_leader, measure
    item.assignments.all().delete()
    _assign(item, lead_unit.pk, [u.pk for u in co_units])
    after = {**snapshot(item), **_units_of(item), "version": item.version}
    save_changes(user, item, before, after, "policy.work_item.updated")
    return item


@transaction.atomic
def create_work_item(
    *,
    user,
    policy: Policy,
    code: str,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units=(),
    due_on: dt.date,
    measure: Measure | None = None,
    goal: str = "",
    milestones: list[tuple[dt.date, str]] = (),
    **_ignored,
) -> WorkItem:
    """A new work item of the division of labour, with its time nodes (date, title)."""
    _require_office(user)
    if WorkItem.objects.filter(code=code).exists():
        raise ValidationError(_("A work item with this code already exists."))
    check_measure(measure, policy.pk)
    item, _created = save_work_item(
        user=user,
        policy=policy,
        code=code,
        title=title,
        lead_leader=lead_leader,
        lead_unit=lead_unit,
        co_units=list(co_units),
        due_on=due_on,
        measure=measure,
        goal=goal,
    )
    for node_due, node_title in milestones:
        add_milestone(user=user, work_item=item, title=node_title, due_on=node_due)
    return item


def bulk_save_work_items(
    *,
    user,
    audit,
    creates: list[dict],
    updates: list[tuple[WorkItem, dict]],
    reason: str,
    new_policies: list[str] = (),
) -> None:
    """Create and change work items from the ledger (the rules of `save_work_item`,
    `edit_work_item`, `add_milestone` and `reschedule_*`, audited into the import's batch).

    A row: {code, title, goal, policy_id, measure_id, lead_leader_id, lead_unit_id,
    co_unit_ids, due_on, milestones [(due_on, title)]}; an update carries only what changes
    (plus `milestones`: nodes to add, and `moves`: {node: new due date}). A moved due date
    keeps the old one in `DueDateChange` with `reason` (the import's file name)."""
    _require_office(user)
    now = timezone.now()
    policy_ids = {}
    for name in new_policies:
        policy = Policy.objects.create(title=name, short_name=name[:50])
        audit.add("policy.policy.created", policy, after=snapshot(policy))
        policy_ids[name] = policy.pk

    def policy_id(value):  # an id, or the name of a policy created just now
        return policy_ids.get(value, value) if isinstance(value, str) else value

    for row in creates:
        check_division(row["lead_unit_id"], row.get("co_unit_ids", []))
    for row in creates:
        item = WorkItem.objects.create(
            policy_id=policy_id(row["policy_id"]),
            measure_id=row.get("measure_id"),
            code=row["code"],
            title=row["title"],
            goal=row.get("goal", ""),
            lead_leader_id=row["lead_leader_id"],
            due_on=row["due_on"],
        )
        _assign(item, row["lead_unit_id"], row.get("co_unit_ids", []))
        audit.add(
            "policy.work_item.created",
            item,
            after={
                **snapshot(item),
                "lead_unit": row["lead_unit_id"],
                "co_units": row.get("co_unit_ids", []),
            },
        )
        _add_milestones(audit, item, row.get("milestones", []))
    for item, wanted in updates:
        before = snapshot(item)
        fields = {
            k: v
            for k, v in wanted.items()
            if k in ("title", "goal", "policy_id", "measure_id", "lead_leader_id", "due_on")
        }
        if "policy_id" in fields:
            fields["policy_id"] = policy_id(fields["policy_id"])
        if "due_on" in fields:
            keep_old_due_date(user, item, fields["due_on"], reason, at=now, work_item=item)
        for key, value in fields.items():
            setattr(item, key, value)
        units_changed = "lead_unit_id" in wanted or "co_unit_ids" in wanted
        if units_changed:
            rows = list(item.assignments.values_list("unit_id", "role"))
            lead = wanted.get("lead_unit_id", next(u for u, r in rows if r == AssignmentRole.LEAD))
            co = wanted.get("co_unit_ids", [u for u, r in rows if r == AssignmentRole.CO])
            item.assignments.all().delete()
            _assign(item, lead, [u for u in co if u != lead])
        if fields or units_changed:
            item.version += 1
            item.save()
            after = {**snapshot(item)}
            if units_changed:
                after.update(lead_unit=lead, co_units=co)
            audit.add("policy.work_item.updated", item, before=before, after=after)
        _add_milestones(audit, item, wanted.get("milestones", []))
        for node, due_on in wanted.get("moves", {}).items():
            _move_due_date(
                user,
                node,
                due_on,
                reason,
                "policy.milestone.rescheduled",
                audit=audit,
                milestone=node,
            )


def _assign(item: WorkItem, lead_unit_id: int, co_unit_ids: list[int]) -> None:
    Assignment.objects.create(work_item=item, unit_id=lead_unit_id, role=AssignmentRole.LEAD)
    Assignment.objects.bulk_create(
        Assignment(work_item=item, unit_id=unit_id, role=AssignmentRole.CO)
        for unit_id in co_unit_ids
    )


def _units_of(item: WorkItem) -> dict:
    """An item's division of labour as its audit events show it."""
    rows = item.assignments.values_list("unit_id", "role")
    return {
        "lead_unit": next((u for u, r in rows if r == AssignmentRole.LEAD), None),
        "co_units": sorted(u for u, r in rows if r == AssignmentRole.CO),
    }


def _add_milestones(audit, item: WorkItem, nodes: list[tuple[dt.date, str]]) -> None:
    """The ledger's new time nodes (due on, title) of `item`, audited into its batch."""
    for due_on, title in nodes:
        node = Milestone.objects.create(work_item=item, title=title, due_on=due_on)
        audit.add("policy.milestone.created", node, after=snapshot(node))
