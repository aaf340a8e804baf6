"""Filters on the organisation that other apps' lists share: units the user may see, leaders.

A province has thousands of units: the unit filter is a text box that suggests units as one
types (htmx fills its <datalist> from `org:unit_suggest`), not a <select> of every unit. It
takes what the suggestion puts in the box ("CODE 名称"), a code, a full name or an id.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import ModelChoiceField
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin

from .models import Leader, Unit

SUGGESTIONS = 20


def _visible_units(request):
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user).order_by("sort_order", "code")


def suggest_units(units, term: str):
    """Up to `SUGGESTIONS` of `units` whose code or name contains every word of `term`."""
    for word in term.split()[:5]:
        units = units.filter(Q(code__icontains=word[:50]) | Q(name__icontains=word[:50]))
    return units.order_by("sort_order", "code")[:SUGGESTIONS]


def resolve_unit(value: str, units):
    """The unit of `units` that a filter value names (id, code, "CODE 名称" or name), or None."""
    value = value.strip()[:150]
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return units.filter(pk=int(value)).first() if len(value) <= 18 else None
    first, _sep, rest = value.partition(" ")
    return (
        units.filter(code=first).first()
        or units.filter(name=value).first()
        or (units.filter(name=rest.strip()).first() if rest.strip() else None)
    )


class UnitAutocomplete(forms.TextInput):
    """A search box with suggestions (a <datalist> htmx fills as one types)."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("code or name"),
                "hx-get": reverse_lazy("org:unit_suggest"),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options = f"{attrs.get('id') or 'id_' + name}-options"
        attrs.update({"list": options, "hx-target": f"#{options}"})
        return format_html(
            '{}<datalist id="{}"></datalist>',
            super().render(name, value, attrs, renderer),
            options,
        )


class UnitField(forms.CharField):
    """Text naming a unit; cleans to the unit, among those the user may see."""

    default_error_messages = {
        "invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def __init__(self, *, queryset=None, **kwargs):
        self.queryset = queryset if queryset is not None else Unit.objects.none()
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = resolve_unit(value, self.queryset)
        if unit is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit


class UnitFilter(QuerySetRequestMixin, django_filters.Filter):
    field_class = UnitField


def unit_filter(field_name: str = "unit", label=None) -> UnitFilter:
    return UnitFilter(
        field_name=field_name,
        queryset=_visible_units,
        label=label or _("Unit"),
        widget=UnitAutocomplete(),
        distinct="__" in field_name,
    )


def leader_filter(field_name: str = "leader", label=None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Leader.objects.order_by("sort_order", "name"),
        label=label or _("Leader"),
        empty_label=_("All leaders"),
    )
