"""The work item list: what it shows, how it sorts and filters (see `common.lists`)."""

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from common.lists import DATE, NUMBER, Column, ListSpec, date_filter, link_to, search_filter
from common.permissions import Role, role_of
from org.filters import leader_filter, unit_filter

from .models import Aspect, Assignment, AssignmentRole, WorkItem
from .states import STATE_LABELS, item_state_text


def _assignments(item: WorkItem):
    """The item's assignments with their units: the list the work item list prefetches
    (reading it twice a row makes no queryset), else the related manager's."""
    prefetched = getattr(item, "assignment_list", None)
    return prefetched if prefetched is not None else item.assignments.all()


def lead_unit(item: WorkItem) -> str:
    """The lead unit's name (assignments prefetched with their units)."""
    return next((a.unit.name for a in _assignments(item) if a.role == AssignmentRole.LEAD), "")


def co_units(item: WorkItem) -> str:
    return "、".join(a.unit.name for a in _assignments(item) if a.role == AssignmentRole.CO)


class WorkItemFilter(django_filters.FilterSet):
    q = search_filter("code", "title", "goal", label=_("Code, title or goal"))
    state = django_filters.ChoiceFilter(
        choices=list(STATE_LABELS.items()), label=_("State"), empty_label=_("All states")
    )
    unit = unit_filter("assignments__unit", label=_("Responsible unit"))
    lead_leader = leader_filter("lead_leader", label=_("Lead leader"))
    aspect = django_filters.ModelChoiceFilter(
        field_name="measure__aspect",
        queryset=Aspect.objects.order_by("sort_order"),
        label=_("Aspect"),
        empty_label=_("All aspects"),
    )
    due_from = date_filter("due_on", "gte", _("Due from"))
    due_to = date_filter("due_on", "lte", _("Due until"))
    mine = django_filters.BooleanFilter(
        method="only_mine", label=_("Only items I lead"), widget=forms.CheckboxInput
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or role_of(self.request.user) != Role.LEADER:
            del self.filters["mine"]

    def only_mine(self, queryset, _name, value):
        return queryset.filter(lead_leader__user=self.request.user) if value else queryset

    @property
    def qs(self):
        # an item with two matching units would otherwise appear twice
        return super().qs.distinct()


WORK_ITEMS = ListSpec(
    name="work-items",
    title=_("Work items"),
    columns=[
        Column(
            "code",
            _("Code"),
            lambda i: i.code,
            sort="code",
            link=link_to("policy:workitem_detail"),
            width=10,
        ),
        Column("title", _("Work item"), lambda i: i.title, sort="title", width=40),
        Column(
            "leader",
            _("Lead leader"),
            lambda i: i.lead_leader.name,
            sort="lead_leader__sort_order",
            width=10,
        ),
        Column("lead_unit", _("Lead unit"), lead_unit, width=24),
        Column("co_units", _("Co-units"), co_units, width=30),
        Column("due_on", _("Due on"), lambda i: i.due_on, sort="due_on", kind=DATE),
        Column("state", _("State"), item_state_text, sort="state", width=14),
        Column(
            "progress",
            _("Progress (%)"),
            lambda i: i.progress,
            sort="progress",
            kind=NUMBER,
            width=8,
        ),
    ],
    filterset=WorkItemFilter,
    default_sort="code",
    empty=_("No work items yet. The office decomposes a policy into work items."),
    related=["lead_leader"],
    # the units' names only, in the same query (a page's 50 items have some 150 of them)
    prefetch=[
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("unit").only(
                "work_item_id", "role", "unit__name"
            ),
            to_attr="assignment_list",
        )
    ],
)
