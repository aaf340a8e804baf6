"""A job's page: its progress (the bar polls a fragment with htmx) and, when done, its
result to download or the page to go on to. Only the job's owner sees it (404 otherwise)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from . import services
from .models import Job


def _job(request, pk: int) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), pk=pk)


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
