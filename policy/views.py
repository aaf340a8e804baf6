"""Policy pages: the decomposition tree, the work item list and a work item's page."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.history import history_for
from common.lists import render_list
from common.permissions import BUSINESS_ROLES, Role, is_office, role_of
from org.period import office_period

from . import services
from .approvals.context import item_requests_context, milestone_requests_context
from .forms import (
    AspectForm,
    DoneForm,
    MeasureForm,
    MilestoneForm,
    PlanStepFormSet,
    PolicyForm,
    RescheduleForm,
    WorkItemForm,
    WorkPlanForm,
    plan_choices,
)
from .lists import WORK_ITEMS, co_units, lead_unit
from .models import Aspect, AssignmentRole, Evidence, Measure, Milestone, Policy, WorkItem
from .states import (
    STATE_LABELS,
    DueSoonHorizon,
    due_soon_horizon,
    item_state_text,
    state_expression,
    state_text,
    work_item_state,
)


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
            "is_office": role_of(request.user) == Role.OFFICE,
        },
    )


@login_required
def workitem_list(request):
    _business(request)
    states = _states_on()
    items = WorkItem.objects.visible_to(request.user).with_state(states.as_of, states.horizon)
    return render_list(request, WORK_ITEMS, items, {"states": states, "notice": states.warning})


def _visible_item(request, pk: int, *, with_state: DueSoonHorizon | None = None) -> WorkItem:
    items = WorkItem.objects.visible_to(request.user)
    if with_state is not None:
        items = items.with_state(with_state.as_of, with_state.horizon)
    return get_object_or_404(
        items.select_related("policy", "measure__aspect", "lead_leader").prefetch_related(
            "assignments__unit"
        ),
        pk=pk,
    )


def _progress_text(item: WorkItem, user) -> str:
    """The latest approved percent; a report awaiting the unit head is 待审核 beside it (for
    the unit and the office; a leader reads approved progress only)."""
    text = f"{item.progress}%" if item.progress is not None else ""
    if item.progress_pending and role_of(user) != Role.LEADER:
        waiting = _("a newer report awaits the unit head")
        text = f"{text}（{waiting}）" if text else waiting
    return text


def _item_context(request, item: WorkItem, states: DueSoonHorizon, **forms) -> dict:
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
        (_("How it was done"), item.done_note, ""),
        (
            _("State"),
            item_state_text(item),
            "",
        ),
        (_("Progress"), _progress_text(item, request.user), ""),
    ]
    may_change = services.can_change_item(request.user, item)
    is_office = role_of(request.user) == Role.OFFICE
    open_item = item.done_on is None
    milestones = list(
        item.milestones.with_extension_pending()
        .annotate(state=state_expression(states.as_of, states.horizon))
        .prefetch_related("due_date_changes", "evidence")
        .order_by("due_on", "id")
    )
    for m in milestones:
        m.state_label = state_text(m.state, extension_pending=m.extension_pending)
    plan = item.plans.select_related("unit").first()
    return {
        "title": f"{item.code} {item.title}",
        "back_url": reverse("policy:workitem_list"),
        "back_label": _("Work items"),
        "facts": facts,
        "item": item,
        "today": states.as_of,
        "states": states,
        "milestones": milestones,
        "plan": plan,
        "plan_steps": plan.steps.select_related("section", "person").order_by("position")
        if plan
        else [],
        "reschedules": item.due_date_changes.select_related("changed_by"),
        # evidence of the item's own; a request's evidence is shown with the request (a
        # confirmed closing's is the item's)
        "evidence": item.evidence.filter(
            extension_request__isnull=True, close_request__isnull=True
        ),
        "reports": item.reports.published_to(request.user)
        .select_related("unit", "reporter", "approved_by", "returned_by")
        .order_by("-reported_on", "-id"),
        "history": history_for(item),
        "may_change": may_change,
        "is_office": is_office,
        # the office closes an item and moves its date itself; the lead unit asks
        "done_form": forms.get("done_form")
        or (
            DoneForm(initial={"version": item.version, "done_on": states.as_of})
            if is_office and open_item and not item.close_pending
            else None
        ),
        "reschedule_form": forms.get("reschedule_form")
        or (
            RescheduleForm(initial={"version": item.version, "due_on": item.due_on})
            if is_office and open_item and not item.extension_pending
            else None
        ),
        **item_requests_context(request.user, item, states.as_of, forms),
        "milestone_form": forms.get("milestone_form")
        or (MilestoneForm() if may_change and open_item else None),
    }


@login_required
def workitem_detail(request, pk: int):
    _business(request)
    states = _states_on()
    item = _visible_item(request, pk, with_state=states)
    return render(request, "policy/workitem_detail.html", _item_context(request, item, states))


def _form_action(request, obj, form_class, act, *, detail: str, page):
    """A POST-only action on a work item or a time node: validate the form, call the service
    (`act` returns the message to show), back to the object's page; that page again, with the
    form's errors and status 400, when the form or the service refuses."""
    if request.method != "POST":
        return redirect(detail, pk=obj.pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = act(obj, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(detail, pk=obj.pk)
    return page(form)


def _moved(old: dt.date, new: dt.date) -> str:
    return _("Due date moved from %(old)s to %(new)s.") % {
        "old": old.isoformat(),
        "new": new.isoformat(),
    }


def _item_action(request, pk: int, form_class, form_name: str, act, allowed):
    _business(request)
    states = _states_on()
    item = _visible_item(request, pk, with_state=states)
    if not allowed(item):
        raise PermissionDenied

    def page(form):
        context = _item_context(request, item, states, **{form_name: form})
        return render(request, "policy/workitem_detail.html", context, status=400)

    return _form_action(request, item, form_class, act, detail="policy:workitem_detail", page=page)


@login_required
def workitem_done(request, pk: int):
    def act(item, data):
        services.complete_work_item(
            user=request.user,
            item=item,
            done_on=data["done_on"],
            note=data["note"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _("Work item %(code)s closed (销号).") % {"code": item.code}

    return _item_action(request, pk, DoneForm, "done_form", act, lambda i: is_office(request.user))


@login_required
def workitem_reschedule(request, pk: int):
    def act(item, data):
        old = item.due_on
        services.reschedule_work_item(
            user=request.user,
            item=item,
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return _moved(old, data["due_on"])

    return _item_action(
        request, pk, RescheduleForm, "reschedule_form", act, lambda i: is_office(request.user)
    )


@login_required
def milestone_create(request, pk: int):
    def act(item, data):
        if item.milestones.filter(title=data["title"].strip()).exists():
            raise ValidationError(_("The item already has a time node with this title."))
        services.add_milestone(
            user=request.user, work_item=item, title=data["title"].strip(), due_on=data["due_on"]
        )
        return _("Time node added.")

    return _item_action(
        request,
        pk,
        MilestoneForm,
        "milestone_form",
        act,
        lambda i: services.can_change_item(request.user, i),
    )


# --- Milestones ------------------------------------------------------------------------


def _visible_milestone(request, pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related("work_item", "unit"), pk=pk
    )


def _milestone_context(request, milestone: Milestone, **forms) -> dict:
    states = _states_on()
    state = work_item_state(milestone.due_on, milestone.done_on, states.as_of, states.horizon)
    may_change = services.can_change_milestone(request.user, milestone)
    is_office = role_of(request.user) == Role.OFFICE
    open_node = milestone.done_on is None
    requests = milestone_requests_context(request.user, milestone, forms)
    item = milestone.work_item
    if item is not None:
        back_url, back_label = reverse("policy:workitem_detail", args=[item.pk]), str(item)
    else:
        # a corrective measure: back to the lag explanation it came from (supervision's
        # reverse relation; policy does not import supervision)
        source = getattr(milestone, "lag_measure", None)
        back_url = (
            reverse("supervision:lag_detail", args=[source.explanation_id])
            if source is not None
            else reverse("supervision:lag_list")
        )
        back_label = _("Lag explanations")
    facts = [
        (_("Work item"), str(item), back_url)
        if item
        else (_("Unit"), milestone.unit.name if milestone.unit else "", ""),
        (_("Due on"), milestone.due_on, ""),
        (
            _("State"),
            state_text(state, extension_pending=requests["pending_extension"] is not None),
            "",
        ),
        (_("Done on"), milestone.done_on, ""),
        (_("How it was done"), milestone.done_note, ""),
    ]
    return {
        "title": milestone.title,
        "back_url": back_url,
        "back_label": back_label,
        "facts": facts,
        "milestone": milestone,
        "state": state,
        "states": states,
        "reschedules": milestone.due_date_changes.select_related("changed_by"),
        "evidence": milestone.evidence.filter(extension_request__isnull=True),
        "history": history_for(milestone),
        "done_form": forms.get("done_form")
        or (
            DoneForm(initial={"version": milestone.version, "done_on": states.as_of})
            if may_change and open_node
            else None
        ),
        # the office moves a node's date itself; its unit asks (延期申请)
        "reschedule_form": forms.get("reschedule_form")
        or (
            RescheduleForm(initial={"version": milestone.version, "due_on": milestone.due_on})
            if is_office and open_node and requests["pending_extension"] is None
            else None
        ),
        **requests,
    }


@login_required
def milestone_detail(request, pk: int):
    _business(request)
    milestone = _visible_milestone(request, pk)
    return render(request, "policy/milestone_detail.html", _milestone_context(request, milestone))


def _milestone_action(request, pk: int, form_class, form_name: str, act, allowed=None):
    _business(request)
    milestone = _visible_milestone(request, pk)
    allowed = allowed or (lambda m: services.can_change_milestone(request.user, m))
    if not allowed(milestone):
        raise PermissionDenied

    def page(form):
        context = _milestone_context(request, milestone, **{form_name: form})
        return render(request, "policy/milestone_detail.html", context, status=400)

    return _form_action(
        request, milestone, form_class, act, detail="policy:milestone_detail", page=page
    )


@login_required
def milestone_done(request, pk: int):
    def act(milestone, data):
        services.complete_milestone(
            user=request.user,
            milestone=milestone,
            done_on=data["done_on"],
            note=data["note"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _("Time node marked done.")

    return _milestone_action(request, pk, DoneForm, "done_form", act)


@login_required
def milestone_reschedule(request, pk: int):
    def act(milestone, data):
        old = milestone.due_on
        services.reschedule_milestone(
            user=request.user,
            milestone=milestone,
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return _moved(old, data["due_on"])

    return _milestone_action(
        request, pk, RescheduleForm, "reschedule_form", act, lambda m: is_office(request.user)
    )


# --- Evidence files --------------------------------------------------------------------


@login_required
def evidence_download(request, pk: int):
    """An evidence file, only to those who may see its item or milestone; audited."""
    _business(request)
    evidence = get_object_or_404(Evidence, pk=pk)
    if evidence.work_item_id is not None:
        get_object_or_404(WorkItem.objects.visible_to(request.user), pk=evidence.work_item_id)
    else:
        get_object_or_404(Milestone.objects.visible_to(request.user), pk=evidence.milestone_id)
    response = Evidence.FOLDER.download(
        evidence.stored_as, filename=evidence.name, content_type=evidence.content_type
    )
    services.record_evidence_download(user=request.user, evidence=evidence)
    return response


# --- The decomposition, edited by the office -------------------------------------------


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


@login_required
def policy_create(request):
    _office(request)
    return _policy_form(request, None)


@login_required
def policy_edit(request, pk: int):
    _office(request)
    return _policy_form(request, get_object_or_404(Policy, pk=pk))


def _policy_form(request, policy: Policy | None):
    initial = (
        {**{f: getattr(policy, f) for f in services.POLICY_FIELDS}, "version": policy.version}
        if policy
        else None
    )
    form = PolicyForm(request.POST or None, initial=initial, editing=policy is not None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            saved = services.edit_policy(
                user=request.user,
                policy=policy,
                expected_version=version if policy else None,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Policy %(name)s saved.") % {"name": saved})
            return redirect("policy:policy_edit", pk=saved.pk)
    context = {"form": form, "policy": policy}
    if policy is not None:
        context.update(
            measures=policy.measures.select_related("aspect").order_by("aspect__sort_order", "pk"),
            items=policy.work_items.select_related("lead_leader").order_by("code"),
            measure_form=MeasureForm(),
            history=history_for(policy),
        )
    return render(request, "policy/policy_form.html", context, status=400 if form.errors else 200)


@login_required
def aspect_list(request):
    """The aspects of support (方面); the office adds one."""
    _office(request)
    form = AspectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if Aspect.objects.filter(Q(code=data["code"].strip()) | Q(name=data["name"].strip())):
            form.add_error(None, _("An aspect with this code or name already exists."))
        else:
            services.save_aspect(
                user=request.user,
                code=data["code"].strip(),
                name=data["name"].strip(),
                sort_order=data["sort_order"],
            )
            messages.success(request, _("Aspect added."))
            return redirect("policy:aspect_list")
    aspects = Aspect.objects.annotate(measure_count=Count("measures")).order_by(
        "sort_order", "code"
    )
    return render(
        request,
        "policy/aspects.html",
        {"form": form, "aspects": aspects},
        status=400 if form.errors else 200,
    )


@login_required
def measure_create(request, pk: int):
    _office(request)
    policy = get_object_or_404(Policy, pk=pk)
    return _measure_form(request, policy, None)


@login_required
def measure_edit(request, pk: int):
    _office(request)
    measure = get_object_or_404(Measure.objects.select_related("policy"), pk=pk)
    return _measure_form(request, measure.policy, measure)


def _measure_form(request, policy: Policy, measure: Measure | None):
    initial = (
        {
            "aspect": measure.aspect_id,
            "code": measure.code,
            "text": measure.text,
            "version": measure.version,
        }
        if measure
        else None
    )
    form = MeasureForm(request.POST or None, initial=initial, editing=measure is not None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.edit_measure(
                user=request.user,
                policy=policy,
                measure=measure,
                expected_version=version if measure else None,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("policy:policy_edit", pk=policy.pk)
    return render(
        request,
        "policy/measure_form.html",
        {
            "form": form,
            "policy": policy,
            "measure": measure,
            "history": history_for(measure) if measure else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
def workitem_create(request, pk: int):
    _office(request)
    policy = get_object_or_404(Policy, pk=pk)
    form = WorkItemForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if WorkItem.objects.filter(code=data["code"]).exists():
            form.add_error("code", _("A work item with this code already exists."))
        else:
            try:
                item = services.create_work_item(user=request.user, policy=policy, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Work item %(code)s created.") % {"code": item.code})
                return redirect("policy:workitem_detail", pk=item.pk)
    return render(
        request,
        "policy/workitem_form.html",
        {"form": form, "policy": policy, "item": None},
        status=400 if form.errors else 200,
    )


@login_required
def workitem_edit(request, pk: int):
    _office(request)
    item = get_object_or_404(
        WorkItem.objects.select_related("policy").prefetch_related("assignments"), pk=pk
    )
    rows = list(item.assignments.all())
    initial = {
        "code": item.code,
        "title": item.title,
        "measure": item.measure_id,
        "goal": item.goal,
        "lead_leader": item.lead_leader_id,
        "lead_unit": next((a.unit_id for a in rows if a.role == AssignmentRole.LEAD), None),
        "co_units": [a.unit_id for a in rows if a.role == AssignmentRole.CO],
        "version": item.version,
    }
    form = WorkItemForm(request.POST or None, initial=initial, policy=item.policy, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_work_item(
                user=request.user,
                item=item,
                title=data["title"],
                goal=data["goal"],
                measure=data["measure"],
                lead_leader=data["lead_leader"],
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                expected_version=data.get("version"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Work item %(code)s saved.") % {"code": item.code})
            return redirect("policy:workitem_detail", pk=item.pk)
    return render(
        request,
        "policy/workitem_form.html",
        {"form": form, "policy": item.policy, "item": item},
        status=400 if form.errors else 200,
    )


# --- The lead unit's work plan ---------------------------------------------------------


@login_required
def workplan_edit(request, pk: int):
    """The lead unit's plan for an item: deadline and steps, scheduled backwards."""
    _business(request)
    item = _visible_item(request, pk)
    if not services.can_change_item(request.user, item):
        raise PermissionDenied
    unit_id = services.lead_unit_id(item)
    plan = item.plans.filter(unit_id=unit_id).first()
    steps = list(plan.steps.order_by("position")) if plan else []
    initial = {
        "deadline": plan.deadline if plan else item.due_on,
        "content": plan.content if plan else "",
        "version": plan.version if plan else None,
    }
    step_initial = [
        {"title": s.title, "workdays": s.workdays, "section": s.section_id, "person": s.person_id}
        for s in steps
    ]
    data = request.POST if request.method == "POST" else None
    form = WorkPlanForm(data, initial=initial)
    formset = PlanStepFormSet(
        data, initial=step_initial, prefix="steps", form_kwargs=plan_choices(unit_id)
    )
    schedule = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("title")]
        try:
            plan, schedule = services.save_work_plan(
                user=request.user,
                item=item,
                deadline=form.cleaned_data["deadline"],
                content=form.cleaned_data["content"],
                steps=[
                    {
                        "title": r["title"].strip(),
                        "workdays": r["workdays"],
                        "section": r.get("section"),
                        "person": r.get("person"),
                    }
                    for r in rows
                ],
                expected_version=form.cleaned_data.get("version") if plan else None,
                as_of=_states_on().as_of,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Work plan saved; its steps are followed as time nodes."))
            if schedule.warning:
                messages.warning(request, schedule.warning)
            return redirect("policy:workplan_edit", pk=item.pk)
    warning = None
    if plan and steps:
        warning = services.plan_schedule(
            plan.deadline, [(s.title, s.workdays) for s in steps]
        ).warning
    return render(
        request,
        "policy/workplan_form.html",
        {
            "item": item,
            "plan": plan,
            "steps": plan.steps.select_related("section", "person").order_by("position")
            if plan
            else [],
            "form": form,
            "formset": formset,
            "calendar_warning": warning,
        },
        status=400 if request.method == "POST" else 200,
    )
