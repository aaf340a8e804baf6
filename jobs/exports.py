"""A list's Excel export as a background job: every filtered row, however many, streamed to
the job's file with its progress on the job's page.

The job runs the list's own page view for its owner (the path and filters it was started
from), so the rows are exactly those the owner's page would list: the same permission check,
the same `visible_to` queryset, the same FilterSet. `common.lists.render_list` sees the job's
`ListExport` on the request and writes the workbook instead of the page."""

import os
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import lists
from common.xlsx import XLSX_TYPE

from .registry import Outcome, register
from .services import start_job

KIND = "lists.export"


def start_list_export(request: HttpRequest, spec: lists.ListSpec) -> HttpResponse:
    """Start the export of the list the request shows (its path and filters) and go to the
    job's page. Only a POST gets here: a GET starts no work."""
    query = [(k, v) for k, v in request.GET.lists() if k not in ("export", "page")]
    job = start_job(
        user=request.user,
        kind=KIND,
        title=_("Excel export: %(list)s") % {"list": spec.title},
        params={
            "path": request.path_info,
            "query": urlencode(query, doseq=True),
            "language": translation.get_language() or "zh-hans",
            "list": spec.name,
        },
    )
    return redirect("jobs:job_detail", pk=job.pk)


def _request(job, export: lists.ListExport) -> HttpRequest:
    """The GET its owner's page would receive, carrying the export to write."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.params["path"]
    request.GET = QueryDict(job.params.get("query", ""))
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "REMOTE_ADDR": ""}
    request.user = job.owner
    request._messages = CookieStorage(request)  # a list view may leave a message; none shown
    request.list_export = export
    return request


def list_export(job, progress, folder: Path) -> Outcome:
    path = folder / "export.xlsx"
    export = lists.ListExport(path=str(path), progress=progress)
    try:
        match = resolve(job.params["path"])
        with translation.override(job.params.get("language") or "zh-hans"):
            match.func(_request(job, export), *match.args, **match.kwargs)
            message = _("%(rows)s rows written.") % {"rows": f"{export.rows:,}"}
    except (Resolver404, Http404, PermissionDenied):
        raise lists.ExportRefused(_("You may no longer see this list.")) from None
    if not path.is_file():  # the address is not a list's page
        raise lists.ExportRefused(_("This page has no Excel export."))
    os.chmod(path, 0o600)
    name = job.params.get("list") or "export"
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d")
    return Outcome(
        message=message, path=path, filename=f"{name}-{stamp}.xlsx", content_type=XLSX_TYPE
    )


def register_kind() -> None:
    register(KIND, list_export, user_errors=(lists.ExportRefused,))
    lists.background_export = start_list_export
