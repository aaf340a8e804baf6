"""Uploaded ledgers kept between preview and confirm, named by their sha256.

A ledger holds every unit's money: the upload is kept only as long as the office needs it.
Files are created 0600 in a 0700 folder outside anything the web server serves (not under
MEDIA_ROOT or STATIC_ROOT; no URL maps to it), deleted once the import is confirmed, and in
any case after `MAX_AGE` — cleaned on every upload and confirm, by `luoshi ledger_cleanup`
(cron-able) and when `luoshi serve` starts.
"""

import hashlib
import json
import os
import re
import time
import uuid
from pathlib import Path

from django.conf import settings

_SHA = re.compile(r"^[0-9a-f]{64}$")
MAX_AGE = 24 * 3600  # seconds an upload is kept at most
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def folder() -> Path:
    path = Path(
        getattr(settings, "LEDGER_UPLOAD_DIR", None)
        or Path(settings.DATA_DIR) / "uploads" / "ledger"
    )
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)
    return path


def _legacy_folder() -> Path:
    """Where uploads were kept before (under MEDIA_ROOT, mode 0644): emptied by `cleanup`."""
    return Path(settings.MEDIA_ROOT) / "ledger"


def _private_file(path: Path):
    """A new file only its owner may read or write (0600 whatever the umask)."""
    handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb")
    os.chmod(path, FILE_MODE)
    return handle


def store(upload, user) -> str:
    """Save an uploaded file; returns its sha256, the id used to preview and confirm it."""
    cleanup()
    digest = hashlib.sha256()
    suffix = Path(upload.name).suffix.lower()
    temporary = folder() / f"upload-{uuid.uuid4().hex}.part"
    with _private_file(temporary) as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    sha = digest.hexdigest()
    temporary.replace(folder() / f"{sha}{suffix}")  # a re-upload starts its 24 hours again
    meta = {"name": Path(upload.name).name[:200], "suffix": suffix, "user": user.pk}
    meta_path = folder() / f"{sha}.json"
    meta_path.unlink(missing_ok=True)
    with _private_file(meta_path) as handle:
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
