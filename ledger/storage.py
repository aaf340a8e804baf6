"""Uploaded ledgers kept between preview and confirm, named by their sha256.

A ledger holds every unit's money: the upload is kept only as long as the office needs it.
Files are private (`common.files`: 0600 in a 0700 folder no URL maps to), deleted once the
import is confirmed, and in any case after `MAX_AGE` — cleaned on every upload and confirm,
by `luoshi ledger_cleanup` (cron-able) and when `luoshi serve` starts.
"""

import json
import re
import time
import uuid
from pathlib import Path

from django.conf import settings

from common.files import PrivateFolder

_SHA = re.compile(r"^[0-9a-f]{64}$")
MAX_AGE = 24 * 3600  # seconds an upload is kept at most


UPLOADS = PrivateFolder("uploads/ledger", setting="LEDGER_UPLOAD_DIR")


def folder() -> Path:
    return UPLOADS.path


def _legacy_folder() -> Path:
    """Where uploads were kept before (under MEDIA_ROOT, mode 0644): emptied by `cleanup`."""
    return Path(settings.MEDIA_ROOT) / "ledger"


def store(upload, user) -> str:
    """Save an uploaded file; returns its sha256, the id used to preview and confirm it."""
    cleanup()
    suffix = Path(upload.name).suffix.lower()
    temporary = f"upload-{uuid.uuid4().hex}.part"
    sha = UPLOADS.store(upload, name=temporary).sha256
    (folder() / temporary).replace(folder() / f"{sha}{suffix}")  # a re-upload starts anew
    meta = {"name": Path(upload.name).name[:200], "suffix": suffix, "user": user.pk}
    (folder() / f"{sha}.json").unlink(missing_ok=True)
    with UPLOADS.create(f"{sha}.json") as handle:
        handle.write(json.dumps(meta, ensure_ascii=False).encode())
    return sha


def _expired(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > MAX_AGE
    except FileNotFoundError:
        return False


def find(sha: str) -> tuple[Path, str] | None:
    """(path, original file name) of a stored upload not yet expired, or None."""
    if not _SHA.match(sha or ""):
        return None
    meta_path = folder() / f"{sha}.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    path = folder() / f"{sha}{meta['suffix']}"
    if not path.exists() or _expired(path, time.time()):
        discard(sha)
        return None
    return path, meta["name"]


def discard(sha: str) -> None:
    """Delete a stored upload (after its import is confirmed, or when it expires)."""
    if not _SHA.match(sha or ""):
        return
    for path in folder().glob(f"{sha}*"):
        path.unlink(missing_ok=True)
    cleanup()


def cleanup(now: float | None = None) -> int:
    """Delete uploads older than `MAX_AGE` (and every file left where uploads used to be
    kept); returns how many files were deleted."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder().iterdir():
        if path.is_file() and _expired(path, now):
            path.unlink(missing_ok=True)
            removed += 1
    legacy = _legacy_folder()
    if legacy.is_dir():
        for path in legacy.iterdir():
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed
