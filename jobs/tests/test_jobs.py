"""Long work as background jobs (issue 21): the request answers at once with the job's page,
the worker (run here for real, in this thread) makes the result, the page shows the progress
and gives the result to the job's owner only; a LibreOffice that runs too long is killed with
its whole process group."""

import io
import time
from pathlib import Path

import pytest
from docx import Document

from conftest import run_jobs
from jobs.models import Job
from jobs.registry import Outcome, register
from jobs.tests.helpers import processes_mentioning
from org.tests.factories import UnitFactory, cast_of

SENTENCE_START = "截至2024年6月30日，全市累计完成对上争取资金10.7亿元"


@pytest.fixture
def office(db):
    """The office alone (the bulletin tests below read the demo's figures)."""
    return cast_of("office")["office"]


def test_a_draft_bulletin_is_a_job_its_owner_follows_and_downloads(
    demo, client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/supervision/bulletins/draft.docx", {"year": "2024", "as_of": "2024-06-30"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and 'hx-trigger="every 1s"' in page  # polls
    assert job.status == Job.QUEUED

    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.DONE and job.message.startswith(SENTENCE_START)
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and 'id="job-download"' in fragment  # stops polling
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "wordprocessingml" in download["Content-Type"]
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any(p.text.startswith(SENTENCE_START) for p in document.paragraphs)

    # another person's job does not exist for them
    client.force_login(cast["leader"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_issuing_is_a_job_that_ends_on_the_issued_bulletin(
    demo, client, cast, django_capture_on_commit_callbacks
):
    from supervision.models import Bulletin

    client.force_login(cast["office"])
    before = Bulletin.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/bulletins/issue/", {"year": "2024", "as_of": "2024-06-30"})
    assert Bulletin.objects.count() == before  # nothing issued inside the request
    run_jobs()
    job = Job.objects.get()
    bulletin = Bulletin.objects.order_by("-pk").first()
    assert job.status == Job.DONE and Bulletin.objects.count() == before + 1
    assert job.result_url == f"/supervision/bulletins/{bulletin.pk}/"
    assert bytes(bulletin.pdf).startswith(b"%PDF")


def test_a_failing_job_says_so_and_keeps_no_file(
    client, office, django_capture_on_commit_callbacks
):
    from jobs.services import start_job

    def broken(job, progress, folder: Path) -> Outcome:
        progress(1, 3, "half way")
        (folder / "partial").write_bytes(b"x")
        raise ValueError("a bug")

    register("test.broken", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=office, kind="test.broken", title="broken")
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.FAILED and "a bug" not in job.message and job.message
    client.force_login(office)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert 'class="error"' in client.get(f"/jobs/{job.pk}/progress/").content.decode()


def test_a_libreoffice_over_its_time_is_killed_with_its_group(tmp_path, monkeypatch):
    import tempfile

    from supervision.documents import GovDocument, RenderError, docx_to_pdf, soffice

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # its work folder, to find it by
    doc = GovDocument()
    for n in range(2000):
        doc.para(f"第{n}段：对上争取工作进展情况。")
    with pytest.raises(RenderError):
        docx_to_pdf(doc.bytes(), timeout=1)
    time.sleep(0.5)
    assert processes_mentioning(str(tmp_path)) == []


def test_a_large_ledger_is_imported_by_a_job(
    client, office, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from funding.models import Receipt
    from ledger.tests.helpers import write_xlsx
    from ledger.tests.test_views import GOOD

    settings.LEDGER_JOB_ABOVE_BYTES = 0  # every file counts as large here
    UnitFactory(code="CGJ")  # the unit of GOOD's one receipt
    client.force_login(office)
    data = write_xlsx(tmp_path / "good.xlsx", GOOD).read_bytes()
    uploaded = client.post("/ledger/", {"file": SimpleUploadedFile("good.xlsx", data)})
    sha = uploaded["Location"].rstrip("/").rsplit("/", 1)[1]
    count = Receipt.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/ledger/confirm/{sha}/", HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    assert started.status_code == 204 and started["HX-Redirect"] == f"/jobs/{job.pk}/"
    assert Receipt.objects.count() == count  # not inside the request
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.DONE and Receipt.objects.count() == count + 1
    assert "到位资金" in job.message and job.result_url == "/ledger/"


def test_results_older_than_a_week_are_swept_by_the_next_job(office):
    import datetime as dt

    from django.utils import timezone

    from jobs.services import job_folder, start_job

    old = Job.objects.create(
        kind="test", title="old", owner=office, status=Job.DONE,
        finished_at=timezone.now() - dt.timedelta(days=8), result_name="old.docx",
    )  # fmt: skip
    recent = Job.objects.create(
        kind="test", title="recent", owner=office, status=Job.DONE,
        finished_at=timezone.now() - dt.timedelta(days=6), result_name="new.docx",
    )  # fmt: skip
    for job in (old, recent):
        job_folder(job).mkdir(parents=True, exist_ok=True)
        (job_folder(job) / "result").write_bytes(b"x")
    start_job(user=office, kind="supervision.bulletin_draft", title="t", params={})
    assert not job_folder(old).exists() and job_folder(recent).exists()
