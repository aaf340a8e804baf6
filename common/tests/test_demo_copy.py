"""The `demo` fixture's copy is what a load through the services writes, and stays in its test."""

import datetime as dt
import threading
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from demo.loader import load_demo
from funding.services import record_receipt
from org.models import Unit
from org.services import save_unit

pytestmark = pytest.mark.django_db


def rows_per_model() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def what_was_written() -> dict:
    """Rows per model and the parts of the demo a test reads (ids differ on PostgreSQL)."""
    return {
        "rows": rows_per_model(),
        "actions": Counter(AuditEvent.objects.values_list("action", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", "membership__role")),
        "units": sorted(Unit.objects.values_list("code", "name", "kind", "sort_order")),
    }


def test_the_copy_holds_what_a_fresh_load_writes(demo_copy):
    empty = rows_per_model()
    with transaction.atomic():
        load_demo()
        loaded = what_was_written()
        transaction.set_rollback(True)
    assert rows_per_model() == empty
    demo_copy.restore(connection)
    assert what_was_written() == loaded
    assert loaded["rows"]["org.Unit"] == 33 and loaded["rows"]["audit.AuditEvent"] > 800


def test_the_copied_audit_trail_verifies_and_new_writes_extend_it(demo):
    out = StringIO()
    copied = AuditEvent.objects.count()
    call_command("audit_verify", stdout=out)
    assert f"{copied} events verified" in out.getvalue()
    highest = Unit.objects.order_by("-pk").values_list("pk", flat=True).first()
    unit, created = save_unit(user=None, code="COPY1", name="复制后新建的单位")
    assert created and unit.pk > highest  # the id sequences continue after the copied rows
    record_receipt(user=None, unit=unit, amount=10_000, received_on=dt.date(2024, 6, 1))
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_a_test_without_demo_starts_empty(db):
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_gets_the_copy_committed(demo):
    """A live server or a subprocess reads the copy through connections of its own."""
    seen = {}

    def count_from_another_connection() -> None:
        try:
            seen["units"] = Unit.objects.count()
        finally:
            connections.close_all()

    thread = threading.Thread(target=count_from_another_connection)
    thread.start()
    thread.join()
    assert seen["units"] == 33
