"""Pages of the organisation: the list of units the user may see."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from common.permissions import BUSINESS_ROLES, Role, role_of
from funding.choices import Status
from funding.models import TargetRevision
from funding.querysets import compute_summary
from org.models import SiteConfig, Unit

# Who may open the unit list; the other administrators never see business data.
UNIT_LIST_ROLES = {Role.OFFICE, Role.LEADER, Role.UNIT_HEAD, Role.UNIT_OFFICER, Role.SYSTEM_ADMIN}
SORTS = {"code": "code", "-code": "-code", "name": "name", "-name": "-name"}
PAGE_SIZE = 25


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in UNIT_LIST_ROLES:
        raise PermissionDenied
    units = Unit.objects.visible_to(request.user).select_related("parent")
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(name__icontains=query) | units.filter(code__icontains=query)
    sort = request.GET.get("sort", "")
    units = units.order_by(SORTS.get(sort, "sort_order"), "code")
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/unit_list.html", {"page": page, "query": query, "sort": sort})


def reporting_date() -> tuple[int, dt.date]:
    """The year and "today" the figures use: SiteConfig's defaults when set (demo: 2024-06-30)."""
    config = SiteConfig.objects.first()
    today = timezone.localdate()
    as_of = (config.default_as_of if config else None) or today
    year = (config.default_year if config else None) or as_of.year
    return year, as_of


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if role_of(request.user) not in UNIT_LIST_ROLES:
        raise PermissionDenied
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("parent"), pk=pk)
    if role_of(request.user) not in BUSINESS_ROLES:
        # 三员分立: the system administrator maintains the unit record, not its figures
        return render(request, "org/unit_detail.html", {"unit": unit, "business": False})
    year, as_of = reporting_date()
    summary = compute_summary(year, as_of, unit_ids=[unit.pk])
    figures = summary.units[0] if summary.units else None
    revisions = (
        TargetRevision.objects.filter(target__unit=unit, target__year=year)
        .select_related("changed_by")
        .order_by("-changed_at")
    )
    receipts = unit.receipts.select_related("channel").order_by("-received_on")[:20]
    projects = unit.projects.order_by("stage", "code")[:50]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "business": True,
            "year": year,
            "as_of": as_of,
            "figures": figures,
            "status_label": Status(figures.status).label if figures else "",
            "revisions": revisions,
            "receipts": receipts,
            "projects": projects,
        },
    )
