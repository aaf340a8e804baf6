"""A new installation gets its three administrators once, from the command line; after that,
accounts go through the system and the security administrator only."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.models import LoginState
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_first_administrators_get_one_time_passwords_once():
    out = StringIO()
    call_command("create_admins", stdout=out)
    lines = dict(line.split("\t") for line in out.getvalue().splitlines() if "\t" in line)
    assert set(lines) == {"sysadmin", "secadmin", "auditor"}
    assert all(LoginState.objects.get(user__username=u).must_change_password for u in lines)
    response = Client().post(
        reverse("accounts:login"), {"username": "secadmin", "password": lines["secadmin"]}
    )
    assert response.url.startswith(reverse("accounts:two_factor"))  # the password works; 2FA next
    event = AuditEvent.objects.get(action="accounts.administrators.bootstrapped")
    assert event.actor_name == "luoshi create_admins"
    with pytest.raises(CommandError, match="exist already"):
        call_command("create_admins", "--sysadmin", "another", stdout=StringIO())
