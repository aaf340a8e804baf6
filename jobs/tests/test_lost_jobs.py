"""A job whose worker died (SIGKILL, out of memory, a restart) is not "running" forever: it is
shown interrupted (中断) with a plain message and its owner can start it again; the LibreOffice
it had started dies with the worker. The worker here is a real `db_worker` process, killed
with SIGKILL in the middle of a real LibreOffice conversion."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from jobs import services
from jobs.models import Job
from jobs.registry import Outcome, register
from jobs.tests.helpers import processes_mentioning
from luoshi.management.commands.backup import pg_url
from org.tests.factories import cast_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cast(db):
    """The office, whose jobs these are, and the leader (not the whole demo)."""
    return cast_of("office", "leader")


# A worker with one more kind of job: LibreOffice converting a long document, again and again
# (so that it is surely converting when the test kills the worker).
WORKER = """
import django
django.setup()
from django.core.management import call_command
from jobs.registry import register
from supervision.documents import GovDocument, docx_to_pdf

def endless_pdf(job, progress, folder):
    doc = GovDocument()
    for n in range(3000):
        doc.para(f"第{n}段：对上争取工作进展情况。")
    data = doc.bytes()
    progress(1, 2, "rendering")
    while True:
        docx_to_pdf(data)

register("test.endless_pdf", endless_pdf)
call_command("db_worker", queue_name="*", interval=0.1, startup_delay=False, verbosity=0)
"""


def _never(job, progress, folder: Path) -> Outcome:  # only the worker process runs it
    raise AssertionError("run by the worker process only")


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def _database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return pg_url(connection.settings_dict)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_its_job_leaves_it_interrupted_restartable_and_no_libreoffice(
    client, cast, settings, tmp_path
):
    from supervision.documents import soffice

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    settings.LUOSHI_JOB_LOST_SECONDS = 2
    register("test.endless_pdf", _never)
    temp = tmp_path / "tmp"  # the worker's temporary folders: LibreOffice is found by it
    temp.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "luoshi.settings",
        "DATABASE_URL": _database_url(),
        "LUOSHI_DATA_DIR": str(settings.DATA_DIR),
        "LUOSHI_AUDIT_KEY": settings.AUDIT_KEY,
        "LUOSHI_JOB_LOST_SECONDS": "2",
        "TMPDIR": str(temp),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, stderr=subprocess.PIPE
    )
    try:
        job = services.start_job(
            user=cast["office"], kind="test.endless_pdf", title="一份很长的文件", params={"n": 1}
        )
        _wait_for(lambda: processes_mentioning(str(temp)), 120, "LibreOffice started")
        job.refresh_from_db()
        assert job.status == Job.RUNNING and job.step == "rendering"
        first_beat = job.heartbeat_at
        _wait_for(
            lambda: Job.objects.get(pk=job.pk).heartbeat_at > first_beat, 10, "a heartbeat"
        )  # written by the worker while LibreOffice holds the job in one long step
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    killed_at = time.monotonic()

    # the guard killed LibreOffice's whole group with the worker
    _wait_for(lambda: not processes_mentioning(str(temp)), 10, "LibreOffice gone")

    # the owner's page shows the job interrupted, within the bound (here: at once, the
    # worker ran on this machine and its process is gone)
    client.force_login(cast["office"])

    def interrupted_page() -> str | None:
        page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
        return page if 'data-status="interrupted"' in page else None

    fragment = _wait_for(
        interrupted_page, settings.LUOSHI_JOB_LOST_SECONDS + 1, "the job shown interrupted"
    )
    assert time.monotonic() - killed_at <= settings.LUOSHI_JOB_LOST_SECONDS + 1
    assert "中断" in fragment and "重新开始" in fragment and "hx-trigger" not in fragment
    job.refresh_from_db()
    assert job.status == Job.INTERRUPTED and job.finished_at is not None
    assert AuditEvent.objects.filter(action="jobs.job.interrupted", object_id=job.pk).exists()

    # started again: a new job with the same work; a second click opens the same one
    response = client.post(f"/jobs/{job.pk}/restart/")
    again = Job.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[1]))
    assert again.pk != job.pk and again.status == Job.QUEUED
    assert (again.kind, again.title, again.params) == (job.kind, job.title, job.params)
    assert client.post(f"/jobs/{job.pk}/restart/")["Location"] == f"/jobs/{again.pk}/"
    assert 'id="job-restarted"' in client.get(f"/jobs/{job.pk}/").content.decode()


def _running(owner, worker: str, silent_for: float) -> Job:
    beat = timezone.now() - dt.timedelta(seconds=silent_for)
    return Job.objects.create(
        kind="test", title="t", owner=owner, status=Job.RUNNING, worker=worker,
        started_at=beat, heartbeat_at=beat,
    )  # fmt: skip


def test_a_job_of_another_machine_is_interrupted_once_its_heartbeat_is_older_than_the_bound(
    cast, settings
):
    settings.LUOSHI_JOB_LOST_SECONDS = 30
    silent = _running(cast["office"], "another-host 4242 123456", 31)
    beating = _running(cast["office"], "another-host 4243 123456", 5)
    # a live worker of this machine: never interrupted, however long its step holds the
    # database without a heartbeat (a long SQLite write)
    alive = _running(cast["office"], services.worker_identity(), 3600)
    # a worker of this machine whose process is gone (its pid's start time is another)
    host, pid, _ticks = services.worker_identity().split(" ")
    dead = _running(cast["office"], f"{host} {pid} 1", 0)

    assert services.interrupt_lost_jobs() == 2
    states = dict(Job.objects.values_list("pk", "status"))
    assert states[silent.pk] == states[dead.pk] == Job.INTERRUPTED
    assert states[beating.pk] == states[alive.pk] == Job.RUNNING


def test_only_a_failed_or_interrupted_job_starts_again(client, cast):
    done = Job.objects.create(
        kind="supervision.bulletin_draft", title="t", owner=cast["office"], status=Job.DONE
    )
    client.force_login(cast["office"])
    response = client.post(f"/jobs/{done.pk}/restart/", follow=True)
    assert "只有失败或中断的任务可以重新开始" in response.content.decode()
    assert Job.objects.count() == 1
    client.force_login(cast["leader"])  # another person's job does not exist for them
    assert client.post(f"/jobs/{done.pk}/restart/").status_code == 404
