"""Uploaded ledgers (issue 9 point 5): created 0600 in a private folder, never served,
deleted after the import is confirmed or after 24 hours."""

import os
import stat
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ledger import storage
from org.tests.factories import UnitFactory, cast_of

LEDGER = "单位编码,金额（万元）,到位日期,文号\nZJJ,1,2024-06-01,存储测试{n}\n"


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads" / "ledger"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.LEDGER_UPLOAD_DIR


@pytest.fixture
def cast(db):
    """The office, and ZJJ, the unit the uploaded ledger names (not the whole demo)."""
    UnitFactory(code="ZJJ")
    return cast_of("office")


def upload(client, n: int = 1) -> str:
    content = LEDGER.format(n=n).encode("utf-8")
    response = client.post(
        reverse("ledger:upload"), {"file": SimpleUploadedFile("到位资金.csv", content)}
    )
    assert response.status_code == 302
    return response["Location"].rstrip("/").split("/")[-1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_upload_is_kept_0600_in_a_0700_folder_nobody_serves(client, cast, private_folder):
    client.force_login(cast["office"])
    sha = upload(client)
    files = sorted(private_folder.glob(f"{sha}*"))
    assert [p.suffix for p in files] == [".csv", ".json"]
    assert all(mode(p) == 0o600 for p in files)
    assert mode(private_folder) == 0o700
    # outside what the web server serves, and no URL reaches it
    for root in (Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)):
        assert root.resolve() not in private_folder.resolve().parents
    for url in (f"/media/ledger/{sha}.csv", f"/static/ledger/{sha}.csv", f"/ledger/{sha}.csv"):
        assert client.get(url).status_code == 404


def test_confirming_an_import_deletes_the_upload(client, cast, private_folder):
    client.force_login(cast["office"])
    sha = upload(client)
    response = client.post(reverse("ledger:confirm", kwargs={"sha": sha}))
    assert response.status_code == 200 and "导入" in response.content.decode()
    assert list(private_folder.glob(f"{sha}*")) == []
    assert client.get(reverse("ledger:preview", kwargs={"sha": sha})).status_code == 404


def test_an_upload_older_than_a_day_is_gone(client, cast, private_folder):
    client.force_login(cast["office"])
    old = upload(client, 1)
    day_ago = time.time() - storage.MAX_AGE - 60
    for path in private_folder.glob(f"{old}*"):
        os.utime(path, (day_ago, day_ago))
    # its preview is refused, and the next upload sweeps it away
    assert client.get(reverse("ledger:preview", kwargs={"sha": old})).status_code == 404
    assert list(private_folder.glob(f"{old}*")) == []
    stale = upload(client, 2)
    for path in private_folder.glob(f"{stale}*"):
        os.utime(path, (day_ago, day_ago))
    fresh = upload(client, 3)
    assert list(private_folder.glob(f"{stale}*")) == []
    assert len(list(private_folder.glob(f"{fresh}*"))) == 2


def test_the_cleanup_command_and_the_old_folder(client, cast, private_folder):
    client.force_login(cast["office"])
    sha = upload(client)
    legacy = Path(settings.MEDIA_ROOT) / "ledger"
    legacy.mkdir(parents=True)
    (legacy / "left-from-before.xlsx").write_bytes(b"x")
    day_ago = time.time() - storage.MAX_AGE - 60
    for path in private_folder.glob(f"{sha}*"):
        os.utime(path, (day_ago, day_ago))
    out = StringIO()
    call_command("ledger_cleanup", stdout=out)
    assert "3 file(s) deleted" in out.getvalue()
    assert list(private_folder.iterdir()) == [] and list(legacy.iterdir()) == []
