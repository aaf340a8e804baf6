"""Pages a walkthrough missed (issue 20 point 5): a unit notes a lead (the office for any
unit), and the office sets a new year's target, each through its service and audited."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from funding.models import Lead, Target
from funding.tests.factories import ZJJ
from org.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_a_unit_notes_its_own_lead_from_the_leads_page(client, team):
    client.force_login(team["zjj"])
    listing = client.get(reverse("funding:lead_list")).content.decode()
    assert reverse("funding:lead_create") in listing and "登记争取线索" in listing
    response = client.post(
        reverse("funding:lead_create"),
        {
            "unit": "999",  # a unit cannot note a lead for another: the field is not theirs
            "title": "  省住建厅拟设城市体检专项资金  ",
            "source": "省厅座谈会",
            "estimated": "800",
            "noted_on": "2024-06-28",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(title="省住建厅拟设城市体检专项资金")
    assert lead.unit.code == "ZJJ" and lead.estimated == 8_000_000
    event = AuditEvent.objects.filter(action="funding.lead.created").latest("id")
    assert event.actor_name == "zjj"


def test_the_office_notes_a_lead_for_any_unit_and_bad_input_is_told(client, team):
    slj = UnitFactory(code="SLJ")
    client.force_login(team["office"])
    before = Lead.objects.count()
    bad = client.post(
        reverse("funding:lead_create"),
        {"unit": str(slj.pk), "title": "   ", "noted_on": "2099-01-01", "estimated": "很多"},
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and Lead.objects.count() == before
    errors = re.findall(r'class="field-error" role="alert">([^<]+)<', html)
    assert len(errors) == 3 and "2099-01-01" in " ".join(errors), errors
    done = client.post(
        reverse("funding:lead_create"),
        {"unit": str(slj.pk), "title": "水利部中小河流治理新批次", "noted_on": "2024-06-30"},
    )
    assert done.status_code == 302
    assert Lead.objects.get(title="水利部中小河流治理新批次").unit == slj


def test_a_leader_reads_leads_but_notes_none(client, team):
    client.force_login(team["leader"])
    assert (
        reverse("funding:lead_create")
        not in client.get(reverse("funding:lead_list")).content.decode()
    )
    assert client.get(reverse("funding:lead_create")).status_code == 403


def test_the_office_sets_a_new_years_target_and_is_sent_to_an_existing_one(client, team):
    zjj = UnitFactory(**ZJJ)
    client.force_login(team["office"])
    listing = client.get(reverse("funding:target_list")).content.decode()
    assert reverse("funding:target_create") in listing
    assert not Target.objects.filter(unit=zjj, year=2025).exists()
    response = client.post(
        reverse("funding:target_create"), {"unit": zjj.pk, "year": "2025", "amount": "4.2亿"}
    )
    target = Target.objects.get(unit=zjj, year=2025)
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:target_edit", args=[target.pk]
    )
    assert target.amount == 420_000_000
    event = AuditEvent.objects.filter(action="funding.target.created").latest("id")
    assert event.actor_name == "office"
    # the same year again is not a silent change: the existing target's own page does that
    again = client.post(
        reverse("funding:target_create"), {"unit": zjj.pk, "year": "2025", "amount": "5亿"}
    )
    html = again.content.decode()
    assert again.status_code == 200 and "已有2025年度争取任务" in html
    assert reverse("funding:target_edit", args=[target.pk]) in html
    target.refresh_from_db()
    assert target.amount == 420_000_000 and target.version == 1


def test_units_cannot_set_targets(client, team):
    client.force_login(team["zjj"])
    assert (
        reverse("funding:target_create")
        not in client.get(reverse("funding:target_list")).content.decode()
    )
    assert client.get(reverse("funding:target_create")).status_code == 403
