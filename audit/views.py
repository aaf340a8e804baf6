"""The audit administrator's view of the trail: search, detail, export (itself audited)."""

import io

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from common.dates import DateError, parse_date
from common.permissions import Role, role_of

from .models import AuditEvent
from .services import record

EXPORT_LIMIT = 100_000


def _audit_admin(request) -> None:
    # 三员分立: only the audit administrator reads the trail, not the system administrator.
    if role_of(request.user) != Role.AUDIT_ADMIN:
        raise PermissionDenied


def filtered_events(params) -> tuple:
    events = AuditEvent.objects.order_by("-id")
    filters = {}
    for key, lookup in (
        ("actor", "actor_name__icontains"),
        ("action", "action__icontains"),
        ("object", "object_repr__icontains"),
    ):
        value = (params.get(key) or "").strip()
        if value:
            events = events.filter(**{lookup: value})
            filters[key] = value
    for key, lookup in (("date_from", "at__date__gte"), ("date_to", "at__date__lte")):
        value = (params.get(key) or "").strip()
        if value:
            try:
                events = events.filter(**{lookup: parse_date(value)})
                filters[key] = value
            except DateError:
                pass
    if params.get("failures"):
        events = events.filter(success=False)
        filters["failures"] = "1"
    return events, filters


@login_required
def event_list(request):
    _audit_admin(request)
    events, filters = filtered_events(request.GET)
    if request.GET.get("export") == "xlsx":
        return _export(request, events, filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return render(
        request, "audit/event_list.html", {"page": page, "filters": filters, "query": query}
    )


@login_required
def event_detail(request, pk: int):
    _audit_admin(request)
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(request, "audit/event_detail.html", {"event": event})


def _export(request, events, filters) -> HttpResponse:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("审计日志")
    header = [
        "编号",
        "时间",
        "操作人",
        "角色",
        "IP",
        "操作",
        "对象",
        "成功",
        "变更前",
        "变更后",
        "哈希",
    ]
    sheet.write_row(0, 0, header)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, event in enumerate(events[:EXPORT_LIMIT].iterator(chunk_size=2000), start=1):
        sheet.write_row(
            count,
            0,
            [
                event.pk,
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_name,
                event.role,
                event.ip or "",
                event.action,
                event.object_repr,
                "是" if event.success else "否",
                str(event.before or ""),
                str(event.after or ""),
                event.hash,
            ],
        )
    workbook.close()
    record(
        "audit.exported",
        None,
        after={"filters": filters, "count": count},
        object_type="audit.auditevent",
        user=request.user,
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="audit.xlsx"'
    return response
