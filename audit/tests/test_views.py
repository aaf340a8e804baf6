import io

import openpyxl
from django.urls import reverse

from audit.models import AuditEvent


def test_the_audit_admin_searches_the_trail(client, cast):
    client.force_login(cast["auditor"])
    html = client.get(reverse("audit:event_list"), {"action": "funding.target"}).content.decode()
    assert "funding.target.revised" in html and "org.unit.created" not in html


def test_the_export_is_a_real_workbook_and_is_itself_audited(client, cast):
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
