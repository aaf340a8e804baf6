"""The decomposition page and the work item list: states, scoping, the leader's own items."""

import datetime as dt

import pytest
from django.urls import reverse

from policy.models import WorkItem
from policy.states import OVERDUE, work_item_state
from reporting.period import office_period

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2024, 6, 10), dt.date(2024, 6, 30), dt.date(2025, 1, 1)])
def test_the_sql_state_agrees_with_the_pure_function(demo, today):
    items = WorkItem.objects.with_state(today)
    assert items.count() == 56
    for item in items:
        assert item.state == work_item_state(item.due_on, item.done_on, today), item.code


def test_progress_is_the_latest_report(demo):
    item = WorkItem.objects.with_state(dt.date(2024, 6, 30)).get(code="GZ-01")
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
    assert len(items) == 56
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
    expected = [
        i.code
        for i in WorkItem.objects.all()
        if work_item_state(i.due_on, i.done_on, today) == OVERDUE
    ]
    page = response.context["page"]
    assert page.paginator.count == len(expected) > 0
    assert sorted(i.code for i in page.object_list) == sorted(expected)


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
