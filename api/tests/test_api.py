import json

import pytest
from django.urls import reverse

from funding.models import Receipt
from ledger.tests.factories import target
from org.tests.factories import UnitFactory, cast_of, reporting_period


@pytest.fixture
def zjj(db):
    """ZJJ's liaison officer; ZJJ and FGW each with a target for 2024 (not the whole demo)."""
    reporting_period(2024)
    units = [UnitFactory(code=code) for code in ("ZJJ", "FGW")]
    for unit in units:
        target(unit, 100_000_000)
    return cast_of("zjj", unit=units[0])["zjj"]


def test_the_summary_api_gives_the_design_shape(client, cast):
    client.force_login(cast["office"])
    figures = client.get(reverse("api:summary"), {"as_of": "2024-06-30"}).json()
    assert figures["secured_wan"] == 107000
    assert figures["counts"] == {"completed": 1, "ahead": 4, "behind": 8, "none": 4}


def test_a_unit_sees_only_its_own_figures(client, zjj):
    client.force_login(zjj)
    figures = client.get(reverse("api:summary"), {"as_of": "2024-06-30"}).json()
    assert [u["code"] for u in figures["units"]] == ["ZJJ"]


def test_recording_a_receipt_by_json(client, zjj):
    client.force_login(zjj)
    response = client.post(
        reverse("api:receipt_create"),
        json.dumps({"amount": "1.2亿", "received_on": "2024年6月1日", "doc_no": "API〔2024〕1号"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Receipt.objects.get(doc_no="API〔2024〕1号").amount == 120_000_000
    bad = client.post(
        reverse("api:receipt_create"),
        json.dumps({"amount": "abc"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "不是金额" in bad.json()["error"]


def test_anonymous_callers_get_401(client, db):
    assert client.get(reverse("api:summary")).status_code == 401
