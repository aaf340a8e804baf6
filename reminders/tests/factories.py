"""A small pressing situation for `luoshi remind`, not the whole demo.

On 1 July 2024 (the demo's first reminder run) the people's unit leads three items overdue and
one due soon, and two time nodes due soon of an item due at the end of the year; a second unit,
overseen by a leader who has no account, helps on the first overdue item and leads one of its
own, overdue too."""

import datetime as dt

from org.tests.factories import LeaderFactory, UnitFactory
from policy.models import WorkItem
from policy.tests.factories import MilestoneFactory, WorkItemFactory, unit_people

FIRST_RUN = dt.date(2024, 7, 1)


def pressing_work(people: dict | None = None) -> dict:
    """`people` (policy.tests.factories.unit_people, made unless given) with `overdue` (the
    unit's three overdue items), `due_soon` (its item due soon), `nodes` (its two time nodes
    due soon), `helper` (the co-unit), `helpers_own` (the item it leads) and `helper_leader`
    (its leader, without an account)."""
    people = people or unit_people()
    unit, helper = people["unit"], UnitFactory()
    helper_leader = LeaderFactory(oversees=[helper])
    overdue = [
        WorkItemFactory(lead_unit=unit, due_on=dt.date(2024, 6, 14), co_units=[helper]),
        WorkItemFactory(lead_unit=unit, due_on=dt.date(2024, 6, 20)),
        WorkItemFactory(lead_unit=unit, due_on=dt.date(2024, 6, 25)),
    ]
    helpers_own = WorkItemFactory(lead_unit=helper, due_on=dt.date(2024, 6, 18))
    due_soon = WorkItemFactory(lead_unit=unit, due_on=dt.date(2024, 7, 10))
    later: WorkItem = WorkItemFactory(lead_unit=unit, due_on=dt.date(2024, 12, 31))
    nodes = [
        MilestoneFactory(work_item=later, due_on=dt.date(2024, 7, 5)),
        MilestoneFactory(work_item=later, due_on=dt.date(2024, 7, 8)),
    ]
    return {
        **people,
        "overdue": overdue,
        "due_soon": due_soon,
        "nodes": nodes,
        "helper": helper,
        "helpers_own": helpers_own,
        "helper_leader": helper_leader,
    }
