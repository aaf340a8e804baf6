"""Starting and running background jobs. A request starts a job (`start_job`) and answers at
once; the worker (`luoshi serve` starts one) runs it, reporting its progress in the job's
row, and keeps its result in a file under `LUOSHI_DATA_DIR/jobs/` (0600) for its owner."""

import datetime as dt
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from audit.services import record

from .models import Job
from .registry import KINDS, Outcome

logger = logging.getLogger("luoshi.jobs")
RESULT = "result"  # the file a job made, in its folder
PROGRESS_EVERY = 0.5  # seconds between two progress writes (a 100,000-row import ticks often)


def jobs_folder() -> Path:
    return Path(settings.DATA_DIR) / "jobs"


def job_folder(job: Job) -> Path:
    return jobs_folder() / str(job.pk)


@transaction.atomic
def start_job(*, user, kind: str, title: str, params: dict | None = None) -> Job:
    """Record a job of `kind` for `user` and queue it for the worker (once committed)."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of job."))
    discard_old_results()
    job = Job.objects.create(kind=kind, title=title[:200], owner=user, params=params or {})
    record("jobs.job.started", job, after={"kind": kind, "params": job.params}, user=user)
    transaction.on_commit(lambda: run_job_task.enqueue(job.pk))
    return job


KEEP_RESULTS_DAYS = 7


def discard_old_results() -> None:
    """Result files of jobs finished more than `KEEP_RESULTS_DAYS` ago are deleted (each new
    job sweeps; the job's row stays, its page then offers nothing to download)."""
    since = timezone.now() - dt.timedelta(days=KEEP_RESULTS_DAYS)
    for pk in Job.objects.filter(finished_at__lt=since).values_list("pk", flat=True)[:500]:
        folder = jobs_folder() / str(pk)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _progress_writer(job: Job):
    last = [0.0]

    def progress(done: int, total: int, step: str = "") -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and done < total:
            return
        last[0] = now
        Job.objects.filter(pk=job.pk).update(
            done=max(0, done), total=max(0, total), step=str(step)[:200]
        )

    return progress


def run_job(*, job_id: int) -> None:
    """Run a queued job to its end: done with its result, or failed with a message for its
    owner (the error's own when the work says it is one the owner can act on)."""
    interrupt_lost_jobs()  # a worker that starts work first settles the jobs of dead ones
    job = Job.objects.select_related("owner").filter(pk=job_id, status=Job.QUEUED).first()
    if job is None:
        return  # already run (the task queue delivers at least once)
    now = timezone.now()
    claimed = Job.objects.filter(pk=job.pk, status=Job.QUEUED).update(
        status=Job.RUNNING, started_at=now, heartbeat_at=now, worker=worker_identity()
    )
    if not claimed:
        return  # another worker took it between the two statements
    kind = KINDS[job.kind]
    folder = job_folder(job)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with _heartbeat(job):
            outcome: Outcome = kind.run(job, _progress_writer(job), folder)
    except kind.user_errors as exc:
        _fail(job, str(exc))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("The job failed unexpectedly; the office's administrator has the log."))
        return
    size = 0
    if outcome.path is not None:
        kept = folder / RESULT
        if outcome.path != kept:
            os.replace(outcome.path, kept)
        os.chmod(kept, 0o600)
        size = kept.stat().st_size
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=Job.DONE,
            finished_at=timezone.now(),
            done=1,
            total=1,
            step="",
            message=outcome.message,
            result_name=outcome.filename if outcome.path else "",
            result_type=outcome.content_type if outcome.path else "",
            result_size=size,
            result_url=outcome.url,
        )
        record(
            "jobs.job.finished",
            job,
            after={"kind": job.kind, "bytes": size, "url": outcome.url},
            user=job.owner,
        )


def _fail(job: Job, message: str) -> None:
    shutil.rmtree(job_folder(job), ignore_errors=True)
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=Job.FAILED, finished_at=timezone.now(), message=message[:2000]
        )
        record(
            "jobs.job.failed",
            job,
            after={"kind": job.kind, "message": message[:300]},
            user=job.owner,
            success=False,
        )


# --- a worker that died under its job (SIGKILL, out of memory, the machine restarted) --------


def _start_ticks(pid: int) -> str:
    """When process `pid` started (clock ticks since boot, /proc/<pid>/stat's 22nd field):
    with the pid, it names one process for good, though pids are reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def worker_identity() -> str:
    """This process as a job's `worker`: host, pid and start time."""
    return f"{socket.gethostname()} {os.getpid()} {_start_ticks(os.getpid())}"


