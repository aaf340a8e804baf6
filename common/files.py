"""Files kept on the server's own disk, and the one check of what may be uploaded.

A stored file is private: created with O_EXCL and mode 0600 (whatever the umask) in a 0700
folder under LUOSHI_DATA_DIR — never under MEDIA_ROOT or STATIC_ROOT, so no URL maps to it; a
view streams it (`attachment`) only after its own permission check. Its name on disk is chosen
here, never by the uploader, whose file name is kept in the database once `check_upload` has
accepted it: a plain name, not empty, not too large, of a document type whose first bytes
match its suffix (a renamed program is refused).
"""

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

_PK = (b"PK\x03\x04",)  # zip containers: Office Open XML, OFD
_OLE = (b"\xd0\xcf\x11\xe0",)  # old Office and WPS documents
#: what a document attached to an item or a project may be: suffix → (content type, first bytes)
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".ofd": ("application/ofd", _PK),
    ".doc": ("application/msword", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _PK),
    ".wps": ("application/vnd.ms-works", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _PK),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".zip": ("application/zip", (*_PK, b"PK\x05\x06")),
}
NAME_MAX = 200
_STORED_NAME = re.compile(r"[0-9a-f]{32,64}")


def max_upload_bytes() -> int:
    """The largest document accepted (LUOSHI_UPLOAD_MAX_MB, default 20)."""
    return settings.UPLOAD_MAX_BYTES


def allowed_suffixes() -> str:
    return "、".join(suffix.lstrip(".") for suffix in DOCUMENT_TYPES)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    suffix: str
    content_type: str
    size: int | None


def check_upload(name: str, content) -> CheckedFile:
    """Accept a document (an UploadedFile, bytes or a binary file) named `name`, or raise a
    ValidationError saying what is wrong (codes: name, path, type, size, content)."""
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
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Files of type “%(suffix)s” cannot be attached; allowed: %(allowed)s.")
            % {"suffix": suffix or _("no extension"), "allowed": allowed_suffixes()},
            code="type",
        )
    size = len(content) if isinstance(content, bytes) else getattr(content, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            _("The file is %(size)s MB; at most %(max)s MB can be attached.")
            % {"size": round(size / 1024 / 1024, 1), "max": max_upload_bytes() // 1024 // 1024},
            code="size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="size")
    content_type, first_bytes = DOCUMENT_TYPES[suffix]
    if not _head(content).startswith(first_bytes):
        raise ValidationError(
            _("“%(name)s” is not really a %(suffix)s file; save it again in that format.")
            % {"name": name, "suffix": suffix.lstrip(".")},
            code="content",
        )
    return CheckedFile(name=name, suffix=suffix, content_type=content_type, size=size)


def _head(content, length: int = 16) -> bytes:
    if isinstance(content, bytes):
        return content[:length]
    content.seek(0)
    head = content.read(length)
    content.seek(0)
    return head


def _chunks(content) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
    elif hasattr(content, "chunks"):
        yield from content.chunks()
    else:
        while chunk := content.read(1024 * 1024):
            yield chunk


@dataclass(frozen=True)
class StoredFile:
    name: str  # the name on disk
    size: int
    sha256: str


class PrivateFolder:
    """A 0700 folder of 0600 files under LUOSHI_DATA_DIR (or where `setting` says)."""

    def __init__(self, name: str, setting: str | None = None):
        self.name = name
        self.setting = setting

    @property
    def path(self) -> Path:
        configured = getattr(settings, self.setting, None) if self.setting else None
        path = Path(configured or Path(settings.DATA_DIR) / self.name)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        return path

    def create(self, name: str) -> BinaryIO:
        """A new file only the server's user may read or write."""
        path = self.path / name
        handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        os.chmod(path, 0o600)
        return handle

    def store(
        self, content, *, name: str | None = None, max_bytes: int | None = None
    ) -> StoredFile:
        """Write an UploadedFile, bytes or a binary file under `name` (random if not given);
        refuses it once it passes `max_bytes`, whatever its declared size said, leaving nothing."""
        name = name or secrets.token_hex(20)
        digest, size = hashlib.sha256(), 0
        handle = self.create(name)  # before the try: a name already taken is not ours to delete
        try:
            with handle:
                for chunk in _chunks(content):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ValidationError(
                            _("The file is larger than %(max)s MB.")
                            % {"max": max_bytes // 1024 // 1024},
                            code="size",
                        )
                    digest.update(chunk)
                    handle.write(chunk)
        except BaseException:
            (self.path / name).unlink(missing_ok=True)
            raise
        return StoredFile(name, size, digest.hexdigest())

    def path_of(self, stored_name: str) -> Path:
        """The path of a file this folder named (ValueError for any other name)."""
        if not _STORED_NAME.fullmatch(stored_name or ""):
            raise ValueError("not a stored file name")
        return self.path / stored_name

    def discard(self, stored_name: str) -> None:
        try:
            self.path_of(stored_name).unlink(missing_ok=True)
        except ValueError:
            pass

    def download(self, stored_name: str, *, filename: str, content_type: str) -> FileResponse:
        """The file as an attachment, never sniffed or run as a page; a 404 if it is gone."""
        try:
            handle = open(self.path_of(stored_name), "rb")  # noqa: SIM115 (FileResponse closes it)
        except (OSError, ValueError):
            raise Http404(_("The file is missing from the server.")) from None
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response
