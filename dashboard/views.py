"""The leaders' cockpit (驾驶舱) and the units' workbench (工作台)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.dates import DAY
from common.permissions import BUSINESS_ROLES, UNIT_ROLES, Role, role_of
from common.services import StaleObjectError, check_version
from funding import services as funding
from funding.choices import Level, Stage, Status
from funding.models import Project, Receipt
from funding.querysets import compute_summary
from org.calendar import load_calendar
from org.models import SiteConfig, Unit
from policy import services as policy
from policy.models import Milestone, ProgressReport, WorkItem

from . import querysets as read
from .forms import (
    AdvanceProjectForm,
    CockpitFilterForm,
    ContactForm,
    ProgressReportForm,
    ReceiptForm,
)

COCKPIT_ROLES = {Role.OFFICE, Role.LEADER}
SOON_WORKDAYS = 10


def reporting_period(config: SiteConfig | None) -> tuple[int, dt.date, str]:
    """The year, as-of date and time-progress mode the office reports on by default."""
    today = timezone.localdate()
    mode = config.time_progress_mode if config else DAY
    if config and config.default_as_of:
        return config.default_as_of.year, config.default_as_of, mode
    year = config.default_year if config and config.default_year else today.year
    return year, min(today, dt.date(year, 12, 31)), mode


def _period_from_request(request) -> tuple[int, dt.date, str, CockpitFilterForm]:
    year, as_of, mode = reporting_period(SiteConfig.objects.first())
    form = CockpitFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        chosen_year = form.cleaned_data.get("year")
        chosen_as_of = form.cleaned_data.get("as_of")
        if chosen_as_of:
            year, as_of = chosen_as_of.year, chosen_as_of
        elif chosen_year:
            year = chosen_year
            as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    return year, as_of, mode, form


def _unit_url(unit_id: int) -> str:
    return reverse("dashboard:unit", args=[unit_id])


def _optional_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def cockpit(request):
    if role_of(request.user) not in COCKPIT_ROLES:
        raise PermissionDenied
    year, as_of, mode, form = _period_from_request(request)
    # City totals are the figures the speech quotes to every leader; a leader's own units
    # come first in the table and are marked.
    summary = compute_summary(year, as_of, mode=mode)
    own_ids: set[int] = set()
    leader = getattr(request.user, "leader", None)
    if role_of(request.user) == Role.LEADER and leader is not None:
        own_ids = set(leader.oversees.values_list("pk", flat=True))
    units = sorted(
        summary.units, key=lambda u: (u.unit_id not in own_ids, u.rate is None, -(u.rate or 0))
    )
    monthly = read.secured_by_month(year, as_of)
    cumulative = read.cumulative(monthly)
    last_month = as_of.month
    plan = read.pro_rata_plan(summary.target, year, mode)
    levels = dict(Level.choices)
    by_level = [
        (str(levels.get(code, _("Not given"))), total)
        for code, total in read.secured_by("level", year, as_of)
    ]
    by_channel = [
        (name or _("Not given"), total)
        for name, total in read.secured_by("channel__name", year, as_of)
    ]
    horizon = load_calendar(as_of.year, as_of.year + 1).add_workdays(as_of, SOON_WORKDAYS)
    items = list(read.items_needing_attention(request.user, as_of, horizon))
    chart = {
        "timeProgress": round(float(summary.progress) * 100, 1),
        "units": [
            {
                "name": u.name,
                "rate": round(float(u.rate or 0) * 100, 1),
                "status": u.status.value,
                "statusLabel": str(u.status.label),
                "url": _unit_url(u.unit_id),
                "own": u.unit_id in own_ids,
            }
            for u in units
        ],
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "cumulative": [
            round(v / 10_000, 2) if i < last_month else None for i, v in enumerate(cumulative)
        ],
        "plan": [round(v / 10_000, 2) for v in plan],
        "byChannel": [{"name": n, "value": round(v / 10_000, 2)} for n, v in by_channel],
        "byLevel": [{"name": n, "value": round(v / 10_000, 2)} for n, v in by_level],
        "labels": {
            "rate": _("Completion rate"),
            "timeProgress": _("Time progress"),
            "cumulative": _("Secured (cumulative)"),
            "plan": _("Pro-rata plan"),
            "wan": _("万元"),
        },
    }
    return render(
        request,
        "dashboard/cockpit.html",
        {
            "form": form,
            "year": year,
            "as_of": as_of,
            "summary": summary,
            "units": units,
            "own_ids": own_ids,
            "chart": chart,
            "items": items,
            "horizon": horizon,
            "by_channel": by_channel,
            "by_level": by_level,
            "statuses": Status,
        },
    )


@login_required
def unit_figures(request, pk: int):
    """Drill-down from the cockpit: one unit's standing, trend, pipeline and open items."""
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied  # the system administrator maintains units, not their figures
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    year, as_of, mode, form = _period_from_request(request)
    summary = compute_summary(year, as_of, mode=mode, unit_ids=[unit.pk])
    figures = summary.units[0] if summary.units else None
    monthly = read.secured_by_month(year, as_of, unit_ids=[unit.pk])
    plan = read.pro_rata_plan(figures.target if figures else 0, year, mode)
    receipts = (
        Receipt.objects.filter(unit=unit)
        .in_year(year, as_of)
        .select_related("channel", "project")
        .order_by("-received_on")[:50]
    )
    projects = Project.objects.filter(unit=unit).select_related("channel").order_by("stage", "code")
    horizon = load_calendar(as_of.year, as_of.year + 1).add_workdays(as_of, SOON_WORKDAYS)
    items = (
        WorkItem.objects.visible_to(request.user)
        .filter(assignments__unit=unit)
        .select_related("lead_leader")
        .order_by("due_on")
    )
    chart = {
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "cumulative": [
            round(v / 10_000, 2) if i < as_of.month else None
            for i, v in enumerate(read.cumulative(monthly))
        ],
        "plan": [round(v / 10_000, 2) for v in plan],
        "labels": {
            "cumulative": _("Secured (cumulative)"),
            "plan": _("Pro-rata plan"),
            "wan": _("万元"),
        },
    }
    return render(
        request,
        "dashboard/unit.html",
        {
            "unit": unit,
            "year": year,
            "as_of": as_of,
            "form": form,
            "figures": figures,
            "summary": summary,
            "receipts": receipts,
            "projects": projects,
            "items": items,
            "horizon": horizon,
            "chart": chart,
            "record_url": _optional_url("org:unit_detail", unit.pk),
        },
    )


