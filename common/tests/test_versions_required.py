"""`version` is required on every edit (issue 9 point 5): an edit that does not say which
version of the record it read is refused with a clear message, never saved unchecked.

Two layers: every edit form's version field is required (`common.validation.VersionField`),
and `audit.versions.check_version` refuses a missing version whenever a request is acting —
so an edit page added later that forgets the field is refused too."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.context import acting_as, actor_for_user
from audit.models import AuditEvent
from audit.versions import StaleObjectError, check_version
from common.testing import all_matrix_entries
from org.models import Unit
from org.tests.factories import LeaderFactory, UnitFactory, cast_of

READS = {"security.permission_denied", "security.scope_denied", "list.exported"}


def test_every_edit_without_its_version_is_refused(cast):
    """Every POST of the permission matrix that sends a version, sent without it."""
    checked = []
    for key, entry in sorted(all_matrix_entries().items()):
        if entry.method != "post" or not entry.data:
            continue
        data = entry.data()
        if "version" not in data:
            continue
        url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
        del data["version"]
        client = Client()
        client.force_login(cast[sorted(entry.allowed)[0]] if entry.allowed else cast["office"])
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = client.post(url, data, follow=True)
        assert response.status_code < 500, key
        written = AuditEvent.objects.filter(id__gt=last).exclude(action__in=READS)
        assert not written.exists(), f"{key} saved without a version: {list(written)}"
        if entry.allowed:
            page = response.content.decode()
            # a page says so in Chinese; the REST API names the missing field
            assert "版本" in page or "过期" in page or "version" in page, key
        checked.append(key)
    assert len(checked) >= 4, checked


@pytest.fixture
def people(db):
    """ZJJ and a leader to edit, the office and the system administrator (not the demo)."""
    UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    LeaderFactory(name="李华")
    return cast_of("office", "sysadmin")


def test_the_form_keeps_a_visible_message_for_a_missing_version(people):
    cast = people
    unit = Unit.objects.get(code="ZJJ")
    client = Client()
    client.force_login(cast["office"])
    response = client.post(
        reverse("org:unit_edit", args=[unit.pk]),
        {"name": unit.name, "kind": unit.kind, "sort_order": "3"},
    )
    assert "缺少版本号" in response.content.decode()
    unit.refresh_from_db()
    assert unit.sort_order != 3


def test_a_service_called_for_a_request_without_a_version_refuses(people):
    cast = people
    unit = Unit.objects.get(code="ZJJ")
    with acting_as(actor_for_user(cast["office"], "127.0.0.1", "req-1")):
        with pytest.raises(StaleObjectError):
            check_version(unit, None)
        check_version(unit, unit.version)  # the version read: fine
    check_version(unit, None)  # a command or a loader (no request acting) may leave it out


def test_a_stale_leader_edit_is_refused_and_names_the_change(people):
    """Leaders carry a version too: two people editing one leader cannot overwrite each other."""
    cast = people
    from org.models import Leader
    from org.services import save_leader

    leader = Leader.objects.order_by("sort_order").first()
    read_at = leader.version
    save_leader(
        user=cast["sysadmin"],
        name=leader.name,
        title="新职务",
        sort_order=leader.sort_order,
        expected_version=read_at,
    )
    client = Client()
    client.force_login(cast["office"])
    response = client.post(
        reverse("org:leader_edit", args=[leader.pk]),
        {"title": "旧页面上的职务", "sort_order": "1", "version": str(read_at)},
    )
    leader.refresh_from_db()
    assert leader.title == "新职务" and leader.version == read_at + 1
    assert "新职务" in response.content.decode()  # who changed what, from the audit trail
