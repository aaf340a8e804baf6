"""A team per item (一套班子): each unit names its person responsible and contact person from
its people; reminders about the item go to them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from org.tests.factories import UnitFactory
from policy.models import ItemTeam, WorkItem
from policy.team import people_to_remind
from policy.team.services import save_item_team
from reminders.sources import RunContext, milestones, work_items

from .factories import MilestoneFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def _unit_item(people) -> WorkItem:
    """An open item the people's unit leads with a co-unit, and a time node before its due
    date."""
    item = WorkItemFactory(lead_unit=people["unit"], co_units=[UnitFactory()])
    MilestoneFactory(work_item=item, due_on=item.due_on - dt.timedelta(days=30))
    return item


def test_a_unit_names_its_team_on_the_page_and_reminders_reach_them(client, people):
    item = _unit_item(people)
    zjj, head = people["zjj"], people["zjj_head"]
    unit = zjj.membership.unit
    client.force_login(zjj)
    page = client.get(reverse("policy:item_team", args=[item.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("policy:item_team", args=[item.pk]),
        {"unit": unit.pk, "responsible": head.pk, "contact": zjj.pk},
    )
    assert response.status_code == 302
    team = ItemTeam.objects.get(work_item=item, unit=unit)
    assert (team.responsible, team.contact) == (head, zjj)
    assert AuditEvent.objects.filter(action="policy.item_team.created").exists()
    assert people_to_remind(item, unit) == [head, zjj]
    # another unit of the item may not be set by this one
    other = item.assignments.exclude(unit=unit).first()
    refused = client.post(reverse("policy:item_team", args=[item.pk]), {"unit": other.unit_id})
    assert refused.status_code == 403
    # the run of the item's due date: the unit's notices go to its two people, not the unit
    context = RunContext.for_date(item.due_on)
    notices = [n for n in work_items(context) if n.topic == f"workitem:{item.pk}"]
    mine = [n.recipient for n in notices if n.unit == unit]
    assert mine == [head, zjj]
    others = [n for n in notices if n.unit != unit]
    assert others and all(n.recipient == n.unit for n in others)  # no team named there
    steps = [
        n.recipient
        for n in milestones(context)
        if n.topic.startswith("milestone:") and n.unit == unit and n.url.endswith(f"/{item.pk}/")
    ]
    assert not steps or set(steps) == {head, zjj}


def test_a_team_member_must_belong_to_the_unit(people):
    item = _unit_item(people)
    unit = people["unit"]
    with pytest.raises(ValidationError):
        save_item_team(user=None, item=item, unit=unit, responsible=people["office"])
    other = item.assignments.exclude(unit=unit).first().unit
    with pytest.raises(PermissionDenied):
        save_item_team(user=people["zjj"], item=item, unit=other)


def test_without_a_team_the_unit_is_reminded_as_before(people):
    item = _unit_item(people)
    context = RunContext.for_date(item.due_on - dt.timedelta(days=1))
    notices = [n for n in work_items(context) if n.topic == f"workitem:{item.pk}"]
    assert notices and all(n.recipient == n.unit for n in notices)
