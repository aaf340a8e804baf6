"""Each anchoring is a sealed audit event that carries its line in the anchor file (issue 25
point 1): the database says how long the file must be, so a deleted or truncated anchor file
is a failure, never a fresh start, and a cut that removes an anchoring is caught by its line.
What no anchor catches (events after the newest one) is said by the commands themselves."""

import os
import signal
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import anchors, triggers
from audit.models import AuditEvent
from org.services import save_unit

from .test_tamper import make_events, raw, verify

pytestmark = pytest.mark.django_db


def anchor() -> str:
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    return out.getvalue()


def reset_sequence(last_id: int) -> None:
    """What the attacker does after the cut: the next event takes the first deleted id."""
    if connection.vendor == "sqlite":
        raw("UPDATE sqlite_sequence SET seq = %s WHERE name = 'audit_auditevent'", [last_id])
    else:
        raw("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [last_id])


def test_each_anchoring_is_a_sealed_event_whose_line_anchors_it():
    ids = make_events(3)
    assert "as line 1 of" in anchor()
    make_events(2, prefix="U")
    assert "as line 2 of" in verify()
    lines = anchors.read_anchors()
    events = AuditEvent.objects.filter(action=anchors.ANCHORED).order_by("id")
    assert [e.id for e in events] == [line.event_id for line in lines]
    assert [e.hash for e in events] == [line.hash for line in lines]
    assert [e.after["line"] for e in events] == [1, 2]
    assert events[0].after["head"] == ids[-1]  # the head it checked, sealed in the chain
    assert [e.actor_name for e in events] == ["luoshi audit_anchor", "luoshi audit_verify"]
    assert "Nothing new since the newest anchor" in anchor()  # no event a day while idle


def test_a_deleted_anchor_file_is_a_failure_not_a_fresh_start():
    make_events(3)
    anchor()
    anchors.anchor_file().unlink()
    with pytest.raises(CommandError, match="anchor file .* is missing, but the audit trail"):
        verify()
    with pytest.raises(CommandError, match="is missing.*nothing anchored"):
        anchor()
    assert not anchors.anchor_file().exists()  # not started afresh


def test_a_truncated_anchor_file_is_a_failure():
    make_events(2)
    anchor()
    make_events(2, prefix="U")
    anchor()
    make_events(2, prefix="V")
    anchor()
    path = anchors.anchor_file()
    path.write_text(path.read_text().splitlines(keepends=True)[0])
    with pytest.raises(
        CommandError, match="has 1 line\\(s\\), but the audit trail records that line 3"
    ):
        verify()


def test_a_cut_that_removes_an_anchoring_is_caught_even_with_the_sequence_reset():
    """Drop the delete trigger, delete the rows written after the first anchoring (the
    second anchoring among them), reset the id sequence and let new events take the ids."""
    make_events(3)
    anchor()
    first = anchors.read_anchors()[-1].event_id
    make_events(3, prefix="U")
    anchor()
    second = anchors.read_anchors()[-1].event_id
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id > %s", [first])
    reset_sequence(first)
    triggers.install(connection)
    make_events(4, prefix="W")  # the ids of the cut rows again, with other content
    with pytest.raises(CommandError, match=f"broken at event {second}"):
        verify()


def test_a_cut_of_the_events_after_the_newest_anchor_is_not_caught_and_the_output_says_so():
    """The residual risk, stated where it is: without a later anchor nothing outside the
    database names those events."""
    make_events(3)
    anchor()
    ids = make_events(3, prefix="U")
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [ids[-3]])
    triggers.install(connection)
    out = verify()
    assert "intact" in out
    assert "protected only by the audit key" in out and "deleting them is not" in out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_anchors_every_interval_in_one_process(tmp_path, monkeypatch, workers):
    """`luoshi serve` anchors at start and then every LUOSHI_AUDIT_ANCHOR_SECONDS; with
    gunicorn workers only the master does (one process id in every anchoring event)."""
    from api.tests.live import free_port, start_server

    save_unit(user=None, code="S1", name="锚定测试单位")
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setenv("LUOSHI_AUDIT_ANCHOR_SECONDS", "1")
    monkeypatch.setenv("LUOSHI_AUDIT_ANCHOR_FILE", str(path))
    connection.close()
    server = start_server(free_port(), "--workers", str(workers), "--threads", "1")
    try:
        deadline = time.time() + 30
        while time.time() < deadline and anchors.line_count(path) < 1:
            time.sleep(0.2)
        save_unit(user=None, code="S2", name="锚定测试单位二")  # something new to anchor
        while time.time() < deadline and anchors.line_count(path) < 2:
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    written = anchors.read_anchors(path)
    assert len(written) >= 2
    events = AuditEvent.objects.filter(id__in=[line.event_id for line in written])
    assert {e.action for e in events} == {anchors.ANCHORED}
    assert {e.actor_name for e in events} == {"luoshi serve"}
    assert {e.after["pid"] for e in events} == {server.pid}
    assert sorted(e.after["line"] for e in events) == list(range(1, len(written) + 1))
    assert "Traceback" not in server.stderr.read().decode()
    assert os.stat(path).st_mode & 0o077 == 0
