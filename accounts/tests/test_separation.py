"""三员分立 as GB/T 22239-2019 level 3 means it: no single administrator reaches business data
or the audit trail beyond their role, nor makes a working login alone, nor learns another
person's password alone; nobody administers their own account; every step is audited."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.crypto import encrypt_secret
from accounts.models import AccountRequest, LoginState
from audit.models import AuditEvent
from org.tests.factories import UnitFactory, cast_of

PASSWORD = "Luoshi@2024demo"
ADMINS = ("sysadmin", "secadmin", "auditor")


@pytest.fixture
def cast(db):
    """The three administrators, the office and a liaison officer who logs in with a
    password, by their demo usernames (not the whole demo)."""
    return cast_of("office", "zjj", *ADMINS, password=PASSWORD)


# Business data: the cockpit, the lists, their exports, the ledger, the API.
BUSINESS_URLS = [
    "/cockpit/",
    "/cockpit/workbench/",
    "/policy/",
    "/policy/items/",
    "/funding/receipts/",
    "/funding/receipts/?export=xlsx",
    "/funding/projects/?export=xlsx",
    "/funding/targets/",
    "/funding/contacts/",
    "/funding/guides/",
    "/funding/claims/",
    "/ledger/",
    "/ledger/export/",
    "/api/summary/",
]
AUDIT_URLS = ["/audit/", "/audit/?export=xlsx"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log_in(username: str, password: str) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client


@pytest.mark.parametrize("admin", ADMINS)
def test_no_administrator_reaches_business_data(cast, admin):
    client = logged_in(cast[admin])
    for url in BUSINESS_URLS:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (
            f"{admin} got {response.status_code} on {url}"
        )
        if response.status_code == 302:
            assert "/login/" in response["Location"] or "/cockpit/" not in response["Location"]
        assert not response.get("Content-Disposition"), f"{admin} exported {url}"
    recorded = client.post(
        "/api/receipts/",
        {"unit": "ZJJ", "amount": "100", "received_on": "2024-05-01"},
        content_type="application/json",
    )
    assert recorded.status_code in (401, 403, 404)


@pytest.mark.parametrize("admin", ("sysadmin", "secadmin"))
def test_only_the_audit_administrator_reads_the_trail(cast, admin):
    client = logged_in(cast[admin])
    for url in AUDIT_URLS:
        assert client.get(url).status_code == 403
    auditor = logged_in(cast["auditor"])
    assert auditor.get("/audit/").status_code == 200
    assert auditor.get(reverse("accounts:user_list")).status_code == 403
    assert auditor.get(reverse("accounts:security")).status_code == 403


def test_the_system_administrator_alone_cannot_make_a_working_login(cast):
    """The attack of issue 9: sysadmin creates an `office` login and tries to use it."""
    sysadmin = logged_in(cast["sysadmin"])
    response = sysadmin.post(
        reverse("accounts:user_create"),
        {"username": "fake_office", "full_name": "假督查室", "role": "office"},
        follow=True,
    )
    html = response.content.decode()
    assert "等待安全管理员" in html or "安全管理员" in html
    person = get_user_model().objects.get(username="fake_office")
    assert not person.is_active and not person.has_usable_password()
    assert not hasattr(person, "membership") or person.membership is None
    assert "密码（仅显示一次）" not in html and "临时密码" not in html
    # no password works for it, and the cockpit stays shut
    for guess in (PASSWORD, "", "fake_office"):
        assert log_in("fake_office", guess).get("/cockpit/").status_code == 302
    # the system administrator cannot approve, activate or issue a password
    pending = AccountRequest.objects.get(person=person)
    assert sysadmin.post(reverse("accounts:request_approve", args=[pending.pk])).status_code == 403
    assert sysadmin.post(reverse("accounts:person_activate", args=[person.pk])).status_code == 403
    # "activate" through the deactivate form does not work either
    sysadmin.post(reverse("accounts:user_set_active", args=[person.pk]), {"active": "1"})
    person.refresh_from_db()
    assert not person.is_active
    # a reset asked for by the system administrator shows no password and changes nothing yet
    zjj = cast["zjj"]
    old_hash = zjj.password
    html = sysadmin.post(
        reverse("accounts:user_reset_password", args=[zjj.pk]), follow=True
    ).content.decode()
    zjj.refresh_from_db()
    assert (
        zjj.password == old_hash
        and log_in("zjj", PASSWORD).get("/cockpit/workbench/").status_code == 200
    )
    assert re.search(r"[A-Za-z0-9]{5}#\d\d[A-Za-z0-9]{5}Aa", html) is None


def test_the_security_administrator_alone_cannot_create_or_reset(cast):
    secadmin = logged_in(cast["secadmin"])
    response = secadmin.post(
        reverse("accounts:user_create"),
        {"username": "sec_made", "full_name": "安全员自建", "role": "office"},
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="sec_made").exists()
    assert (
        secadmin.post(reverse("accounts:user_reset_password", args=[cast["office"].pk])).status_code
        == 403
    )
    assert not AccountRequest.objects.exists()


def test_the_whole_path_of_a_new_login_takes_both_and_is_audited(cast):
    sysadmin, secadmin = logged_in(cast["sysadmin"]), logged_in(cast["secadmin"])
    unit = UnitFactory()
    sysadmin.post(
        reverse("accounts:user_create"),
        {"username": "jtj", "full_name": "交通局联络员", "role": "unit_officer", "unit": unit.pk},
    )
    pending = AccountRequest.objects.get(person__username="jtj")
    security_page = secadmin.get(reverse("accounts:security")).content.decode()
    assert "jtj" in security_page and "授权并启用" in security_page
    response = secadmin.post(reverse("accounts:request_approve", args=[pending.pk]))
    assert response["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password"[^>]*>([^<]+)<', response.content.decode()).group(
        1
    )
    person = get_user_model().objects.get(username="jtj")
    assert person.is_active and person.membership.unit == unit
    assert LoginState.objects.get(user=person).must_change_password
    # shown once: the security page does not show it again, and no message cookie holds it
    assert password not in secadmin.get(reverse("accounts:security")).content.decode()
    assert password not in str(response.cookies)
    # the owner logs in and must change it first
    owner = log_in("jtj", password)
    assert owner.get(reverse("dashboard:workbench")).url == reverse("accounts:password_change")
    actions = list(
        AuditEvent.objects.filter(object_id=str(person.pk), object_type="auth.user")
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert ("accounts.person.requested", "sysadmin") in actions
    assert ("accounts.password.changed", "secadmin") in actions
    assert ("accounts.request.approved", "secadmin") in actions


def test_a_reset_is_asked_by_one_and_issued_by_the_other(cast):
    sysadmin, secadmin = logged_in(cast["sysadmin"]), logged_in(cast["secadmin"])
    zjj = cast["zjj"]
    sysadmin.post(reverse("accounts:user_reset_password", args=[zjj.pk]))
    pending = AccountRequest.objects.get(person=zjj, kind="reset")
    html = secadmin.post(reverse("accounts:request_approve", args=[pending.pk])).content.decode()
    password = re.search(r'id="one-time-password"[^>]*>([^<]+)<', html).group(1)
    assert log_in("zjj", PASSWORD).get("/cockpit/workbench/").status_code == 302  # old one gone
    owner = log_in("zjj", password)
    assert owner.get(reverse("dashboard:workbench")).url == reverse("accounts:password_change")
    assert AuditEvent.objects.filter(
        action="accounts.password.reset_requested", actor_name="sysadmin", object_id=str(zjj.pk)
    ).exists()
    # a decided request cannot be decided again
    assert secadmin.post(reverse("accounts:request_approve", args=[pending.pk])).status_code == 404


def test_nobody_administers_their_own_account(cast):
    sysadmin, secadmin = logged_in(cast["sysadmin"]), logged_in(cast["secadmin"])
    # the system administrator: no reset, no deactivation of their own account
    sysadmin.post(reverse("accounts:user_reset_password", args=[cast["sysadmin"].pk]))
    assert not AccountRequest.objects.filter(person=cast["sysadmin"]).exists()
    sysadmin.post(reverse("accounts:user_set_active", args=[cast["sysadmin"].pk]), {"active": "0"})
    assert get_user_model().objects.get(username="sysadmin").is_active
    # the security administrator cannot issue their own reset, unlock or reset their own 2FA
    sysadmin.post(reverse("accounts:user_reset_password", args=[cast["secadmin"].pk]))
    own = AccountRequest.objects.get(person=cast["secadmin"])
    response = secadmin.post(reverse("accounts:request_approve", args=[own.pk]), follow=True)
    assert "one-time-password" not in response.content.decode()
    own.refresh_from_db()
    assert own.state == AccountRequest.State.PENDING
    LoginState.objects.filter(user=cast["secadmin"]).update(
        totp_confirmed=True, totp_secret=encrypt_secret("A" * 32)
    )
    secadmin.post(reverse("accounts:reset_totp", args=[cast["secadmin"].pk]))
    assert LoginState.objects.get(user=cast["secadmin"]).totp_confirmed
    secadmin.post(reverse("accounts:person_activate", args=[cast["secadmin"].pk]))
    assert not AuditEvent.objects.filter(action="accounts.person.activated").exists()


def test_deactivated_logins_come_back_only_through_the_security_administrator(cast):
    sysadmin, secadmin = logged_in(cast["sysadmin"]), logged_in(cast["secadmin"])
    zjj = cast["zjj"]
    sysadmin.post(reverse("accounts:user_set_active", args=[zjj.pk]), {"active": "0"})
    assert log_in("zjj", PASSWORD).get("/cockpit/workbench/").status_code == 302
    assert "zjj" in secadmin.get(reverse("accounts:security")).content.decode()
    secadmin.post(reverse("accounts:person_activate", args=[zjj.pk]))
    assert log_in("zjj", PASSWORD).get("/cockpit/workbench/").status_code == 200
    assert list(
        AuditEvent.objects.filter(action__startswith="accounts.person.")
        .order_by("id")
        .values_list("action", "actor_name")
    ) == [("accounts.person.deactivated", "sysadmin"), ("accounts.person.activated", "secadmin")]
