"""Pages of corrections: ask for one (a unit for its own receipts, or the office), the
office's queue (approve or refuse), reinstating a rejected double claim."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.permissions import BUSINESS_ROLES, CHANGE, Role, role_of
from common.validation import parse_page

from ..choices import CorrectionState, ReceiptState
from ..models import Receipt, ReceiptCorrection
from ..querysets import correction_rows
from . import services
from .forms import CorrectionRequestForm, DecisionForm, ReinstateForm

PER_PAGE = 30
PENDING_SHOWN = 200


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


@login_required
def correction_request(request, pk: int):
    """Ask for a correction of a receipt in effect: its unit's officer or head, or the
    office. A receipt no longer in effect, or with a request waiting, is shown, not asked
    about again."""
    receipt = get_object_or_404(
        Receipt.every.visible_to(request.user, CHANGE).select_related("unit", "channel", "project"),
        pk=pk,
    )
    pending = ReceiptCorrection.objects.filter(
        receipt=receipt, state=CorrectionState.PENDING
    ).first()
    form = CorrectionRequestForm(request.POST or None, receipt=receipt)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_correction(
                user=request.user,
                receipt=receipt,
                kind=data["kind"],
                reason=data["reason"],
                changes=form.changes(),
                expected_version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Your request is with the supervision office; the receipt counts as it is "
                    "until the office approves it."
                ),
            )
            return redirect("funding:receipt_detail", pk=receipt.pk)
    return render(
        request,
        "funding/correction_request.html",
        {
            "receipt": receipt,
            "form": form,
            "pending": pending,
            "in_effect": receipt.state == ReceiptState.ACTIVE,
        },
    )


@login_required
def correction_list(request):
    """The office's queue of requests waiting for a decision, then every decision; a unit's
    and a leader's: those of their receipts."""
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied
    office = role_of(request.user) == Role.OFFICE
    visible = ReceiptCorrection.objects.visible_to(request.user)
    pending = correction_rows(
        visible.filter(state=CorrectionState.PENDING).order_by("requested_at", "pk")
    )
    decided = Paginator(
        visible.exclude(state=CorrectionState.PENDING).order_by("-decided_at", "-pk"), PER_PAGE
    ).get_page(parse_page(request.GET.get("page", "")))
    return render(
        request,
        "funding/correction_list.html",
        {
            "pending": pending,
            "decided": decided,
            "decided_rows": correction_rows(decided.object_list),
            "office": office,
        },
    )


def _decide(request, pk: int, decide, done: str):
    _office(request)
    correction = get_object_or_404(ReceiptCorrection.objects.visible_to(request.user), pk=pk)
    _act(
        request,
        DecisionForm(request.POST),
        lambda data: decide(
            user=request.user,
            correction=correction,
            comment=data["comment"],
            expected_version=data["version"],
        ),
        done,
    )
    return redirect("funding:correction_list")


def _act(request, form, act, done: str) -> None:
    """The office's posted form validated and acted on (`act(cleaned data)`); the outcome,
    or what was refused, as a message on the page it goes back to."""
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
        act(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@login_required
@require_POST
def correction_approve(request, pk: int):
    return _decide(
        request,
        pk,
        services.approve_correction,
        _("Approved: the figures use the corrected record for every date."),
    )


@login_required
@require_POST
def correction_refuse(request, pk: int):
    return _decide(
        request, pk, services.refuse_correction, _("Refused: the receipt stays as it is.")
    )


@login_required
@require_POST
def receipt_reinstate(request, pk: int):
    """The office puts a receipt it rejected as a double claim back into effect."""
    _office(request)
    receipt = get_object_or_404(Receipt.every.visible_to(request.user), pk=pk)
    _act(
        request,
        ReinstateForm(request.POST),
        lambda data: services.reinstate_receipt(
            user=request.user,
            receipt=receipt,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        _("Reinstated: the receipt counts in the figures again."),
    )
    return redirect("funding:receipt_detail", pk=receipt.pk)
