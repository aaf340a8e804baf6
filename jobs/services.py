"""Starting and running background jobs. A request starts a job (`start_job`) and answers at
once; the worker (`luoshi serve` starts one) runs it, reporting its progress in the job's
row, and keeps its result in a file under `LUOSHI_DATA_DIR/jobs/` (0600) for its owner."""

import datetime as dt
import logging
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    from .tasks import run_job

    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of job."))
    discard_old_results()
    job = Job.objects.create(kind=kind, title=title[:200], owner=user, params=params or {})
    record("jobs.job.started", job, after={"kind": kind, "params": job.params}, user=user)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
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
    job = Job.objects.select_related("owner").filter(pk=job_id, status=Job.QUEUED).first()
    if job is None:
        return  # already run (the task queue delivers at least once)
    Job.objects.filter(pk=job.pk).update(status=Job.RUNNING, started_at=timezone.now())
    kind = KINDS[job.kind]
    folder = job_folder(job)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
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
