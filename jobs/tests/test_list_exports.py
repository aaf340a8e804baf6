"""A list's Excel export as a background job (issue 21.2): started by a POST, every row past
the immediate export's limit written, scoped as the owner's page, the file its owner's only."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from audit.models import AuditEvent
from conftest import run_jobs
from funding.models import Receipt
from jobs.models import Job
from ledger.tests.factories import receipt
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of

pytestmark = pytest.mark.django_db

URL = "/funding/receipts/"


@pytest.fixture
def cast(db):
    """Seven receipts of two units (ZJJ's three of 2024 and one of 2023), each amount its
    own, and the office, the leader and ZJJ's officer (not the whole demo)."""
    units = {code: UnitFactory(code=code) for code in ("ZJJ", "FGW")}
    amounts = iter(range(1_000_000, 8_000_000, 1_000_000))
    for code, year, count in (("ZJJ", 2024, 3), ("ZJJ", 2023, 1), ("FGW", 2024, 3)):
        for day in range(1, count + 1):
            receipt(units[code], next(amounts), dt.date(year, 6, day))
    return cast_of("office", "leader", "zjj", unit=units["ZJJ"])


def _start(client, query: str, capture) -> Job:
    before = set(Job.objects.values_list("pk", flat=True))
    with capture(execute=True):
        response = client.post(f"{URL}?{query}", {"export": "job"})
    job = Job.objects.exclude(pk__in=before).get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    return job


def _rows(client, job: Job) -> list[list]:
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def test_a_job_writes_every_row_past_the_limit_in_the_order_shown(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_IMMEDIATE_ROWS = 5
    total = Receipt.objects.count()
    assert total > 5
    client.force_login(cast["office"])
    job = _start(client, "sort=-amount&page=3", django_capture_on_commit_callbacks)
    assert job.status == Job.QUEUED and job.params["query"] == "sort=-amount"
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.DONE, job.message
    assert f"{total:,}" in job.message
    rows = _rows(client, job)
    assert rows[0][2] == "金额（万元）"
    assert len(rows) - 1 == total  # every row, none cut
    amounts = [row[2] for row in rows[1:]]
    expected = sorted(Receipt.objects.values_list("amount", flat=True), reverse=True)
    assert amounts == [pytest.approx(a / 10_000) for a in expected]
    event = AuditEvent.objects.filter(action="list.exported", object_type="list").latest("id")
    assert event.after["rows"] == total and event.after["filters"]["of"] == total

    # the file is its owner's: anyone else is told it does not exist
    client.force_login(cast["leader"])
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_units_job_holds_its_own_rows_only_filtered_as_asked(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_IMMEDIATE_ROWS = 1
    zjj = Unit.objects.get(code="ZJJ")
    client.force_login(cast["zjj"])
    job = _start(client, "year=2024", django_capture_on_commit_callbacks)
    run_jobs()
    job.refresh_from_db()
    rows = _rows(client, job)
    mine = Receipt.objects.filter(unit=zjj, received_on__year=2024)
    assert len(rows) - 1 == mine.count() > 1
    assert {row[1] for row in rows[1:]} == {zjj.name}


def test_a_bad_filter_starts_no_job_and_says_why(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast["office"])
    jobs = Job.objects.count()
    response = client.post(f"{URL}?received_from=2024-13-45", {"export": "job"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Job.objects.count() == jobs


def test_a_get_starts_no_job(client, cast, settings):
    settings.EXPORT_IMMEDIATE_ROWS = 1
    client.force_login(cast["office"])
    jobs = Job.objects.count()
    assert client.get(URL, {"export": "job"}).status_code == 200
    assert Job.objects.count() == jobs
