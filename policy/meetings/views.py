"""Meeting pages: the list, a meeting with its decisions (each followed as a work item), the
office's forms, the minutes as .docx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.services import record
from common.permissions import BUSINESS_ROLES, Role, role_of
from org.period import office_period

from ..models import Meeting, WorkItem
from ..states import STATE_LABELS, due_soon_horizon
from . import services
from .forms import DecisionForm, MeetingForm
from .minutes import minutes_docx


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


def _is_office(request) -> bool:
    return role_of(request.user) == Role.OFFICE


@login_required
def meeting_list(request):
    _business(request)
    form = None
    if _is_office(request):
        form = MeetingForm(request.POST or None, initial={"held_on": office_period().as_of})
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                meeting = services.save_meeting(user=request.user, meeting=None, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Meeting recorded: add its decisions."))
                return redirect("policy:meeting_detail", pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    meetings = Meeting.objects.select_related("chair").annotate(count=Count("decisions"))
    return render(
        request,
        "policy/meetings/list.html",
        {"meetings": meetings, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _decisions(request, meeting: Meeting):
    """The meeting's decisions the viewer may see, with today's state, in code order."""
    states = due_soon_horizon(office_period().as_of)
    items = list(
        WorkItem.objects.visible_to(request.user)
        .filter(source_meeting=meeting)
        .with_state(states.as_of, states.horizon)
        .select_related("lead_leader")
        .prefetch_related("assignments__unit")
        .order_by("code")
    )
    for item in items:
        item.state_label = STATE_LABELS[item.state]
    return items, states


@login_required
def meeting_detail(request, pk: int):
    _business(request)
    meeting = get_object_or_404(Meeting.objects.select_related("chair"), pk=pk)
    form = None
    if _is_office(request):
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                item = services.add_decision(
                    user=request.user, meeting=meeting, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Decision %(code)s added.") % {"code": item.code})
                return redirect("policy:meeting_detail", pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    decisions, states = _decisions(request, meeting)
    return render(
        request,
        "policy/meetings/detail.html",
        {"meeting": meeting, "decisions": decisions, "form": form, "states": states},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def meeting_minutes(request, pk: int):
    """The minutes as .docx, with the decisions the viewer may see; the download is audited."""
    _business(request)
    meeting = get_object_or_404(Meeting.objects.select_related("chair"), pk=pk)
    decisions = (
        WorkItem.objects.visible_to(request.user)
        .filter(source_meeting=meeting)
        .prefetch_related("assignments__unit")
        .order_by("code")
    )
    content = minutes_docx(meeting, decisions)
    record(
        "policy.meeting.minutes_downloaded",
        meeting,
        after={"decisions": len(decisions)},
        user=request.user,
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-minutes.docx"'
    return response
