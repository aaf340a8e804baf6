import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from audit.labels import action_label
from audit.models import AuditEvent
from ledger.tests.factories import target
from org.services import save_unit
from org.tests.factories import cast_of


@pytest.fixture
def cast(db):
    """The office and the three administrators (not the whole demo)."""
    return cast_of("office", "sysadmin", "secadmin", "auditor")


@pytest.fixture
def revised_target(cast):
    """A unit made through the service, its target set and revised once by the office: the
    trail holds org.unit.created, funding.target.created and funding.target.revised."""
    unit, _ = save_unit(user=None, code="ZJJ", name="市住房和城乡建设局")
    return target(unit, 300_000_000, user=cast["office"], revised_to=360_000_000)


def test_the_audit_admin_searches_the_trail(client, cast, revised_target):
    client.force_login(cast["auditor"])
    html = client.get(reverse("audit:event_list"), {"action": "funding.target"}).content.decode()
    with translation.override("zh-hans"):
        revised, unit_created = (
            action_label(a) for a in ("funding.target.revised", "org.unit.created")
        )
    assert revised in html and unit_created not in html
    assert "funding.target.revised" not in html  # the clerk reads words, not codes


def test_an_event_shows_its_changes_in_words_and_the_person_who_acted(client, cast, revised_target):
    from funding.models import Target

    event = AuditEvent.objects.filter(action="funding.target.revised").first()
    client.force_login(cast["auditor"])
    html = client.get(reverse("audit:event_detail", args=[event.pk])).content.decode()
    assert "{&#x27;" not in html and "{'" not in html and "[&#x27;" not in html
    target = Target.objects.get(pk=event.object_id)
    assert str(Target._meta.get_field("amount").verbose_name) in html or "任务金额" in html
    assert "万元" in html or "亿元" in html  # amounts as money, not 80000000
    assert target.unit.name in event.object_repr or event.object_repr in html


def test_the_export_is_a_real_workbook_and_is_itself_audited(client, cast, revised_target):
    client.force_login(cast["auditor"])
    response = client.get(reverse("audit:event_list"), {"export": "xlsx", "action": "target"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    actions = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert actions == {"funding.target.created", "funding.target.revised"}
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_name == "auditor" and exported.after["count"] == sheet.max_row - 1


def test_the_system_admin_cannot_read_the_trail_and_the_denial_is_recorded(client, cast):
    client.force_login(cast["sysadmin"])
    assert client.get(reverse("audit:event_list")).status_code == 403
    denial = AuditEvent.objects.get(action="security.permission_denied")
    assert denial.actor_name == "sysadmin" and not denial.success
    assert denial.after["path"] == reverse("audit:event_list")


def test_a_ledger_export_is_audited(client, cast):
    client.force_login(cast["office"])
    client.get(reverse("ledger:export"))
    assert AuditEvent.objects.filter(action="ledger.exported", actor_name="office").exists()


def test_the_export_neutralises_formulas_and_carries_the_anchors(client, cast):
    from django.core.management import call_command

    from audit.services import record

    for text in ('=HYPERLINK("http://x","点我")', "+1+2", "-3", "@SUM(A1)"):
        record("test.formula", None, object_type="test", object_repr=text, after={"v": text})
    call_command("audit_verify", stdout=io.StringIO())
    client.force_login(cast["auditor"])
    response = client.get(reverse("audit:event_list"), {"export": "xlsx", "action": "formula"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["审计日志"]
    objects = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert objects == {'\'=HYPERLINK("http://x","点我")', "'+1+2", "'-3", "'@SUM(A1)"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    anchors = list(workbook["链锚点"].iter_rows(min_row=2, max_row=2, values_only=True))
    # the anchored head is the anchoring's own event, sealed after the events it checked
    head = AuditEvent.objects.filter(action="audit.anchored").order_by("-id").first()
    assert anchors[0][1:4:2] == ("head", head.pk) and anchors[0][4] == head.hash


def test_the_request_id_is_the_servers_and_the_clients_is_kept_apart_cleaned(client, cast):
    client.force_login(cast["office"])
    forged = "evil\r\n<script>" + "x" * 300
    response = client.get(reverse("ledger:export"), headers={"X-Request-ID": forged})
    event = AuditEvent.objects.get(action="ledger.exported")
    assert event.request_id == response["X-Request-ID"] != forged
    assert len(event.request_id) == 32 and event.request_id.isalnum()
    assert event.client_request_id == ("evilscript" + "x" * 300)[:64]
    same = client.get(reverse("ledger:export"), headers={"X-Request-ID": event.request_id})
    assert same["X-Request-ID"] != event.request_id  # a client cannot choose the id


def test_the_trail_page_says_whether_the_newest_anchor_still_holds(client, cast, revised_target):
    from django.core.management import call_command
    from django.db import connection

    from audit import triggers

    client.force_login(cast["auditor"])
    assert "audit_anchor" in client.get(reverse("audit:event_list")).content.decode()
    call_command("audit_verify", stdout=io.StringIO())
    html = client.get(reverse("audit:event_list")).content.decode()
    assert 'id="anchor-status"' in html and 'role="alert"' not in html
    head = AuditEvent.objects.order_by("-id").first()
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [head.pk])
    triggers.install(connection)
    html = client.get(reverse("audit:event_list")).content.decode()
    assert 'role="alert"' in html and str(head.pk) in html
