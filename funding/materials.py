"""Application materials on disk: what may be uploaded, and where it is kept.

Files live in LUOSHI_DATA_DIR/materials under random names, each readable by the server's
user alone (0600, the folder 0700). The original name is kept in the database; a name that
carries a path, a control character or a type not on the list is refused, as is a file larger
than `MAX_BYTES`. Only `funding.services` stores or discards files; the download view opens
them after checking that the user may see the project.
"""

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
# what application materials are: documents, scans and spreadsheets (no executables, no HTML)
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".zip": "application/zip",
}
NAME_MAX = 200


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "materials"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def check_upload(name: str, size: int | None) -> tuple[str, str]:
    """(the name as kept, its content type), or a ValidationError saying what is wrong."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise ValidationError(_("The file has no name."), code="name")
    if (
        PurePosixPath(name).name != name
        or PureWindowsPath(name).name != name
        or name in (".", "..")
        or any(unicodedata.category(c).startswith("C") for c in name)
    ):
        raise ValidationError(
            _("“%(name)s” is not a plain file name (it contains a path or control characters).")
            % {"name": name[:80].encode("unicode_escape").decode("ascii")},
            code="path",
        )
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("The file name is longer than %(max)s characters.") % {"max": NAME_MAX}, code="name"
        )
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise ValidationError(
            _("Files of type “%(suffix)s” cannot be attached; allowed: %(allowed)s.")
            % {"suffix": suffix or _("no extension"), "allowed": " ".join(sorted(CONTENT_TYPES))},
            code="type",
        )
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(max)s MB can be attached.")
            % {"size": round(size / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024},
            code="size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="size")
    return name, CONTENT_TYPES[suffix]


@dataclass(frozen=True)
class Stored:
    storage_name: str
    size: int
    sha256: str


def _chunks(content):
    if hasattr(content, "chunks"):
        yield from content.chunks()
    elif isinstance(content, bytes):
        yield content
    else:
        while chunk := content.read(1024 * 1024):
            yield chunk


def store(content) -> Stored:
    """Write the upload (an UploadedFile, bytes or a binary file) 0600 under a random name;
    refuses it once it passes `MAX_BYTES`, whatever its declared size said."""
    storage_name = secrets.token_hex(16)
    path = folder() / storage_name
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in _chunks(content):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValidationError(
                        _("The file is larger than %(max)s MB.")
                        % {"max": MAX_BYTES // 1024 // 1024},
                        code="size",
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise ValidationError(_("The file is empty."), code="size")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(storage_name, size, digest.hexdigest())


def path_of(storage_name: str) -> Path:
    if not storage_name.isalnum():
        raise ValueError("not a storage name")
    return folder() / storage_name


def discard(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)