def worker_alive(identity: str) -> bool | None:
    """Whether the worker named `identity` still runs: True or False for a worker of this
    machine, None (unknown) for one of another machine (several app servers on one
    PostgreSQL), where only its heartbeat tells."""
    host, _sep, rest = identity.partition(" ")
    pid, _sep, ticks = rest.partition(" ")
    if host != socket.gethostname() or not (pid.isascii() and pid.isdigit()) or not ticks:
        return None
    return _start_ticks(int(pid)) == ticks


def lost_after() -> dt.timedelta:
    """How long a running job of another machine may stay silent before it counts as
    interrupted (`LUOSHI_JOB_LOST_SECONDS`); its worker writes a heartbeat every third."""
    return dt.timedelta(seconds=settings.LUOSHI_JOB_LOST_SECONDS)


def is_lost(job: Job, now: dt.datetime | None = None) -> bool:
    """A running job whose worker is gone: on this machine its process no longer exists (at
    once); elsewhere its heartbeat is older than `lost_after()`. A live worker's job is
    never lost, however long one step holds the database (a long SQLite write)."""
    if job.status != Job.RUNNING:
        return False
    alive = worker_alive(job.worker)
    if alive is not None:
        return not alive
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < (now or timezone.now()) - lost_after()


def interrupt_lost_jobs(jobs=None) -> int:
    """Mark every running job whose worker is gone as interrupted (of `jobs`, a queryset, or
    all); each in its own transaction, the row locked and its state checked again. How many."""
    candidates = (jobs if jobs is not None else Job.objects).filter(status=Job.RUNNING)
    now = timezone.now()
    count = 0
    for job in candidates.only("pk", "status", "worker", "heartbeat_at", "started_at"):
        if not is_lost(job, now):
            continue
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job.pk)  # the row alone
            if not is_lost(job, now):
                continue
            message = _(
                "The background process running this job stopped before it "
                "finished (the server was restarted or the process was killed), so there is "
                "no result. You can start it again."
            )
            Job.objects.filter(pk=job.pk).update(
                status=Job.INTERRUPTED, finished_at=now, message=message
            )
            record(
                "jobs.job.interrupted",
                job,
                after={"kind": job.kind, "worker": job.worker},
                user=job.owner,
                success=False,
            )
        shutil.rmtree(job_folder(job), ignore_errors=True)
        count += 1
    return count


def heartbeat_every() -> float:
    return max(0.2, settings.LUOSHI_JOB_LOST_SECONDS / 3)


@contextmanager
def _heartbeat(job: Job) -> Iterator[None]:
    """While the job runs, a thread of the worker writes its heartbeat (with its own database
    connection): a step that reports no progress for minutes (LibreOffice rendering a PDF)
    still shows the job alive to another machine."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(heartbeat_every()):
                try:
                    Job.objects.filter(pk=job.pk, status=Job.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a locked database: the next beat tries again
                    logger.warning("job %s: heartbeat not written", job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


@transaction.atomic
def restart_job(*, user, job_id: int) -> Job:
    """Start a failed or interrupted job of `user`'s again, as a new job with the same kind,
    title and parameters; a second request returns the job already started in its place."""
    job = Job.objects.visible_to(user).select_for_update().get(pk=job_id)
    if job.restarted_as_id is not None:
        return Job.objects.get(pk=job.restarted_as_id)
    if not job.can_restart:
        raise ValidationError(_("Only a failed or interrupted job can be started again."))
    if job.kind not in KINDS:
        raise ValidationError(_("Unknown kind of job."))
    again = start_job(user=user, kind=job.kind, title=job.title, params=job.params)
    Job.objects.filter(pk=job.pk).update(restarted_as=again)
    record(
        "jobs.job.restarted",
        job,
        after={"kind": job.kind, "restarted_as": again.pk},
        user=user,
    )
    return again


def result_path(job: Job) -> Path | None:
    """The result file of a done job, if it has one."""
    if job.status != Job.DONE or not job.result_name:  # (or swept: see discard_old_results)
        return None
    path = job_folder(job) / RESULT
    return path if path.is_file() else None


def record_result_download(*, user, job: Job) -> None:
    record(
        "list.exported",
        job,
        after={"list": job.kind, "rows": 0, "filters": {"document": job.result_name}},
        user=user,
    )


@task()
def run_job_task(job_id: int) -> None:
    """The one task the job worker runs (django-tasks, database backend): a job by its id."""
    run_job(job_id=job_id)
