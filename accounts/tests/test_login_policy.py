import datetime as dt
import re

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.crypto import decrypt_secret
from accounts.models import LoginState
from audit.models import AuditEvent
from common.permissions import Role
from org.tests.factories import PersonFactory, cast_of

GENERIC = "用户名或密码不正确，或账号已被锁定"
PASSWORD = "Luoshi@2024demo"


@pytest.fixture
def cast(db):
    """The office, ZJJ's officer and head and the audit administrator, with the demo's
    password, by their demo usernames (not the whole demo)."""
    return cast_of("office", "zjj", "zjj_head", "auditor", password=PASSWORD)


def post_login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_for_thirty_minutes(db, settings):
    officer = PersonFactory(role=Role.UNIT_OFFICER, password="Luoshi@test2024")
    client = Client()
    for _ in range(5):
        assert GENERIC in post_login(client, officer.username, "Wrong@pass1").content.decode()
    state = LoginState.objects.get(user=officer)
    assert state.locked_until > timezone.now() + dt.timedelta(minutes=29)
    # even the right password is refused now, with the same message
    response = post_login(client, officer.username, "Luoshi@test2024")
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.login.locked").count() == 1
    assert AuditEvent.objects.filter(action="accounts.login.failed").count() == 6


def test_every_kind_of_failure_says_the_same(cast, make_user):
    client = Client()
    inactive = cast["zjj_head"]
    inactive.is_active = False
    inactive.save()
    pages = [
        post_login(client, "nobody", "Whatever@1"),
        post_login(client, "zjj", "Wrong@pass1"),
        post_login(client, "zjj_head", "Luoshi@2024demo"),
    ]
    alerts = {
        re.search(r'role="alert">(.*?)</div>', p.content.decode(), re.S).group(1) for p in pages
    }
    assert len(alerts) == 1 and GENERIC in alerts.pop()


def test_demo_accounts_cannot_log_in_outside_demo_mode(cast, settings):
    services.mark_demo_account(cast["zjj"])  # as `luoshi demo` marks its logins
    settings.LUOSHI_DEMO = False
    response = post_login(Client(), "zjj", "Luoshi@2024demo")
    assert GENERIC in response.content.decode()
    settings.LUOSHI_DEMO = True
    assert post_login(Client(), "zjj", "Luoshi@2024demo").status_code == 302


def test_a_new_person_must_change_the_password_first(db, make_user):
    person = make_user("office", password="Initial@pw1")
    client = Client()
    response = post_login(client, person.username, "Initial@pw1")
    assert response.status_code == 302
    assert client.get(reverse("dashboard:cockpit")).url == reverse("accounts:password_change")
    bad = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial@pw1",
            "new_password1": "alllowercase",
            "new_password2": "alllowercase",
        },
    )
    assert "至少包含以下3类字符" in bad.content.decode()
    reused = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial@pw1",
            "new_password1": "Initial@pw1",
            "new_password2": "Initial@pw1",
        },
    )
    assert "不能与最近5次使用过的密码相同" in reused.content.decode()
    ok = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial@pw1",
            "new_password1": "Better#Pass2",
            "new_password2": "Better#Pass2",
        },
    )
    assert ok.status_code == 302
    assert client.get(reverse("dashboard:cockpit")).status_code == 200


def test_none_of_the_last_five_passwords_comes_back(db, make_user):
    person = make_user("office", password="Start@pw00")
    for n in range(1, 6):
        services.change_password(user=person, new_password=f"Round@pw{n:02d}")
    with pytest.raises(ValidationError):
        services.change_password(user=person, new_password="Round@pw01")
    with pytest.raises(ValidationError):
        services.change_password(user=person, new_password="Round@pw05")
    with pytest.raises(ValidationError):
        services.change_password(user=person, new_password="Start@pw00")  # 5 changes ago
    services.change_password(user=person, new_password="Round@pw06")
    services.change_password(user=person, new_password="Start@pw00")  # 6 changes ago: allowed


def test_a_password_older_than_ninety_days_must_change(db):
    office = PersonFactory(role=Role.OFFICE)
    state = LoginState.objects.get(user=office)
    state.password_changed_at = timezone.now() - dt.timedelta(days=91)
    state.save()
    assert services.needs_password_change(office)


def test_administrators_need_a_one_time_code(cast):
    client = Client()
    response = post_login(client, "auditor", "Luoshi@2024demo")
    assert response.url.startswith(reverse("accounts:two_factor"))
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:two_factor")).content.decode()
    # the key shown waits in the session; nothing is stored before the first good code
    pending = client.session["luoshi_pending_totp_secret"]["secret"]
    secret = decrypt_secret(pending)  # encrypted in the session too (a database row)
    assert secret and secret in page and secret not in pending
    assert not LoginState.objects.get(user=cast["auditor"]).totp_secret
    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert GENERIC in wrong.content.decode()
    right = client.post(reverse("accounts:two_factor"), {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(cast["auditor"].pk)
    state = LoginState.objects.get(user=cast["auditor"])
    assert state.totp_confirmed and decrypt_secret(state.totp_secret) == secret
    assert secret not in state.totp_secret  # encrypted under the key outside the database


def test_sessions_expire_after_thirty_idle_minutes(cast, settings):
    client = Client()
    assert post_login(client, "office", "Luoshi@2024demo").status_code == 302
    session = client.session
    session["luoshi_last_seen"] = session["luoshi_last_seen"] - 31 * 60
    session.save()
    response = client.get(reverse("dashboard:cockpit"))
    assert response.status_code == 302 and "/login/" in response.url
    assert AuditEvent.objects.filter(action="accounts.session.expired").exists()


def test_sessions_expire_after_twelve_hours_however_busy(cast):
    client = Client()
    post_login(client, "office", "Luoshi@2024demo")
    session = client.session
    session["luoshi_login_at"] = session["luoshi_login_at"] - 12 * 3600 - 1
    session.save()
    assert "/login/" in client.get(reverse("dashboard:cockpit")).url


def test_the_security_admin_unlocks_an_account(db):
    officer = PersonFactory(role=Role.UNIT_OFFICER, password="Luoshi@test2024")
    for _ in range(5):
        post_login(Client(), officer.username, "Wrong@pass1")
    client = Client()
    client.force_login(PersonFactory(role=Role.SECURITY_ADMIN))
    assert officer.username in client.get(reverse("accounts:security")).content.decode()
    client.post(reverse("accounts:unlock", args=[officer.pk]))
    assert post_login(Client(), officer.username, "Luoshi@test2024").status_code == 302


def test_pages_carry_security_headers(client, db):
    response = client.get(reverse("accounts:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_argon2_hashes_passwords(db, make_user):
    person = make_user("office")
    assert get_user_model().objects.get(pk=person.pk).password.startswith("argon2")


def test_a_page_view_writes_no_login_state(make_user):
    """Reading whether a password must change is a read: a GET creates no login state."""
    person = make_user("office")
    client = Client()
    client.force_login(person)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    assert not LoginState.objects.filter(user=person).exists()
