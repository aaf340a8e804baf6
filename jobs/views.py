"""A job's page: its progress (the bar polls a fragment with htmx) and, when done, its
result to download or the page to go on to. Only the job's owner sees it (404 otherwise)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Job


def _job(request, pk: int) -> Job:
    """The owner's job, seen as it is: a running job whose worker died is settled as
    interrupted before it is shown (not "running" forever)."""
    jobs = Job.objects.visible_to(request.user)
    job = get_object_or_404(jobs, pk=pk)
    if services.is_lost(job):
        services.interrupt_lost_jobs(jobs.filter(pk=pk))
        job.refresh_from_db()
    return job


@login_required
def job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "jobs/job.html", {"job": job})


@login_required
def job_progress(request, pk: int):
    """The progress fragment the page polls; once the job is finished it stops polling."""
    job = _job(request, pk)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request, pk: int):
    job = _job(request, pk)
    path = services.result_path(job)
    if path is None:
        raise Http404
    services.record_result_download(user=request.user, job=job)
    response = FileResponse(path.open("rb"), content_type=job.result_type)
    ascii_name = job.result_name.encode("ascii", "ignore").decode() or "result"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(job.result_name)}"
    )
    return response


@login_required
@require_POST
def job_restart(request, pk: int):
    """Start a failed or interrupted job again (a new job, same work); its page follows it."""
    job = _job(request, pk)
    try:
        again = services.restart_job(user=request.user, job_id=job.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("jobs:job_detail", pk=job.pk)
    return redirect("jobs:job_detail", pk=again.pk)
