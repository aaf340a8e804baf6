"""The leaders' cockpit (驾驶舱) and the units' workbench (工作台)."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.versions import StaleObjectError, check_version
from common import stamps
from common.lists import ListSpec, list_exported
from common.percent import chart_percent, progress_text, rate_text
from common.permissions import BUSINESS_ROLES, UNIT_ROLES, Role, role_of
from common.validation import InputError, parse_int
from funding import services as funding
from funding.choices import Level, Stage, Status
from funding.models import Project, Receipt
from funding.workbench import guides_for_unit
from org.calendar import load_calendar
from org.models import Unit
from org.period import MODE_CHOICES, ReportingPeriod, period_for_request
from policy import services as policy
from policy.models import ProgressReport, WorkItem
from policy.querysets import requests_of_unit
from policy.states import due_soon_horizon
from reporting.forecast import forecast_context
from reporting.read_model import cumulative, figures_for, pro_rata_plan, secured_by_unit
from supervision.models import LagExplanation

from . import league
from . import querysets as read
from .exports import COCKPIT_EXPORT, league_workbook
from .forms import (
    AdvanceProjectForm,
    ContactForm,
    ProgressReportForm,
    ReceiptForm,
    ReportDecisionForm,
)
from .league import build_league

COCKPIT_ROLES = {Role.OFFICE, Role.LEADER}


def _period(request):
    """The reporting period the page asks for; a bad one is shown as an error, never a 500."""
    period, error = period_for_request(request)
    if error:
        messages.error(request, error)
    return period


def _period_context(period: ReportingPeriod) -> dict:
    return {"period": period, "year": period.year, "as_of": period.as_of, "modes": MODE_CHOICES}


@login_required
def cockpit(request):
    if role_of(request.user) not in COCKPIT_ROLES:
        raise PermissionDenied
    period = _period(request)
    # The page's body depends on the data (stamped), the viewer, the period, the league's
    # search and page, and the language: cached under exactly those (common/stamps.py).
    key = (
        request.user.pk,
        role_of(request.user),
        get_language(),
        period.query(),
        sorted((k, request.GET.get(k, "")) for k in ("q", "status", "parent", "page")),
    )
    body = stamps.cached(
        "cockpit",
        key,
        lambda: render_to_string(
            "dashboard/_cockpit_body.html", _cockpit_context(request, period), request=request
        ),
    )
    return render(request, "dashboard/cockpit.html", {"body": body})


def _cockpit_context(request, period: ReportingPeriod) -> dict:
    # City totals and the league table are what a bulletin publishes: every leader sees them;
    # a leader's own units come first and only units the viewer may open are links.
    figures = figures_for(request.user, period)
    summary = figures.summary
    units = figures.ranked()
    monthly = figures.secured_by_month()
    plan = pro_rata_plan(summary.target, period)
    levels = dict(Level.choices)
    by_level = [
        (str(levels.get(code, _("Not given"))), total)
        for code, total in figures.secured_by("level")
    ]
    by_channel = [
        (name or _("Not given"), total) for name, total in figures.secured_by("channel__name")
    ]
    # the work items read no receipt: their table is cached across receipt writes
    items_html = stamps.cached(
        "cockpit-items",
        (request.user.pk, period.query(), get_language()),
        lambda: _items_needing_attention_html(request.user, period, figures),
        receipts=False,
    )
    parents = _parents(figures)
    rows = [
        {
            "u": u,
            "open": figures.can_open(u.unit_id),
            "own": u.unit_id in figures.own,
            **parents.get(u.unit_id, NO_PARENT),
        }
        for u in units
    ]
    table = build_league(rows, request.GET)
    chart = {
        "timeProgress": chart_percent(summary.progress),
        "timeProgressText": progress_text(summary.progress),
        "units": [
            {
                "name": row["u"].name,
                "rate": chart_percent(row["u"].rate or 0),
                "rateText": rate_text(row["u"].rate),
                "status": row["u"].status.value,
                "statusLabel": str(row["u"].status.label),
                "url": _unit_url(row["u"].unit_id, period) if row["open"] else None,
                "own": row["own"],
            }
            for row in table.rows
        ],
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "cumulative": [
            round(v / 10_000, 2) if i < period.as_of.month else None
            for i, v in enumerate(cumulative(monthly))
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
    return {
        **_period_context(period),
        "summary": summary,
        "rows": table.rows,
        "league": table,
        "league_ends": [
            (_("Best %(n)s") % {"n": len(table.top)}, table.top),
            (_("Last %(n)s") % {"n": len(table.bottom)}, table.bottom),
        ],
        "league_query": _league_query(period, table),
        "chart": chart,
        "items_html": items_html,
        "by_channel": by_channel,
        "by_level": by_level,
        "statuses": Status,
        "doubtful_claims": figures.doubtful_claims,
        "forecast": _forecast_for_table(request.user, period, figures, table),
        "claims_url": reverse("funding:claim_list")
        if role_of(request.user) == Role.OFFICE
        else None,
    }


def _items_needing_attention_html(user, period: ReportingPeriod, figures) -> str:
    """The cockpit's table of work items overdue or due soon (it reads no receipt; which
    lead units are links depends on the viewer only)."""
    states = due_soon_horizon(period.as_of)
    items = list(read.items_needing_attention(user, states))
    for item in items:
        item.lead_unit_open = item.lead_unit_id is not None and figures.can_open(item.lead_unit_id)
    return render_to_string(
        "dashboard/_cockpit_items.html", {"items": items, "states": states, "period": period}
    )


def _forecast_for_table(viewer, period: ReportingPeriod, figures, table) -> dict | None:
    """The forecast: the total over the whole league, and the lines of the units the league
    table shows (every unit of a small league; a big league's page, in the table's order)."""
    forecast = forecast_context(viewer, period, figures=figures)
    if forecast is not None and table.big:
        by_unit = {f.unit_id: f for f in forecast["units"]}
        forecast["units"] = [
            by_unit[r["u"].unit_id] for r in table.rows if r["u"].unit_id in by_unit
        ]
        forecast["page_only"] = True
    return forecast


def _league_query(period: ReportingPeriod, table) -> str:
    """The query string of the league's search and filters, for its pager."""
    params = {"q": table.q, "status": table.status}
    if table.parent is not None:
        params["parent"] = table.parent
    extra = urlencode({k: v for k, v in params.items() if v != ""})
    return period.query() + ("&" + extra if extra else "")


