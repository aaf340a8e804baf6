"""Backups restore into an empty database with the same figures; a killed writer loses nothing."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from luoshi.management.commands.backup import pg_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def summary_here() -> dict:
    out = StringIO()
    call_command("summary", year=2024, as_of="2024-06-30", format="json", stdout=out)
    return json.loads(out.getvalue())


def luoshi(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "luoshi.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def database_env(tmp_path: Path, url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LUOSHI_DATA_DIR"] = str(tmp_path)
    # the audit key is not in the backup: the restored trail verifies with the same key only
    env["LUOSHI_AUDIT_KEY"] = settings.AUDIT_KEY
    if url:
        env["DATABASE_URL"] = url
    return env


def this_database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return pg_url(connection.settings_dict)


@pytest.fixture
def empty_database(tmp_path):
    """The environment of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield database_env(tmp_path / "restored", None)
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_env(tmp_path, pg_url({**connection.settings_dict, "NAME": name}))
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database(demo, tmp_path, empty_database):
    backup = tmp_path / "luoshi.backup"
    call_command("backup", str(backup), stdout=StringIO())
    assert backup.stat().st_size > 0
    restored = luoshi(empty_database, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    summary = luoshi(
        empty_database, "summary", "--year", "2024", "--as-of", "2024-06-30", "--format", "json"
    )
    assert json.loads(summary.stdout) == summary_here()
    counted = luoshi(
        empty_database,
        "shell",
        "-c",
        "from audit.models import AuditEvent; e = AuditEvent.objects.order_by('id').last(); "
        "print(AuditEvent.objects.count(), e.action, e.actor_name.replace(' ', '_'))",
    )
    # every event came back, and the restore itself is the last one, by "luoshi restore"
    count, action, actor = counted.stdout.split()[-3:]
    assert (int(count), action, actor) == (
        AuditEvent.objects.count() + 1,
        "backup.restored",
        "luoshi_restore",
    )
    verified = luoshi(empty_database, "audit_verify")
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr
    # the append-only triggers came back with the data
    tamper = luoshi(
        empty_database,
        "shell",
        "-c",
        "from audit.models import AuditEvent; AuditEvent.objects.all().delete()",
    )
    assert tamper.returncode != 0 and "append-only" in tamper.stderr
    # restoring over data is refused
    again = luoshi(empty_database, "restore", str(backup))
    assert again.returncode != 0 and "not empty" in again.stderr


WRITER = """
import django, datetime as dt, sys
django.setup()
from django.db import transaction
from funding.services import record_receipt
from org.models import Unit
unit = Unit.objects.get(code="ZJJ")
with transaction.atomic():
    for n in range(1, 1_000_000):
        record_receipt(user=None, unit=unit, amount=n, received_on=dt.date(2024, 3, 1),
                       doc_no=f"killed-{n}")
        if n == 200:
            print("writing", flush=True)
"""


def test_a_killed_writer_leaves_the_database_unchanged(demo, tmp_path):
    before = summary_here()
    events = AuditEvent.objects.count()
    env = database_env(tmp_path, this_database_url())
    env["DJANGO_SETTINGS_MODULE"] = "luoshi.settings"
    connection.close()  # let the writer take the database
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        time.sleep(0.5)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert summary_here() == before
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(object_repr__contains="killed").exists()


def test_a_killed_ledger_import_leaves_the_database_unchanged(demo, tmp_path):
    import xlsxwriter

    workbook_path = tmp_path / "big.xlsx"
    workbook = xlsxwriter.Workbook(str(workbook_path), {"constant_memory": True})
    sheet = workbook.add_worksheet("到位资金")
    sheet.write_row(0, 0, ["单位编码", "金额（万元）", "到位日期", "文号"])
    for n in range(1, 60_001):
        sheet.write_row(n, 0, ["ZJJ", n % 97 + 1, "2024-05-20", f"中断〔2024〕{n}号"])
    workbook.close()
    before = summary_here()
    events = AuditEvent.objects.count()
    env = database_env(tmp_path, this_database_url())
    connection.close()
    importer = subprocess.Popen(
        [sys.executable, "-m", "luoshi.cli", "import_ledger", str(workbook_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in importer.stderr:  # progress lines; "写入" starts the write transaction
            if line.startswith("写入"):
                break
        else:
            pytest.fail("the import never reached its write phase")
        time.sleep(0.2)
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL
    assert summary_here() == before
    assert AuditEvent.objects.count() == events
    from funding.models import Receipt

    assert not Receipt.objects.filter(doc_no__startswith="中断").exists()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
