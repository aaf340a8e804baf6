"""Uploaded ledgers kept between preview and confirm, named by their sha256."""

import hashlib
import json
import re
import uuid
from pathlib import Path

from django.conf import settings

_SHA = re.compile(r"^[0-9a-f]{64}$")


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "ledger"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload, user) -> str:
    """Save an uploaded file; returns its sha256, the id used to preview and confirm it."""
    digest = hashlib.sha256()
    suffix = Path(upload.name).suffix.lower()
    temporary = folder() / f"upload-{uuid.uuid4().hex}.part"
    with open(temporary, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    sha = digest.hexdigest()
    temporary.replace(folder() / f"{sha}{suffix}")
    meta = {"name": Path(upload.name).name[:200], "suffix": suffix, "user": user.pk}
    (folder() / f"{sha}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return sha


def find(sha: str) -> tuple[Path, str] | None:
    """(path, original file name) of a stored upload, or None."""
    if not _SHA.match(sha or ""):
        return None
    meta_path = folder() / f"{sha}.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    path = folder() / f"{sha}{meta['suffix']}"
    if not path.exists():
        return None
    return path, meta["name"]