NO_PARENT = {"parent_id": league.NO_PARENT, "parent_name": ""}


def _parents(figures) -> dict[int, dict]:
    """unit id → its parent (县/区) id and name, for the units of the league. One query."""
    return {
        pk: {"parent_id": parent_id or league.NO_PARENT, "parent_name": name or ""}
        for pk, parent_id, name in Unit.objects.filter(pk__in=figures.league)
        .order_by()
        .values_list("pk", "parent_id", "parent__name")
    }


@login_required
def cockpit_export(request):
    """The league table as the cockpit shows it (search and filters applied, every page),
    to paste into a report: unit, county, target, secured, rate, status, gap."""
    if role_of(request.user) not in COCKPIT_ROLES:
        raise PermissionDenied
    period = _period(request)
    figures = figures_for(request.user, period)
    parents = _parents(figures)
    rows = [{"u": u, **parents.get(u.unit_id, NO_PARENT)} for u in figures.ranked()]
    q = (request.GET.get("q") or "").strip()[:50]
    status = request.GET.get("status") or ""
    rows = league.filter_rows(
        rows,
        q=q,
        parent=league.parse_int(request.GET.get("parent")),
        status=status if status in Status.values else "",
    )
    content = league_workbook(rows, figures.summary, period)
    filters = {k: v for k, v in request.GET.items() if v}
    list_exported.send(
        ListSpec, request=request, spec=COCKPIT_EXPORT, rows=len(rows), filters=filters
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = period.as_of.strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="league-{stamp}.xlsx"'
    return response


def _unit_url(unit_id: int, period: ReportingPeriod) -> str:
    return f"{reverse('dashboard:unit', args=[unit_id])}?{period.query()}"


@login_required
def unit_figures(request, pk: int):
    """Drill-down from the cockpit: one unit's standing, trend, pipeline and open items."""
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied  # the system administrator maintains units, not their figures
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    period = _period(request)
    figures = figures_for(request.user, period, unit_ids=[unit.pk])
    line = figures.unit(unit.pk)
    monthly = figures.secured_by_month([unit.pk])
    plan = pro_rata_plan(line.target if line else 0, period)
    receipts = (
        Receipt.objects.filter(unit=unit)
        .in_year(period.year, period.as_of)
        .select_related("channel", "project")
        .order_by("-received_on")[:50]
    )
    projects = Project.objects.filter(unit=unit).select_related("channel").order_by("stage", "code")
    states = due_soon_horizon(period.as_of)
    items = (
        WorkItem.objects.visible_to(request.user)
        .filter(assignments__unit=unit)
        .with_state(states.as_of, states.horizon)
        .select_related("lead_leader")
        .order_by("due_on")
    )
    chart = {
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "cumulative": [
            round(v / 10_000, 2) if i < period.as_of.month else None
            for i, v in enumerate(cumulative(monthly))
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
            **_period_context(period),
            "unit": unit,
            "figures": line,
            "forecast": forecast_context(request.user, period, unit_ids=[unit.pk], figures=figures),
            "summary": figures.summary,
            "receipts": receipts,
            "projects": projects,
            "items": items,
            "states": states,
            "chart": chart,
            "cockpit_url": role_of(request.user) in COCKPIT_ROLES,
            "record_url": reverse("org:unit_detail", args=[unit.pk]),
            "lag_explanations": LagExplanation.objects.visible_to(request.user)
            .filter(unit=unit)
            .order_by("-as_of")[:5],
        },
    )


def _my_unit(request) -> Unit:
    if role_of(request.user) not in UNIT_ROLES:
        raise PermissionDenied
    return request.user.membership.unit


def _secured_after(viewer, unit: Unit, period: ReportingPeriod, figures) -> dict | None:
    """Money the unit has recorded after the as-of date of a past period, which the figures
    above leave out: said on the card, so a receipt just recorded never seems lost."""
    year_end = ReportingPeriod(period.year, dt.date(period.year, 12, 31), period.mode)
    if period.as_of >= min(timezone.localdate(), year_end.as_of):
        return None
    now = figures.unit(unit.pk)
    if now is None:  # no target in the year: no card
        return None
    # the unit's own money to the year's end (a month end: the rollup alone, one query)
    whole = secured_by_unit(year_end, [unit.pk]).get(unit.pk, 0)
    if whole <= now.secured:
        return None
    return {"amount": whole - now.secured, "query": year_end.query(), "year_end": year_end}


def _my_figures_context(request, unit: Unit, period: ReportingPeriod) -> dict:
    """What the workbench's figure cards show (`dashboard/_my_figures.html`)."""
    figures = figures_for(request.user, period, unit_ids=[unit.pk])
    return {
        "unit": unit,
        "year": period.year,
        "as_of": period.as_of,
        "figures": figures.unit(unit.pk),
        "later": _secured_after(request.user, unit, period, figures),
    }


def _my_figures_html(request, unit: Unit, period: ReportingPeriod) -> str:
    """The figure cards rendered, cached under the data stamps (receipts included). The
    same for every person of the unit (its officer and its head read its own line)."""
    key = (
        unit.pk,
        get_language(),
        period.query(),
        timezone.localdate().isoformat(),  # money recorded after the period
    )
    return stamps.cached(
        "workbench-figures",
        key,
        lambda: render_to_string(
            "dashboard/_my_figures.html", _my_figures_context(request, unit, period)
        ),
    )


#: the workbench's quick forms (dashboard/_quick_form.html): context name → (action, form id)
QUICK_FORMS = {
    "receipt_form": ("dashboard:receipt_create", "receipt-form"),
    "report_form": ("dashboard:report_create", "report-form"),
    "contact_form": ("dashboard:contact_create", "contact-form"),
}


def _quick_form_html(name: str, form, request=None, done: str | None = None) -> str:
    """One quick form, rendered; without a request (the cached blank ones) it holds no token."""
    action, form_id = QUICK_FORMS[name]
    context = {"form": form, "action": action, "form_id": form_id, "done": done}
    return render_to_string("dashboard/_quick_form.html", context, request)


#: the workbench's parts that hold no form (dashboard/templates/dashboard/_workbench_<name>.html)
PARTS = ("head", "dispatch", "cards", "due", "items")


def _workbench_parts(request, unit: Unit, period: ReportingPeriod) -> dict[str, str]:
    """The workbench's parts that hold no CSRF token, rendered: its head, dispatch card, cards
    (reports sent back, requests, causes asked, guides), the project board (its forms
    without a token; `advance_ids`: the forms the page gives a token), due card, work items,
    and the blank receipt and report forms (without a token either). They read
    no receipt, so they stay cached across receipt writes (`workbench`). Rendered without the
    request's context: a CSRF token cannot get into them (each form, and its token, is the
    page's own, `dashboard/workbench.html`)."""
    as_of = period.as_of
    # one calendar for the due-soon horizon and the guides' countdowns
    calendar = load_calendar(as_of.year, as_of.year + 1)
    states = due_soon_horizon(as_of, calendar=calendar)
    # read once: the list and the due card (its overdue and due-soon ones)
    items = list(
        WorkItem.objects.filter(assignments__unit=unit)
        .with_state(states.as_of, states.horizon)
        .select_related("lead_leader")
        .order_by("due_on", "code")
    )
    context = {
        "request": request,  # the dispatch card's tag reads the viewer from it
        "unit": unit,
        "year": period.year,
        "as_of": as_of,
        "period": period,
        "modes": MODE_CHOICES,
        "calendar_warning": states.warning,
        "due": read.due_for_unit(unit, states, items),
        "items": items,
        "states": states,
        # reports the head sent back, with the comment, until a newer one is filed
        "returned_reports": ProgressReport.objects.returned_unanswered(unit),
        # its extension and close requests, with the office's answers
        "unit_requests": requests_of_unit(unit),
        # causes and measures the office asked for and the unit still owes (or must redo)
        "lag_explanations": LagExplanation.objects.filter(
            unit=unit, status__in=[LagExplanation.Status.REQUESTED, LagExplanation.Status.SENT_BACK]
        ).order_by("-as_of"),
        "guides_html": render_to_string(
            "funding/_workbench_guides.html",
            {"guides": guides_for_unit(request.user, unit, as_of, calendar=calendar)},
        ),
    }
    parts = {name: render_to_string(f"dashboard/_workbench_{name}.html", context) for name in PARTS}
    # the board's forms hold no token: the page writes one for each, tied to it by its id
    board = _board_context(unit, as_of)
    parts["board"] = render_to_string("dashboard/_board_columns.html", board)
    parts["advance_ids"] = [
        pk for pk, form in board["advance_forms"].items() if form.fields["to_stage"].choices
    ]
    # the blank receipt and report forms read no receipt either (the contact form offers the
    # unit's receipts: `_blank_contact_form_html`)
    blank = _blank_forms(unit, as_of)
    for name in ("receipt_form", "report_form"):
        parts[name] = _quick_form_html(name, blank[name]())
    return parts


def _board_context(unit: Unit, as_of: dt.date) -> dict:
    """The unit's projects by stage, each with its form to move it on."""
    projects = list(Project.objects.filter(unit=unit).select_related("channel").order_by("code"))
    return {
        "board": [
            (stage, label, [p for p in projects if p.stage == stage])
            for stage, label in Stage.choices
        ],
        "advance_forms": {
            p.pk: AdvanceProjectForm(project=p, initial={"version": p.version, "on": as_of})
            for p in projects
            if p.stage != Stage.FUNDED
        },
    }


def _blank_forms(unit: Unit, as_of: dt.date) -> dict:
    """The workbench's three forms, blank: name → a maker."""
    return {
        "receipt_form": lambda: ReceiptForm(unit=unit, initial={"received_on": as_of}),
        "report_form": lambda: ProgressReportForm(unit=unit, initial={"reported_on": as_of}),
        "contact_form": lambda: ContactForm(unit=unit, initial={"occurred_on": as_of}),
    }


def _blank_contact_form_html(unit: Unit, as_of: dt.date) -> str:
    """The workbench's blank contact form without its CSRF token (the page ties one to it),
    cached per unit apart from the parts: it offers the unit's receipts, so a receipt write
    recomputes it."""
    return stamps.cached(
        "workbench-contact-form",
        (unit.pk, as_of.isoformat(), get_language()),
        lambda: _quick_form_html("contact_form", _blank_forms(unit, as_of)["contact_form"]()),
    )


@login_required
def workbench(request):
    return _workbench_page(request, _my_unit(request), _period(request))


def _workbench_page(request, unit: Unit, period: ReportingPeriod, status: int = 200, **bound):
    """The workbench page. Its template places the cached parts (`_workbench_parts`, the
    figure cards, the blank contact form) beside what is rendered for this response alone:
    the reports waiting for the head, and a CSRF token input for each of the quick and board
    forms (tied to it by HTML's form attribute).
    `bound`: a quick form with what was typed, shown with its errors instead of blank fields."""
    # The parts are cached under the `other` stamp and all else they show: the viewer, the
    # period, today (the dispatch card) and the language (common/stamps.py).
    key = (
        request.user.pk,
        role_of(request.user),
        unit.pk,
        get_language(),
        period.query(),
        timezone.localdate().isoformat(),
    )
    parts = stamps.cached(
        "workbench-parts",
        key,
        lambda: _workbench_parts(request, unit, period),
        receipts=False,
    )
    context = {
        "unit": unit,
        "parts": parts,
        "figures_html": _my_figures_html(request, unit, period),
        "pending_reports": ProgressReport.objects.filter(unit=unit)
        .pending()
        .select_related("work_item", "reporter")
        .order_by("reported_on")
        if role_of(request.user) == Role.UNIT_HEAD
        else [],
    }
    for name in QUICK_FORMS:
        if name in bound:  # rendered live, with what was typed and its errors
            html = _quick_form_html(name, bound[name], request)
        elif name == "contact_form":
            html = _blank_contact_form_html(unit, period.as_of)
        else:
            html = parts[name]
        context[name.removesuffix("_form") + "_html"] = html
    context["tied_forms"] = [form_id for _action, form_id in QUICK_FORMS.values()] + [
        f"advance-form-{pk}" for pk in parts["advance_ids"]
    ]
    return render(request, "dashboard/workbench.html", context, status=status)


@login_required
def my_figures(request):
    unit = _my_unit(request)
    return HttpResponse(_my_figures_html(request, unit, _period(request)))


def _quick_form_response(request, unit, form_name: str, form, done: str | None):
    """htmx: re-render just the form (with errors or a fresh one); otherwise redirect."""
    if done:
        messages.success(request, done)
    if request.htmx:
        if done:
            form = _blank_forms(unit, _period(request).as_of)[form_name]()
        response = HttpResponse(_quick_form_html(form_name, form, request, done))
        if done:
            response["HX-Trigger"] = "figures-changed"
        return response
    if done:
        return redirect("dashboard:workbench")
    return _workbench_page(request, unit, _period(request), status=400, **{form_name: form})


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
    return _quick_form_response(request, unit, "receipt_form", form, done)


def _stale_message(obj, submitted: str | None) -> str | None:
    """The "someone else changed it" message when the form was read at an older version
    (a missing or malformed version is the form's own error)."""
    try:
        version = parse_int(submitted or "", minimum=1)
    except InputError:
        return None
    try:
        check_version(obj, version)
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
        messages.error(
            request, " ".join(form.non_field_errors()) or _("Choose the next stage and a date.")
        )
    if request.htmx:
        context = _board_context(unit, _period(request).as_of)
        response = render(request, "dashboard/_board.html", context)
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
    return _quick_form_response(request, unit, "report_form", form, done)


@login_required
@require_POST
def contact_create(request):
    unit = _my_unit(request)
    form = ContactForm(request.POST, unit=unit)
    done = None
    if form.is_valid():
        try:
            funding.log_contact(user=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = _("Contact logged.")
    return _quick_form_response(request, unit, "contact_form", form, done)


def _report_decision(request, pk: int, decide, done: str):
    """The unit head's answer to a report (its version carried by the form); the workbench
    again, with what happened."""
    _my_unit(request)
    report = get_object_or_404(ProgressReport.objects.visible_to(request.user, "change"), pk=pk)
    form = ReportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("dashboard:workbench")
    try:
        decide(report, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("dashboard:workbench")


@login_required
@require_POST
def report_approve(request, pk: int):
    """The unit head signs off a progress report the officer submitted."""

    def decide(report, data):
        policy.approve_progress_report(
            user=request.user, report=report, expected_version=data["version"]
        )

    return _report_decision(request, pk, decide, _("Progress report approved."))


@login_required
@require_POST
def report_send_back(request, pk: int):
    """The unit head sends a report back with a comment; the officer files a new one."""

    def decide(report, data):
        policy.send_back_progress_report(
            user=request.user,
            report=report,
            comment=data["comment"],
            expected_version=data["version"],
        )

    return _report_decision(
        request, pk, decide, _("Progress report sent back; the officer sees your comment.")
    )
