"""Filters on the organisation that other apps' lists share: units the user may see, leaders.

A province has thousands of units: the unit filter is a text box that suggests units as one
types (htmx fills its <datalist> from `org:unit_suggest`), not a <select> of every unit. It
takes what the suggestion puts in the box ("CODE 名称"), a code, a full name or an id.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    if value.isdigit():
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


class UnitFilter(django_filters.CharFilter):
    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        unit = resolve_unit(value, _visible_units(getattr(self.parent, "request", None)))
        if unit is None:
            return qs.none()  # the list says nothing matches; the box keeps what was typed
        qs = qs.filter(**{self.field_name: unit})
        return qs.distinct() if "__" in self.field_name else qs


def unit_filter(field_name: str = "unit", label=None) -> UnitFilter:
    return UnitFilter(field_name=field_name, label=label or _("Unit"), widget=UnitAutocomplete())


def leader_filter(field_name: str = "leader", label=None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Leader.objects.order_by("sort_order", "name"),
        label=label or _("Leader"),
        empty_label=_("All leaders"),
    )
