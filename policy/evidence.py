"""Evidence files (佐证材料): what may be uploaded, and where it is kept.

A file is accepted only with a plain name (no folder, no "..", no control characters), at most
`EVIDENCE_MAX_UPLOAD_BYTES` (LUOSHI_EVIDENCE_MAX_MB, default 20), and of an allowed type
whose first bytes match its suffix (so a renamed program is refused). It is stored under
`LUOSHI_DATA_DIR/evidence/` with a random name and mode 0600; the original name is kept
only in the database.
"""

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: suffix → (content type, accepted first bytes)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
}
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]|^\.|\.\.")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    suffix: str
    content_type: str
    size: int


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_BYTES


def allowed_suffixes() -> str:
    return "、".join(s.lstrip(".") for s in ALLOWED_TYPES)


def check_upload(upload) -> CheckedFile:
    """Refuse a file named with a path, too large, or of a forbidden type, saying why."""
    name = unicodedata.normalize("NFC", str(getattr(upload, "name", "") or "")).strip()
    if not name:
        raise ValidationError(_("The file has no name."))
    if _BAD_NAME.search(name) or len(name) > 200:
        raise ValidationError(
            _("“%(name)s” is not a plain file name: give the file a name without a folder.")
            % {"name": name[:80]}
        )
    size = upload.size
    if size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name})
    if size > max_bytes():
        raise ValidationError(
            _("The file “%(name)s” is %(size)s MB; evidence files may be at most %(max)s MB.")
            % {
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}",
                "max": max_bytes() // (1024 * 1024),
            }
        )
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of type “%(suffix)s” are not accepted as evidence; allowed: %(allowed)s.")
            % {"suffix": suffix or _("no suffix"), "allowed": allowed_suffixes()}
        )
    content_type, magics = ALLOWED_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(
            _("“%(name)s” is not really a %(suffix)s file; save it again in that format.")
            % {"name": name, "suffix": suffix.lstrip(".")}
        )
    return CheckedFile(name=name, suffix=suffix, content_type=content_type, size=size)


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "evidence"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write(upload) -> tuple[str, str]:
    """Store the upload with mode 0600 under a random name; returns (stored name, sha256)."""
    stored_as = secrets.token_hex(20)
    digest = hashlib.sha256()
    descriptor = os.open(folder() / stored_as, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    return stored_as, digest.hexdigest()


def path_of(stored_as: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{40}", stored_as or ""):
        raise ValueError("not a stored evidence name")
    return folder() / stored_as


def remove(stored_as: str) -> None:
    try:
        path_of(stored_as).unlink()
    except (FileNotFoundError, ValueError):
        pass
