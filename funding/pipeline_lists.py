"""The leads list (争取线索): what each shows, how it sorts and filters (see `common.lists`)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.lists import DATE, MONEY, Column, ListSpec, date_filter, search_filter
from org.filters import unit_filter
from policy.models import Aspect

from .choices import LeadStatus
from .lists import unit_column
from .models import Lead


class LeadFilter(django_filters.FilterSet):
    q = search_filter("title", "source", label=_("Title or source"))
    unit = unit_filter()
    status = django_filters.ChoiceFilter(
        choices=LeadStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    aspect = django_filters.ModelChoiceFilter(
        queryset=Aspect.objects.order_by("sort_order"),
        label=_("Aspect"),
        empty_label=_("All aspects"),
    )
    noted_from = date_filter("noted_on", "gte", _("Noted from"))
    noted_to = date_filter("noted_on", "lte", _("Noted until"))

    class Meta:
        model = Lead
        fields: list[str] = []


def lead_spec(can_convert: bool) -> ListSpec:
    """The leads; a unit (and the office) may make a project of an open lead."""

    def link(lead) -> str:
        if lead.project_id:
            return reverse("funding:project_detail", args=[lead.project_id])
        if can_convert and lead.status == LeadStatus.OPEN:
            return reverse("funding:lead_convert", args=[lead.pk])
        return ""

    def text(lead) -> str:
        if lead.project_id:
            return lead.project.code
        return _("Make a project") if can_convert and lead.status == LeadStatus.OPEN else ""

    return ListSpec(
        name="leads",
        title=_("Leads"),
        columns=[
            Column("noted_on", _("Noted on"), lambda x: x.noted_on, sort="noted_on", kind=DATE),
            unit_column(),
            Column("title", _("Title"), lambda x: x.title, sort="title", width=40),
            Column("source", pgettext_lazy("lead", "Source"), lambda x: x.source, width=20),
            Column("aspect", _("Aspect"), lambda x: x.aspect.name if x.aspect else "", width=10),
            Column(
                "estimated", _("Estimated"), lambda x: x.estimated, sort="estimated", kind=MONEY
            ),
            Column(
                "status", _("Status"), lambda x: x.get_status_display(), sort="status", width=10
            ),
            Column(
                "action",
                _("Project"),
                text,
                link=link,
                aria=lambda x: _("Make a project of “%(title)s”") % {"title": x.title},
            ),
        ],
        filterset=LeadFilter,
        default_sort="-noted_on",
        empty=_("No leads yet. Units note opportunities (争取线索) as they hear of them."),
        related=["unit", "aspect", "project"],
    )
