"""The API refuses what the caller may not set (design §10) and carries corrections."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from funding.choices import ReceiptState
from funding.models import Receipt, ReceiptCorrection
from org.models import Unit
from org.period import ReportingPeriod
from reporting.read_model import secured_by_unit


@pytest.fixture
def cast(db):
    """ZJJ (leading work item GZ-05) with its officer and the office by their demo usernames,
    and FGW with a receipt (not the whole demo)."""
    from ledger.tests.factories import receipt
    from org.tests.factories import LeaderFactory, UnitFactory, cast_of
    from policy.services import save_policy, save_work_item

    zjj, fgw = UnitFactory(code="ZJJ"), UnitFactory(code="FGW")
    receipt(fgw, 5_000_000, dt.date(2024, 5, 1), doc_no="发改〔2024〕5号")
    save_work_item(
        user=None,
        policy=save_policy(user=None, title="测试政策"),
        code="GZ-05",
        title="城市更新",
        lead_leader=LeaderFactory(oversees=[zjj]),
        lead_unit=zjj,
        due_on=dt.date(2024, 9, 30),
    )
    return cast_of("office", "zjj", unit=zjj)


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_unit_naming_another_unit_is_refused_not_rewritten(client, cast):
    client.force_login(cast["zjj"])
    count = Receipt.objects.count()
    body = {"amount": "10", "received_on": "2024-06-01", "unit": "FGW", "doc_no": "转〔2024〕1号"}
    refused = _post(client, reverse("api:receipt_create"), body)
    assert refused.status_code == 403
    assert "ZJJ" in refused.json()["error"] and "FGW" in refused.json()["error"]
    assert Receipt.objects.count() == count
    # the same for progress reports and contacts, which name their unit the same way
    report = _post(
        client,
        reverse("api:progress_report_create"),
        {"work_item": "GZ-05", "reported_on": "2024-06-20", "text": "进展", "unit": "FGW"},
    )
    contact = _post(
        client,
        reverse("api:contact_create"),
        {"direction": "out", "occurred_on": "2024-06-20", "counterpart": "省厅", "unit": "FGW"},
    )
    assert (report.status_code, contact.status_code) == (403, 403)
    # a field the API does not take is refused, not ignored
    extra = _post(
        client, reverse("api:receipt_create"), {**body, "unit": "ZJJ", "level": "central"}
    )
    assert extra.status_code == 400 and "level" in extra.json()["error"]
    # naming one's own unit, or none, records as before
    body["unit"] = "ZJJ"
    assert _post(client, reverse("api:receipt_create"), body).status_code == 201


def test_a_correction_through_the_api_changes_the_figures(client, cast):
    zjj = Unit.objects.get(code="ZJJ")
    client.force_login(cast["zjj"])
    made = _post(
        client,
        reverse("api:receipt_create"),
        {"amount": "300", "received_on": "2024-05-10", "doc_no": "API〔2024〕9号"},
    ).json()
    receipt = Receipt.objects.get(pk=made["id"])
    period = ReportingPeriod(2024, dt.date(2024, 6, 30))
    before = secured_by_unit(period, [zjj.pk])[zjj.pk]
    url = reverse("api:correction_create", kwargs={"receipt_id": receipt.pk})
    stale = _post(client, url, {"kind": "amend", "reason": "录错", "version": 7, "amount": "320"})
    assert stale.status_code == 409
    asked = _post(
        client, url, {"kind": "amend", "reason": "金额录错", "version": 1, "amount": "320"}
    )
    assert asked.status_code == 201, asked.content
    request = asked.json()
    assert request["state"] == "pending" and request["changes"] == [
        {"field": "金额", "before": "300万元", "after": "320万元"}
    ]
    # a unit cannot decide; the office can
    approve = reverse("api:correction_approve", kwargs={"correction_id": request["id"]})
    assert _post(client, approve, {"version": request["version"]}).status_code == 403
    queue = client.get(reverse("api:corrections"), {"state": "pending"}).json()
    assert [c["id"] for c in queue["items"]] == [request["id"]]
    client.force_login(cast["office"])
    done = _post(client, approve, {"version": request["version"], "comment": "同意"})
    assert done.status_code == 200 and done.json()["state"] == "approved"
    replacement = Receipt.objects.get(pk=done.json()["replacement"])
    assert replacement.amount == 3_200_000 and replacement.corrects_id == receipt.pk
    assert Receipt.every.get(pk=receipt.pk).state == ReceiptState.SUPERSEDED
    assert secured_by_unit(period, [zjj.pk])[zjj.pk] == before + 200_000
    # another unit's receipt is not found for zjj; a refusal needs a comment
    client.force_login(cast["zjj"])
    fgw = Receipt.objects.filter(unit__code="FGW").first()
    other = reverse("api:correction_create", kwargs={"receipt_id": fgw.pk})
    assert _post(client, other, {"kind": "void", "reason": "x", "version": 1}).status_code == 404
    again = _post(
        client,
        reverse("api:correction_create", kwargs={"receipt_id": replacement.pk}),
        {"kind": "void", "reason": "误报", "version": replacement.version},
    ).json()
    client.force_login(cast["office"])
    refuse = reverse("api:correction_refuse", kwargs={"correction_id": again["id"]})
    assert _post(client, refuse, {"version": again["version"]}).status_code == 400
    assert (
        _post(client, refuse, {"version": again["version"], "comment": "已到账"}).json()["state"]
        == "refused"
    )
    assert ReceiptCorrection.objects.count() == 2