def _my_unit(request) -> Unit:
    if role_of(request.user) not in UNIT_ROLES:
        raise PermissionDenied
    return request.user.membership.unit


def _workbench_context(request, unit: Unit, **forms) -> dict:
    year, as_of, mode = reporting_period(SiteConfig.objects.first())
    summary = compute_summary(year, as_of, mode=mode, unit_ids=[unit.pk])
    calendar = load_calendar(as_of.year, as_of.year + 1)
    horizon = calendar.add_workdays(as_of, SOON_WORKDAYS)
    projects = list(Project.objects.filter(unit=unit).select_related("channel").order_by("code"))
    board = [
        (stage, label, [p for p in projects if p.stage == stage]) for stage, label in Stage.choices
    ]
    milestones = (
        Milestone.objects.filter(
            work_item__assignments__unit=unit, done_on__isnull=True, due_on__lte=horizon
        )
        .select_related("work_item")
        .order_by("due_on")
    )
    items = (
        WorkItem.objects.filter(assignments__unit=unit)
        .select_related("lead_leader")
        .order_by("due_on", "code")
    )
    defaults = {"received_on": as_of, "reported_on": as_of, "occurred_on": as_of}
    pending = []
    if role_of(request.user) == Role.UNIT_HEAD:
        pending = (
            ProgressReport.objects.filter(unit=unit, approved_at__isnull=True)
            .select_related("work_item", "reporter")
            .order_by("reported_on")
        )
    return {
        "unit": unit,
        "year": year,
        "as_of": as_of,
        "summary": summary,
        "figures": summary.units[0] if summary.units else None,
        "board": board,
        "milestones": milestones,
        "items": items,
        "horizon": horizon,
        "calendar_warning": calendar.warning(),
        "pending_reports": pending,
        "receipt_form": forms.get("receipt_form")
        or ReceiptForm(unit=unit, initial={"received_on": defaults["received_on"]}),
        "report_form": forms.get("report_form")
        or ProgressReportForm(unit=unit, initial={"reported_on": as_of}),
        "contact_form": forms.get("contact_form") or ContactForm(initial={"occurred_on": as_of}),
        "advance_forms": {
            p.pk: AdvanceProjectForm(project=p, initial={"version": p.version, "on": as_of})
            for p in projects
            if p.stage != Stage.FUNDED
        },
    }


