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
from common.spreadsheets import neutralise

from .anchors import anchor_file, newest_anchor, read_anchors
from .history import changes_of, related_names
from .labels import action_label, actor_label, actor_names, plain_value
from .models import AuditEvent
from .services import record

EXPORT_LIMIT = 100_000
ANCHOR_EXPORT_LIMIT = 10_000


def _text(value) -> str:
    """A text cell as Excel must not run it: names, objects and JSON typed by anyone."""
    return neutralise(str(value or ""))


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
    people = actor_names(page.object_list)
    rows = [(e, action_label(e.action), actor_label(e, people)) for e in page.object_list]
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "rows": rows, "filters": filters, "query": query, **_anchor_status()},
    )


def _anchor_status() -> dict:
    """The newest anchor written outside the database, and whether its event is still there
    with the same hash (one query; `luoshi audit_verify` checks everything)."""
    anchor = newest_anchor()
    if anchor is None or not anchor.event_id:
        return {"anchor": anchor}
    holds = (
        anchor.valid_mac
        and AuditEvent.objects.filter(id=anchor.event_id, hash=anchor.hash).exists()
    )
    # the anchor file keeps UTC; people read the time of the header (Asia/Shanghai)
    return {"anchor": anchor, "anchor_holds": holds, "anchor_at": plain_value(anchor.at)}


@login_required
def event_detail(request, pk: int):
    _audit_admin(request)
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "action": action_label(event.action),
            "actor": actor_label(event, actor_names([event])),
            "changes": event_changes(event),
        },
    )


def event_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) for every key of the event, in the record's own words where the
    record type is known (labels, amounts, names), else each value written plainly."""
    from django.apps import apps

    before, after = event.before or {}, event.after or {}
    try:
        model = apps.get_model(event.object_type) if "." in event.object_type else None
    except (LookupError, ValueError):
        model = None
    if model is not None:
        shown = changes_of(model, before, after, related_names(model, [event]))
        return [(c.field, c.before, c.after) for c in shown]
    return [
        (key, plain_value(before.get(key)), plain_value(after.get(key)))
        for key in sorted(before.keys() | after.keys())
    ]


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
        "前一哈希",
        "请求编号",
        "客户端请求编号",
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
                _text(event.actor_name),
                _text(event.role),
                event.ip or "",
                _text(event.action),
                _text(event.object_repr),
                "是" if event.success else "否",
                _text(event.before),
                _text(event.after),
                event.hash,
                event.prev_hash,
                event.request_id,
                _text(event.client_request_id),
            ],
        )
    _anchor_sheet(workbook)
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


def _anchor_sheet(workbook) -> None:
    """The chain heads anchored outside the database, so the export can be checked later
    against a trail that may have been cut or rewritten since."""
    sheet = workbook.add_worksheet("链锚点")
    header = ["行", "类型", "写入时间(UTC)", "事件编号", "哈希", "已核验事件数", "签名有效"]
    sheet.write_row(0, 0, header)
    sheet.freeze_panes(1, 0)
    anchors = read_anchors()[-ANCHOR_EXPORT_LIMIT:]
    for row, anchor in enumerate(anchors, start=1):
        sheet.write_row(
            row,
            0,
            [
                anchor.line,
                _text(anchor.kind),
                _text(anchor.at),
                anchor.event_id,
                _text(anchor.hash),
                anchor.count,
                "是" if anchor.valid_mac else "否",
            ],
        )
    sheet.write_row(len(anchors) + 2, 0, ["文件", str(anchor_file())])
