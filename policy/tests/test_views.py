"""The decomposition page and the work item list: states, scoping, the leader's own items."""

import datetime as dt

import pytest
from django.urls import reverse

from common.permissions import Role
from org.period import office_period
from org.tests.factories import PersonFactory, UnitFactory
from policy.models import WorkItem
from policy.services import create_work_item
from policy.states import DUE_SOON, OVERDUE, due_soon_horizon, work_item_state

from .factories import (
    PolicyFactory,
    WorkItemFactory,
    office_as_of,
    progress_report,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2024, 6, 10), dt.date(2024, 6, 30), dt.date(2025, 1, 1)])
def test_the_sql_state_agrees_with_the_pure_function(demo, today):
    horizon = due_soon_horizon(today).horizon
    items = WorkItem.objects.with_state(today, horizon)
    assert items.count() == 56 + 4  # the 《意见》's items and the demo meeting's decisions
    for item in items:
        assert item.state == work_item_state(item.due_on, item.done_on, today, horizon), item.code


def test_progress_is_the_latest_report(people):
    item = WorkItemFactory(lead_unit=people["unit"])
    for reported_on, percent in [(dt.date(2024, 6, 20), 70), (dt.date(2024, 5, 20), 30)]:
        progress_report(
            user=people["zjj_head"], work_item=item, reported_on=reported_on, percent=percent
        )
    as_of = dt.date(2024, 6, 30)
    item = WorkItem.objects.with_state(as_of, as_of).get(pk=item.pk)
    latest = item.reports.order_by("-reported_on", "-id").first()
    assert item.progress == latest.percent == 70


def test_the_office_sees_every_policy_aspect_and_item(client, cast):
    client.force_login(cast["office"])
    response = client.get(reverse("policy:policy_list"))
    tree = response.context["tree"]
    items = [
        i
        for node in tree
        for a in node.aspects.values()
        for m in a.measures.values()
        for i in m.items
    ]
    assert len(items) == 56 + 4  # with the demo meeting's decisions
    assert len(tree[0].aspects) == 6
    html = response.content.decode()
    assert "state-overdue" in html and "GZ-01" in html


def test_a_leader_first_sees_the_items_they_lead(client, people):
    leader, unit = people["leader"], people["unit"]
    WorkItemFactory(lead_unit=unit, lead_leader=people["leader_record"])  # led by them
    WorkItemFactory(lead_unit=unit)  # of a unit they oversee, led by another leader
    WorkItemFactory()  # neither
    client.force_login(leader)
    tree = client.get(reverse("policy:policy_list")).context["tree"]
    mine = {
        i.code
        for n in tree
        for a in n.aspects.values()
        for m in a.measures.values()
        for i in m.items
    }
    assert mine == set(
        WorkItem.objects.filter(lead_leader__user=leader).values_list("code", flat=True)
    )
    assert mine
    tree = client.get(reverse("policy:policy_list"), {"all": "1"}).context["tree"]
    every = {
        i.code
        for n in tree
        for a in n.aspects.values()
        for m in a.measures.values()
        for i in m.items
    }
    assert every == set(WorkItem.objects.visible_to(leader).values_list("code", flat=True))
    assert every > mine


def test_the_state_filter_lists_only_overdue_items(client, people):
    office_as_of(dt.date(2024, 6, 30))
    for due_on in [dt.date(2024, 6, 1), dt.date(2024, 6, 29), dt.date(2024, 7, 2)]:
        WorkItemFactory(due_on=due_on)
    WorkItemFactory(due_on=dt.date(2024, 6, 1), done_on=dt.date(2024, 5, 30))
    client.force_login(people["office"])
    response = client.get(reverse("policy:workitem_list"), {"state": OVERDUE})
    today = office_period().as_of
    horizon = due_soon_horizon(today).horizon
    expected = [
        i.code
        for i in WorkItem.objects.all()
        if work_item_state(i.due_on, i.done_on, today, horizon) == OVERDUE
    ]
    page = response.context["page"]
    assert page.paginator.count == len(expected) == 2
    assert sorted(i.code for i in page.object_list) == sorted(expected)


def test_due_soon_on_the_pages_counts_working_days(client, people):
    """As of 2024-06-30 (a Sunday, the demo's date): due soon runs to 12 July, ten working
    days later; an item due on 11 or 12 July was "on track" under the old ten-calendar-day
    rule."""
    office_as_of(dt.date(2024, 6, 30))
    item = WorkItemFactory(due_on=dt.date(2024, 7, 12))
    client.force_login(people["office"])
    response = client.get(reverse("policy:workitem_list"), {"state": DUE_SOON})
    assert item.code in {i.code for i in response.context["page"].object_list}
    assert response.context["states"].horizon == dt.date(2024, 7, 12)
    page = client.get(reverse("policy:workitem_detail", args=[item.pk]))
    assert page.context["item"].state == DUE_SOON
    tree = client.get(reverse("policy:policy_list"))
    assert "2024-07-12" in tree.content.decode()


def test_a_unit_officer_lists_only_the_items_of_their_unit(client, people):
    unit = people["unit"]
    led, helped = WorkItemFactory(lead_unit=unit), WorkItemFactory(co_units=[unit])
    WorkItemFactory()  # another unit's
    client.force_login(people["zjj"])
    page = client.get(reverse("policy:workitem_list")).context["page"]
    assert sorted(i.pk for i in page.object_list) == sorted([led.pk, helped.pk])
    assert page.paginator.count == 2


def test_a_work_item_page_shows_units_time_nodes_reports_and_history(client, people):
    creator = PersonFactory(role=Role.OFFICE)  # not the reader: the page names the reader too
    item = create_work_item(  # through the service: the history names who created it
        user=creator,
        policy=PolicyFactory(),
        code="GZ-01",
        title="争取中央预算内投资",
        lead_leader=people["leader_record"],
        lead_unit=people["unit"],
        co_units=[UnitFactory()],
        due_on=dt.date(2024, 12, 31),
        milestones=[(dt.date(2024, 7, 31), "完成项目谋划"), (dt.date(2024, 9, 30), "报送申报材料")],
    )
    progress_report(user=people["zjj_head"], work_item=item, text="已完成项目谋划")
    client.force_login(people["office"])
    html = client.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    lead = item.assignments.get(role="lead").unit.name
    assert lead in html
    for milestone in item.milestones.all():
        assert milestone.title in html
    assert item.reports.first().text in html
    assert creator.first_name in html  # the history names who created it
