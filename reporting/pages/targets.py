"""The targets list, with each unit's line of the read model beside its target."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _

from common.lists import render_list
from common.permissions import Role, role_of
from funding import lists
from funding.models import Target
from funding.views import _business
from org.period import ReportingPeriod, office_period
from reporting.read_model import figures_for


@login_required
def target_list(request):
    _business(request)
    context = {}
    if "year" not in request.GET:  # the reporting year unless the user picks another
        context["filtered"] = False
        request.GET = request.GET.copy()
        request.GET["year"] = str(office_period().year)
    spec = lists.target_spec(
        can_edit=role_of(request.user) == Role.OFFICE,
        figures_of=lambda unit_ids: _target_figures(
            request.user, request.GET.get("year", ""), unit_ids
        ),
    )
    if role_of(request.user) == Role.OFFICE:
        context["actions"] = [(_("Set a target"), reverse("funding:target_create"))]
    return render_list(request, spec, Target.objects.visible_to(request.user), context)


def _target_figures(user, year: str, unit_ids=None) -> dict:
    """Each unit's line of the read model for the year the targets list shows: the reporting
    period's own figures for its year, those at 31 December for another year."""
    period = office_period()
    year = year.strip()
    if year.isascii() and year.isdigit() and len(year) == 4 and int(year) != period.year:
        if not 2000 <= int(year) <= 2100:
            return {}
        period = ReportingPeriod(int(year), dt.date(int(year), 12, 31), period.mode)
    figures = figures_for(user, period, unit_ids=unit_ids)
    return {"year": period.year, **{line.unit_id: line for line in figures.units}}
