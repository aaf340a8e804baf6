"""An item's team page: who leads it, and each unit's person responsible and contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.permissions import BUSINESS_ROLES, role_of
from common.validation import InputError, parse_int

from ..models import AssignmentRole, ItemTeam, WorkItem
from . import services
from .forms import TeamForm


@login_required
def item_team(request, pk: int):
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied
    item = get_object_or_404(
        WorkItem.objects.visible_to(request.user).select_related("lead_leader"), pk=pk
    )
    assignments = list(
        item.assignments.select_related("unit").order_by("-role", "unit__sort_order")
    )
    teams = {
        t.unit_id: t
        for t in ItemTeam.objects.filter(work_item=item).select_related("responsible", "contact")
    }
    posted_unit = None
    if request.method == "POST":
        try:
            posted_unit = parse_int(request.POST.get("unit"), minimum=1)
        except InputError:
            posted_unit = None
        if posted_unit not in {a.unit_id for a in assignments}:
            raise PermissionDenied
    rows, status = [], 200
    for a in assignments:
        team = teams.get(a.unit_id)
        form = None
        if services.can_set_team(request.user, item, a.unit):
            initial = {
                "responsible": team.responsible_id if team else None,
                "contact": team.contact_id if team else None,
                "version": team.version if team else None,
            }
            bound = request.POST if posted_unit == a.unit_id else None
            # one form a unit, each naming its fields plainly (the posted `unit` says whose)
            form = TeamForm(bound, unit=a.unit, initial=initial, auto_id=f"id_u{a.unit_id}_%s")
            if bound is not None and form.is_valid():
                try:
                    services.save_item_team(
                        user=request.user,
                        item=item,
                        unit=a.unit,
                        responsible=form.cleaned_data["responsible"],
                        contact=form.cleaned_data["contact"],
                        expected_version=form.cleaned_data["version"] if team else None,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("Team of %(unit)s saved.") % {"unit": a.unit.name})
                    return redirect("policy:item_team", pk=item.pk)
            if bound is not None:
                status = 400
        rows.append(
            {"assignment": a, "lead": a.role == AssignmentRole.LEAD, "team": team, "form": form}
        )
    if posted_unit is not None and status == 200:
        raise PermissionDenied  # a unit the user may not set
    return render(request, "policy/team/team.html", {"item": item, "rows": rows}, status=status)
