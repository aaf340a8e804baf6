"""The session store (accounts/sessions.py) reads what Django's wrote, and no expired session."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import SessionStore


@pytest.mark.django_db
def test_it_reads_a_live_session_and_not_an_expired_or_unknown_one():
    store = SessionStore()
    store["luoshi_last_seen"] = 123.5
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"luoshi_last_seen": 123.5}

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new session is made rather than this one revived

    assert SessionStore("nosuchsessionkey12345").load() == {}


@pytest.mark.django_db(transaction=True)
def test_a_user_kept_in_memory_is_the_user_of_the_very_next_request_after_a_change():
    """The session's user is kept in memory under the data stamp: deactivating the account
    or changing its role applies from the next request."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from org.models import Membership
    from org.tests.factories import cast_of

    cast_of("zjj", password="Luoshi@2024demo")
    client = Client()
    assert client.login(username="zjj", password="Luoshi@2024demo")
    assert client.get("/cockpit/workbench/").status_code == 200
    assert client.get("/cockpit/workbench/").status_code == 200  # from memory
    Membership.objects.filter(user__username="zjj").update(role="leader")
    assert client.get("/cockpit/workbench/").status_code == 403  # no longer a unit's officer
    get_user_model().objects.filter(username="zjj").update(is_active=False)
    assert client.get("/cockpit/workbench/").status_code == 302  # logged out: to the login page
