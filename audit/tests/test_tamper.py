"""Someone with write access to the database (triggers dropped) rewrites the audit trail: every
way is caught by `luoshi audit_verify`, which names the first bad event.

The chain is sealed with HMAC under a key kept outside the database, and its head is anchored
in a file outside the database (audit/anchors.py)."""

import hashlib
import json
import os
import stat
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import anchors, chain, triggers
from audit.models import AuditEvent
from org.services import save_unit

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def make_events(n: int, prefix: str = "T") -> list[int]:
    for i in range(n):
        save_unit(user=None, code=f"{prefix}{i}", name=f"篡改测试单位{prefix}{i}")
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rehash_from(first_id: int, sealer) -> None:
    """What the attacker does after an edit: recompute every hash from `first_id` on."""
    rows = list(
        AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", *chain.SEALED_FIELDS)
    )
    previous = ""
    for row in rows:
        if row["id"] >= first_id:
            digest = sealer(row, previous)
            raw(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [previous, digest, row["id"]],
            )
            row["hash"] = digest
        previous = row["hash"]


def plain_sha256(row: dict, previous: str) -> str:
    """The unkeyed chain's seal (what the project's own sealing function was before)."""
    canonical = chain.canonical_json(
        {name: chain._normal(name, row.get(name)) for name in chain.SEALED_FIELDS}
    )
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def test_an_edit_rehashed_without_the_key_is_caught_at_the_edited_event():
    ids = make_events(6)
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [ids[2]])
    rehash_from(ids[2], plain_sha256)
    with pytest.raises(CommandError, match=f"broken at event {ids[2]}: content altered"):
        verify()


def test_an_edit_rehashed_with_a_guessed_key_is_caught_at_the_edited_event():
    ids = make_events(6)
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [ids[3]])
    rehash_from(ids[3], lambda row, previous: chain.seal(row, previous, b"not-the-key" * 4))
    with pytest.raises(CommandError, match=f"broken at event {ids[3]}: content altered"):
        verify()


def anchored_event() -> int:
    """The event the newest anchor line anchors (the anchoring's own sealed event)."""
    return anchors.read_anchors()[-1].event_id


def test_an_edit_rehashed_with_the_stolen_key_is_caught_by_the_anchors():
    ids = make_events(3)
    assert f"head event {ids[-1] + 1} anchored as line 1" in verify()
    first = anchored_event()
    ids = make_events(3, prefix="U")
    assert f"head event {ids[-1] + 1} anchored as line 2" in verify()
    second = anchored_event()
    triggers.remove(connection)
    edited = ids[-2]  # after the first anchor, before the second
    raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [edited])
    rehash_from(edited, chain.seal)  # with the real key: the chain itself verifies again
    with pytest.raises(CommandError) as caught:
        verify()
    message = str(caught.value)
    assert f"broken at event {second}" in message
    assert f"after event {first}" in message  # the edit lies between the two anchors


def test_deleting_the_newest_events_is_caught_naming_the_first_missing():
    ids = make_events(8)
    verify()
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [ids[3]])
    with pytest.raises(CommandError) as caught:
        verify()
    message = str(caught.value)
    assert f"broken at event {anchored_event()}" in message
    assert f"events after {ids[2]} are missing" in message


def test_deleting_events_in_the_middle_is_caught_at_the_next_one():
    ids = make_events(8)
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [ids[3], ids[4]])
    with pytest.raises(CommandError, match=f"broken at event {ids[5]}: link broken"):
        verify()


def test_deleting_the_oldest_events_and_faking_a_prune_anchor_is_caught():
    ids = make_events(5)
    triggers.remove(connection)
    first_kept = AuditEvent.objects.get(id=ids[2])
    raw("DELETE FROM audit_auditevent WHERE id < %s", [ids[2]])
    raw(
        "INSERT INTO audit_auditanchor (pruned_through, last_hash, pruned_at, count) "
        "VALUES (%s, %s, CURRENT_TIMESTAMP, 2)",
        [ids[1], first_kept.prev_hash],
    )
    with pytest.raises(CommandError, match="not vouched for"):
        verify()


def test_a_forged_anchor_line_is_caught():
    make_events(3)
    verify()
    path = anchors.anchor_file()
    line = json.loads(path.read_text().splitlines()[-1])
    line["event_id"] -= 1
    with path.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="not sealed with the audit key"):
        verify()


def test_the_anchor_file_is_private_and_only_grows():
    make_events(2)
    verify()
    first = anchors.anchor_file().read_text()
    make_events(1, prefix="V")
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert "Anchored head event" in out.getvalue()
    text = anchors.anchor_file().read_text()
    assert text.startswith(first) and len(text.splitlines()) == 2
    call_command("audit_anchor", stdout=out)  # nothing new: nothing written
    assert anchors.anchor_file().read_text() == text
    assert stat.S_IMODE(os.stat(anchors.anchor_file()).st_mode) == 0o600


def test_audit_anchor_refuses_to_anchor_a_cut_trail():
    ids = make_events(4)
    call_command("audit_anchor", stdout=StringIO())
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [ids[2]])
    with pytest.raises(CommandError, match="nothing anchored"):
        call_command("audit_anchor", stdout=StringIO())
    assert len(anchors.read_anchors()) == 1


def test_another_key_fails_from_the_first_event_and_says_so(settings):
    ids = make_events(2)
    settings.AUDIT_KEY = "k" * 64
    err = StringIO()
    with pytest.raises(CommandError, match=f"broken at event {ids[0]}"):
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert "audit key" in err.getvalue()


def test_the_audit_key_file_is_generated_private_and_a_readable_one_is_refused(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from luoshi.settings import _audit_key

    path = tmp_path / "audit_key"
    key = _audit_key(path)
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _audit_key(path) == key  # generated once
    path.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        _audit_key(path)
    assert settings.AUDIT_KEY  # the running settings have one


def test_the_upgrade_reseals_an_intact_plain_chain_and_keeps_a_broken_one_broken():
    """Migration 0005 on a version-1 (plain SHA-256) chain."""
    import importlib

    migration = importlib.import_module("audit.migrations.0005_keyed_chain")
    ids = make_events(5)
    triggers.remove(connection)
    previous = ""
    for row in AuditEvent.objects.order_by("id").values("id", *chain.SEALED_FIELDS):
        digest = chain.seal_plain(row, previous)
        raw(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [previous, digest, row["id"]],
        )
        previous = digest
    raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [ids[3]])
    triggers.install(connection)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    from django.apps import apps

    migration.reseal_with_key(apps, editor)
    with pytest.raises(CommandError, match=f"broken at event {ids[3]}"):
        verify()
    events = list(AuditEvent.objects.order_by("id"))
    assert events[2].hash == chain.seal(
        {name: getattr(events[2], name) for name in chain.SEALED_FIELDS}, events[1].hash
    )


def test_a_short_audit_key_stops_the_program(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"LUOSHI_DATA_DIR": str(tmp_path), "LUOSHI_AUDIT_KEY": "short"}
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "at least 32 characters" in result.stderr
    assert not (tmp_path / "audit_key").exists()  # the environment's key is the key
