"""A GET changes nothing: every URL of the permission matrix, as every role and as a visitor.

What a GET may write, and why:
- `django_session`: the session's last-seen time (the idle time-out) and the two-factor key
  waiting to be confirmed. Sessions are not business data.
- audit events that record a *read* or a security decision: exports (who took which data out
  of the system), refused requests and expired sessions. Nothing else.
"""

import re

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from common.testing import CAST, all_matrix_entries

pytestmark = [pytest.mark.slow, pytest.mark.crawl]

READ_AUDIT_ACTIONS = {
    "list.exported",
    "ledger.exported",
    "audit.exported",
    "policy.evidence.downloaded",
    "funding.material.downloaded",  # who took which application material out of the system
    "policy.meeting.minutes_downloaded",  # who took a meeting's minutes out
    "security.permission_denied",
    "security.scope_denied",  # a record asked for outside the user's scope (a 404)
    "accounts.session.expired",  # an idle session ends on whatever page is asked for next
}
TABLES_A_GET_MAY_WRITE = {"django_session", "audit_auditevent"}
WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?',
    re.IGNORECASE,
)


def written_tables(queries) -> list[tuple[str, str]]:
    out = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match:
            out.append((match.group(1), query["sql"][:200]))
    return out


def test_it_recognises_writes():
    queries = [
        {"sql": 'INSERT INTO "org_unit" ("code") VALUES (%s)'},
        {"sql": 'UPDATE "funding_target" SET "amount" = 1'},
        {"sql": 'DELETE FROM "policy_milestone" WHERE 1'},
        {"sql": 'SELECT "org_unit"."id" FROM "org_unit"'},
    ]
    assert [t for t, _sql in written_tables(queries)] == [
        "org_unit",
        "funding_target",
        "policy_milestone",
    ]


def urls_to_visit() -> list[tuple[str, str]]:
    """(matrix key, URL) for every entry; POST entries are visited with a GET too."""
    urls = []
    for key, entry in sorted(all_matrix_entries().items()):
        url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
        urls.append((key, url + (entry.query if entry.method == "get" else "")))
    return urls


def test_a_get_writes_no_business_row_and_no_audit_event_but_read_audits(cast):
    urls = urls_to_visit()  # the URL builders may write (a report to approve…): before we look
    clients: dict[str, Client] = {"(visitor)": Client()}
    for username in CAST:
        clients[username] = Client()
        clients[username].force_login(cast[username])
    problems = []
    for key, url in urls:
        for username, client in clients.items():
            last = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url).status_code
            for table, sql in written_tables(queries.captured_queries):
                if table not in TABLES_A_GET_MAY_WRITE:
                    problems.append(f"GET {url} ({key}) as {username} → {status}: wrote {sql}")
            actions = set(AuditEvent.objects.filter(id__gt=last).values_list("action", flat=True))
            if actions - READ_AUDIT_ACTIONS:
                problems.append(
                    f"GET {url} ({key}) as {username}: audit {sorted(actions - READ_AUDIT_ACTIONS)}"
                )
    assert not problems, "\n".join(problems)
