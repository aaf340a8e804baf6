"""The unit list: what it shows, how it sorts and filters (see `common.lists`)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from common.lists import NUMBER, Column, ListSpec, choice_label, link_to, search_filter

from .models import Unit, UnitKind


class UnitFilter(django_filters.FilterSet):
    q = search_filter("code", "name", label=_("Search by name or code"))
    kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )

    class Meta:
        model = Unit
        fields: list[str] = []


UNITS = ListSpec(
    name="units",
    title=_("Units"),
    columns=[
        Column("code", _("Code"), lambda u: u.code, sort="code", width=12),
        Column(
            "name",
            _("Name"),
            lambda u: u.name,
            sort="name",
            link=link_to("org:unit_detail"),
            width=28,
        ),
        Column("kind", _("Kind"), choice_label(Unit, "kind"), sort="kind", width=10),
        Column("parent", _("Parent unit"), lambda u: u.parent.name if u.parent else "", width=24),
        Column(
            "sort_order",
            _("Sort order"),
            lambda u: u.sort_order,
            sort="sort_order",
            kind=NUMBER,
            width=8,
        ),
    ],
    filterset=UnitFilter,
    default_sort="sort_order",
    empty=_("No units yet. The system administrator adds units in the back office."),
    related=["parent"],
)
