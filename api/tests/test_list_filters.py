"""Each API list filters through its page's FilterSet (issue 22.3): the same parameters, the
same rows, and a value the page would refuse is a 400 that says which parameter and why."""

import datetime as dt

import pytest
from django.test import Client

from funding.choices import Level, Stage
from funding.models import Project, Receipt
from funding.tests.factories import ProjectFactory
from ledger.tests.factories import receipt, target
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db) -> dict:
    return {code: UnitFactory(code=code) for code in ("ZJJ", "FGW")}


@pytest.fixture
def office(units) -> Client:
    client = Client()
    client.force_login(cast_of("office")["office"])
    return client


def test_the_api_and_the_page_list_the_same_filtered_rows(office, units):
    # each filter leaves out a receipt: another unit's, an earlier one, another level's
    for unit in units.values():
        for on, level in (("2024-02-20", Level.PROVINCIAL), ("2024-04-01", Level.PROVINCIAL)):
            receipt(unit, 100_000, dt.date.fromisoformat(on), level=level)
    receipt(units["ZJJ"], 200_000, dt.date(2024, 5, 1), level=Level.CENTRAL)
    query = {"unit": "ZJJ", "received_from": "2024-03-01", "level": "provincial"}
    api = office.get("/api/receipts/", {**query, "page_size": 200}).json()
    page = office.get("/funding/receipts/", query)
    assert api["count"] == page.context["page"].paginator.count > 0
    zjj = Unit.objects.get(code="ZJJ")
    expected = Receipt.objects.filter(unit=zjj, received_on__gte="2024-03-01", level="provincial")
    assert {r["id"] for r in api["items"]} == set(expected.values_list("pk", flat=True))


def test_filters_the_old_api_took_still_answer_alike(office, units):
    for unit in units.values():
        ProjectFactory.create_batch(2, unit=unit)
        ProjectFactory(unit=unit, stage=Stage.APPLIED)
        target(unit, 50_000_000, year=2024)
        target(unit, 40_000_000, year=2023)
    projects = office.get("/api/projects/", {"stage": "reserve", "unit": "ZJJ"}).json()
    expected = Project.objects.filter(stage="reserve", unit__code="ZJJ").count()
    assert projects["count"] == expected > 0
    targets = office.get("/api/targets/", {"year": "2024"}).json()
    assert targets["count"] and {t["year"] for t in targets["items"]} == {2024}


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/api/projects/", {"stage": "nonsense"}, "stage"),
        ("/api/receipts/", {"unit": "NO-SUCH-UNIT"}, "unit"),
        ("/api/receipts/", {"received_from": "2024-02-30"}, "received_from"),
        ("/api/targets/", {"year": "1999"}, "year"),
        ("/api/work-items/", {"state": "sleeping"}, "state"),
        ("/api/contacts/", {"leader": "999999999"}, "leader"),
        ("/api/guides/", {"deadline_to": "not a date"}, "deadline_to"),
        ("/api/units/", {"kind": "planet"}, "kind"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(office, path, query, name):
    response = office.get(path, query)
    assert response.status_code == 400
    assert response.json()["error"].count(name) == 1


def test_a_unit_filter_outside_ones_scope_is_refused_not_widened(units):
    client = Client()
    client.force_login(cast_of("zjj", unit=units["ZJJ"])["zjj"])
    assert client.get("/api/receipts/", {"unit": "FGW"}).status_code == 400
    page = client.get("/funding/receipts/", {"unit": "FGW"})
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()


def test_the_openapi_document_names_the_pages_filters(office):
    document = office.get("/api/openapi.json").json()
    parameters = document["paths"]["/api/receipts/"]["get"]["parameters"]
    names = {p["name"] for p in parameters}
    assert {"q", "unit", "year", "received_from", "received_to", "level", "channel"} <= names
