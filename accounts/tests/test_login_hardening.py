"""Login answers give nothing away: the same work for unknown, locked, inactive and known
accounts (no enumeration by timing), and a one-time code logs in once only."""

import datetime as dt

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.crypto import decrypt_secret
from accounts.models import LoginState
from audit.models import AuditEvent
from common.testing import CheapArgon2PasswordHasher


class CountingHasher(CheapArgon2PasswordHasher):
    """The real (cheap) Argon2, counting how often a password is checked."""

    calls: list[str] = []

    def verify(self, password, encoded):
        CountingHasher.calls.append(password)
        return super().verify(password, encoded)


@pytest.fixture
def counting(settings):
    # in place of the (cheap) Argon2: one hasher per algorithm is the one that verifies
    settings.PASSWORD_HASHERS = [
        "accounts.tests.test_login_hardening.CountingHasher",
        *(name for name in settings.PASSWORD_HASHERS if "Argon2" not in name),
    ]
    CountingHasher.calls.clear()
    return CountingHasher.calls


def login(username: str, password: str):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password})


def test_the_password_hasher_runs_once_for_every_kind_of_account(db, make_user, counting):
    known = make_user("office", password="Luoshi@test2024")
    locked = make_user("office", password="Luoshi@test2024")
    LoginState.objects.update_or_create(
        user=locked, defaults={"locked_until": timezone.now() + dt.timedelta(minutes=30)}
    )
    inactive = make_user("office", password="Luoshi@test2024")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    counting.clear()
    cases = {
        "unknown": ("nobody-at-all", "Wrong@pass1"),
        "locked": (locked.username, "Luoshi@test2024"),
        "inactive": (inactive.username, "Luoshi@test2024"),
        "wrong password": (known.username, "Wrong@pass1"),
        "right password": (known.username, "Luoshi@test2024"),
    }
    for case, (username, password) in cases.items():
        counting.clear()
        login(username, password)
        assert len(counting) == 1, f"{case}: the hasher ran {len(counting)} times"


def test_a_one_time_code_logs_in_once_only(db):
    from org.tests.factories import cast_of

    cast = cast_of("auditor", password="Luoshi@2024demo")
    client = Client()
    client.post(reverse("accounts:login"), {"username": "auditor", "password": "Luoshi@2024demo"})
    client.get(reverse("accounts:two_factor"))
    secret = decrypt_secret(client.session["luoshi_pending_totp_secret"]["secret"])
    code = pyotp.TOTP(secret).now()
    assert client.post(reverse("accounts:two_factor"), {"code": code}).status_code == 302
    assert LoginState.objects.get(user=cast["auditor"]).totp_last_step is not None

    again = Client()
    again.post(reverse("accounts:login"), {"username": "auditor", "password": "Luoshi@2024demo"})
    replay = again.post(reverse("accounts:two_factor"), {"code": code})
    assert replay.status_code == 200 and "_auth_user_id" not in again.session
    older = pyotp.TOTP(secret).at(timezone.now() - dt.timedelta(seconds=30))
    assert again.post(reverse("accounts:two_factor"), {"code": older}).status_code == 200
    assert "_auth_user_id" not in again.session
    assert AuditEvent.objects.filter(
        action="accounts.login.failed", after__reason="one-time code replayed"
    ).exists()
