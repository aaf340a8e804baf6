"""Filters on the organisation that other apps' lists share: units the user may see, leaders."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Leader, Unit


def _visible_units(request):
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user).order_by("sort_order", "code")


def unit_filter(field_name: str = "unit", label=None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=_visible_units,
        label=label or _("Unit"),
        empty_label=_("All units"),
    )


def leader_filter(field_name: str = "leader", label=None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Leader.objects.order_by("sort_order", "name"),
        label=label or _("Leader"),
        empty_label=_("All leaders"),
    )