@login_required
def workbench(request):
    unit = _my_unit(request)
    return render(request, "dashboard/workbench.html", _workbench_context(request, unit))


@login_required
def my_figures(request):
    unit = _my_unit(request)
    return render(request, "dashboard/_my_figures.html", _workbench_context(request, unit))


def _quick_form_response(request, unit, template: str, form_name: str, form, done: str | None):
    """htmx: re-render just the form (with errors or a fresh one); otherwise redirect."""
    if done:
        messages.success(request, done)
    if request.htmx:
        context = _workbench_context(request, unit, **({form_name: form} if not done else {}))
        context["done"] = done
        response = render(request, template, context)
        if done:
            response["HX-Trigger"] = "figures-changed"
        return response
    if done:
        return redirect("dashboard:workbench")
    return render(
        request,
        "dashboard/workbench.html",
        _workbench_context(request, unit, **{form_name: form}),
        status=400,
    )


@login_required
@require_POST
def receipt_create(request):
    unit = _my_unit(request)
    form = ReceiptForm(request.POST, unit=unit)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            _receipt, created = funding.record_receipt(
                user=request.user,
                unit=unit,
                amount=data["amount"],
                received_on=data["received_on"],
                doc_no=data["doc_no"],
                channel=data["channel"],
                project=data["project"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = (
                _("Receipt recorded.")
                if created
                else _("This receipt was already recorded; nothing changed.")
            )
    return _quick_form_response(
        request, unit, "dashboard/_receipt_form.html", "receipt_form", form, done
    )


def _stale_message(obj, submitted: str | None) -> str | None:
    """The "someone else changed it" message when the form was read at an older version."""
    if not (submitted and submitted.isdigit()):
        return None
    try:
        check_version(obj, int(submitted))
    except StaleObjectError as exc:
        return " ".join(exc.messages)
    return None


@login_required
@require_POST
def project_advance(request, pk: int):
    unit = _my_unit(request)
    project = get_object_or_404(Project.objects.visible_to(request.user, "change"), pk=pk)
    form = AdvanceProjectForm(request.POST, project=project)
    stale = _stale_message(project, request.POST.get("version"))
    if stale:
        # checked first: after someone else's change the chosen stage may no longer be valid
        messages.error(request, stale)
    elif form.is_valid():
        try:
            funding.advance_project(
                user=request.user,
                project=project,
                to_stage=form.cleaned_data["to_stage"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(project)s moved to “%(stage)s”.")
                % {"project": project.name, "stage": Stage(form.cleaned_data["to_stage"]).label},
            )
    else:
        messages.error(request, _("Choose the next stage and a date."))
    if request.htmx:
        response = render(request, "dashboard/_board.html", _workbench_context(request, unit))
        response["HX-Trigger"] = "figures-changed"
        return response
    return redirect("dashboard:workbench")


@login_required
@require_POST
def report_create(request):
    unit = _my_unit(request)
    form = ProgressReportForm(request.POST, unit=unit)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            policy.file_progress_report(
                user=request.user,
                work_item=data["work_item"],
                unit=unit,
                reported_on=data["reported_on"],
                text=data["text"],
                percent=data["percent"],
                problems=data["problems"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = _("Progress report filed.")
    return _quick_form_response(
        request, unit, "dashboard/_report_form.html", "report_form", form, done
    )


@login_required
@require_POST
def contact_create(request):
    unit = _my_unit(request)
    form = ContactForm(request.POST)
    done = None
    if form.is_valid():
        try:
            funding.log_contact(user=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = _("Contact logged.")
    return _quick_form_response(
        request, unit, "dashboard/_contact_form.html", "contact_form", form, done
    )


@login_required
@require_POST
def report_approve(request, pk: int):
    """The unit head signs off a progress report the officer submitted."""
    _my_unit(request)
    report = get_object_or_404(ProgressReport.objects.visible_to(request.user, "change"), pk=pk)
    try:
        policy.approve_progress_report(user=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Progress report approved."))
    return redirect("dashboard:workbench")
