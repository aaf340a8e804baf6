"""Writes to work plans scheduled backwards from a deadline, their steps followed as milestones."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import UNIT_ROLES, role_of, unit_id_of
from org.models import Section

from ..models import (
    Milestone,
    PlanStep,
    WorkItem,
    WorkPlan,
)
from ..planning import Schedule, ScheduleError, schedule_backwards
from .access import lead_unit_id, require_item_change
from .completion import _move_due_date


def plan_schedule(deadline: dt.date, steps: list[tuple[str, int]]) -> Schedule:
    """Schedule steps on the office's calendar (every year from a year before the deadline)."""
    from org.calendar import load_calendar

    first_year = deadline.year - 2
    return schedule_backwards(deadline, steps, load_calendar(first_year, deadline.year))


@transaction.atomic
def save_work_plan(
    *,
    user,
    item: WorkItem,
    deadline: dt.date,
    steps: list[dict],
    content: str = "",
    expected_version: int | None = None,
    as_of: dt.date | None = None,
) -> tuple[WorkPlan, Schedule]:
    """The lead unit's plan: `steps` ({title, workdays, section, person}) scheduled backwards
    from `deadline`; each step is followed as a milestone of the item (due on its last day).

    Saving again replaces the steps but not the milestones that follow them: the open ones
    are taken over in order by the new steps, their date moved (the old date kept, as a
    reschedule) and their title changed, so their reminders and history go on; those left
    over are removed; a milestone already done is kept as it is. A unit cannot postpone or
    remove a node already overdue on `as_of` this way (it files an extension request).
    """
    require_item_change(user, item)
    unit_id = lead_unit_id(item)
    if unit_id is None:
        raise ValidationError(_("The work item has no lead unit."))
    if deadline > item.due_on:
        raise ValidationError(
            _("The plan's deadline is after the item's due date %(due)s.")
            % {"due": item.due_on.isoformat()}
        )
    for step in steps:
        section, person = step.get("section"), step.get("person")
        if section is not None and section.unit_id != unit_id:
            raise ValidationError(_("A step's section must belong to the lead unit."))
        if person is not None and unit_id_of(person) != unit_id:
            raise ValidationError(_("A step's person must work in the lead unit."))
    try:
        schedule = plan_schedule(deadline, [(s["title"], s["workdays"]) for s in steps])
    except ScheduleError as error:
        raise ValidationError(str(error)) from None
    plan = WorkPlan.objects.select_for_update().filter(work_item=item, unit_id=unit_id).first()
    created = plan is None
    open_milestones: list[Milestone] = []  # of the steps replaced, in their order
    if created:
        plan = WorkPlan.objects.create(
            work_item=item, unit_id=unit_id, deadline=deadline, content=content
        )
        before = {}
    else:
        check_version(plan, expected_version)
        before = {
            **snapshot(plan),
            "steps": [
                [s.title, s.workdays, s.starts_on, s.ends_on]
                for s in plan.steps.order_by("position")
            ],
        }
        for old in plan.steps.select_related("milestone").order_by("position"):
            milestone = old.milestone
            old.delete()
            if milestone is not None and milestone.done_on is None:
                open_milestones.append(milestone)
        if as_of is not None and role_of(user) in UNIT_ROLES:
            _keep_overdue_nodes(open_milestones, [s.ends_on for s in schedule.steps], as_of)
        plan.deadline, plan.content = deadline, content
        plan.version += 1
        plan.save()
    for scheduled, step in zip(schedule.steps, steps, strict=True):
        if open_milestones:
            milestone = _replan_milestone(
                user, open_milestones.pop(0), scheduled.title[:200], scheduled.ends_on
            )
        else:
            milestone = Milestone.objects.create(
                work_item=item, title=scheduled.title[:200], due_on=scheduled.ends_on
            )
        PlanStep.objects.create(
            plan=plan,
            position=scheduled.position,
            title=scheduled.title,
            workdays=scheduled.workdays,
            starts_on=scheduled.starts_on,
            ends_on=scheduled.ends_on,
            section=step.get("section"),
            person=step.get("person"),
            milestone=milestone,
        )
    for milestone in open_milestones:  # steps the plan no longer has
        record("policy.milestone.removed", milestone, before=snapshot(milestone), user=user)
        milestone.delete()
    after = {
        **snapshot(plan),
        "steps": [[s.title, s.workdays, s.starts_on, s.ends_on] for s in schedule.steps],
        "calendar_warning": schedule.warning,
    }
    record(
        "policy.work_plan.created" if created else "policy.work_plan.updated",
        plan,
        before=before or None,
        after=after,
        user=user,
    )
    return plan, schedule


def _keep_overdue_nodes(nodes: list[Milestone], new_dates: list[dt.date], as_of: dt.date) -> None:
    """A unit re-planning may not clear an overdue node by moving it later or dropping it:
    the nodes are taken over in order (`save_work_plan`), the ones left over are removed."""
    for position, node in enumerate(nodes):
        if node.due_on >= as_of:
            continue
        if position >= len(new_dates) or new_dates[position] > node.due_on:
            raise ValidationError(
                _(
                    "The time node “%(title)s” is overdue (due %(due)s): a new plan cannot "
                    "postpone or remove it. Ask the office for an extension."
                )
                % {"title": node.title, "due": node.due_on.isoformat()}
            )


def _replan_milestone(user, milestone: Milestone, title: str, due_on: dt.date) -> Milestone:
    """A replaced step's open milestone taken over by the new step in its place: its date
    moved as a reschedule (the old date kept, the plan's change as the reason) and its title
    changed, each audited."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if due_on != milestone.due_on:
        reason = _("The work plan was saved again with new dates.")
        _move_due_date(
            user, milestone, due_on, reason, "policy.milestone.rescheduled", milestone=milestone
        )
    if title != milestone.title:
        before = snapshot(milestone)
        milestone.title = title
        milestone.version += 1
        milestone.save()
        record(
            "policy.milestone.updated",
            milestone,
            before=before,
            after=snapshot(milestone),
            user=user,
        )
    return milestone


def sections_of(unit_id: int):
    return Section.objects.filter(unit_id=unit_id).order_by("name")
