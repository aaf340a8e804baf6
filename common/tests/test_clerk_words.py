"""Pages speak a clerk's language: no machine timestamps, Python notation, field names or
audit codes on any page a role opens (issue: words a clerk understands)."""

import html
import io
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from common.testing import all_matrix_entries

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:?\d{2}|Z)")
PYTHON_REPR = re.compile(r"[\[{(]\s*'[^']*'\s*[,:\]})]|\bdatetime\.date(time)?\(|\bDecimal\(")
APPS = "accounts|api|audit|funding|ledger|org|policy|reminders|security|supervision"
ACTION_CODE = re.compile(rf"\b(?:{APPS})\.[a-z_]+\.[a-z_]+\b")
# due_on, docx_bytes; not a login such as zjj_head
FIELD_NAME = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)*_(?:on|at|id|by|wan|no|key|amount|version|units?|items?|of|bytes"
    r"|name|count|date|rate|score|status|stage|level|channel|text)\b"
)
# 120000000 (元 as stored), not 1.2亿元; a mobile number (13800000003) is not money
RAW_AMOUNT = re.compile(r"(?<![A-Za-z0-9.,:/#-])(?!1[3-9]\d{9}\b)\d{6,}(?![A-Za-z0-9.,:/-])")
EXCEPTION = re.compile(r"\b(?:[A-Z][a-zA-Z]+Error|Errno \d+|Traceback)\b")


def visible_text(page: str) -> str:
    """What a person reads: the page without scripts, styles, tags and attributes."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<code\b.*?</code>", " ", page)  # commands shown as commands
    text = html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))
    # a command quoted in a sentence, and web addresses (a robot's masked webhook)
    return re.sub(r"`[^`]*`|https?://\S+", " ", text)


def machine_words(text: str) -> list[str]:
    found = []
    for name, pattern in (
        ("ISO time with offset", ISO_MOMENT),
        ("Python notation", PYTHON_REPR),
        ("audit action code", ACTION_CODE),
        ("field name", FIELD_NAME),
        ("exception text", EXCEPTION),
        ("raw amount", RAW_AMOUNT),
    ):
        found += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return found


def test_the_checks_catch_what_they_look_for():
    bad = (
        "2026-12-06T10:36:21+00:00 要求原因：['牵头的…'] funding.receipt.rejected due_on URLError"
        " 市住房和城乡建设局 120000000"
    )
    assert machine_words("手机 13800000003") == []  # a mobile number is not money
    assert len(machine_words(bad)) == 6
    assert machine_words("2026-12-06 18:36 到位资金：驳回 截止日期 发送失败") == []


@pytest.mark.crawl
def test_no_page_speaks_the_machines_language(client, cast):
    problems = []
    for key, entry in all_matrix_entries().items():
        if entry.method != "get" or not entry.allowed:
            continue
        url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
        for username in sorted(entry.allowed):
            client.force_login(cast[username])
            response = client.get(url + entry.query, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            found = machine_words(visible_text(response.content.decode()))
            if found:
                problems.append(f"{key} as {username}: {found[:3]}")
            break  # one role a page: the words are the template's, the same for each role
    assert not problems, "\n".join(problems)


@pytest.mark.crawl
def test_every_kind_of_audit_event_reads_in_words(client, cast):
    client.force_login(cast["auditor"])
    kinds = AuditEvent.objects.order_by().values_list("action").distinct()
    ids = [
        AuditEvent.objects.filter(action=a).values_list("pk", flat=True).last() for (a,) in kinds
    ]
    assert len(ids) > 10
    problems = []
    for pk in ids:
        page = client.get(reverse("audit:event_detail", args=[pk])).content.decode()
        found = machine_words(visible_text(page))
        if found:
            problems.append(f"event {pk}: {found[:3]}")
    assert not problems, "\n".join(problems)


def test_the_newest_anchor_reads_in_local_time(client, cast):
    from django.core.management import call_command

    call_command("audit_anchor", stdout=io.StringIO())
    client.force_login(cast["auditor"])
    page = client.get(reverse("audit:event_list")).content.decode()
    assert 'id="anchor-status"' in page and "UTC" not in visible_text(page)
    assert machine_words(visible_text(page)) == []
