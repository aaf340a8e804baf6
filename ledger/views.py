import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.money import format_amount
from common.percent import rate_text
from common.permissions import Role, role_of
from common.services import require
from common.validation import parse_year, query_value
from jobs.services import start_job
from org.period import office_period
from reporting.read_model import SYSTEM, figures_for

from . import storage
from .export import export_ledger
from .format import SHEET_LABELS, SHEETS
from .forms import UploadForm
from .services import import_ledger


def _office(request) -> None:
    # The ledger is the supervision office's tool: it writes every unit's figures at once.
    require(role_of(request.user) == Role.OFFICE)


def _stored(sha: str):
    found = storage.find(sha)
    if found is None:
        raise Http404
    return found


def _figures() -> dict:
    period = office_period()
    year, as_of = period.year, period.as_of
    summary = figures_for(SYSTEM, period).summary
    counts = summary.counts
    return {
        "year": year,
        "as_of": as_of,
        "secured": format_amount(summary.secured),
        "rate": rate_text(summary.rate),
        **{key: counts.get(key, 0) for key in ("completed", "ahead", "behind", "none")},
    }


def _sheet_rows(result) -> list[dict]:
    return [
        {"name": sheet.name, "label": SHEET_LABELS[sheet.key], "counts": result.counts[sheet.key]}
        for sheet in SHEETS
        if sheet.key in result.counts
    ]


@login_required
def upload(request):
    _office(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sha = storage.store(form.cleaned_data["file"], request.user)
        return redirect("ledger:preview", sha=sha)
    return render(request, "ledger/upload.html", {"form": form, "sheets": SHEETS})


@login_required
def preview(request, sha: str):
    _office(request)
    path, name = _stored(sha)
    result = import_ledger(path, user=request.user, name=name, dry_run=True)
    return render(
        request,
        "ledger/preview.html",
        {"result": result, "sha": sha, "sheets": _sheet_rows(result), "form": UploadForm()},
    )


#: a file larger than this is imported by a background job (100,000 rows: 2.7 MB, seconds
#: to minutes); a smaller one at once, answering with the figures before and after
JOB_ABOVE_BYTES = 512 * 1024


@login_required
@require_POST
def confirm(request, sha: str):
    _office(request)
    path, name = _stored(sha)
    if path.stat().st_size > getattr(settings, "LEDGER_JOB_ABOVE_BYTES", JOB_ABOVE_BYTES):
        job = start_job(
            user=request.user,
            kind="ledger.import",
            title=_("Import %(name)s") % {"name": name},
            params={"sha": sha},
        )
        url = reverse("jobs:job_detail", kwargs={"pk": job.pk})
        if request.htmx:  # the form posts with htmx: the browser goes to the job's page
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    before = _figures()
    result = import_ledger(path, user=request.user, name=name)
    if not result.ok:
        return render(
            request,
            "ledger/preview.html",
            {"result": result, "sha": sha, "sheets": [], "form": UploadForm()},
        )
    storage.discard(sha)  # imported: the file is not kept (issue 9: uploads stayed for ever)
    after = _figures()
    figures = [
        (key, before[key], after[key])
        for key in ("secured", "rate", "completed", "ahead", "behind", "none")
    ]
    return render(
        request,
        "ledger/result.html",
        {"result": result, "sheets": _sheet_rows(result), "figures": figures, "after": after},
    )


@login_required
def export(request):
    _office(request)
    year, error = query_value(request.GET, "year", parse_year)
    if error:
        messages.error(request, error)
        return redirect("ledger:upload")
    buffer = io.BytesIO()
    export_ledger(buffer, user=request.user, year=year)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"ledger-{year or 'all'}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
