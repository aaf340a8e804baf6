from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import format_wan
from common.permissions import BUSINESS_ROLES, Role, role_of
from org.models import SiteConfig

from . import services
from .forms import TargetForm
from .models import Target


@login_required
def target_list(request):
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied
    config = SiteConfig.objects.first()
    default_year = (
        config.default_year if config and config.default_year else (timezone.localdate().year)
    )
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else default_year
    targets = (
        Target.objects.visible_to(request.user)
        .filter(year=year)
        .select_related("unit")
        .order_by("unit__sort_order", "unit__code")
    )
    page = Paginator(targets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/target_list.html",
        {"page": page, "year": year, "can_edit": role_of(request.user) == Role.OFFICE},
    )


@login_required
def target_edit(request, pk: int):
    """The office raises or lowers a target; the old value stays in the revision history."""
    target = get_object_or_404(
        Target.objects.visible_to(request.user).select_related("unit"), pk=pk
    )
    if request.method == "POST" and role_of(request.user) != Role.OFFICE:
        raise PermissionDenied  # units and leaders read the history; the office sets targets
    form = TargetForm(
        request.POST or None,
        initial={"amount": format_wan(target.amount).replace(",", ""), "version": target.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_target(
                user=request.user,
                unit=target.unit,
                year=target.year,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The %(year)s target of %(unit)s is now %(amount)s万元.")
                % {
                    "year": target.year,
                    "unit": target.unit.name,
                    "amount": format_wan(form.cleaned_data["amount"]),
                },
            )
            return redirect("funding:target_edit", pk=target.pk)
    revisions = target.revisions.select_related("changed_by")
    return render(
        request,
        "funding/target_edit.html",
        {"target": target, "form": form, "revisions": revisions},
    )
