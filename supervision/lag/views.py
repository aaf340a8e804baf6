"""Lag explanations: the list, one explanation's page, and its actions (POST only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.history import history_for
from common.permissions import BUSINESS_ROLES, Role, role_of
from org.period import ReportingPeriod, office_period

from ..models import LagExplanation
from . import services
from .forms import LagDecisionForm, LagFileForm, LagMeasureFormSet, LagRequestForm


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


@login_required
def lag_list(request):
    """Office: every unit asked, and asking; leader: the units they oversee; unit: its own."""
    _business(request)
    explanations = (
        LagExplanation.objects.visible_to(request.user)
        .select_related("unit", "signed_off_by", "filed_by")
        .order_by("-as_of", "status", "unit__sort_order", "unit__code")
    )
    is_office = role_of(request.user) == Role.OFFICE
    period = office_period()
    form = LagRequestForm(initial={"as_of": period.as_of}) if is_office else None
    return render(
        request,
        "supervision/lag/list.html",
        {
            "explanations": explanations[:200],
            "is_office": is_office,
            "request_form": form,
            "statuses": LagExplanation.Status,
        },
    )


@login_required
def lag_request(request):
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    if request.method != "POST":
        return redirect("supervision:lag_list")  # a GET asks no one
    form = LagRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("supervision:lag_list")
    as_of = form.cleaned_data["as_of"]
    period = ReportingPeriod(as_of.year, as_of, office_period().mode)
    created = services.request_lag_explanations(user=request.user, period=period)
    messages.success(
        request,
        _("%(n)s units asked for causes and measures as of %(day)s.")
        % {"n": len(created), "day": as_of.isoformat()},
    )
    return redirect("supervision:lag_list")


def _visible(request, pk: int) -> LagExplanation:
    return get_object_or_404(
        LagExplanation.objects.visible_to(request.user).select_related(
            "unit", "signed_off_by", "filed_by"
        ),
        pk=pk,
    )


def _context(request, explanation: LagExplanation, **forms) -> dict:
    can_file = services.can_file(request.user, explanation)
    can_decide = services.can_decide(request.user, explanation)
    initial_rows = [
        {"text": m.text, "due_on": m.due_on} for m in explanation.measure_rows.order_by("position")
    ]
    return {
        "explanation": explanation,
        "measures": explanation.measure_rows.select_related("milestone").order_by("position"),
        "history": history_for(explanation),
        "can_file": can_file,
        "can_decide": can_decide,
        "file_form": forms.get("file_form")
        or (
            LagFileForm(initial={"causes": explanation.causes, "version": explanation.version})
            if can_file
            else None
        ),
        "measure_formset": forms.get("measure_formset")
        or (LagMeasureFormSet(initial=initial_rows, prefix="measures") if can_file else None),
        "decision_form": forms.get("decision_form")
        or (LagDecisionForm(initial={"version": explanation.version}) if can_decide else None),
        "unit_url": reverse("dashboard:unit", args=[explanation.unit_id]),
    }


@login_required
def lag_detail(request, pk: int):
    _business(request)
    explanation = _visible(request, pk)
    return render(request, "supervision/lag/detail.html", _context(request, explanation))


@login_required
def lag_file(request, pk: int):
    _business(request)
    explanation = _visible(request, pk)
    if not services.can_file(request.user, explanation):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("supervision:lag_detail", pk=pk)
    form = LagFileForm(request.POST)
    formset = LagMeasureFormSet(request.POST, prefix="measures")
    if form.is_valid() and formset.is_valid():
        rows = [
            (f.cleaned_data["text"], f.cleaned_data["due_on"])
            for f in formset.forms
            if (f.cleaned_data.get("text") or "").strip()
        ]
        try:
            services.file_lag_explanation(
                user=request.user,
                explanation=explanation,
                causes=form.cleaned_data["causes"],
                measures=rows,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Filed; your overseeing leader decides next."))
            return redirect("supervision:lag_detail", pk=pk)
    context = _context(request, explanation, file_form=form, measure_formset=formset)
    return render(request, "supervision/lag/detail.html", context, status=400)


def _decide(request, pk: int, act):
    _business(request)
    explanation = _visible(request, pk)
    if not services.can_decide(request.user, explanation):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("supervision:lag_detail", pk=pk)
    form = LagDecisionForm(request.POST)
    if form.is_valid():
        try:
            message = act(explanation, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect("supervision:lag_detail", pk=pk)
    context = _context(request, explanation, decision_form=form)
    return render(request, "supervision/lag/detail.html", context, status=400)


@login_required
def lag_sign_off(request, pk: int):
    def act(explanation, data):
        services.sign_off_lag_explanation(
            user=request.user,
            explanation=explanation,
            comment=data["comment"],
            expected_version=data.get("version"),
        )
        return _("Signed off; the measures are followed as time nodes of the unit.")

    return _decide(request, pk, act)


@login_required
def lag_send_back(request, pk: int):
    def act(explanation, data):
        services.send_back_lag_explanation(
            user=request.user,
            explanation=explanation,
            comment=data["comment"],
            expected_version=data.get("version"),
        )
        return _("Sent back to the unit with your comment.")

    return _decide(request, pk, act)
