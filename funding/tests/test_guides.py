"""The office records an application guide; its page and the list show it."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from funding.models import Guide
from funding.tests.factories import ZJJ
from org.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

GUIDE = {
    "title": "关于申报2025年城市更新中央预算内投资项目的通知",
    "issuer": "省发展和改革委员会",
    "level": "central",
    "published_on": "2024-06-10",
    "deadline": "2024-07-15",
    "scope": "老旧小区改造、城市燃气管道更新",
}


def test_the_office_records_a_guide_for_some_units(client, team, half_year):
    units = [UnitFactory(**ZJJ), UnitFactory(code="FGW")]
    UnitFactory(code="SLJ")  # a unit the guide is not for
    client.force_login(team["office"])
    response = client.post(
        reverse("funding:guide_create"), {**GUIDE, "units": [u.pk for u in units]}
    )
    guide = Guide.objects.get(title=GUIDE["title"])
    assert response["Location"] == reverse("funding:guide_detail", args=[guide.pk])
    assert set(guide.units.all()) == set(units)
    assert AuditEvent.objects.filter(
        action="funding.guide.created", object_id=str(guide.pk)
    ).exists()
    client.force_login(team["zjj"])
    listed = client.get(reverse("funding:guide_list"), {"q": "城市更新中央预算内"}).content.decode()
    assert GUIDE["title"] in listed and "2024-07-15" in listed


def test_a_deadline_before_publication_keeps_what_was_typed(client, team, half_year):
    client.force_login(team["office"])
    response = client.post(reverse("funding:guide_create"), {**GUIDE, "deadline": "2024-06-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "截止日期不能早于发布日期" in html
    assert f'value="{GUIDE["title"]}"' in html and GUIDE["scope"] in html
    assert not Guide.objects.filter(title=GUIDE["title"]).exists()


def test_the_same_guide_twice_is_refused(client, team, half_year):
    client.force_login(team["office"])
    client.post(reverse("funding:guide_create"), GUIDE)
    again = client.post(reverse("funding:guide_create"), GUIDE)
    assert again.status_code == 200 and "已登记" in again.content.decode()
    assert Guide.objects.filter(title=GUIDE["title"]).count() == 1


def test_only_the_office_sees_the_new_guide_button(client, team, half_year):
    client.force_login(team["office"])
    assert (
        reverse("funding:guide_create")
        in client.get(reverse("funding:guide_list")).content.decode()
    )
    client.force_login(team["zjj"])
    assert (
        reverse("funding:guide_create")
        not in client.get(reverse("funding:guide_list")).content.decode()
    )
