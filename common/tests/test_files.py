"""The one file store and upload check (common.files) that evidence, materials and ledgers use."""

import io
import stat

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from docx import Document

from common.files import DOCUMENT_TYPES, PrivateFolder, check_upload

PDF = b"%PDF-1.4\n%%EOF\n"


def _real(suffix: str) -> bytes:
    """A real file of that type, written by the library that writes it."""
    buffer = io.BytesIO()
    if suffix == ".docx":
        Document().save(buffer)
    elif suffix == ".xlsx":
        openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_real_office_files_are_accepted_with_their_content_type(suffix):
    checked = check_upload(f"申报材料{suffix}", _real(suffix))
    assert checked.suffix == suffix and checked.content_type == DOCUMENT_TYPES[suffix][0]


@pytest.mark.parametrize("suffix", sorted(DOCUMENT_TYPES))
def test_a_renamed_program_is_refused_whatever_suffix_it_wears(suffix):
    with pytest.raises(ValidationError) as caught:
        check_upload(f"伪装{suffix}", b"MZ\x90\x00\x03\x00\x00\x00")
    assert caught.value.code == "content"
    assert "并不是真正的" in caught.value.messages[0]


def test_a_private_folder_writes_0600_files_in_a_0700_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    folder = PrivateFolder("things")
    stored = folder.store(PDF)
    path = folder.path_of(stored.name)
    assert path.parent == tmp_path / "things" and path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stored.size == len(PDF) and len(stored.sha256) == 64
    with pytest.raises(FileExistsError):  # never overwrites a stored file
        folder.store(b"other", name=stored.name)
    assert path.read_bytes() == PDF


@pytest.mark.parametrize("name", ["../secret", "x/../../etc/passwd", "", "A" * 40, "abc"])
def test_only_names_the_folder_chose_are_opened(settings, tmp_path, name):
    settings.DATA_DIR = tmp_path
    folder = PrivateFolder("things")
    with pytest.raises(ValueError):
        folder.path_of(name)
    with pytest.raises(Http404):
        folder.download(name, filename="x.pdf", content_type="application/pdf")
    folder.discard(name)  # a no-op, not an error


def test_a_download_is_an_attachment_never_run_as_a_page(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    folder = PrivateFolder("things")
    stored = folder.store(PDF)
    response = folder.download(stored.name, filename="批复.pdf", content_type="application/pdf")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    folder.discard(stored.name)
    with pytest.raises(Http404):
        folder.download(stored.name, filename="批复.pdf", content_type="application/pdf")
