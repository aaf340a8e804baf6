"""The funding lists: what each shows, how it sorts and filters (see `common.lists`)."""

import dataclasses

import django_filters
from django.utils.translation import gettext_lazy as _

from common.lists import (
    DATE,
    MONEY,
    NUMBER,
    Column,
    ListSpec,
    choice_label,
    date_filter,
    link_to,
    search_filter,
)
from common.templatetags.luoshi import percent
from org.filters import leader_filter, unit_filter
from policy.models import Aspect

from .choices import ContactDirection, Level, Stage
from .models import Channel, Contact, Guide, Project, Receipt, Target


def unit_column() -> Column:
    """The unit a row belongs to, linked to the unit's page."""
    return Column(
        "unit",
        _("Unit"),
        lambda row: row.unit.name,
        # by the unit's id (units are numbered in their order of creation): an index, where
        # the unit's sort order would join and sort every row of a million-row list
        sort="unit_id",
        link=link_to("org:unit_detail", "unit_id"),
        width=24,
    )


def _channels():
    return Channel.objects.order_by("code")


class ProjectFilter(django_filters.FilterSet):
    q = search_filter("code", "name", "owner", label=_("Code or name"))
    unit = unit_filter()
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, label=_("Stage"), empty_label=_("All stages")
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level"), empty_label=_("All levels")
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=_channels(), label=_("Channel"), empty_label=_("All channels")
    )
    plan_year = django_filters.NumberFilter(label=_("Plan year"))

    class Meta:
        model = Project
        fields: list[str] = []


PROJECTS = ListSpec(
    name="projects",
    title=_("Projects"),
    columns=[
        Column(
            "code",
            _("Project code"),
            lambda p: p.code,
            sort="code",
            link=link_to("funding:project_detail"),
        ),
        Column("name", _("Project name"), lambda p: p.name, sort="name", width=36),
        unit_column(),
        Column("channel", _("Channel"), lambda p: p.channel.name if p.channel else "", width=24),
        Column("level", _("Level"), choice_label(Project, "level"), sort="level", width=8),
        Column("stage", _("Stage"), choice_label(Project, "stage"), sort="stage", width=8),
        Column("requested", _("Requested"), lambda p: p.requested, sort="requested", kind=MONEY),
        Column("applied_on", _("Applied on"), lambda p: p.applied_on, sort="applied_on", kind=DATE),
        Column("plan_year", _("Plan year"), lambda p: p.plan_year, sort="plan_year", kind=NUMBER),
    ],
    filterset=ProjectFilter,
    default_sort="code",
    empty=_(
        "No projects yet. Units add projects on their workbench, or the office imports a ledger."
    ),
    related=["unit", "channel"],
)


class ReceiptFilter(django_filters.FilterSet):
    q = search_filter("doc_no", "note", "project__name", label=_("Document number or project"))
    unit = unit_filter()
    year = django_filters.NumberFilter(
        field_name="received_on", lookup_expr="year", label=_("Year")
    )
    received_from = date_filter("received_on", "gte", _("Received from"))
    received_to = date_filter("received_on", "lte", _("Received until"))
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level"), empty_label=_("All levels")
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=_channels(), label=_("Channel"), empty_label=_("All channels")
    )

    class Meta:
        model = Receipt
        fields: list[str] = []


RECEIPTS = ListSpec(
    name="receipts",
    title=_("Receipts"),
    columns=[
        Column(
            "received_on",
            _("Received on"),
            lambda r: r.received_on,
            sort="received_on",
            kind=DATE,
            link=link_to("funding:receipt_detail"),
        ),
        unit_column(),
        Column("amount", _("Amount"), lambda r: r.amount, sort="amount", kind=MONEY),
        Column("doc_no", _("Document number"), lambda r: r.doc_no, sort="doc_no", width=24),
        Column("channel", _("Channel"), lambda r: r.channel.name if r.channel else "", width=24),
        Column("level", _("Level"), choice_label(Receipt, "level"), sort="level", width=8),
        Column(
            "project",
            _("Project"),
            lambda r: r.project.name if r.project else "",
            link=link_to("funding:project_detail", "project_id"),
            width=30,
        ),
    ],
    filterset=ReceiptFilter,
    default_sort="-received_on",
    empty=_("No receipts yet. Units record money received on their workbench."),
    related=["unit", "channel", "project"],
)
# for those who may ask for corrections (a unit, the office): a link on every row
RECEIPTS_CORRECTABLE = dataclasses.replace(
    RECEIPTS,
    columns=[
        *RECEIPTS.columns,
        Column(
            "correct",
            _("Correction"),
            lambda r: _("Ask for a correction"),
            link=link_to("funding:correction_request"),
            export=False,
        ),
    ],
)


class GuideFilter(django_filters.FilterSet):
    q = search_filter("title", "issuer", "scope", label=_("Title, issuer or scope"))
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level"), empty_label=_("All levels")
    )
    aspect = django_filters.ModelChoiceFilter(
        queryset=Aspect.objects.order_by("sort_order"),
        label=_("Aspect"),
        empty_label=_("All aspects"),
    )
    deadline_from = date_filter("deadline", "gte", _("Deadline from"))
    deadline_to = date_filter("deadline", "lte", _("Deadline until"))

    class Meta:
        model = Guide
        fields: list[str] = []


