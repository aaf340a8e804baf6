"""A unit's page: its record, and for business roles its figures from the read model."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from common.permissions import BUSINESS_ROLES, Role, role_of
from funding.choices import Status
from funding.models import TargetRevision
from org import services
from org.models import Unit
from org.people import people_of
from org.period import period_for_request
from org.views import UNIT_LIST_ROLES
from reporting.read_model import figures_for


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if role_of(request.user) not in UNIT_LIST_ROLES:
        raise PermissionDenied
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("parent"), pk=pk)
    if role_of(request.user) not in BUSINESS_ROLES:
        # 三员分立: the system administrator maintains the unit record, not its figures
        return render(
            request, "org/unit_detail.html", {"unit": unit, "business": False, "can_edit": True}
        )
    period, error = period_for_request(request)
    if error:
        messages.error(request, error)
    year, as_of = period.year, period.as_of
    figures = figures_for(request.user, period, unit_ids=[unit.pk]).unit(unit.pk)
    revisions = (
        TargetRevision.objects.filter(target__unit=unit, target__year=year)
        .select_related("changed_by")
        .order_by("-changed_at")
    )
    receipts = unit.receipts.select_related("channel").order_by("-received_on")[:20]
    people = list(people_of(unit.pk))
    for person in people:
        person.contact_editable = services.may_edit_contact(request.user, person)
    projects = unit.projects.order_by("stage", "code")[:50]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "business": True,
            "can_edit": role_of(request.user) == Role.OFFICE,
            "period": period,
            "year": year,
            "as_of": as_of,
            "figures": figures,
            "status_label": Status(figures.status).label if figures else "",
            "revisions": revisions,
            "receipts": receipts,
            "projects": projects,
            "people": people,
            # the unit's chat robots (reminders.Robot, read through the relation: org sits
            # below reminders and does not import it)
            "robots": unit.robots.order_by("kind") if hasattr(unit, "robots") else [],
            "is_office": role_of(request.user) == Role.OFFICE,
        },
    )
