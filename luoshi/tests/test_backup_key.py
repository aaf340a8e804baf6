"""The audit key is not in a backup: both commands say so, a restore with the right key is
verified and anchored, and a restore with another key says loudly that the trail does not
verify (on SQLite and on PostgreSQL, like common/tests/test_backup.py)."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from audit.anchors import read_anchors
from common.tests.test_backup import empty_database, luoshi  # noqa: F401 (a fixture)
from org.services import save_unit

pytestmark = pytest.mark.django_db(transaction=True)


def backup_of_a_trail(tmp_path):
    save_unit(user=None, code="K1", name="密钥测试单位")
    backup = tmp_path / "luoshi.backup"
    out = StringIO()
    call_command("backup", str(backup), stdout=out)
    assert "audit key is NOT in this backup" in out.getvalue()
    assert settings.AUDIT_KEY.encode() not in backup.read_bytes()
    return backup


def test_a_restore_with_the_right_key_verifies_and_is_anchored(tmp_path, empty_database):  # noqa: F811
    backup = backup_of_a_trail(tmp_path)
    restored = luoshi(empty_database, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "verified with this audit key" in restored.stdout
    anchors = read_anchors(Path(empty_database["LUOSHI_DATA_DIR"]) / "audit_anchors.jsonl")
    assert [a.kind for a in anchors] == ["restore"]
    assert luoshi(empty_database, "audit_verify").returncode == 0


def test_a_restore_with_another_key_says_the_trail_does_not_verify(tmp_path, empty_database):  # noqa: F811
    backup = backup_of_a_trail(tmp_path)
    other = empty_database | {"LUOSHI_AUDIT_KEY": "o" * 64}
    restored = luoshi(other, "restore", str(backup))
    assert restored.returncode != 0
    assert "does not verify with this audit key" in restored.stderr
    assert "not in the backup" in restored.stderr
    verified = luoshi(other, "audit_verify")
    assert verified.returncode != 0 and "audit key" in verified.stderr
