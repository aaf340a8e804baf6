"""Two-factor secrets are not readable in the database (issue 25 point 2): encrypted under a
key kept outside it, in the login state and in the session that waits for enrolment; a
secret written into the database by hand does not log in; the data migration encrypts the
secrets stored before."""

import importlib
import re

import pyotp
import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.crypto import PREFIX, SecretUnreadable, decrypt_secret, encrypt_secret
from accounts.models import LoginState
from common.permissions import Role
from org.tests.factories import PersonFactory

PASSWORD = "Luoshi@2024demo"


@pytest.fixture
def cast(db):
    """The two administrators these tests log in as (not the whole demo), by username."""
    return {
        "auditor": PersonFactory(username="auditor", role=Role.AUDIT_ADMIN, password=PASSWORD),
        "secadmin": PersonFactory(username="secadmin", role=Role.SECURITY_ADMIN, password=PASSWORD),
    }


def enrol(username: str) -> tuple[Client, str]:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    page = client.get(reverse("accounts:two_factor")).content.decode()
    return client, re.search(r'id="totp-secret" readonly value="([A-Z2-7]+)"', page).group(1)


def database_text() -> str:
    """Every login state's stored secret and every session row, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_loginstate")
        rows = [row[0] for row in cursor.fetchall()]
    sessions = [
        str(Session.objects.get(pk=s.pk).get_decoded()) + s.session_data
        for s in Session.objects.all()
    ]
    return "\n".join(rows + sessions)


def test_a_secret_is_encrypted_in_the_session_and_the_database_and_still_logs_in(cast):
    client, secret = enrol("auditor")
    assert secret not in database_text()  # waiting in the session: encrypted
    response = client.post(reverse("accounts:two_factor"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and client.session["_auth_user_id"]
    stored = LoginState.objects.get(user=cast["auditor"]).totp_secret
    assert stored.startswith(PREFIX) and decrypt_secret(stored) == secret
    assert secret not in database_text()


def test_a_secret_written_into_the_database_by_hand_does_not_log_in(cast):
    planted = pyotp.random_base32()
    LoginState.objects.filter(user=cast["secadmin"]).update(
        totp_secret=planted, totp_confirmed=True
    )
    client = Client()
    client.post(reverse("accounts:login"), {"username": "secadmin", "password": PASSWORD})
    client.post(reverse("accounts:two_factor"), {"code": pyotp.TOTP(planted).now()})
    assert "_auth_user_id" not in client.session
    other_key = encrypt_secret(planted, key="x" * 40)  # sealed with another installation's key
    LoginState.objects.filter(user=cast["secadmin"]).update(totp_secret=other_key)
    client.post(reverse("accounts:two_factor"), {"code": pyotp.TOTP(planted).now()})
    assert "_auth_user_id" not in client.session
    with pytest.raises(SecretUnreadable):
        decrypt_secret(other_key)


def test_the_migration_encrypts_the_secrets_stored_in_plain(cast):
    migration = importlib.import_module("accounts.migrations.0003_encrypted_totp_secrets")
    plain = pyotp.random_base32()
    LoginState.objects.filter(user=cast["auditor"]).update(totp_secret=plain, totp_confirmed=True)
    migration.encrypt_plain(apps, None)
    stored = LoginState.objects.get(user=cast["auditor"]).totp_secret
    assert plain not in stored and decrypt_secret(stored) == plain
    migration.encrypt_plain(apps, None)  # once only
    assert LoginState.objects.get(user=cast["auditor"]).totp_secret == stored
