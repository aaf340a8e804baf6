"""The REST API: tokens, scoping, pagination, JSON errors for hostile input, CSRF, the docs."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiToken
from audit.models import AuditEvent
from common.testing import CAST
from funding.models import Contact, Receipt
from funding.services import log_contact
from funding.tests.factories import ProjectFactory
from ledger.tests import factories as ledger_rows
from org.tests.factories import UnitFactory, cast_of


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def units(db):
    """The liaison officer's unit, another their leader oversees, and one outside both."""
    return {code: UnitFactory(code=code) for code in ("ZJJ", "CGJ", "FGW")}


@pytest.fixture
def cast(units):
    """The demo's seven roles, built alone: zjj and zjj_head in ZJJ, the leader over ZJJ
    and CGJ (not the whole demo)."""
    return cast_of(unit=units["ZJJ"], oversees=[units["ZJJ"], units["CGJ"]])


@pytest.fixture
def demo_cast(demo):
    """The demo's own users, for the tests about the demo's records and figures."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=CAST).select_related("membership")
    return {user.username: user for user in users}


@pytest.fixture
def zjj_token(cast):
    _token, raw = services.create_token(user=cast["zjj"], name="脚本", days=30)
    return raw


@pytest.fixture
def demo_zjj_token(demo_cast):
    _token, raw = services.create_token(user=demo_cast["zjj"], name="脚本", days=30)
    return raw


def test_it_creates_a_token_on_the_page_shows_it_once_and_keeps_only_its_digest(client, cast):
    client.force_login(cast["zjj"])
    page = client.post(reverse("api_tokens:token_list"), {"name": "报表脚本", "days": "30"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=cast["zjj"])
    raw = page.context["secret"]
    assert raw.startswith("lsk_") and raw in page.content.decode()
    assert token.digest == services.digest_of(raw) and raw not in token.digest
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    # shown once: the list afterwards names the token but never its secret
    again = client.get(reverse("api_tokens:token_list")).content.decode()
    assert "报表脚本" in again and raw not in again and token.prefix in again
    event = AuditEvent.objects.get(action="api.token.created", object_id=str(token.pk))
    assert raw not in json.dumps(event.after) and token.digest not in json.dumps(event.after)


def test_it_refuses_bad_token_forms_with_a_message(client, cast):
    client.force_login(cast["zjj"])
    for days in ("0", "366", "abc", "99999999999999999999"):
        response = client.post(reverse("api_tokens:token_list"), {"name": "x", "days": days})
        assert response.status_code == 400 and response.context["errors"]
    assert not ApiToken.objects.exists()


def test_a_token_works_until_revoked_and_revocation_is_audited(cast, zjj_token):
    api = Client()
    units = api.get("/api/units/", **bearer(zjj_token))
    assert units.status_code == 200
    assert [u["code"] for u in units.json()["items"]] == ["ZJJ"]
    token = ApiToken.objects.get()
    owner = Client()
    owner.force_login(cast["zjj"])
    assert owner.post(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 302
    refused = api.get("/api/units/", **bearer(zjj_token))
    assert refused.status_code == 401 and "Authorization" in refused.json()["error"]
    assert AuditEvent.objects.filter(action="api.token.revoked", object_id=str(token.pk)).exists()
    # a refused token is not rescued by a session cookie sent with it
    assert owner.get("/api/units/", **bearer(zjj_token)).status_code == 401
    assert owner.get("/api/units/").status_code == 200


def test_nobody_revokes_another_persons_token(cast, zjj_token):
    token = ApiToken.objects.get()
    other = Client()
    other.force_login(cast["zjj_head"])
    assert other.post(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_an_expired_or_unknown_token_is_refused(cast, zjj_token):
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/units/", **bearer(zjj_token)).status_code == 401
    assert Client().get("/api/units/", **bearer("lsk_guess")).status_code == 401
    refusals = AuditEvent.objects.filter(action="api.token.refused").order_by("id")
    assert [e.after["reason"] for e in refusals] == ["expired", "unknown"]
    assert all(not e.success and zjj_token not in json.dumps(e.after) for e in refusals)


def test_the_three_administrators_get_no_token_and_no_api(client, cast):
    client.force_login(cast["sysadmin"])
    assert client.get(reverse("api_tokens:token_list")).status_code == 403
    response = client.get("/api/units/")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied from the service
        services.create_token(user=cast["auditor"], name="x", days=1)


def test_writes_by_token_go_through_the_service_and_name_the_tokens_owner(cast, zjj_token):
    response = Client().post(
        "/api/receipts/",
        json.dumps({"amount": "25", "received_on": "2024-06-21", "doc_no": "令牌〔2024〕1号"}),
        content_type="application/json",
        **bearer(zjj_token),
    )
    assert response.status_code == 201, response.content
    receipt = Receipt.objects.get(doc_no="令牌〔2024〕1号")
    assert receipt.amount == 250_000 and receipt.unit.code == "ZJJ"
    event = AuditEvent.objects.get(action="funding.receipt.created", object_id=str(receipt.pk))
    assert event.actor_name == "zjj" and event.request_id
    # the same 文号 and amount again: the service's duplicate rule, as a JSON error
    again = Client().post(
        "/api/receipts/",
        json.dumps({"amount": "25", "received_on": "2024-06-22", "doc_no": "令牌〔2024〕1号"}),
        content_type="application/json",
        **bearer(zjj_token),
    )
    assert again.status_code == 400 and "令牌〔2024〕1号" in again.json()["error"]


def test_session_writes_need_the_csrf_token_and_token_writes_do_not(cast, zjj_token):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["zjj"])
    body = json.dumps({"amount": "3", "received_on": "2024-06-03"})
    refused = browser.post("/api/receipts/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    script = Client(enforce_csrf_checks=True)
    made = script.post("/api/receipts/", body, content_type="application/json", **bearer(zjj_token))
    assert made.status_code == 201


HOSTILE_BODIES = [
    "[]",
    '"abc"',
    "42",
    "null",
    '{"amount": "10", "received_on": NaN}',
    '{"amount": "10", "received_on": Infinity}',
    '{"amount": "10", "received_on": -Infinity}',
    '{"amount": "10", "received_on": 1e400}',
    '{"amount": 1e400, "received_on": "2024-06-01"}',
    '{"amount": NaN, "received_on": "2024-06-01"}',
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    "{not json",
    '{"amount": "10", "received_on": "9999-12-31"}',
    '{"amount": "10", "received_on": "2024-02-30"}',
    '{"amount": "-5", "received_on": "2024-06-01"}',
    '{"amount": "10", "received_on": ["2024-06-01"]}',
    '{"amount": {"x": 1}, "received_on": "2024-06-01"}',
    '{"amount": 1' + "0" * 5000 + ', "received_on": "2024-06-01"}',
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=lambda b: b[:30])
def test_hostile_bodies_get_a_clear_json_error(cast, zjj_token, body):
    response = Client().post(
        "/api/receipts/", body, content_type="application/json", **bearer(zjj_token)
    )
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    assert message and "Traceback" not in message
    assert not Receipt.objects.filter(doc_no="", amount=100_000, unit__code="ZJJ").exists()


def test_unknown_units_and_addresses_answer_json_404(cast, zjj_token):
    office = Client()
    office.force_login(cast["office"])
    for response in (
        office.get("/api/units/NOPE/"),
        office.post(
            "/api/receipts/",
            json.dumps({"amount": "1", "received_on": "2024-06-01", "unit": "NOPE"}),
            content_type="application/json",
        ),
        office.get("/api/no/such/address/"),
        office.get("/api/units"),  # no trailing slash
        Client().get("/api/units/NOPE/", **bearer(zjj_token)),
        Client().get("/api/units/FGW/", **bearer(zjj_token)),  # exists, not the caller's
    ):
        assert response.status_code == 404, response.content[:200]
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]
    wrong_method = office.delete("/api/units/")
    assert wrong_method.status_code == 405 and "DELETE" in wrong_method.json()["error"]
    assert "GET" in wrong_method["Allow"]
    anonymous = Client().get("/api/no/such/address/")
    assert anonymous.status_code == 401 and anonymous.json()["error"]


def test_lists_are_paginated_and_bounded(demo_cast, django_assert_max_num_queries):
    # on the demo: the query bound means something only over a list longer than the bound
    office = Client()
    office.force_login(demo_cast["office"])
    first = office.get("/api/receipts/", {"page_size": 5}).json()
    assert len(first["items"]) == 5 and first["count"] == Receipt.objects.count()
    second = office.get("/api/receipts/", {"page_size": 5, "page": 2}).json()
    assert {r["id"] for r in first["items"]}.isdisjoint(r["id"] for r in second["items"])
    for bad in ({"page": 0}, {"page": 10**20}, {"page_size": 201}, {"page": "²"}, {"year": 99999}):
        response = office.get("/api/receipts/", bad)
        assert response.status_code == 400 and response.json()["error"], bad
    for path in ("/api/receipts/", "/api/projects/", "/api/work-items/", "/api/contacts/"):
        with django_assert_max_num_queries(12):
            assert office.get(path, {"page_size": 200}).status_code == 200


def test_each_list_is_scoped_like_the_pages(cast, units):
    on = dt.date(2024, 6, 1)
    for code, unit in units.items():
        ledger_rows.receipt(unit, 100_000, on, doc_no=f"{code}〔2024〕1号")
        ProjectFactory(unit=unit)
        log_contact(user=None, unit=unit, direction="out", occurred_on=on, counterpart="省发改委")
    for username, expected in (("zjj", {"ZJJ"}), ("leader", {"ZJJ", "CGJ"})):
        client = Client()
        client.force_login(cast[username])
        receipts = client.get("/api/receipts/", {"page_size": 200}).json()["items"]
        assert {r["unit"] for r in receipts} == expected
        contacts = client.get("/api/contacts/", {"page_size": 200}).json()["items"]
        assert {c["unit"] for c in contacts} == expected
        projects = client.get("/api/projects/", {"page_size": 200}).json()["items"]
        assert {p["unit"] for p in projects} == expected
    office = Client()
    office.force_login(cast["office"])
    assert office.get("/api/receipts/").json()["count"] == Receipt.objects.count() == 3


def test_contacts_and_progress_reports_are_written_by_the_services(demo_zjj_token):
    zjj_token = demo_zjj_token
    made = Client().post(
        "/api/contacts/",
        json.dumps({"direction": "out", "occurred_on": "2024-06-20", "counterpart": "省财政厅"}),
        content_type="application/json",
        **bearer(zjj_token),
    )
    assert made.status_code == 201 and made.json()["unit"] == "ZJJ"
    contact = Contact.objects.get(counterpart="省财政厅")
    assert AuditEvent.objects.filter(
        action="funding.contact.created", object_id=str(contact.pk)
    ).exists()
    wrong = Client().post(
        "/api/contacts/",
        json.dumps({"direction": "sideways", "occurred_on": "2024-06-20", "counterpart": "x"}),
        content_type="application/json",
        **bearer(zjj_token),
    )
    assert wrong.status_code == 400 and wrong.json()["error"]
    report = Client().post(
        "/api/progress-reports/",
        json.dumps({"work_item": "GZ-05", "reported_on": "2024-06-20", "text": "已开工"}),
        content_type="application/json",
        **bearer(zjj_token),
    )
    assert report.status_code == 201 and report.json()["approved"] is False  # an officer's


def test_a_stale_advance_is_refused_with_409(cast, units):
    ProjectFactory(code="XM2025-ZJJ-01", unit=units["ZJJ"])
    office = Client()
    office.force_login(cast["office"])
    project = office.get("/api/projects/XM2025-ZJJ-01/").json()
    body = {"to_stage": "applied", "version": project["version"]}
    moved = office.post(
        "/api/projects/XM2025-ZJJ-01/advance/", json.dumps(body), content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "applied"
    stale = office.post(
        "/api/projects/XM2025-ZJJ-01/advance/",
        json.dumps({"to_stage": "in_review", "version": project["version"]}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    message = stale.json()["error"]
    # the plain message, never the repr of a list of messages (issue 25 point 7)
    assert "他人已修改此记录" in message and not message.startswith("[")


def test_the_openapi_document_and_a_docs_page_from_local_files(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/units/", "/api/receipts/", "/api/summary/", "/api/bulletins/"):
        assert path in schema["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    page = client.get("/api/docs/").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_summary_follows_the_period_and_refuses_bad_ones(demo_cast):
    # the demo's figures as leaders quote them (10.7亿元)
    office = Client()
    office.force_login(demo_cast["office"])
    figures = office.get("/api/summary/", {"year": "2024", "as_of": "2024-06-30"}).json()
    assert figures["secured_wan"] == 107000 and figures["time_progress"] == 0.4973
    by_month = office.get("/api/summary/", {"as_of": "2024-06-30", "mode": "month"}).json()
    assert by_month["time_progress"] == 0.5
    for bad in ({"year": "99999"}, {"as_of": "9999-12-31"}, {"mode": "week"}, {"year": "²"}):
        response = office.get("/api/summary/", bad)
        assert response.status_code == 400 and response.json()["error"], bad
