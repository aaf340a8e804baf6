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
