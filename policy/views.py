"""Policy pages: the decomposition tree, the work item list and a work item's page."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.history import history_for
from common.lists import render_list
from common.permissions import BUSINESS_ROLES, Role, role_of
from reporting.period import office_period

from .lists import WORK_ITEMS, co_units, lead_unit
from .models import Aspect, Measure, Policy, WorkItem
from .states import STATE_LABELS, DueSoonHorizon, due_soon_horizon


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


def _states_on() -> DueSoonHorizon:
    """The as-of date the states are read on, and its due-soon horizon."""
    as_of = office_period().as_of
    return due_soon_horizon(as_of)


@dataclass
class MeasureNode:
    measure: Measure | None
    items: list[WorkItem] = field(default_factory=list)


@dataclass
class AspectNode:
    aspect: Aspect | None
    measures: dict = field(default_factory=dict)  # measure id → MeasureNode


@dataclass
class PolicyNode:
    policy: Policy
    aspects: dict = field(default_factory=dict)  # aspect id → AspectNode
    counts: dict = field(default_factory=dict)  # state → number of items


def decomposition(items) -> list[PolicyNode]:
    """Work items grouped policy → aspect → measure, in the order of the items given."""
    policies: dict[int, PolicyNode] = {}
    for item in items:
        node = policies.setdefault(item.policy_id, PolicyNode(item.policy))
        measure = item.measure
        aspect = measure.aspect if measure else None
        aspect_node = node.aspects.setdefault(aspect.pk if aspect else None, AspectNode(aspect))
        measure_node = aspect_node.measures.setdefault(
            measure.pk if measure else None, MeasureNode(measure)
        )
        measure_node.items.append(item)
        node.counts[item.state] = node.counts.get(item.state, 0) + 1
    return list(policies.values())


@login_required
def policy_list(request):
    """Policy → aspects → measures → work items, each with its leader, units and state."""
    _business(request)
    states = _states_on()
    items = WorkItem.objects.visible_to(request.user).with_state(states.as_of, states.horizon)
    is_leader = role_of(request.user) == Role.LEADER
    only_mine = is_leader and request.GET.get("all") != "1"
    if only_mine:
        items = items.filter(lead_leader__user=request.user)
    items = (
        items.select_related("policy", "measure__aspect", "lead_leader")
        .prefetch_related("assignments__unit")
        .order_by(
            "policy__issued_on", "policy_id", "measure__aspect__sort_order", "measure__code", "code"
        )
    )
    tree = decomposition(items)
    for node in tree:
        node.count_list = [
            (key, label, node.counts[key])
            for key, label in STATE_LABELS.items()
            if key in node.counts
        ]
        for aspect_node in node.aspects.values():
            for measure_node in aspect_node.measures.values():
                for item in measure_node.items:
                    item.lead_unit_name = lead_unit(item)
                    item.co_unit_names = co_units(item)
                    item.state_label = STATE_LABELS[item.state]
    return render(
        request,
        "policy/policy_list.html",
        {
            "tree": tree,
            "states": states,
            "is_leader": is_leader,
            "only_mine": only_mine,
        },
    )


@login_required
def workitem_list(request):
    _business(request)
    states = _states_on()
    items = WorkItem.objects.visible_to(request.user).with_state(states.as_of, states.horizon)
    return render_list(request, WORK_ITEMS, items, {"states": states, "notice": states.warning})


@login_required
def workitem_detail(request, pk: int):
    _business(request)
    states = _states_on()
    item = get_object_or_404(
        WorkItem.objects.visible_to(request.user)
        .with_state(states.as_of, states.horizon)
        .select_related("policy", "measure__aspect", "lead_leader")
        .prefetch_related("assignments__unit"),
        pk=pk,
    )
    measure = item.measure
    facts = [
        (_("Policy"), str(item.policy), ""),
        (_("Aspect"), measure.aspect.name if measure else "", ""),
        (_("Measure"), f"{measure.code} {measure.text}" if measure else "", ""),
        (_("Goal"), item.goal, ""),
        (_("Lead leader"), item.lead_leader.name, ""),
        (_("Lead unit"), lead_unit(item), ""),
        (_("Co-units"), co_units(item), ""),
        (_("Due on"), item.due_on, ""),
        (_("Done on"), item.done_on, ""),
        (_("State"), STATE_LABELS[item.state], ""),
        (_("Progress"), f"{item.progress}%" if item.progress is not None else "", ""),
    ]
    return render(
        request,
        "policy/workitem_detail.html",
        {
            "title": f"{item.code} {item.title}",
            "back_url": reverse("policy:workitem_list"),
            "back_label": _("Work items"),
            "facts": facts,
            "item": item,
            "today": states.as_of,
            "states": states,
            "milestones": item.milestones.all(),
            "reports": item.reports.select_related("unit", "reporter", "approved_by").order_by(
                "-reported_on", "-id"
            ),
            "history": history_for(item),
        },
    )
