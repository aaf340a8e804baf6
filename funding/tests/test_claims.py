"""Double claims (重复申报, design §3.1): duplicates refused, doubtful claims flagged, decided."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from funding import services
from funding.choices import ReceiptState
from funding.corrections import services as correction_services
from funding.models import ClaimReview, Receipt, ReceiptCorrection
from funding.querysets import doubtful_claims
from funding.tests.factories import TargetFactory
from org.models import Unit
from org.period import ReportingPeriod
from org.tests.factories import UnitFactory
from reporting.read_model import SYSTEM, figures_for

DEMO_CLAIM = "省财建〔2024〕701号"
JUNE_1 = dt.date(2024, 6, 1)


def _unit(code: str) -> Unit:
    """The unit of that code, made the first time it is asked for."""
    return UnitFactory(code=code)


def _record(code: str, amount_wan: int, doc_no: str, on: dt.date = JUNE_1, user=None):
    return services.record_receipt(
        user=user, unit=_unit(code), amount=amount_wan * 10_000, received_on=on, doc_no=doc_no
    )


# --- the same unit twice: a duplicate, refused everywhere ---------------------------------


@pytest.mark.parametrize(
    "again",
    [
        "省财建〔2024〕801号",
        "省财建 〔2024〕 801 号",
        "省财建［２０２４］８０１号",
        "省财建(2024)801号",
    ],
)
def test_the_same_unit_number_and_amount_again_is_refused_naming_the_first(db, again):
    _record("SLJ", 300, "省财建〔2024〕801号")
    count = Receipt.objects.count()
    with pytest.raises(ValidationError) as refused:
        _record("SLJ", 300, again, on=dt.date(2024, 6, 15))
    message = " ".join(refused.value.messages)
    assert "2024-06-01" in message and "300万元" in message and "省财建〔2024〕801号" in message
    assert Receipt.objects.count() == count
    # the very same entry by hand is refused too; only loaders may repeat it (a no-op)
    with pytest.raises(ValidationError):
        _record("SLJ", 300, "省财建〔2024〕801号")
    receipt, created = services.record_receipt(
        user=None,
        unit=_unit("SLJ"),
        amount=3_000_000,
        received_on=JUNE_1,
        doc_no="省财建〔2024〕801号",
        repeat_ok=True,
    )
    assert not created and Receipt.objects.count() == count


def test_another_amount_or_no_number_is_not_a_duplicate(db):
    _record("SLJ", 300, "省财建〔2024〕802号")
    _receipt, created = _record("SLJ", 200, "省财建〔2024〕802号", on=dt.date(2024, 6, 2))
    assert created  # a second tranche of one document
    first, created = _record("SLJ", 50, "")
    again, created_again = _record("SLJ", 50, "")
    assert created and not created_again and again == first  # as before: an exact repeat


def test_the_api_refuses_a_duplicate_naming_the_first(client, team):
    client.force_login(team["zjj"])
    url = reverse("api:receipt_create")

    def post(doc_no, on):
        body = {"amount": "120", "received_on": on, "doc_no": doc_no}
        return client.post(url, json.dumps(body), content_type="application/json")

    assert post("建城〔2024〕9号", "2024-06-03").status_code == 201
    refused = post("建城 (２０２４) 9号", "2024年6月9日")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "2024-06-03" in error and "120万元" in error and "建城〔2024〕9号" in error


def test_the_workbench_form_refuses_a_duplicate_naming_the_first(client, team):
    client.force_login(team["zjj"])
    url = reverse("dashboard:receipt_create")
    data = {"amount": "66", "received_on": "2024-06-05", "doc_no": "建城〔2024〕10号"}
    assert "已登记" not in client.post(url, data).content.decode()
    html = client.post(url, {**data, "doc_no": "建城［2024］10号"}).content.decode()
    assert "本单位已于2024-06-05登记过这笔资金" in html and "建城〔2024〕10号" in html
    assert Receipt.objects.filter(doc_key="建城〔2024〕10号").count() == 1


# --- two units: a doubtful claim, counted and listed ----------------------------------------


def test_two_units_with_one_number_is_a_doubtful_claim_counted_in_the_figures(claim):
    # both of the league (the figures count them), JTJ first in the table's order
    for code in ("JTJ", "SLJ"):
        TargetFactory(unit=_unit(code))
    before = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))).summary
    _record("SLJ", 400, "发改投资〔2024〕5号")
    _receipt, created = _record("JTJ", 400, "发改投资（2024）5号", on=dt.date(2024, 6, 20))
    assert created
    after = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))).summary
    assert after.secured == before.secured + 8_000_000  # both receipts count
    claims = doubtful_claims(2024, dt.date(2024, 6, 30))
    assert [(c["doc_no"], c["units"], c["amount_wan"]) for c in claims] == [
        ("发改投资〔2024〕5号", ["JTJ", "SLJ"], Decimal(800))
    ]
    assert set(claims[0]) == {"doc_no", "units", "amount_wan", "receipts"}
    assert [r.unit.code for r in claims[0]["receipts"]] == ["SLJ", "JTJ"]  # oldest first
    # the period and the units asked for
    assert doubtful_claims(2024, dt.date(2024, 6, 10)) == []
    assert doubtful_claims(2023) == []
    assert len(doubtful_claims()) == 2  # with the 701号 of August
    assert [c["doc_no"] for c in doubtful_claims(unit_ids=[_unit("MZJ").pk])] == [DEMO_CLAIM]
    assert doubtful_claims(2024, unit_ids=[_unit("FGW").pk]) == []


def test_the_demo_has_one_doubtful_claim_after_the_half_year(demo):
    claims = doubtful_claims(2024)
    assert [(c["doc_no"], c["units"], c["amount_wan"]) for c in claims] == [
        (DEMO_CLAIM, ["ZJJ", "MZJ"], Decimal(1600))
    ]
    assert [r.doc_no for r in claims[0]["receipts"]] == [DEMO_CLAIM, "省财建（2024）701 号"]
    assert doubtful_claims(2024, dt.date(2024, 6, 30)) == []
    assert doubtful_claims(2024, dt.date(2024, 7, 31)) == []


def test_doubtful_claims_takes_two_queries_whatever_their_number(claim, django_assert_num_queries):
    for n in range(30):
        _record("SLJ", 10 + n, f"测试〔2024〕{n}号")
        _record("JTJ", 10 + n, f"测试〔2024〕{n}号")
    with django_assert_num_queries(2):
        assert len(doubtful_claims(2024)) == 31


# --- the office decides -----------------------------------------------------------------


def _page(client):
    return client.get(reverse("funding:claim_list")).content.decode()


def _seen():
    return ",".join(
        str(pk) for pk in Receipt.objects.filter(doc_key=DEMO_CLAIM).values_list("pk", flat=True)
    )


def test_the_office_sees_each_receipt_and_confirms_the_claim(client, team, claim):
    client.force_login(team["office"])
    html = _page(client)
    assert "省财建〔2024〕701号" in html and "省财建（2024）701 号" in html
    assert "市住房和城乡建设局" in html and "市民政局" in html and "2024-08-20" in html
    assert "800万元" in html and "2 个单位，合计 1,600万元" in html
    response = client.post(
        reverse("funding:claim_confirm"),
        {"doc_key": DEMO_CLAIM, "seen": _seen(), "note": "省厅一文下达两个单位"},
        follow=True,
    )
    assert "已确认" in response.content.decode()
    assert doubtful_claims(2024) == []
    assert DEMO_CLAIM not in _page(client)
    review = ClaimReview.objects.get(doc_key=DEMO_CLAIM)
    assert review.decided_by == team["office"] and review.note == "省厅一文下达两个单位"
    event = AuditEvent.objects.get(action="funding.claim.confirmed")
    assert event.actor_id == team["office"].pk
    assert sorted(event.after["units"]) == sorted([_unit("ZJJ").pk, _unit("MZJ").pk])
    # a third unit recording the same document makes it doubtful again
    _record("CGJ", 100, "省财建 [2024] 701号", on=dt.date(2024, 9, 1))
    assert doubtful_claims(2024)[0]["units"] == ["ZJJ", "MZJ", "CGJ"]


def test_a_confirmation_based_on_an_outdated_page_is_refused(client, team, claim):
    client.force_login(team["office"])
    seen = _seen()
    _record("CGJ", 100, "省财建〔2024〕701号", on=dt.date(2024, 9, 1))
    html = client.post(
        reverse("funding:claim_confirm"), {"doc_key": DEMO_CLAIM, "seen": seen}, follow=True
    ).content.decode()
    assert "请刷新页面" in html
    assert not ClaimReview.objects.exists() and len(doubtful_claims(2024)) == 1
    for bad in ({"doc_key": DEMO_CLAIM, "seen": "x,1"}, {"doc_key": "没有", "seen": ""}, {}):
        assert client.post(reverse("funding:claim_confirm"), bad).status_code == 302
    assert not ClaimReview.objects.exists()


def test_the_office_rejects_one_receipt_and_the_figures_drop(client, team, claim):
    client.force_login(team["office"])
    receipt = Receipt.objects.get(doc_key=DEMO_CLAIM, unit__code="MZJ")
    before = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 12, 31))).summary.secured
    url = reverse("funding:receipt_reject", args=[receipt.pk])
    # a reason is required, and the version must be the one read
    client.post(url, {"version": receipt.version, "note": " "})
    client.post(url, {"version": receipt.version + 1, "note": "重复申报"})
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    response = client.post(url, {"version": receipt.version, "note": "民政局误报住建局资金"})
    assert response.status_code == 302
    # kept, out of the figures
    assert not Receipt.objects.filter(pk=receipt.pk).exists()
    assert Receipt.every.get(pk=receipt.pk).state == ReceiptState.REJECTED
    assert (
        figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 12, 31))).summary.secured
        == before - 8_000_000
    )
    assert doubtful_claims(2024) == []
    kept = ReceiptCorrection.objects.get()
    assert (kept.receipt.unit.code, kept.receipt.amount, kept.reason, kept.decided_by) == (
        "MZJ",
        8_000_000,
        "民政局误报住建局资金",
        team["office"],
    )
    event = AuditEvent.objects.get(action="funding.receipt.rejected")
    assert event.object_id == str(receipt.pk) and event.before["amount"] == 8_000_000
    assert event.actor_id == team["office"].pk and event.after["note"] == "民政局误报住建局资金"
    # the other unit's receipt is no longer part of a claim: it cannot be rejected here
    zjj = Receipt.objects.get(doc_key=DEMO_CLAIM)
    with pytest.raises(ValidationError):
        correction_services.reject_receipt(user=team["office"], receipt=zjj, note="x")


@pytest.mark.parametrize("username", ["leader", "zjj", "zjj_head", "sysadmin", "auditor"])
def test_only_the_office_decides(client, team, claim, username):
    client.force_login(team[username])
    assert client.get(reverse("funding:claim_list")).status_code == 403
    confirm = client.post(
        reverse("funding:claim_confirm"), {"doc_key": DEMO_CLAIM, "seen": _seen()}
    )
    assert confirm.status_code == 403
    receipt = Receipt.objects.get(doc_key=DEMO_CLAIM, unit__code="MZJ")
    reject = client.post(
        reverse("funding:receipt_reject", args=[receipt.pk]),
        {"version": receipt.version, "note": "x"},
    )
    assert reject.status_code == 403
    with pytest.raises(PermissionDenied):
        services.confirm_claim(user=team[username], doc_key=DEMO_CLAIM)
    assert not ClaimReview.objects.exists() and Receipt.objects.filter(pk=receipt.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="funding.claim").exists()


def test_the_claims_page_costs_the_same_with_many_claims(
    client, team, claim, django_assert_max_num_queries
):
    client.force_login(team["office"])
    client.get(reverse("funding:claim_list"))  # the session's first-request checks
    with django_assert_max_num_queries(8) as one:
        _page(client)
    for n in range(40):
        _record("SLJ", 10 + n, f"测试〔2024〕{n}号")
        _record("JTJ", 10 + n, f"测试〔2024〕{n}号")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = _page(client)
    assert "第 1 页，共 3 页" in html and len(re.findall(r'class="card claim"', html)) == 20
