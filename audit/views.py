"""The audit administrator's view of the trail: search, detail, export (itself audited)."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from common.dates import DateError, parse_date
from common.permissions import Role, role_of
from common.xlsx import INT, XLSX_TYPE, Workbook, XlsxColumn

from .anchors import anchor_file, newest_anchor, read_anchors
from .history import changes_of, related_names
from .labels import action_label, actor_label, actor_names, plain_value
from .models import AuditEvent
from .services import record

EXPORT_LIMIT = 100_000
ANCHOR_EXPORT_LIMIT = 10_000


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


EVENT_COLUMNS = [
    XlsxColumn("编号", lambda e: e.pk, INT, 8),
    XlsxColumn("时间", lambda e: e.at.strftime("%Y-%m-%d %H:%M:%S"), width=20),
    XlsxColumn("操作人", lambda e: e.actor_name),
    XlsxColumn("角色", lambda e: e.role),
    XlsxColumn("IP", lambda e: e.ip),
    XlsxColumn("操作", lambda e: e.action, width=24),
    XlsxColumn("对象", lambda e: e.object_repr, width=24),
    XlsxColumn("成功", lambda e: "是" if e.success else "否", width=6),
    XlsxColumn("变更前", lambda e: str(e.before or ""), width=30),
    XlsxColumn("变更后", lambda e: str(e.after or ""), width=30),
    XlsxColumn("哈希", lambda e: e.hash),
    XlsxColumn("前一哈希", lambda e: e.prev_hash),
    XlsxColumn("请求编号", lambda e: e.request_id),
    XlsxColumn("客户端请求编号", lambda e: e.client_request_id),
]
ANCHOR_COLUMNS = [
    XlsxColumn("行", lambda a: a.line, INT, 6),
    XlsxColumn("类型", lambda a: a.kind),
    XlsxColumn("写入时间(UTC)", lambda a: a.at, width=24),
    XlsxColumn("事件编号", lambda a: a.event_id, INT),
    XlsxColumn("哈希", lambda a: a.hash),
    XlsxColumn("已核验事件数", lambda a: a.count, INT),
    XlsxColumn("签名有效", lambda a: "是" if a.valid_mac else "否", width=8),
]


def _export(request, events, filters) -> HttpResponse:
    buffer = io.BytesIO()
    with Workbook(buffer) as book:
        sheet = book.sheet("审计日志", EVENT_COLUMNS)
        count = sheet.write_rows(events[:EXPORT_LIMIT].iterator(chunk_size=2000))
        if count == EXPORT_LIMIT and events.count() > count:
            sheet.note(
                _("Only the newest %(count)s events: narrow the search to export the rest.")
                % {"count": f"{count:,}"},
                warning=True,
            )
        _anchor_sheet(book)
    record(
        "audit.exported",
        None,
        after={"filters": filters, "count": count},
        object_type="audit.auditevent",
        user=request.user,
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="audit.xlsx"'
    return response


def _anchor_sheet(book: Workbook) -> None:
    """The chain heads anchored outside the database, so the export can be checked later
    against a trail that may have been cut or rewritten since."""
    sheet = book.sheet("链锚点", ANCHOR_COLUMNS)
    sheet.write_rows(read_anchors()[-ANCHOR_EXPORT_LIMIT:])
    sheet.note("文件", str(anchor_file()))
