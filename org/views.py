"""Pages of the organisation: the list of units the user may see."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import Role, role_of
from org.models import Unit

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