GUIDES = ListSpec(
    name="guides",
    title=_("Application guides"),
    columns=[
        Column(
            "title",
            _("Title"),
            lambda g: g.title,
            sort="title",
            link=link_to("funding:guide_detail"),
            width=40,
        ),
        Column("issuer", _("Issuer"), lambda g: g.issuer, sort="issuer", width=20),
        Column("level", _("Level"), choice_label(Guide, "level"), sort="level", width=8),
        Column("aspect", _("Aspect"), lambda g: g.aspect.name if g.aspect else "", width=14),
        Column(
            "published_on",
            _("Published on"),
            lambda g: g.published_on,
            sort="published_on",
            kind=DATE,
        ),
        Column("deadline", _("Deadline"), lambda g: g.deadline, sort="deadline", kind=DATE),
    ],
    filterset=GuideFilter,
    default_sort="-published_on",
    empty=_("No application guides yet. The office records guides as higher levels publish them."),
    related=["aspect"],
)


class ContactFilter(django_filters.FilterSet):
    q = search_filter("counterpart", "people", "summary", label=_("Counterpart, people or summary"))
    unit = unit_filter()
    direction = django_filters.ChoiceFilter(
        choices=ContactDirection.choices, label=_("Direction"), empty_label=_("Both directions")
    )
    leader = leader_filter()
    occurred_from = date_filter("occurred_on", "gte", _("Date from"))
    occurred_to = date_filter("occurred_on", "lte", _("Date until"))

    class Meta:
        model = Contact
        fields: list[str] = []


CONTACTS = ListSpec(
    name="contacts",
    title=_("Contacts"),
    columns=[
        Column(
            "occurred_on",
            _("Date"),
            lambda c: c.occurred_on,
            sort="occurred_on",
            kind=DATE,
            link=link_to("funding:contact_detail"),
        ),
        unit_column(),
        Column(
            "direction",
            _("Direction"),
            choice_label(Contact, "direction"),
            sort="direction",
            width=8,
        ),
        Column(
            "counterpart", _("Counterpart"), lambda c: c.counterpart, sort="counterpart", width=30
        ),
        Column("people", _("People"), lambda c: c.people, width=20),
        Column(
            "leader", _("Leader taking part"), lambda c: c.leader.name if c.leader else "", width=12
        ),
        Column(
            "project",
            _("Project"),
            lambda c: c.project.name if c.project else "",
            link=link_to("funding:project_detail", "project_id"),
            width=30,
        ),
    ],
    filterset=ContactFilter,
    default_sort="-occurred_on",
    empty=_("No contacts logged yet. Units log visits out and visits in on their workbench."),
    related=["unit", "leader", "project"],
)


class TargetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    unit = unit_filter()

    class Meta:
        model = Target
        fields: list[str] = []


def target_spec(can_edit: bool, figures_of=None) -> ListSpec:
    """The targets list; `figures_of(unit ids or None for all)` → {"year": Y, unit id:
    UnitFigures} adds each unit's completion rate and status, as the cockpit gives them,
    fetched for the rows shown only."""
    figures: dict = {}

    def prepare(rows) -> None:
        if figures_of is not None:
            figures.clear()
            figures.update(figures_of(None if rows is None else [t.unit_id for t in rows]))

    def rate(t: Target) -> str:
        line = figures.get(t.unit_id) if t.year == figures.get("year") else None
        return percent(line.rate) if line else ""

    def status(t: Target) -> str:
        line = figures.get(t.unit_id) if t.year == figures.get("year") else None
        return str(line.status.label) if line else ""

    """The targets of a year; the office's last column changes a target, others read its history."""
    if can_edit:
        action = Column(
            "action",
            _("Target"),
            lambda t: _("Change"),
            link=link_to("funding:target_edit"),
            aria=lambda t: _("Change the target of %(unit)s") % {"unit": t.unit.name},
            export=False,
        )
    else:
        action = Column(
            "action",
            _("Target"),
            lambda t: _("History"),
            link=link_to("funding:target_edit"),
            export=False,
        )
    return ListSpec(
        name="targets",
        title=_("Funding targets"),
        columns=[
            unit_column(),
            Column("year", _("Year"), lambda t: t.year, sort="year", kind=NUMBER, width=8),
            Column("amount", _("Target"), lambda t: t.amount, sort="amount", kind=MONEY),
            Column("rate", _("Completion rate"), rate, kind=NUMBER, width=10),
            Column("status", _("Status"), status, width=14),
            Column("version", _("Revisions"), lambda t: t.version - 1, kind=NUMBER, width=8),
            action,
        ],
        filterset=TargetFilter,
        default_sort="unit",
        empty=_("No targets for this year. Import a ledger with a 争取任务 sheet to set them."),
        related=["unit"],
        prepare=prepare,
    )
