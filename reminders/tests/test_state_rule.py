"""The reminders urge by the one work-item state rule (policy/states.py, design §3.1): what
the sources propose, and at which stage, is what `work_item_state` says of each item."""

import datetime as dt

import pytest

from policy.models import Milestone, WorkItem
from policy.states import DUE_SOON, OVERDUE, PRESSING, work_item_state
from policy.tests.factories import MilestoneFactory, WorkItemFactory
from reminders.sources import RunContext, milestones, work_items

DAYS = [dt.date(2024, 6, 28), dt.date(2024, 9, 30)]
# due dates on either side of each day and of its due-soon horizon (ten working days; the
# second day is just before the National Day holiday, which the horizon skips)
DUE = [
    *(dt.date(2024, 6, 28) + dt.timedelta(days=n) for n in (-30, -1, 0, 1, 13, 14, 15, 30)),
    *(dt.date(2024, 9, 30) + dt.timedelta(days=n) for n in (-1, 0, 1, 15, 16, 17, 18, 60)),
]


@pytest.fixture
def spread(db) -> None:
    """Items due on each of DUE: open (with an open and a done time node due that day too),
    done on time, done late, and one without any unit to urge."""
    for due_on in DUE:
        item = WorkItemFactory(due_on=due_on)
        MilestoneFactory(work_item=item, due_on=due_on)
        MilestoneFactory(work_item=item, due_on=due_on, done_on=due_on - dt.timedelta(days=1))
        for done_on in (due_on - dt.timedelta(days=1), due_on + dt.timedelta(days=2)):
            WorkItemFactory(due_on=due_on, done_on=done_on)
        WorkItemFactory(due_on=due_on, lead_unit=None)


@pytest.mark.parametrize("as_of", DAYS)
def test_it_urges_each_item_at_the_stage_the_state_rule_gives(spread, as_of):
    context = RunContext.for_date(as_of)
    expected = {}
    for pk, due_on, done_on in WorkItem.objects.values_list("pk", "due_on", "done_on"):
        state = work_item_state(due_on, done_on, as_of, context.horizon)
        if state in PRESSING:
            expected[f"workitem:{pk}"] = state
    urged = {n.topic: n.stage for n in work_items(context)}
    # every pressing item with a unit to urge is urged, at its state; nothing else is
    assert urged and set(urged.items()) <= set(expected.items())
    if as_of == DAYS[1]:
        assert set(urged.values()) == {OVERDUE, DUE_SOON}
    with_units = set(
        WorkItem.objects.filter(assignments__isnull=False).values_list("pk", flat=True)
    )
    assert {t for t in expected if int(t.split(":")[1]) in with_units} == set(urged)


@pytest.mark.parametrize("as_of", DAYS)
def test_it_urges_each_time_node_at_the_stage_the_state_rule_gives(spread, as_of):
    context = RunContext.for_date(as_of)
    steps = Milestone.objects.in_bulk()
    notices = list(milestones(context))
    assert notices
    for notice in notices:
        step = steps[int(notice.topic.split(":")[1])]
        assert notice.stage == work_item_state(step.due_on, step.done_on, as_of, context.horizon)
    assert context.state(as_of) == DUE_SOON and context.state(as_of - dt.timedelta(1)) == OVERDUE
    assert context.state(as_of, done_on=as_of) == "done"
