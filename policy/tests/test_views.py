"""The decomposition page and the work item list: states, scoping, the leader's own items."""

import datetime as dt

import pytest
from django.urls import reverse

from org.period import office_period
from policy.models import WorkItem
from policy.states import DUE_SOON, OVERDUE, due_soon_horizon, work_item_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2024, 6, 10), dt.date(2024, 6, 30), dt.date(2025, 1, 1)])
def test_the_sql_state_agrees_with_the_pure_function(demo, today):
    horizon = due_soon_horizon(today).horizon
    items = WorkItem.objects.with_state(today, horizon)
    assert items.count() == 56 + 4  # the 《意见》's items and the demo meeting's decisions
    for item in items:
        assert item.state == work_item_state(item.due_on, item.done_on, today, horizon), item.code


def test_progress_is_the_latest_report(demo):
    as_of = dt.date(2024, 6, 30)
    item = WorkItem.objects.with_state(as_of, as_of).get(code="GZ-01")
    latest = item.reports.order_by("-reported_on", "-id").first()
    assert item.progress == latest.percent


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


def test_a_leader_first_sees_the_items_they_lead(client, cast):
    leader = cast["leader"]
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


def test_the_state_filter_lists_only_overdue_items(client, cast):
    client.force_login(cast["office"])
    response = client.get(reverse("policy:workitem_list"), {"state": OVERDUE})
    today = office_period().as_of
    horizon = due_soon_horizon(today).horizon
    expected = [
        i.code
        for i in WorkItem.objects.all()
        if work_item_state(i.due_on, i.done_on, today, horizon) == OVERDUE
    ]
    page = response.context["page"]
    assert page.paginator.count == len(expected) > 0
    assert sorted(i.code for i in page.object_list) == sorted(expected)


def test_due_soon_on_the_pages_counts_working_days(client, cast):
    """Demo as-of 2024-06-30 (a Sunday): due soon runs to 12 July, ten working days later;
    an item due on 11 or 12 July was "on track" under the old ten-calendar-day rule."""
    item = WorkItem.objects.filter(done_on__isnull=True).order_by("pk").first()
    WorkItem.objects.filter(pk=item.pk).update(due_on=dt.date(2024, 7, 12))
    client.force_login(cast["office"])
    response = client.get(reverse("policy:workitem_list"), {"state": DUE_SOON})
    assert item.code in {i.code for i in response.context["page"].object_list}
    assert response.context["states"].horizon == dt.date(2024, 7, 12)
    page = client.get(reverse("policy:workitem_detail", args=[item.pk]))
    assert page.context["item"].state == DUE_SOON
    tree = client.get(reverse("policy:policy_list"))
    assert "2024-07-12" in tree.content.decode()


def test_a_unit_officer_lists_only_the_items_of_their_unit(client, cast):
    client.force_login(cast["zjj"])
    page = client.get(reverse("policy:workitem_list")).context["page"]
    expected = WorkItem.objects.filter(assignments__unit__code="ZJJ").distinct().count()
    assert page.paginator.count == expected > 0


def test_a_work_item_page_shows_units_time_nodes_reports_and_history(client, cast):
    client.force_login(cast["office"])
    item = WorkItem.objects.get(code="GZ-01")
    html = client.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    lead = item.assignments.get(role="lead").unit.name
    assert lead in html
    for milestone in item.milestones.all():
        assert milestone.title in html
    assert item.reports.first().text in html
    assert "luoshi demo" in html  # the history names who created it
